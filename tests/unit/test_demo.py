"""The demo's synthetic population and its report, without servers."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest

from secondline.common.v1 import common_pb2
from secondline.dates import CST
from secondline.cli.demo.population import PORTS, generate_crossings, generate_population
from secondline.cli.demo.figures import GateFigures, RateRow, Results, configured, percentile
from secondline.cli.demo.stats import binomial_tail
from secondline.cli.demo.report import html_report, text_report
from secondline.errors import DomainError
from secondline.gate.v1 import gate_pb2
from secondline.identifiers import parse_individual, validate_uscc
from secondline.rules_config import load_rules
from secondline.services.gate.measures import load_measures
from secondline.services.ingestion.convert import input_from_proto
from secondline.services.ingestion.validation import check_at_edge

NOW = datetime(2026, 3, 1, 4, 30, tzinfo=timezone.utc)  # 12:30 CST
TODAY = date(2026, 3, 1)
RULES = load_rules()


@pytest.fixture(scope="module")
def population():
    return generate_population(4000, seed=7, now=NOW, rules=RULES.in_force(TODAY), probes=8)


def test_every_identifier_validates_s2_s3(population):
    for key in population.enterprises:
        assert validate_uscc(key) == key
    for key in population.individuals:
        assert parse_individual(key, today=TODAY) == key
    assert len(set(population.enterprises)) == len(population.enterprises)
    assert len(set(population.individuals)) == len(population.individuals)
    assert any(":" in key for key in population.individuals)  # some passports and permits


def test_every_record_passes_ingestion_checks_at_its_receipt_r1_r6(population):
    """What the service would refuse (R-1 filing rights, R-6 scales, dates, S-2/S-3) is refused here too."""
    for filing in population.filings:
        received = filing.received or NOW
        assert received <= NOW
        try:
            check_at_edge(input_from_proto(filing.record), source=filing.department, received_at=received, rules=RULES,
                          backfilled=filing.received is not None)
        except DomainError as error:
            pytest.fail(f"{filing.department} {filing.record.source_id} would be refused: {error}")
    for probe in population.probes:
        check_at_edge(input_from_proto(probe.record), source=probe.department, received_at=NOW, rules=RULES)


def test_records_come_in_plausible_proportions(population):
    kinds = Counter(kind for (_, kind) in population.kinds().elements())
    assert kinds["INDUSTRY_RATING"] > len(population.enterprises)  # nearly every company is rated, many twice
    for kind in ("AEO_GRANTED", "SMUGGLING_PENALTY", "RISK_ALERT", "DISHONESTY_LISTED"):
        assert 0 < kinds[kind] < kinds["INDUSTRY_RATING"] / 10
    assert len({f.record.source_id for f in population.filings}) == len(population.filings)  # distinct ids
    assert any(f.received is None for f in population.filings)  # some filed today
    assert len(population.filed_subjects()) < population.subjects  # most individuals have no record


def test_the_same_seed_gives_the_same_population():
    again = [generate_population(500, seed=3, now=NOW, rules=RULES.in_force(TODAY)) for _ in range(2)]
    assert [f.record for f in again[0].filings] == [f.record for f in again[1].filings]


def test_crossings_cover_the_day_at_the_ten_ports_m0(population):
    crossings = generate_crossings(population, 3000, day=TODAY, seed=7)
    start = int(datetime(2026, 3, 1, tzinfo=CST).timestamp())
    assert all(start <= c.at.seconds < start + 86400 for c in crossings)
    assert [c.at.seconds for c in crossings] == sorted(c.at.seconds for c in crossings)
    assert {c.port for c in crossings} == set(PORTS) == set(load_measures().in_force(start).ports)
    assert len({c.crossing_id for c in crossings}) == len(crossings)
    for c in crossings:
        assert c.enterprise or c.individuals
        assert all(person.role for person in c.individuals)
        assert len({person.id for person in c.individuals}) == len(c.individuals)
    assert any(c.batch for c in crossings)


def _party(which: str, klass: int, *flags: int, drawn=False) -> gate_pb2.PartyDecision:
    return gate_pb2.PartyDecision(subject=common_pb2.SubjectId(**{which: "x"}), credit_class=klass, flags=list(flags),
                                  drawn=drawn)


def test_configured_rate_by_category_m1_l2_pr():
    rates = load_measures().versions[0].rates
    assert configured(_party("enterprise", common_pb2.CREDIT_CLASS_AEO), rates) == ("AEO entity", 0.005)
    assert configured(_party("enterprise", common_pb2.CREDIT_CLASS_WHITELIST), rates) == ("WHITELIST entity", 0.03)
    assert configured(_party("individual", common_pb2.CREDIT_CLASS_WHITELIST), rates) == ("WHITELIST individual", 0.0)
    assert configured(_party("individual", common_pb2.CREDIT_CLASS_WHITELIST, common_pb2.FLAG_RISK_ALERT),
                      rates) == ("risk alert (P-R)", 1.0)
    assert configured(_party("enterprise", common_pb2.CREDIT_CLASS_WATCHLIST, common_pb2.FLAG_DISHONESTY_MARITIME),
                      rates) == ("listed (L-2)", 1.0)


def test_a_drawn_share_far_from_the_configured_rate_is_reported():
    row = RateRow("WHITELIST entity", parties=10_000, drawn=300, expected=300.0)
    assert row.verdict == "ok"
    row.drawn = 420  # 7 standard deviations up
    assert row.verdict == "OFF"
    row.drawn = 200  # and 5.9 down
    assert row.verdict == "OFF"


def test_few_parties_at_a_low_rate_are_judged_by_the_exact_tail_not_the_normal_one():
    # 27 AEO entities at 0.5% expect 0.135 draws; two draws (about one run in 130) are five
    # standard deviations away, yet nothing is wrong with the gate
    row = RateRow("AEO entity", parties=27, drawn=2, expected=27 * 0.005)
    assert row.verdict == "ok" and 0.01 < row.tail < 0.02
    row.drawn = 6  # about 2e-8: that is a gate drawing at another rate
    assert row.verdict == "OFF"
    # a rate of nothing (WHITELIST individuals) admits no draw at all, a rate of all no miss
    assert RateRow("WHITELIST individual", parties=500, drawn=0, expected=0.0).verdict == "ok"
    assert RateRow("WHITELIST individual", parties=500, drawn=1, expected=0.0).verdict == "OFF"
    assert RateRow("risk alert (P-R)", parties=3, drawn=2, expected=3.0).verdict == "OFF"
    # the tail against a direct sum of the binomial's terms
    assert abs(binomial_tail(10, 0.5, 8) - 2 * (45 + 10 + 1) / 1024) < 1e-12
    assert binomial_tail(10, 0.5, 5) == 1.0
    assert percentile([5, 1, 3, 2, 4], 50) == 3 and percentile([5, 1, 3, 2, 4], 100) == 5


def test_the_report_renders_as_text_and_self_contained_html(population):
    gate = GateFigures(lanes=2, crossings=0, seconds=1.0, quiet_us=[700.0, 900.0], busy_us=[1500.0, 3000.0, 2000.0])
    results = Results(day=TODAY, seed=7, subjects=population.subjects, enterprises=len(population.enterprises),
                      individuals=len(population.individuals), filed_subjects=len(population.filed_subjects()),
                      kinds=population.kinds(), gate=gate, finished=NOW + timedelta(minutes=1))
    text = text_report(results)
    assert "Gate latency" in text and "Looked wrong: none" in text
    page = html_report(results)
    assert page.startswith("<!doctype html>") and page.count("<svg") >= 2
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")  # nothing fetched from elsewhere


def test_crossings_until_an_instant_have_all_happened_and_keep_the_hours_of_the_day():
    now = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)  # 17:30 CST
    population = generate_population(400, seed=3, now=now, rules=load_rules().in_force(TODAY))
    crossings = generate_crossings(population, 2000, day=TODAY, seed=3, until=now)
    instants = [c.at.ToDatetime(tzinfo=timezone.utc) for c in crossings]
    assert all(now - timedelta(days=1) < at <= now for at in instants)
    assert {at.astimezone(CST).hour for at in instants} == set(range(24))


def test_crossings_until_an_instant_leave_room_for_the_replay_inside_the_gates_window():
    """The gate takes crossings of the last 24 h (M-1): none may leave that window while the day is replayed."""
    from secondline.cli.demo.crossings import REPLAY_MARGIN

    now = datetime(2026, 3, 1, 8, 50, tzinfo=timezone.utc)  # 16:50 CST, a busy hour at the ports
    population = generate_population(400, seed=3, now=now, rules=load_rules().in_force(TODAY))
    instants = [c.at.ToDatetime(tzinfo=timezone.utc) for c in generate_crossings(population, 20_000, day=TODAY, seed=3, until=now)]
    assert min(instants) >= now - timedelta(days=1) + REPLAY_MARGIN and max(instants) <= now


def test_the_demo_partners_envelopes_pass_recognitions_checks_and_the_tampered_ones_do_not_x1_x4(tmp_path, population):
    from secondline.cli.demo.partners import configure_partners, envelopes
    from secondline.errors import Unauthenticated
    from secondline.services.recognition.inbound import check_envelope
    from secondline.services.recognition.partners import load_partners

    path, keys = configure_partners(tmp_path)
    partners = load_partners(path)
    sets = envelopes(keys, population.enterprises, 60, seed=7, now=NOW)
    assert set(sets) == {"GBA", "YRD", "SG"}
    effects = Counter()
    for partner, sent in sets.items():
        *good, tampered = sent
        for envelope in good:
            effects[(partner, check_envelope(envelope, caller=partner, partners=partners, now=NOW).effect)] += 1
        with pytest.raises(Unauthenticated):
            check_envelope(tampered, caller=partner, partners=partners, now=NOW)
    assert effects[("SG", "AEO")] >= 12 and effects[("GBA", "NONE")] and effects[("YRD", "NONE")]

"""Partners' records in classification (RULES X-2, X-3, E-W1, E-X1, E-W3, E-X2, L-2)."""

from __future__ import annotations

from datetime import date, datetime

from secondline.rules_config import load_rules
from secondline.services.classification.codec import dump_timeline, load_timeline
from secondline.services.classification.domain import Fact
from secondline.services.classification.engine import answer_at, timeline

RULES = load_rules()
N = iter(range(1, 10**6))


def fact(kind, decided_on, source="partner/GBA", **fields):
    n = next(N)
    return Fact(record_id=f"r{n}", source=source, kind=kind, decided_on=decided_on, order=n, **fields)


def answer(facts, instant, subject_type="enterprise"):
    return answer_at(timeline(subject_type, facts, RULES), datetime.fromisoformat(instant), subject_type)


def test_x2_an_mra_partners_certification_is_aeo_for_a_foreign_operator_while_valid():
    grant = fact("AEO_GRANTED", date(2026, 1, 5), source="partner/SG", effect="AEO", valid_until=date(2026, 12, 31))
    a = answer([grant], "2026-06-01T10:00:00+08:00", "foreign")
    assert a.klass == "AEO"
    [reason] = a.reasons
    assert (reason.rule, reason.partner, reason.counts_as) == ("X-2", "SG", "E-A")
    assert a.until == datetime.fromisoformat("2027-01-01T00:00:00+08:00")
    assert answer([grant], "2027-01-01T00:00:00+08:00", "foreign").klass == "WHITELIST"


def test_x2_a_partners_revocation_ends_its_own_certification_but_not_chinese_customs_ones():
    customs = fact("AEO_GRANTED", date(2026, 1, 5), source="CUSTOMS")
    ours = fact("AEO_GRANTED", date(2026, 1, 5), effect="AEO")
    revoked = fact("AEO_REVOKED", date(2026, 3, 1), effect="AEO")
    a = answer([customs, ours, revoked], "2026-04-01T10:00:00+08:00")
    assert a.klass == "AEO" and {c.rule for c in a.reasons} == {"E-A"}
    assert answer([ours, revoked], "2026-04-01T10:00:00+08:00").klass == "WHITELIST"


def test_x3_lowest_watchlists_per_partner_until_that_partner_rates_above_e_x1():
    low = fact("INDUSTRY_RATING", date(2026, 2, 1), grade="D", effect="LOWEST")
    other_partner_fine = fact("INDUSTRY_RATING", date(2026, 2, 15), source="partner/YRD", grade="A", effect="NONE")
    raised = fact("INDUSTRY_RATING", date(2026, 3, 1), grade="B", effect="NONE")
    facts = [low, other_partner_fine, raised]
    a = answer(facts, "2026-02-20T10:00:00+08:00")
    assert a.klass == "WATCHLIST"
    [reason] = a.reasons
    assert (reason.rule, reason.partner, reason.counts_as) == ("X-3", "GBA", "E-W1")
    assert a.until == datetime.fromisoformat("2026-03-01T00:00:00+08:00")
    assert answer(facts, "2026-03-01T00:00:00+08:00").klass == "WHITELIST"


def test_x3_none_is_kept_without_effect():
    assert answer([fact("INDUSTRY_RATING", date(2026, 2, 1), grade="A", effect="NONE")],
                  "2026-02-02T10:00:00+08:00").klass == "WHITELIST"


def test_x3_serious_dishonesty_is_e_w3_for_three_years_and_l2_while_the_listing_holds():
    listed = fact("INDUSTRY_RATING", date(2026, 1, 10), grade="BLACKLIST", effect="SERIOUS_DISHONESTY")
    cleared = fact("INDUSTRY_RATING", date(2026, 6, 1), grade="A", effect="NONE")
    a = answer([listed, cleared], "2026-03-01T10:00:00+08:00")
    assert a.klass == "WATCHLIST" and "DISHONESTY_PARTNER" in a.flags
    assert {(c.counts_as, c.partner) for c in a.reasons} == {("E-W3", "GBA"), ("L-2", "GBA")}
    later = answer([listed, cleared], "2026-07-01T10:00:00+08:00")
    assert later.klass == "WATCHLIST" and "DISHONESTY_PARTNER" not in later.flags  # E-X2: the stay runs on
    assert later.until == datetime.fromisoformat("2029-01-11T00:00:00+08:00")


def test_a_partners_contributions_survive_the_stored_timeline():
    segments = timeline("enterprise", [fact("INDUSTRY_RATING", date(2026, 2, 1), grade="D", effect="LOWEST")], RULES)
    assert load_timeline(dump_timeline(segments)) == segments

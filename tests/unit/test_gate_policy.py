"""The lane policy (RULES M-1..M-4, L-2, P-R) and the snapshot it reads, without servers."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.common.v1 import common_pb2
from secondline.config import ConfigError
from secondline.services.gate.measures import MeasuresConfig, load_measures
from secondline.services.gate.policy import GREEN, RED, YELLOW, Party, decide, declaration_due, draw
from secondline.services.gate.snapshot import (
    AEO, RULE_BIT, WATCHLIST, WHITELIST, PartyState, Snapshot, pack, plain_from, state_at,
)

MEASURES = load_measures()
VERSION = MEASURES.versions[0]
AT = int(datetime(2026, 3, 1, 2, tzinfo=timezone.utc).timestamp())
ENTITY = Party("enterprise", "91460100MA5T0A3D5P", 0)
DRIVER = Party("individual", "460100198003137668", 1)
LISTED_MARITIME = 1 << 2
RISK = 1 << 0

AEO_STATE = PartyState(AEO, 0, RULE_BIT["E-A"])
WHITE_E = PartyState(WHITELIST, 0, RULE_BIT["E-B"])
WHITE_P = PartyState(WHITELIST, 0, RULE_BIT["P-B"])
WATCH_E = PartyState(WATCHLIST, 0, RULE_BIT["E-W2"])
WATCH_P = PartyState(WATCHLIST, 0, RULE_BIT["P-W"])
LISTED_E = PartyState(WATCHLIST, LISTED_MARITIME, RULE_BIT["E-W3"] | RULE_BIT["L-1"])


def run(parties, states, crossing="c1", batch=False, degraded=False, port="", epoch=AT):
    return decide(crossing_id=crossing, epoch=epoch, port=port, batch=batch, parties=parties, states=states,
                  version=VERSION, degraded=degraded)


def share(parties, states, lane, n=20_000):
    return sum(run(parties, states, crossing=f"r-{i}").lane == lane for i in range(n)) / n


def test_the_packaged_catalogue_names_the_ten_ports_and_the_default_rates():
    assert len(VERSION.ports) == 10 and {"HAIKOU_XINHAI", "HAIKOU_SOUTH", "BOAO_AIRPORT"} <= set(VERSION.ports)
    assert VERSION.rates.enterprise == {"AEO": 0.005, "WHITELIST": 0.03, "WATCHLIST": 0.8}
    assert VERSION.rates.individual == {"WHITELIST": 0.0, "WATCHLIST": 0.5}
    assert VERSION.rates.listed == VERSION.rates.risk_alert == 1.0


def test_a_catalogue_with_a_gap_between_versions_is_refused_by_name():
    data = {"versions": [VERSION.model_dump(), {**VERSION.model_dump(), "version": "2027", "valid_from": date(2027, 1, 2)}]}
    data["versions"][0]["valid_until"] = date(2026, 12, 31)
    with pytest.raises(ValueError, match="must start the day after"):
        MeasuresConfig.model_validate(data)


def test_a_rate_above_one_is_refused_naming_the_key(tmp_path):
    text = (yaml.safe_dump({"versions": [VERSION.model_dump(mode="json")]})
            .replace("WATCHLIST: 0.8", "WATCHLIST: 1.8"))
    (tmp_path / "m.yaml").write_text(text)
    with pytest.raises(ConfigError, match=r"versions\.0\.rates\.enterprise\.WATCHLIST"):
        load_measures(tmp_path / "m.yaml")


def test_the_version_in_force_is_chosen_by_the_crossings_date_in_cst():
    later = {**VERSION.model_dump(), "version": "2027-01-01", "valid_from": date(2027, 1, 1)}
    config = MeasuresConfig.model_validate({"versions": [{**VERSION.model_dump(), "valid_until": date(2026, 12, 31)}, later]})
    new_year_cst = int(datetime(2026, 12, 31, 16, tzinfo=timezone.utc).timestamp())  # 2027-01-01 00:00 CST
    assert config.in_force(new_year_cst - 1).version == "2025-12-18"
    assert config.in_force(new_year_cst).version == "2027-01-01"
    assert config.named("2027-01-01") is config.versions[1] and config.named("nope") is None


def test_a_listed_party_is_always_inspected_with_l2():
    outcome = run([ENTITY], [LISTED_E])
    assert outcome.lane == RED and "L-2" in outcome.reasons and "E-W3" in outcome.reasons
    assert {m.name for m in outcome.measures} >= {"KEY_INSPECTION", "NO_GOVERNMENT_FUNDED_PROJECTS", "MORE_FREQUENT_AUDITS"}


def test_a_watchlisted_entity_not_drawn_goes_yellow_never_green():
    lanes = {run([ENTITY], [WATCH_E], crossing=f"w-{i}").lane for i in range(200)}
    assert lanes == {YELLOW, RED}


def test_a_whitelisted_traveller_without_alert_is_never_inspected_and_with_one_always():
    assert {run([DRIVER], [WHITE_P], crossing=f"t-{i}").lane for i in range(500)} == {GREEN}
    alert = run([DRIVER], [PartyState(WHITELIST, RISK, RULE_BIT["P-B"] | RULE_BIT["P-R"])])
    assert alert.lane == RED and "P-R" in alert.reasons


def test_a_driver_under_alert_brings_a_certified_companys_truck_to_inspection_m2():
    outcome = run([ENTITY, DRIVER], [AEO_STATE, PartyState(WHITELIST, RISK, RULE_BIT["P-B"])], crossing="c2")
    assert outcome.lane == RED and outcome.reasons[-2:] == ("P-R", "M-2")
    assert [o.lane for o in outcome.parties] == [GREEN, RED]
    assert {m.name for m in outcome.measures} == {"PRIORITY_HANDLING", "FEWER_AUDITS"}


@pytest.mark.parametrize(("parties", "states", "rate"), [
    ([ENTITY], [AEO_STATE], 0.005), ([ENTITY], [WHITE_E], 0.03), ([ENTITY], [WATCH_E], 0.8), ([DRIVER], [WATCH_P], 0.5),
])
def test_the_drawn_share_matches_the_configured_rate_m3(parties, states, rate):
    assert abs(share(parties, states, RED) - rate) < max(4 * (rate * (1 - rate) / 20_000) ** 0.5, 0.001)


def test_two_parties_draw_independently_so_the_crossing_share_is_the_union():
    # A whitelisted entity (3%) with a watchlisted driver (50%): RED in 1 - 0.97 * 0.5 of crossings.
    assert abs(share([ENTITY, DRIVER], [WHITE_E, WATCH_P], RED) - (1 - 0.97 * 0.5)) < 0.015


def test_the_draw_is_reproducible_and_keyed_on_version_crossing_and_party():
    assert draw("v1", "c1", ENTITY) == draw("v1", "c1", ENTITY)
    assert len({draw("v1", "c1", ENTITY), draw("v2", "c1", ENTITY), draw("v1", "c2", ENTITY), draw("v1", "c1", DRIVER)}) == 4
    assert all(0.0 <= draw("v", f"c{i}", ENTITY) < 1.0 for i in range(1000))


def test_batch_exit_is_open_to_aeo_and_whitelist_entities_only_m4():
    for state in (AEO_STATE, WHITE_E):
        outcome = run([ENTITY], [state], batch=True)
        assert not outcome.refused and outcome.declaration_due == date(2026, 4, 25)
    refused = run([ENTITY], [WATCH_E], batch=True)
    assert refused.refused and "M-4" in refused.reasons and "WATCHLIST" in refused.refusal_detail
    nobody = run([DRIVER], [WHITE_P], batch=True)
    assert nobody.refused and "declaring entity" in nobody.refusal_detail


def test_the_consolidated_declaration_of_december_is_due_in_january_of_the_next_year():
    december = int(datetime(2026, 12, 31, 15, 59, tzinfo=timezone.utc).timestamp())  # 23:59 CST
    assert declaration_due(december, 25) == date(2027, 1, 25)
    assert declaration_due(december + 60, 25) == date(2027, 2, 25)  # already January in CST


def test_a_stale_snapshot_raises_every_crossing_to_the_fallback_lane_and_refuses_batch_exit():
    outcome = run([DRIVER], [WHITE_P], degraded=True)
    assert outcome.lane == YELLOW and outcome.degraded
    assert run([ENTITY], [AEO_STATE], batch=True, degraded=True).refused


def test_a_port_with_its_own_rates_is_decided_by_them():
    data = VERSION.model_dump()
    data["ports"]["YANGPU"]["rates"] = {**data["rates"], "enterprise": {"AEO": 1.0, "WHITELIST": 1.0, "WATCHLIST": 1.0}}
    version = MeasuresConfig.model_validate({"versions": [data]}).versions[0]
    at_yangpu = decide(crossing_id="c", epoch=AT, port="YANGPU", batch=False, parties=[ENTITY], states=[WHITE_E], version=version)
    assert at_yangpu.lane == RED and at_yangpu.parties[0].rate == 1.0


lane_states = st.sampled_from([AEO_STATE, WHITE_E, WATCH_E, LISTED_E])


@given(st.lists(lane_states, min_size=1, max_size=4), st.text(min_size=1, max_size=8))
def test_the_crossing_takes_the_strictest_lane_of_its_parties_m2(states, crossing):
    parties = [Party("enterprise", f"E{i}", 0) for i in range(len(states))]
    outcome = run(parties, states, crossing=crossing)
    assert outcome.lane == max(o.lane for o in outcome.parties)
    assert ("M-2" in outcome.reasons) == any(o.lane < outcome.lane for o in outcome.parties)
    assert run(parties[:1], states[:1], crossing=crossing).lane <= outcome.lane  # another party never lowers it


# -- the snapshot ------------------------------------------------------------------------------

def state(subject, *segments):
    msg = cpb.SubjectState(subject=common_pb2.SubjectId(**subject))
    for start, klass, flags, rules in segments:
        seg = msg.timeline.add(credit_class=klass, flags=flags)
        if start is not None:
            seg.start.FromDatetime(start)
        for rule in rules:
            seg.reasons.add(rule=rule)
    return msg


PENALTY = state({"enterprise": ENTITY.key},
                (None, WHITELIST, [], ["E-B"]),
                (datetime(2026, 1, 9, 16, tzinfo=timezone.utc), WATCHLIST, [], ["E-W2"]),
                (datetime(2029, 1, 9, 16, tzinfo=timezone.utc), WHITELIST, [], ["E-B"]))


def test_a_packed_timeline_answers_at_each_instant_with_boundaries_inclusive():
    packed = pack(PENALTY)
    assert len(packed) == 36  # 12 bytes a segment
    start = int(datetime(2026, 1, 9, 16, tzinfo=timezone.utc).timestamp())
    assert state_at(packed, start - 1).klass == WHITELIST
    assert state_at(packed, start) == PartyState(WATCHLIST, 0, RULE_BIT["E-W2"])
    assert state_at(packed, int(datetime(2029, 1, 9, 16, tzinfo=timezone.utc).timestamp())).klass == WHITELIST


def test_the_snapshot_holds_notable_subjects_and_drops_those_plain_from_a_week_ago():
    snapshot = Snapshot(keep_past_seconds=7 * 86400)
    snapshot.put(PENALTY, AT)
    assert len(snapshot) == 1 and snapshot.party("enterprise", ENTITY.key, AT).klass == WATCHLIST
    assert snapshot.party("individual", ENTITY.key, AT).klass == WHITELIST  # kinds never mix
    after_stay = int(datetime(2029, 1, 20, tzinfo=timezone.utc).timestamp())
    assert not plain_from(pack(PENALTY), after_stay - 7 * 86400 - 86400 * 5)
    snapshot.put(PENALTY, after_stay)  # the stay ended more than a week before: plain now
    assert len(snapshot) == 0 and snapshot.party("enterprise", ENTITY.key, AT).rules == RULE_BIT["E-B"]

"""The rulebook's classes, one rule id at a time, with their boundaries (RULES E, P, L, T)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from secondline.rules_config import load_rules
from secondline.services.classification.domain import Fact
from secondline.services.classification.engine import answer_at, is_plain_whitelist_from, next_change, timeline

RULES = load_rules()
N = iter(range(1, 10**6))


def fact(kind, decided_on, source="ANTI_SMUGGLING", **fields):
    n = next(N)
    return Fact(record_id=f"r{n}", source=source, kind=kind, decided_on=decided_on, order=n, **fields)


def at(text):
    return datetime.fromisoformat(text)


def answer(facts, instant, subject_type="enterprise"):
    return answer_at(timeline(subject_type, facts, RULES), at(instant), subject_type)


def rules_of(a):
    return {c.rule for c in a.reasons}


def test_e_b_an_unknown_entity_is_whitelisted_for_ever():
    a = answer([], "2026-01-05T09:00:00+08:00")
    assert (a.klass, a.until, a.default_rule) == ("WHITELIST", None, "E-B")


def test_p_b_an_unknown_individual_is_whitelisted():
    assert answer([], "2026-01-05T09:00:00+08:00", "individual").default_rule == "P-B"


def test_e_a_aeo_from_the_grant_until_the_revocation_known_in_advance():
    facts = [fact("AEO_GRANTED", date(2026, 2, 2), "CUSTOMS"), fact("AEO_REVOKED", date(2026, 7, 15), "CUSTOMS")]
    assert answer(facts, "2026-02-01T23:59:59+08:00").klass == "WHITELIST"
    a = answer(facts, "2026-07-14T12:00:00+08:00")
    assert a.klass == "AEO" and rules_of(a) == {"E-A"} and a.until == at("2026-07-15T00:00:00+08:00")
    assert answer(facts, "2026-07-15T00:00:00+08:00").klass == "WHITELIST"


def test_e_a_a_grant_ends_after_its_last_valid_day():
    facts = [fact("AEO_GRANTED", date(2026, 1, 31), "CUSTOMS", valid_until=date(2026, 2, 28))]
    assert answer(facts, "2026-02-28T23:59:59+08:00").until == at("2026-03-01T00:00:00+08:00")


def test_e_a_a_revocation_before_a_new_grant_does_not_end_it():
    facts = [fact("AEO_REVOKED", date(2026, 1, 1), "CUSTOMS"), fact("AEO_GRANTED", date(2026, 2, 1), "CUSTOMS")]
    assert answer(facts, "2026-03-01T00:00:00+08:00").until is None


def test_e_w2_and_e_x2_three_years_from_the_penalty_at_cst_midnight_in_any_offset():
    facts = [fact("SMUGGLING_PENALTY", date(2026, 1, 10))]
    a = answer(facts, "2026-01-10T00:00:00+08:00")
    assert a.klass == "WATCHLIST" and rules_of(a) == {"E-W2"} and a.until == at("2029-01-11T00:00:00+08:00")
    assert answer(facts, "2029-01-10T15:59:59Z").klass == "WATCHLIST"
    assert answer(facts, "2029-01-10T16:00:00Z").klass == "WHITELIST"
    assert answer(facts, "2026-01-09T16:00:00Z").klass == "WATCHLIST"  # T-1: 00:00 CST in UTC


def test_e_x2_a_new_event_inside_the_stay_restarts_three_years():
    facts = [fact("SMUGGLING_PENALTY", date(2026, 1, 10)), fact("SMUGGLING_PENALTY", date(2027, 6, 1), "CUSTOMS")]
    a = answer(facts, "2029-01-11T00:00:00+08:00")
    assert a.klass == "WATCHLIST" and a.until == at("2030-06-02T00:00:00+08:00")


def test_t2_three_years_from_29_february_end_with_28_february():
    facts = [fact("SMUGGLING_PENALTY", date(2028, 2, 29))]
    assert answer(facts, "2031-02-28T23:00:00+08:00").until == at("2031-03-01T00:00:00+08:00")


def test_e_w1_and_e_x1_lowest_grade_until_a_better_rating():
    facts = [fact("INDUSTRY_RATING", date(2026, 2, 1), "TAX", grade="D")]
    a = answer(facts, "2026-02-01T08:00:00+08:00")
    assert a.klass == "WATCHLIST" and rules_of(a) == {"E-W1"} and a.until is None
    facts.append(fact("INDUSTRY_RATING", date(2026, 9, 15), "TAX", grade="B"))
    assert answer(facts, "2026-09-14T12:00:00+08:00").until == at("2026-09-15T00:00:00+08:00")
    assert answer(facts, "2026-09-15T00:00:00+08:00").klass == "WHITELIST"


def test_e_w1_another_departments_better_grade_does_not_lift_it():
    facts = [fact("INDUSTRY_RATING", date(2026, 2, 1), "TAX", grade="D"),
             fact("INDUSTRY_RATING", date(2026, 3, 1), "TRANSPORT", grade="AA")]
    assert answer(facts, "2026-04-01T00:00:00+08:00").klass == "WATCHLIST"


def test_e_w1_is_judged_by_the_filing_departments_own_scale():
    facts = [fact("INDUSTRY_RATING", date(2026, 2, 1), "MARKET_REGULATION", grade="SERIOUS_VIOLATION")]
    assert answer(facts, "2026-02-02T00:00:00+08:00").klass == "WATCHLIST"
    facts = [fact("INDUSTRY_RATING", date(2026, 2, 1), "TAX", grade="C")]
    assert answer(facts, "2026-02-02T00:00:00+08:00").klass == "WHITELIST"


def test_strictest_wins_watchlist_over_aeo_and_aeo_returns_after():
    facts = [fact("AEO_GRANTED", date(2026, 1, 5), "CUSTOMS"),
             fact("INDUSTRY_RATING", date(2026, 3, 1), "TRANSPORT", grade="D"),
             fact("INDUSTRY_RATING", date(2026, 5, 20), "TRANSPORT", grade="B")]
    assert answer(facts, "2026-02-15T10:00:00+08:00").klass == "AEO"
    a = answer(facts, "2026-03-01T10:00:00+08:00")
    assert a.klass == "WATCHLIST" and "E-W1" in rules_of(a) and a.until == at("2026-05-20T00:00:00+08:00")
    a = answer(facts, "2026-05-20T10:00:00+08:00")
    assert a.klass == "AEO" and rules_of(a) == {"E-A"} and a.since == at("2026-05-20T00:00:00+08:00")


def test_e_w3_l_1_l_3_a_serious_listing_flags_and_watchlists_for_three_years():
    facts = [fact("DISHONESTY_LISTED", date(2026, 3, 1), "MARITIME", list="MARITIME", severity="SERIOUS")]
    a = answer(facts, "2026-03-01T12:00:00+08:00")
    assert a.klass == "WATCHLIST" and "E-W3" in rules_of(a) and a.flags == {"DISHONESTY_MARITIME"}
    assert a.until == at("2029-03-02T00:00:00+08:00")
    assert answer(facts, "2029-03-02T00:00:00+08:00").klass == "WHITELIST"


@pytest.mark.parametrize("severity, flag_ends", [("MINOR", "2026-06-02"), ("GENERAL", "2027-03-02")])
def test_l_3_publicity_ends_the_flag_but_e_x2_keeps_the_three_year_stay(severity, flag_ends):
    facts = [fact("DISHONESTY_LISTED", date(2026, 3, 1), list="ANTI_SMUGGLING", severity=severity)]
    before = answer(facts, f"{flag_ends}T00:00:00+08:00")
    assert before.flags == frozenset() and before.klass == "WATCHLIST"
    assert answer(facts, "2026-04-01T00:00:00+08:00").flags == {"DISHONESTY_ANTI_SMUGGLING"}


def test_l_4_removal_ends_the_listing_not_the_stay():
    facts = [fact("DISHONESTY_LISTED", date(2026, 3, 1), list="ANTI_SMUGGLING", severity="SERIOUS"),
             fact("DISHONESTY_REMOVED", date(2027, 4, 1), list="ANTI_SMUGGLING")]
    a = answer(facts, "2027-04-01T00:00:00+08:00")
    assert a.flags == frozenset() and a.klass == "WATCHLIST" and a.until == at("2029-03-02T00:00:00+08:00")


def test_p_w_an_individual_penalty_watchlists_three_years():
    facts = [fact("SMUGGLING_PENALTY", date(2026, 4, 1))]
    a = answer(facts, "2026-04-01T09:00:00+08:00", "individual")
    assert a.klass == "WATCHLIST" and rules_of(a) == {"P-W"} and a.until == at("2029-04-02T00:00:00+08:00")


def test_p_r_a_risk_alert_is_a_flag_not_a_class():
    facts = [fact("RISK_ALERT", date(2026, 3, 1), "CUSTOMS", valid_until=date(2026, 3, 31))]
    a = answer(facts, "2026-03-15T10:00:00+08:00", "individual")
    assert a.klass == "WHITELIST" and a.flags == {"RISK_ALERT"}
    assert answer(facts, "2026-04-01T00:00:00+08:00", "individual").flags == frozenset()


def test_scheduled_changes_and_plainness_are_known_from_the_timeline():
    segments = timeline("enterprise", [fact("SMUGGLING_PENALTY", date(2026, 1, 10))], RULES)
    assert next_change(segments, at("2026-06-01T00:00:00+08:00")) == at("2029-01-11T00:00:00+08:00")
    assert not is_plain_whitelist_from(segments, at("2029-01-10T00:00:00+08:00"))
    assert is_plain_whitelist_from(segments, at("2029-01-11T00:00:00+08:00"))


def test_l_3_three_months_from_the_end_of_november_end_with_the_end_of_february():
    facts = [fact("DISHONESTY_LISTED", date(2025, 11, 30), list="ANTI_SMUGGLING", severity="MINOR")]
    assert answer(facts, "2026-02-28T23:59:59+08:00").flags == {"DISHONESTY_ANTI_SMUGGLING"}
    assert answer(facts, "2026-03-01T00:00:00+08:00").flags == frozenset()


def test_t_1_the_same_instant_in_any_offset_gets_the_same_answer():
    facts = [fact("SMUGGLING_PENALTY", date(2026, 1, 10))]
    for text in ("2026-01-10T00:00:00+08:00", "2026-01-09T16:00:00+00:00", "2026-01-09T11:00:00-05:00"):
        assert answer(facts, text).klass == "WATCHLIST"
    assert answer(facts, "2026-01-09T10:59:59-05:00").klass == "WHITELIST"

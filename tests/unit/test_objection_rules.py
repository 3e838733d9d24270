"""The objection service's rules as pure functions: deadlines (O-3, T-3), status (O-4), admission (L-4)."""

from __future__ import annotations

from datetime import date, datetime

from secondline.dates import CST, WorkingCalendar, default_calendar
from secondline.rules_config import load_rules
from secondline.services.objection import rules as r
from secondline.services.objection.domain import Disputed, Objection, RecordView

RULES = load_rules()
CAL = default_calendar()


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=CST)


def objection(*records: Disputed) -> Objection:
    return Objection("o", "enterprise", "K", False, "s", (), at(2026, 3, 2, 10), "portal/p", records)


def disputed(record_id="p1", outcome="", answered_at=None, days=7) -> Disputed:
    return Disputed(record_id, "TAX", "INDUSTRY_RATING", r.deadline(date(2026, 3, 2), days, CAL), outcome=outcome,
                    answered_at=answered_at)


def test_o3_seven_working_days_after_the_day_of_receipt_end_at_the_next_midnight():
    d = r.deadline(date(2026, 3, 2), 7, CAL)
    assert d.due == at(2026, 3, 12) and not d.provisional


def test_o3_fifteen_working_days_once_extended():
    assert r.deadline(date(2026, 3, 2), 15, CAL).due == at(2026, 3, 24)


def test_t3_a_deadline_over_a_holiday_skips_it_and_counts_an_adjusted_working_weekend():
    # Received Friday 2026-02-13: 2-14 (Sat) is a working day, 2-15..2-23 the Spring Festival.
    assert r.deadline(date(2026, 2, 13), 2, CAL).due == at(2026, 2, 25)


def test_t3_a_deadline_in_a_year_not_loaded_is_provisional_and_moves_when_the_year_is_loaded():
    before = r.deadline(date(2026, 12, 28), 7, CAL)
    assert before.provisional and before.due == at(2027, 1, 7)  # weekdays alone: 29, 30, 31, 1, 4, 5, 6
    docs = {2026: {"holidays": [], "workdays": []}, 2027: {"holidays": [{"name": "New Year", "from": "2027-01-01", "to": "2027-01-01"}], "workdays": []}}
    loaded = WorkingCalendar.from_years(docs)
    after = r.reproject(before, loaded)
    assert not after.provisional and after.due == at(2027, 1, 8)
    move = r.calendar_move("p1", before, after, loaded.years, at(2026, 12, 29))
    assert move.old_due == before.due and move.new_due == after.due and "2027" in move.reason


def test_o4_status_is_decided_by_the_last_answer():
    assert r.decided_status(["UPHELD", "UPHELD"]) == "UPHELD"
    assert r.decided_status(["REJECTED"]) == "REJECTED"
    assert r.decided_status(["UPHELD", "REJECTED"]) == "PARTLY_UPHELD"


def test_o3_an_objection_is_overdue_from_the_due_instant_while_a_record_is_unanswered():
    o = objection(disputed("p1"), disputed("p2", "UPHELD", at(2026, 3, 3)))
    assert r.status_at(o, at(2026, 3, 11, 23, 59, 59)) == "OPEN"
    assert r.status_at(o, at(2026, 3, 12)) == "OVERDUE"
    answered = o.with_record(disputed("p1", "REJECTED", at(2026, 3, 13)))
    assert r.status_at(answered, at(2026, 3, 13)) == "PARTLY_UPHELD"
    assert r.status_at(answered, at(2026, 3, 12, 12)) == "OVERDUE"  # as of an instant before the answer


def test_o3_an_extension_is_refused_after_the_deadline_or_a_second_time():
    record = disputed()
    assert r.extension_refusal(record, at(2026, 3, 11)) == ""
    assert "passed" in r.extension_refusal(record, at(2026, 3, 12))
    extended, move = r.extend(record, reason="court file", now=at(2026, 3, 5), extended_days=15, calendar=CAL, by="TAX")
    assert extended.deadline.due == at(2026, 3, 24) and move.old_due == at(2026, 3, 12)
    assert "once" in r.extension_refusal(extended, at(2026, 3, 6))


def listing(record_id="l1", decided=date(2026, 1, 10), **kw) -> RecordView:
    return RecordView(record_id, "ANTI_SMUGGLING", "DISHONESTY_LISTED", "DISHONESTY_LISTED", "K", decided,
                      list="ANTI_SMUGGLING", severity="SERIOUS", **kw)


def test_l4_an_application_before_one_year_names_the_instant_it_could_be_admitted():
    found, unmet, admissible = r.admission("l1", [listing()], now=at(2026, 12, 1, 10), rules=RULES, open_application="")
    assert found.record_id == "l1" and admissible == at(2027, 1, 11)
    assert len(unmet) == 1 and "2027-01-11T00:00:00+08:00" in unmet[0].description


def test_l4_every_unmet_condition_is_named():
    penalty = RecordView("p9", "CUSTOMS", "SMUGGLING_PENALTY", "SMUGGLING_PENALTY", "K", date(2026, 6, 1))
    withdrawn = RecordView("p8", "CUSTOMS", "SMUGGLING_PENALTY", "SMUGGLING_PENALTY", "K", date(2026, 6, 2), superseded_by="w8")
    _, unmet, admissible = r.admission("l1", [listing(), penalty, withdrawn], now=at(2026, 12, 1, 10), rules=RULES,
                                       open_application="r0")
    text = " | ".join(v.description for v in unmet)
    assert len(unmet) == 3 and "p9" in text and "p8" not in text and "r0" in text and admissible is not None


def test_l4_an_admissible_application_and_a_listing_that_no_longer_holds():
    assert r.admission("l1", [listing()], now=at(2027, 1, 11, 10), rules=RULES, open_application="")[1] == []
    removed = RecordView("x", "ANTI_SMUGGLING", "DISHONESTY_REMOVED", "DISHONESTY_REMOVED", "K", date(2026, 9, 1), list="ANTI_SMUGGLING")
    _, unmet, _ = r.admission("l1", [listing(), removed], now=at(2027, 1, 11, 10), rules=RULES, open_application="")
    assert ["removed by x" in v.description for v in unmet] == [True]
    _, unmet, _ = r.admission("l1", [listing(superseded_by="w"), RecordView("w", "ANTI_SMUGGLING", "WITHDRAWAL",
                              "DISHONESTY_LISTED", "K", date(2026, 2, 1))], now=at(2027, 1, 11), rules=RULES, open_application="")
    assert "withdrawn" in unmet[0].description


def test_o1_the_records_behind_a_class_are_those_of_class_reasons_only():
    reasons = [("E-W1", "WATCHLIST", ["a"]), ("P-R", "RISK_ALERT", ["b"]), ("O-2", "UNDER_OBJECTION", ["a"]), ("E-A", "AEO", ["c", "a"])]
    assert r.class_records(reasons) == ["a", "c"]

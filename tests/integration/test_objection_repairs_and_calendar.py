"""Repairs (L-4), the 2027 calendar loaded later (T-3), the subject's file (I-1), over real servers."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timezone
from importlib import resources

import grpc
import pytest

from secondline.common.v1 import common_pb2
from secondline.dates import CST
from secondline.objection.v1 import objection_pb2 as opb
from secondline.rpc.convert import timestamp
from tests.objection_helpers import OPERATOR, PORTAL, class_at, dept, file_record, object_to, refusal, uscc

LISTED = common_pb2.FLAG_DISHONESTY_ANTI_SMUGGLING


async def apply(suite, company, listing_id, **fields):
    request = opb.ApplyForRepairRequest(subject=common_pb2.SubjectId(enterprise=company), listing_record_id=listing_id,
                                        commitment=fields.pop("commitment", "we comply"),
                                        obligations_fulfilled=fields.pop("obligations_fulfilled", True), **fields)
    return (await suite.objection.ApplyForRepair(request, metadata=PORTAL)).repair


async def decide(suite, department, repair_id, outcome, reason="checked"):
    request = opb.DecideRepairRequest(repair_id=repair_id, outcome=opb.RepairOutcome.Value("REPAIR_OUTCOME_" + outcome), reason=reason)
    return (await suite.objection.DecideRepair(request, metadata=dept(department))).repair


async def test_a_repair_is_refused_naming_each_unmet_condition_then_approved_by_the_owner_ending_the_listing(objection, clock):
    suite, company = objection, uscc(30)
    clock.set(datetime(2026, 1, 10, 12, tzinfo=CST))
    listing = await file_record(suite, "ANTI_SMUGGLING", source_id="AS-L", kind="DISHONESTY_LISTED", list="ANTI_SMUGGLING",
                                severity="SERIOUS", enterprise=company, decided_on=date(2026, 1, 10))
    clock.set(datetime(2026, 12, 1, 10, tzinfo=CST))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await apply(suite, company, listing.record_id)
    code, reason, fields = refusal(refused.value)
    assert (code, reason, fields) == ("FAILED_PRECONDITION", "REPAIR_NOT_ADMISSIBLE", ["listing_record_id"])
    assert "2027-01-11T00:00:00+08:00" in refused.value.details()
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await apply(suite, company, listing.record_id, commitment="", obligations_fulfilled=False)
    assert refusal(refused.value) == ("INVALID_ARGUMENT", "INVALID_REPAIR", ["commitment", "obligations_fulfilled"])

    clock.set(datetime(2027, 1, 11, 10, tzinfo=CST))
    admitted = await apply(suite, company, listing.record_id, request_id="r-1")
    assert admitted.status == opb.REPAIR_STATUS_OPEN and admitted.owner == common_pb2.DEPARTMENT_ANTI_SMUGGLING
    assert admitted.deadline.working_days == 10 and admitted.deadline.provisional  # 2027 is not loaded (T-3)
    assert (await apply(suite, company, listing.record_id, request_id="r-1")).repair_id == admitted.repair_id
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await apply(suite, company, listing.record_id)
    assert admitted.repair_id in refused.value.details() and refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await decide(suite, "MARITIME", admitted.repair_id, "APPROVED")
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED

    clock.set(datetime(2027, 1, 15, 10, tzinfo=CST))
    approved = await decide(suite, "ANTI_SMUGGLING", admitted.repair_id, "APPROVED", "fine paid")
    assert approved.status == opb.REPAIR_STATUS_APPROVED and len(approved.filed_record_ids) == 2
    after = await class_at(suite, company, datetime(2027, 1, 15, 10, 0, 1, tzinfo=CST), approved.record_cursor)
    assert LISTED not in after.flags and after.credit_class == common_pb2.CREDIT_CLASS_WATCHLIST  # E-X2 runs on
    assert after.until.ToDatetime(tzinfo=timezone.utc) == datetime(2029, 1, 11, tzinfo=CST)
    before = await class_at(suite, company, datetime(2027, 1, 14, 10, tzinfo=CST))
    assert LISTED in before.flags


async def test_a_repair_is_refused_for_a_new_violation_and_a_rejection_keeps_the_listing(objection, clock):
    suite, company, other = objection, uscc(31), uscc(32)
    clock.set(datetime(2026, 1, 10, 12, tzinfo=CST))
    listing = await file_record(suite, "ANTI_SMUGGLING", source_id="AS-M", kind="DISHONESTY_LISTED", list="ANTI_SMUGGLING",
                                severity="SERIOUS", enterprise=company, decided_on=date(2026, 1, 10))
    second = await file_record(suite, "ANTI_SMUGGLING", source_id="AS-N", kind="DISHONESTY_LISTED", list="ANTI_SMUGGLING",
                               severity="SERIOUS", enterprise=other, decided_on=date(2026, 1, 10))
    clock.set(datetime(2026, 6, 1, 12, tzinfo=CST))
    penalty = await file_record(suite, "CUSTOMS", source_id="C-N", enterprise=company, decided_on=date(2026, 6, 1))
    clock.set(datetime(2027, 1, 12, 10, tzinfo=CST))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await apply(suite, company, listing.record_id)
    assert refusal(refused.value)[:2] == ("FAILED_PRECONDITION", "REPAIR_NOT_ADMISSIBLE") and penalty.record_id in refused.value.details()
    admitted = await apply(suite, other, second.record_id)
    rejected = await decide(suite, "ANTI_SMUGGLING", admitted.repair_id, "REJECTED", "obligations not met")
    assert rejected.status == opb.REPAIR_STATUS_REJECTED and rejected.reason == "obligations not met" and not rejected.filed_record_ids
    assert LISTED in (await class_at(suite, other, datetime(2027, 1, 12, 11, tzinfo=CST), second.cursor)).flags


@pytest.fixture
def calendar_dir(tmp_path):
    folder = tmp_path / "calendar"
    folder.mkdir()
    packaged = resources.files("secondline") / "data" / "calendar"
    for year in (2025, 2026):
        with resources.as_file(packaged / f"{year}.yaml") as source:
            shutil.copy(source, folder / f"{year}.yaml")
    return folder


@pytest.fixture
def objection_settings(calendar_dir):
    return {"calendar_dir": str(calendar_dir)}


async def test_loading_the_2027_calendar_moves_a_provisional_deadline_journals_it_and_clears_the_mark(objection, clock, calendar_dir):
    suite, company = objection, uscc(33)
    clock.set(datetime(2026, 12, 28, 10, tzinfo=CST))
    rating = await file_record(suite, "TAX", source_id="T-33", kind="INDUSTRY_RATING", grade="D", enterprise=company,
                               decided_on=date(2026, 12, 28))
    filed = await object_to(suite, company, [rating.record_id])
    assert filed.deadline_provisional and filed.answer_due.ToDatetime(tzinfo=timezone.utc) == datetime(2027, 1, 7, tzinfo=CST)
    (calendar_dir / "2027.yaml").write_text(
        "year: 2027\nholidays:\n  - {name: New Year's Day, from: 2027-01-01, to: 2027-01-01}\nworkdays: []\n")
    clock.set(datetime(2026, 12, 29, 9, tzinfo=CST))
    reloaded = await suite.objection.ReloadCalendar(opb.ReloadCalendarRequest(), metadata=OPERATOR)
    assert list(reloaded.years) == [2025, 2026, 2027] and reloaded.moved == 1
    moved = (await suite.objection.GetObjection(opb.GetObjectionRequest(objection_id=filed.objection_id), metadata=dept("TAX"))).objection
    assert not moved.deadline_provisional and moved.answer_due.ToDatetime(tzinfo=timezone.utc) == datetime(2027, 1, 8, tzinfo=CST)
    [move] = moved.journal
    assert (move.old_due.ToDatetime(tzinfo=timezone.utc), move.new_due.ToDatetime(tzinfo=timezone.utc)) == (
        datetime(2027, 1, 7, tzinfo=CST), datetime(2027, 1, 8, tzinfo=CST))
    assert "2027" in move.reason and move.record_id == rating.record_id
    again = await suite.objection.ReloadCalendar(opb.ReloadCalendarRequest(), metadata=OPERATOR)
    assert again.moved == 0  # nothing left to move: no second journal entry
    file = await suite.objection.GetSubjectFile(opb.GetSubjectFileRequest(subject=common_pb2.SubjectId(enterprise=company)),
                                                metadata=PORTAL)
    assert [o.journal[0].new_due for o in file.objections] == [move.new_due]  # the subject sees the move (I-1)


async def test_the_subject_file_shows_the_class_the_records_with_their_marks_and_the_objections(objection, clock):
    suite, company = objection, uscc(34)
    penalty = await file_record(suite, "CUSTOMS", source_id="C-34", enterprise=company, decided_on=date(2026, 2, 26))
    filed = await object_to(suite, company, [penalty.record_id])
    request = opb.GetSubjectFileRequest(subject=common_pb2.SubjectId(enterprise=company),
                                        as_of=timestamp(datetime(2026, 2, 25, tzinfo=CST)))
    file = await suite.objection.GetSubjectFile(request, metadata=PORTAL)
    assert file.now.credit_class == common_pb2.CREDIT_CLASS_WATCHLIST and common_pb2.FLAG_UNDER_OBJECTION in file.now.flags
    assert penalty.record_id in file.now.record_ids and "E-W2" in file.now.reasons
    assert file.as_of.credit_class == common_pb2.CREDIT_CLASS_WHITELIST
    assert [(r.record_id, list(r.open_objection_ids)) for r in file.records] == [(penalty.record_id, [filed.objection_id])]
    assert [o.status for o in file.objections] == [opb.OBJECTION_STATUS_OPEN]
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await suite.objection.GetSubjectFile(request, metadata=dept("CUSTOMS"))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED

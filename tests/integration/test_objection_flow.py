"""An objection end to end over real servers: marks at once, answers, the class follows (O-1..O-4)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import grpc
import pytest

from secondline.common.v1 import common_pb2
from secondline.dates import CST
from secondline.gate.v1 import gate_pb2
from secondline.ingestion.v1 import ingestion_pb2
from secondline.objection.v1 import objection_pb2 as opb
from secondline.rpc.convert import timestamp
from tests.objection_helpers import OPERATOR, answer, class_at, dept, file_record, object_to, refusal, uscc

UNDER_OBJECTION = common_pb2.FLAG_UNDER_OBJECTION
LANE = (("x-secondline-principal", "lane/HAIKOU"),)


async def history(suite, enterprise):
    request = ingestion_pb2.ListSubjectRecordsRequest(subject=common_pb2.SubjectId(enterprise=enterprise))
    return list((await suite.stub.ListSubjectRecords(request, metadata=OPERATOR)).records)


async def test_an_upheld_objection_marks_at_once_withdraws_the_record_through_ingestion_and_the_class_follows(objection_and_gate, clock):
    suite, company = objection_and_gate, uscc(1)
    penalty = await file_record(suite, "ANTI_SMUGGLING", source_id="AS-1", enterprise=company, decided_on=date(2026, 2, 26))
    clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=CST))
    filed = await object_to(suite, company, [penalty.record_id])

    assert filed.status == opb.OBJECTION_STATUS_OPEN
    assert filed.answer_due.ToDatetime(tzinfo=timezone.utc) == datetime(2026, 3, 12, tzinfo=CST)  # O-3: 7 working days
    assert filed.record_cursor, "the mark was acknowledged by ingestion before the call returned"
    marked = await class_at(suite, company, datetime(2026, 3, 2, 10, 0, 1, tzinfo=CST), filed.record_cursor)
    assert marked.credit_class == common_pb2.CREDIT_CLASS_WATCHLIST  # O-2: the class stands
    assert UNDER_OBJECTION in marked.flags
    assert "O-2" in [r.rule for r in marked.reasons]
    before = await class_at(suite, company, datetime(2026, 3, 2, 9, 59, tzinfo=CST))
    assert UNDER_OBJECTION not in before.flags  # marked from receipt, not before
    [shown] = [r for r in await history(suite, company) if r.record_id == penalty.record_id]
    assert list(shown.open_objection_ids) == [filed.objection_id]

    crossing = gate_pb2.Crossing(crossing_id="c1", at=timestamp(datetime(2026, 3, 2, 11, tzinfo=CST)), enterprise=company,
                                 port="HAIKOU")
    clock.set(datetime(2026, 3, 2, 11, tzinfo=CST))  # a lane system asks at the crossing
    decision = await _decided_with_flag(suite, crossing, present=True)
    assert UNDER_OBJECTION in decision.parties[0].flags

    clock.set(datetime(2026, 3, 6, 15, 0, tzinfo=CST))
    decided = await answer(suite, "ANTI_SMUGGLING", filed.objection_id, penalty.record_id, "UPHELD", withdraw=True)
    assert decided.status == opb.OBJECTION_STATUS_UPHELD
    withdrawal_id = decided.records[0].filed_record_id
    assert withdrawal_id
    after = await class_at(suite, company, datetime(2026, 3, 6, 15, 0, 1, tzinfo=CST), decided.record_cursor)
    assert after.credit_class == common_pb2.CREDIT_CLASS_WHITELIST and UNDER_OBJECTION not in after.flags
    earlier = await class_at(suite, company, datetime(2026, 3, 1, 10, tzinfo=CST))
    assert earlier.credit_class == common_pb2.CREDIT_CLASS_WHITELIST  # never held
    records = {r.record_id: r for r in await history(suite, company)}
    withdrawal = records[withdrawal_id]
    assert withdrawal.source == common_pb2.DEPARTMENT_ANTI_SMUGGLING and withdrawal.filed_by == "service/objection"
    assert withdrawal.input.objection_id == filed.objection_id
    assert records[penalty.record_id].superseded_by == withdrawal_id and not records[penalty.record_id].open_objection_ids
    crossing.crossing_id = "c2"
    crossing.at.FromDatetime(datetime(2026, 3, 6, 16, tzinfo=CST))
    clock.set(datetime(2026, 3, 6, 16, tzinfo=CST))
    await _decided_with_flag(suite, crossing, present=False)


async def _decided_with_flag(suite, crossing, *, present: bool):
    """The gate's decision once its snapshot has taken in the change (it follows classification's feed)."""
    for _ in range(200):
        decision = (await suite.gate.Decide(gate_pb2.DecideRequest(crossing=crossing), metadata=LANE)).decision
        if (UNDER_OBJECTION in decision.parties[0].flags) == present:
            return decision
        await asyncio_sleep()
    raise AssertionError(f"the gate never showed UNDER_OBJECTION={present}")


async def asyncio_sleep():
    import asyncio
    await asyncio.sleep(0.05)


async def test_a_class_objection_names_the_records_behind_the_class_and_a_plain_whitelist_has_none(objection, clock):
    suite, company = objection, uscc(2)
    rating = await file_record(suite, "TAX", source_id="T-1", kind="INDUSTRY_RATING", grade="D", enterprise=company,
                               decided_on=date(2026, 2, 26))
    clock.set(datetime(2026, 3, 2, 10, tzinfo=CST))
    filed = await object_to(suite, company, against_class=True)
    assert filed.against_class and [r.record_id for r in filed.records] == [rating.record_id]
    assert filed.records[0].owner == common_pb2.DEPARTMENT_TAX
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await object_to(suite, uscc(3), against_class=True)
    assert refusal(refused.value) == ("FAILED_PRECONDITION", "NOTHING_TO_DISPUTE", ["against_class"])


async def test_filing_refusals_name_their_fields_and_store_nothing(objection, clock):
    suite, company, other = objection, uscc(4), uscc(5)
    mine = await file_record(suite, "ANTI_SMUGGLING", source_id="AS-4", enterprise=company)
    theirs = await file_record(suite, "ANTI_SMUGGLING", source_id="AS-5", enterprise=other)
    old = await file_record(suite, "ANTI_SMUGGLING", source_id="AS-6", enterprise=company)
    await file_record(suite, "ANTI_SMUGGLING", source_id="AS-7", kind="WITHDRAWAL", decided_on=date(2026, 2, 21),
                      withdraws={"record_id": old.record_id})
    cases = [
        ({"record_ids": [theirs.record_id]}, ("INVALID_ARGUMENT", "INVALID_OBJECTION", ["record_ids[0]"])),
        ({"record_ids": [old.record_id]}, ("FAILED_PRECONDITION", "RECORD_NOT_CURRENT", ["record_ids[0]"])),
        ({"record_ids": [mine.record_id], "statement": "x" * 4001}, ("INVALID_ARGUMENT", "INVALID_OBJECTION", ["statement"])),
        ({"record_ids": [mine.record_id], "evidence": ["doc"] * 21}, ("INVALID_ARGUMENT", "INVALID_OBJECTION", ["evidence"])),
        ({"record_ids": [], "statement": ""}, ("INVALID_ARGUMENT", "INVALID_OBJECTION", ["record_ids", "statement"])),
    ]
    for fields, expected in cases:
        statement = fields.pop("statement", "wrong")
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await object_to(suite, company, statement=statement, **fields)
        assert refusal(refused.value) == expected, fields
    request = opb.FileObjectionRequest(subject=common_pb2.SubjectId(enterprise=company), record_ids=[mine.record_id], statement="s")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await suite.objection.FileObjection(request, metadata=dept("TAX"))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert not [r for r in await history(suite, company) if r.input.kind == common_pb2.RECORD_KIND_OBJECTION_OPENED]

    first = await object_to(suite, company, [mine.record_id], request_id="req-1")
    again = await object_to(suite, company, [mine.record_id], request_id="req-1")  # AIP-155: the first answer
    assert again.objection_id == first.objection_id
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await object_to(suite, company, [mine.record_id])
    assert refusal(refused.value) == ("ALREADY_EXISTS", "RECORD_UNDER_OBJECTION", ["record_ids[0]"])
    assert first.objection_id in refused.value.details()


async def test_only_the_owner_answers_or_extends_once_before_the_deadline_and_a_different_second_answer_is_refused(objection, clock):
    suite, company = objection, uscc(6)
    rating = await file_record(suite, "TAX", source_id="T-6", kind="INDUSTRY_RATING", grade="D", enterprise=company)
    clock.set(datetime(2026, 3, 2, 10, tzinfo=CST))
    filed = await object_to(suite, company, [rating.record_id])
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await answer(suite, "CUSTOMS", filed.objection_id, rating.record_id, "UPHELD", withdraw=True)
    assert refusal(refused.value)[:2] == ("PERMISSION_DENIED", "RECORD_NOT_OWNED")
    extend = opb.ExtendDeadlineRequest(objection_id=filed.objection_id, record_id=rating.record_id, reason="re-examining")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await suite.objection.ExtendDeadline(extend, metadata=dept("CUSTOMS"))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    clock.set(datetime(2026, 3, 5, 9, tzinfo=CST))
    extended = (await suite.objection.ExtendDeadline(extend, metadata=dept("TAX"))).objection
    assert extended.answer_due.ToDatetime(tzinfo=timezone.utc) == datetime(2026, 3, 24, tzinfo=CST)  # O-3: 15 working days
    [move] = extended.journal
    assert move.old_due.ToDatetime(tzinfo=timezone.utc) == datetime(2026, 3, 12, tzinfo=CST) and "re-examining" in move.reason
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await suite.objection.ExtendDeadline(extend, metadata=dept("TAX"))
    assert refusal(refused.value)[:2] == ("FAILED_PRECONDITION", "EXTENSION_REFUSED")

    status = opb.GetObjectionRequest(objection_id=filed.objection_id, as_of=timestamp(datetime(2026, 3, 24, 0, 0, 1, tzinfo=CST)))
    assert (await suite.objection.GetObjection(status, metadata=OPERATOR)).objection.status == opb.OBJECTION_STATUS_OVERDUE
    clock.set(datetime(2026, 3, 25, 10, tzinfo=CST))
    rejected = await answer(suite, "TAX", filed.objection_id, rating.record_id, "REJECTED", reason="the rating stands")
    assert rejected.status == opb.OBJECTION_STATUS_REJECTED and rejected.records[0].reason == "the rating stands"
    again = await answer(suite, "TAX", filed.objection_id, rating.record_id, "REJECTED", reason="the rating stands")
    assert again.status == opb.OBJECTION_STATUS_REJECTED  # the same answer again is a retry
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await answer(suite, "TAX", filed.objection_id, rating.record_id, "UPHELD", withdraw=True)
    assert refusal(refused.value)[:2] == ("FAILED_PRECONDITION", "ALREADY_ANSWERED")
    after = await class_at(suite, company, datetime(2026, 3, 25, 10, 0, 1, tzinfo=CST), rejected.record_cursor)
    assert after.credit_class == common_pb2.CREDIT_CLASS_WATCHLIST and UNDER_OBJECTION not in after.flags


async def test_a_correction_outcome_changes_the_named_fields_and_keeps_the_rest_and_a_mixed_answer_is_partly_upheld(objection, clock):
    suite, company = objection, uscc(7)
    rating = await file_record(suite, "TAX", source_id="T-7", kind="INDUSTRY_RATING", grade="D", enterprise=company,
                               decided_on=date(2026, 2, 20))
    penalty = await file_record(suite, "CUSTOMS", source_id="C-7", enterprise=company, decided_on=date(2026, 2, 21))
    clock.set(datetime(2026, 3, 2, 10, tzinfo=CST))
    filed = await object_to(suite, company, [rating.record_id, penalty.record_id])
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await answer(suite, "TAX", filed.objection_id, rating.record_id, "UPHELD", correct=opb.RecordCorrection(grade="Z"))
    assert refusal(refused.value)[0] == "INVALID_ARGUMENT" and "correct.grade" in refusal(refused.value)[2]
    half = await answer(suite, "TAX", filed.objection_id, rating.record_id, "UPHELD", correct=opb.RecordCorrection(grade="B"))
    assert half.status == opb.OBJECTION_STATUS_OPEN
    done = await answer(suite, "CUSTOMS", filed.objection_id, penalty.record_id, "REJECTED", reason="stands")
    assert done.status == opb.OBJECTION_STATUS_PARTLY_UPHELD
    records = {r.record_id: r for r in await history(suite, company)}
    corrected = records[half.records[0].filed_record_id]
    assert corrected.input.kind == common_pb2.RECORD_KIND_CORRECTION and corrected.input.grade == "B"
    assert corrected.input.decided_on == common_pb2.Date(year=2026, month=2, day=20)  # the rest as filed
    assert corrected.input.objection_id == filed.objection_id and corrected.source == common_pb2.DEPARTMENT_TAX
    now = await class_at(suite, company, datetime(2026, 3, 2, 11, tzinfo=CST), done.record_cursor)
    assert [r.rule for r in now.reasons if r.effect == "WATCHLIST"] == ["E-W2"] and UNDER_OBJECTION not in now.flags


async def test_the_listing_pages_by_due_instant_and_shows_a_department_only_objections_to_its_own_records(objection, clock):
    suite = objection
    ids = {}
    for n, department in enumerate(["TAX", "CUSTOMS", "TAX"]):
        company = uscc(20 + n)
        kind = {"kind": "INDUSTRY_RATING", "grade": "D"} if department == "TAX" else {}
        rec = await file_record(suite, department, source_id=f"L-{n}", enterprise=company, **kind)
        clock.set(datetime(2026, 3, 2 + n, 10, tzinfo=CST))
        ids[n] = (await object_to(suite, company, [rec.record_id])).objection_id
    request = opb.ListObjectionsRequest(page_size=1)
    seen = []
    while True:
        page = await suite.objection.ListObjections(request, metadata=dept("TAX"))
        seen += [o.objection_id for o in page.objections]
        if not page.next_page_token:
            break
        request.page_token = page.next_page_token
    assert seen == [ids[0], ids[2]], (seen, ids)
    clock.set(datetime(2026, 3, 12, 10, tzinfo=CST))  # the first is overdue (due 03-12 00:00), the second not yet
    overdue = await suite.objection.ListObjections(opb.ListObjectionsRequest(status=opb.OBJECTION_STATUS_OVERDUE), metadata=OPERATOR)
    assert [o.objection_id for o in overdue.objections] == [ids[0]]
    due = await suite.objection.ListObjections(opb.ListObjectionsRequest(
        due_before=timestamp(datetime(2026, 3, 14, tzinfo=CST))), metadata=OPERATOR)
    assert [o.objection_id for o in due.objections] == [ids[0], ids[1]]
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await suite.objection.ListObjections(opb.ListObjectionsRequest(department=common_pb2.DEPARTMENT_CUSTOMS), metadata=dept("TAX"))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED

"""Corrections and withdrawals (R-4), streams, backfill (R-3, R-5), and the record feed."""

from __future__ import annotations

from datetime import date, datetime, timezone

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from secondline.common.v1 import common_pb2
from secondline.ingestion.v1 import ingestion_pb2
from tests.conftest import OPERATOR, SERVICE, as_department
from tests.helpers import details, record
from tests.integration.test_ingestion_submit import history, refusal

ACME = "91460100MA5T0B5Q7U"
ANTI = as_department("ANTI_SMUGGLING")


async def submit(ingestion, msg, metadata=ANTI):
    return (await ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=msg), metadata=metadata)).record


async def test_r4_a_correction_keeps_the_original_marked_superseded(ingestion):
    p1 = await submit(ingestion, record(source_id="p1", enterprise=ACME, decided_on=date(2026, 2, 25)))
    c1 = await submit(ingestion, record(source_id="c1", kind="CORRECTION", enterprise=ACME,
                                        decided_on=date(2026, 2, 5), corrects={"source_id": "p1"}))
    assert c1.target_record_id == p1.record_id
    assert c1.content_kind == common_pb2.RECORD_KIND_SMUGGLING_PENALTY
    assert c1.input.decided_on.day == 5
    listed = await history(ingestion, ACME)
    assert [(r.record_id, r.superseded_by) for r in listed] == [(p1.record_id, c1.record_id), (c1.record_id, "")]


async def test_r4_a_correction_is_checked_against_the_kind_it_corrects(ingestion):
    tax = as_department("TAX")
    await submit(ingestion, record(source_id="t1", kind="INDUSTRY_RATING", grade="D", enterprise=ACME), tax)
    code, _, fields, _ = await refusal(ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(
        record=record(source_id="t1c", kind="CORRECTION", enterprise=ACME, corrects={"source_id": "t1"})), metadata=tax))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and fields == ["grade"]
    fixed = await submit(ingestion, record(source_id="t1c", kind="CORRECTION", grade="C", enterprise=ACME,
                                           corrects={"source_id": "t1"}), tax)
    assert fixed.input.grade == "C"


async def test_r4_only_the_filing_department_may_amend_a_record(ingestion):
    p1 = await submit(ingestion, record(source_id="p1", enterprise=ACME))
    code, info, _, _ = await refusal(ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(
        record=record(source_id="w", kind="WITHDRAWAL", withdraws={"record_id": p1.record_id})),
        metadata=as_department("CUSTOMS")))
    assert code == grpc.StatusCode.PERMISSION_DENIED and info.reason == "RECORD_NOT_OWNED"


async def test_r4_a_superseded_record_cannot_be_amended_again(ingestion):
    await submit(ingestion, record(source_id="p1", enterprise=ACME))
    w1 = await submit(ingestion, record(source_id="w1", kind="WITHDRAWAL", withdraws={"source_id": "p1"}))
    code, info, _, _ = await refusal(ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(
        record=record(source_id="w2", kind="WITHDRAWAL", withdraws={"source_id": "p1"})), metadata=ANTI))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and info.metadata["superseded_by"] == w1.record_id
    code, info, _, _ = await refusal(ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(
        record=record(source_id="w3", kind="WITHDRAWAL", withdraws={"source_id": "w1"})), metadata=ANTI))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and info.reason == "RECORD_IS_WITHDRAWAL"


async def test_r4_a_withdrawal_takes_the_withdrawn_records_subject(ingestion):
    await submit(ingestion, record(source_id="p1", enterprise=ACME))
    w1 = await submit(ingestion, record(source_id="w1", kind="WITHDRAWAL", withdraws={"source_id": "p1"}))
    assert w1.input.subject.enterprise == ACME and w1.content_kind == common_pb2.RECORD_KIND_SMUGGLING_PENALTY
    await submit(ingestion, record(source_id="p2", enterprise=ACME))
    code, _, fields, _ = await refusal(ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(
        record=record(source_id="w9", kind="WITHDRAWAL", enterprise="91460100MA5T0A3D5P", withdraws={"source_id": "p2"})),
        metadata=ANTI))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and fields == ["subject"]


async def test_r4_naming_an_unknown_record_is_not_found(ingestion):
    code, info, _, _ = await refusal(ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(
        record=record(source_id="w1", kind="WITHDRAWAL", withdraws={"source_id": "nope"})), metadata=ANTI))
    assert code == grpc.StatusCode.NOT_FOUND and info.metadata["field"] == "withdraws"


async def test_a_stream_answers_every_record_in_order_and_refusals_do_not_stop_it(ingestion):
    async def requests():
        yield ingestion_pb2.SubmitRecordsRequest(records=[record(source_id=f"s{i}", enterprise=ACME) for i in range(3)])
        yield ingestion_pb2.SubmitRecordsRequest(records=[
            record(source_id="bad", enterprise="91110000600037341N"),
            record(source_id="c", kind="CORRECTION", enterprise=ACME, decided_on=date(2026, 2, 1), corrects={"source_id": "s1"}),
            record(source_id="s0", enterprise=ACME),
        ])

    responses = [r async for r in ingestion.stub.SubmitRecords(requests(), metadata=ANTI)]
    assert [len(r.results) for r in responses] == [3, 3]
    results = [res for r in responses for res in r.results]
    assert [res.index for res in results] == list(range(6))
    assert [res.WhichOneof("result") for res in results] == ["record"] * 3 + ["error", "record", "record"]
    assert details(results[3].error)[1] == ["subject.enterprise"]
    assert results[3].error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert results[4].record.target_record_id == results[1].record.record_id  # named inside the same stream
    assert results[5].replayed and results[5].record.record_id == results[0].record.record_id
    assert len(await history(ingestion, ACME)) == 4


async def test_backfill_keeps_the_original_receipt_and_judges_lateness_by_it(ingestion):
    received = Timestamp()
    received.FromDatetime(datetime(2026, 1, 25, 4, 0, tzinfo=timezone.utc))

    async def requests():
        yield ingestion_pb2.BackfillRecordsRequest(records=[ingestion_pb2.HistoricalRecord(
            source=common_pb2.DEPARTMENT_TAX, submitted_at=received,
            record=record(source_id="old", kind="INDUSTRY_RATING", grade="D", enterprise=ACME, decided_on=date(2026, 1, 5)))])

    [response] = [r async for r in ingestion.stub.BackfillRecords(requests(), metadata=OPERATOR)]
    stored = response.results[0].record
    assert stored.backfilled and stored.late and (stored.submitted_on.month, stored.submitted_on.day) == (1, 25)
    assert stored.source == common_pb2.DEPARTMENT_TAX


async def test_backfill_is_for_operators_only(ingestion):
    async def requests():
        # The refusal comes before any message is read. Sending none keeps the test clear of
        # a client-side race: a message sent after the server has already ended the call makes
        # the client report INTERNAL instead of the server's status.
        return
        yield

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        [r async for r in ingestion.stub.BackfillRecords(requests(), metadata=ANTI)]
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_backfill_refuses_a_receipt_in_the_future(ingestion):
    future = Timestamp()
    future.FromDatetime(datetime(2026, 3, 2, tzinfo=timezone.utc))

    async def requests():
        yield ingestion_pb2.BackfillRecordsRequest(records=[ingestion_pb2.HistoricalRecord(
            source=common_pb2.DEPARTMENT_ANTI_SMUGGLING, submitted_at=future, record=record(enterprise=ACME))])

    [response] = [r async for r in ingestion.stub.BackfillRecords(requests(), metadata=OPERATOR)]
    assert details(response.results[0].error)[1] == ["submitted_at"]


async def test_the_feed_is_in_commit_order_resumable_and_carries_trace_context(ingestion):
    ids = [(await submit(ingestion, record(source_id=f"f{i}", enterprise=ACME))).record_id for i in range(5)]
    feed = [r async for m in ingestion.stub.StreamRecords(ingestion_pb2.StreamRecordsRequest(), metadata=SERVICE)
            for r in m.records]
    assert [r.record_id for r in feed] == ids
    assert all(r.traceparent.startswith("00-") for r in feed)
    assert [int(r.cursor) for r in feed] == sorted(int(r.cursor) for r in feed)
    rest = [r async for m in ingestion.stub.StreamRecords(
        ingestion_pb2.StreamRecordsRequest(after_cursor=feed[1].cursor), metadata=SERVICE) for r in m.records]
    assert [r.record_id for r in rest] == ids[2:]


async def test_a_following_feed_delivers_records_committed_later(ingestion):
    import asyncio

    call = ingestion.stub.StreamRecords(ingestion_pb2.StreamRecordsRequest(follow=True), metadata=SERVICE)
    first = await submit(ingestion, record(source_id="a", enterprise=ACME))
    got = await asyncio.wait_for(call.read(), 5)
    assert [r.record_id for r in got.records] == [first.record_id]
    second = await submit(ingestion, record(source_id="b", enterprise=ACME))
    got = await asyncio.wait_for(call.read(), 5)
    assert [r.record_id for r in got.records] == [second.record_id]
    assert first.cursor and int(second.cursor) > int(first.cursor)
    call.cancel()


async def test_the_feed_refuses_departments_and_bad_cursors(ingestion):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        [m async for m in ingestion.stub.StreamRecords(ingestion_pb2.StreamRecordsRequest(), metadata=ANTI)]
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        [m async for m in ingestion.stub.StreamRecords(ingestion_pb2.StreamRecordsRequest(after_cursor="x"), metadata=SERVICE)]
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_r5_timeliness_report_counts_late_records_per_department(ingestion):
    tax = as_department("TAX")
    await submit(ingestion, record(source_id="on-time", enterprise=ACME, decided_on=date(2026, 2, 20)))
    await submit(ingestion, record(source_id="late", enterprise=ACME, decided_on=date(2026, 1, 2)))
    await submit(ingestion, record(source_id="t", kind="INDUSTRY_RATING", grade="A", enterprise=ACME), tax)
    request = ingestion_pb2.GetTimelinessReportRequest(
        received_from=common_pb2.Date(year=2026, month=3, day=1), received_through=common_pb2.Date(year=2026, month=3, day=31))
    report = await ingestion.stub.GetTimelinessReport(request, metadata=OPERATOR)
    rows = {r.department: (r.records, r.late_records, r.max_delay_days) for r in report.departments}
    assert report.deadline_days == 15
    assert rows == {common_pb2.DEPARTMENT_ANTI_SMUGGLING: (2, 1, 58), common_pb2.DEPARTMENT_TAX: (1, 0, 9)}
    own = await ingestion.stub.GetTimelinessReport(request, metadata=tax)  # a department sees only itself
    assert [r.department for r in own.departments] == [common_pb2.DEPARTMENT_TAX]


async def test_history_is_paged(ingestion):
    for i in range(5):
        await submit(ingestion, record(source_id=f"h{i}", enterprise=ACME))
    request = ingestion_pb2.ListSubjectRecordsRequest(page_size=2)
    request.subject.enterprise = ACME
    seen, pages = [], 0
    while True:
        page = await ingestion.stub.ListSubjectRecords(request, metadata=ANTI)
        seen += [r.input.source_id for r in page.records]
        pages += 1
        if not page.next_page_token:
            break
        request.page_token = page.next_page_token
    assert seen == [f"h{i}" for i in range(5)] and pages == 3


async def test_the_basic_view_answers_with_the_receipt_only(ingestion):
    async def requests():
        yield ingestion_pb2.SubmitRecordsRequest(records=[record(source_id="v1", enterprise=ACME)],
                                                 view=ingestion_pb2.RECORD_VIEW_BASIC)
        yield ingestion_pb2.SubmitRecordsRequest(records=[record(source_id="v2", enterprise=ACME)])

    basic, full = [r.results[0].record async for r in ingestion.stub.SubmitRecords(requests(), metadata=ANTI)]
    assert basic.record_id and basic.cursor and basic.HasField("submitted_at") and not basic.HasField("input")
    assert full.HasField("input") and full.input.source_id == "v2"

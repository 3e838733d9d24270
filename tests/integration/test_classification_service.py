"""Classification over real servers: it follows ingestion's feed and answers classes as of any
instant, with reasons, flags and scheduled ends (RULES T-4, E, P, L, E-X3, I-2)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone

import grpc
import pytest

from secondline.classification.v1 import classification_pb2 as pb
from secondline.common.v1 import common_pb2
from secondline.ingestion.v1 import ingestion_pb2
from secondline.rpc.convert import timestamp
from tests.conftest import GATE, OPERATOR, as_department
from tests.helpers import record

ACME = "91460100MA5T0A3D5P"
ANTI = as_department("ANTI_SMUGGLING")


async def submit(suite, msg, metadata=ANTI):
    return (await suite.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=msg), metadata=metadata)).record


async def class_of(suite, at: str, cursor: str = "", enterprise=ACME):
    request = pb.GetSubjectClassRequest(subject=common_pb2.SubjectId(enterprise=enterprise),
                                        as_of=timestamp(datetime.fromisoformat(at)), min_record_cursor=cursor)
    return (await suite.classification.GetSubjectClass(request, metadata=OPERATOR, timeout=10)).subject_class


async def test_a_penalty_watchlists_from_its_decision_with_the_end_scheduled(suite):
    stored = await submit(suite, record(enterprise=ACME, decided_on=date(2026, 1, 10)))
    answer = await class_of(suite, "2026-01-10T00:00:00+08:00", stored.cursor)
    assert answer.credit_class == common_pb2.CREDIT_CLASS_WATCHLIST
    assert [(r.rule, list(r.record_ids)) for r in answer.reasons] == [("E-W2", [stored.record_id])]
    assert answer.until.ToDatetime(tzinfo=timezone.utc) == datetime(2029, 1, 10, 16, tzinfo=timezone.utc)
    before = await class_of(suite, "2026-01-09T23:59:59+08:00")
    assert before.credit_class == common_pb2.CREDIT_CLASS_WHITELIST and [r.rule for r in before.reasons] == ["E-B"]
    assert before.until.ToDatetime(tzinfo=timezone.utc) == datetime(2026, 1, 9, 16, tzinfo=timezone.utc)


async def test_a_withdrawal_removes_the_record_for_every_instant(suite):
    p1 = await submit(suite, record(source_id="p1", enterprise=ACME, decided_on=date(2026, 1, 10)))
    assert (await class_of(suite, "2026-01-20T00:00:00+08:00", p1.cursor)).credit_class == common_pb2.CREDIT_CLASS_WATCHLIST
    w1 = await submit(suite, record(source_id="w1", kind="WITHDRAWAL", withdraws={"record_id": p1.record_id}, decided_on=date(2026, 2, 1)))
    after = await class_of(suite, "2026-01-20T00:00:00+08:00", w1.cursor)
    assert after.credit_class == common_pb2.CREDIT_CLASS_WHITELIST and not after.HasField("until")


async def test_the_change_feed_carries_whole_states_and_the_records_trace(suite):
    p1 = await submit(suite, record(enterprise=ACME, decided_on=date(2026, 1, 10)))
    await class_of(suite, "2026-01-10T00:00:00+08:00", p1.cursor)
    changes = [c async for c in suite.classification.StreamChanges(pb.StreamChangesRequest(), metadata=GATE)]
    assert [c.record_id for c in changes] == [p1.record_id]
    # The change is a span of its own in the record's trace: same trace id, a span id of its own.
    trace_id = p1.traceparent.split("-")[1]
    assert changes[0].traceparent.split("-")[1] == trace_id and changes[0].traceparent != p1.traceparent
    assert [s.credit_class for s in changes[0].state.timeline] == [
        common_pb2.CREDIT_CLASS_WHITELIST, common_pb2.CREDIT_CLASS_WATCHLIST, common_pb2.CREDIT_CLASS_WHITELIST]
    listing = await suite.classification.ListNotableSubjects(pb.ListNotableSubjectsRequest(), metadata=GATE)
    assert [s.subject.enterprise for s in listing.states] == [ACME] and listing.revision == changes[0].revision


async def test_a_scheduled_change_is_published_when_its_instant_passes(suite):
    from secondline.services.classification import background

    suite.clock.set(datetime(2026, 2, 26, 4, tzinfo=timezone.utc))
    ra = await submit(suite, record(kind="RISK_ALERT", individual="460100196606191592", decided_on=date(2026, 2, 25),
                                    valid_until=date(2026, 2, 28)), as_department("CUSTOMS"))
    follow = suite.classification.StreamChanges(pb.StreamChangesRequest(follow=True), metadata=GATE)
    first = await asyncio.wait_for(follow.read(), 10)
    assert first.record_id == ra.record_id and list(first.current.flags) == [common_pb2.FLAG_RISK_ALERT]
    suite.clock.set(datetime(2026, 3, 2, 4, tzinfo=timezone.utc))  # the alert's last day has passed
    expiry = await asyncio.wait_for(follow.read(), background.SCHEDULER_IDLE_SECONDS + 5)
    assert expiry.record_id == "" and expiry.revision > first.revision
    assert list(expiry.current.flags) == [] and expiry.current.as_of.ToDatetime(tzinfo=timezone.utc) == datetime(2026, 2, 28, 16, tzinfo=timezone.utc)
    follow.cancel()


async def test_a_restart_resumes_from_the_stored_cursor_without_applying_twice(suite):
    for i in range(3):
        last = await submit(suite, record(source_id=f"p{i}", enterprise=ACME, decided_on=date(2026, 1, 10 + i)))
    before = (await class_of(suite, "2026-02-01T00:00:00+08:00", last.cursor)).revision
    host = suite.classification_host
    await host.stop()
    port = await host.start()  # the same database: resumes after the stored cursor
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        from secondline.classification.v1 import classification_pb2_grpc

        stub = classification_pb2_grpc.ClassificationServiceStub(channel)
        more = await submit(suite, record(source_id="p9", enterprise=ACME, decided_on=date(2026, 1, 20)))
        request = pb.GetSubjectClassRequest(subject=common_pb2.SubjectId(enterprise=ACME), min_record_cursor=more.cursor,
                                            as_of=timestamp(datetime(2026, 2, 1, tzinfo=timezone.utc)))
        answer = (await stub.GetSubjectClass(request, metadata=OPERATOR, timeout=10)).subject_class
        changes = [c async for c in stub.StreamChanges(pb.StreamChangesRequest(after_revision=before), metadata=GATE)]
        timeline = await stub.GetSubjectTimeline(pb.GetSubjectTimelineRequest(subject=common_pb2.SubjectId(enterprise=ACME)),
                                                 metadata=OPERATOR)
    assert {r for reason in answer.reasons for r in reason.record_ids} >= {last.record_id, more.record_id}
    assert [c.record_id for c in changes] == [more.record_id]  # nothing before the restart applied again
    assert len(timeline.record_ids) == len(set(timeline.record_ids)) == 4


async def test_read_your_writes_waits_for_the_record_and_gives_up_with_unavailable(suite):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await suite.classification.GetSubjectClass(
            pb.GetSubjectClassRequest(subject=common_pb2.SubjectId(enterprise=ACME), min_record_cursor="999999"),
            metadata=OPERATOR, timeout=1)
    assert caught.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


async def test_joint_sanctions_hold_while_listed(suite):
    listed = await submit(suite, record(kind="DISHONESTY_LISTED", list="MARITIME", severity="GENERAL", enterprise=ACME,
                                        decided_on=date(2026, 2, 1)), as_department("MARITIME"))
    await class_of(suite, "2026-02-01T00:00:00+08:00", listed.cursor)
    async def restricted(at):
        request = pb.GetRestrictionRequest(subject=common_pb2.SubjectId(enterprise=ACME), as_of=timestamp(datetime.fromisoformat(at)))
        return (await suite.classification.GetRestriction(request, metadata=OPERATOR)).restricted
    assert await restricted("2026-06-01T00:00:00+08:00")
    assert not await restricted("2027-02-02T00:00:00+08:00")  # L-3: a general listing is public for one year


async def test_l5_repeated_penalties_make_a_candidate_for_the_anti_smuggling_list(suite):
    first = await submit(suite, record(source_id="a", enterprise=ACME, decided_on=date(2026, 1, 10)))
    second = await submit(suite, record(source_id="b", enterprise=ACME, decided_on=date(2026, 2, 10)))
    await class_of(suite, "2026-02-11T00:00:00+08:00", second.cursor)
    request = pb.ListCandidatesRequest(list=common_pb2.DISHONESTY_LIST_ANTI_SMUGGLING)
    reply = await suite.classification.ListCandidates(request, metadata=ANTI)
    assert [c.subject.enterprise for c in reply.candidates] == [ACME]
    assert set(reply.candidates[0].record_ids) == {first.record_id, second.record_id}


async def test_many_subjects_in_one_call(suite):
    stored = await submit(suite, record(enterprise=ACME, decided_on=date(2026, 1, 10)))
    request = pb.BatchGetSubjectClassesRequest(
        subjects=[common_pb2.SubjectId(enterprise=ACME), common_pb2.SubjectId(individual="460100196606191592")],
        as_of=timestamp(datetime(2026, 2, 1, tzinfo=timezone.utc)), min_record_cursor=stored.cursor)
    reply = await suite.classification.BatchGetSubjectClasses(request, metadata=OPERATOR, timeout=10)
    assert [c.credit_class for c in reply.subject_classes] == [common_pb2.CREDIT_CLASS_WATCHLIST, common_pb2.CREDIT_CLASS_WHITELIST]
    assert [r.rule for r in reply.subject_classes[1].reasons] == ["P-B"]


async def test_classification_keeps_answering_while_ingestion_is_down_and_resumes_after(database_url, tmp_path):
    import socket

    from secondline.classification.v1 import classification_pb2_grpc
    from secondline.clock import ManualClock
    from secondline.ingestion.v1 import ingestion_pb2_grpc
    from secondline.services.classification.app import ClassificationSettings
    from secondline.services.classification.app import build as build_classification
    from secondline.services.ingestion.app import IngestionSettings
    from secondline.services.ingestion.app import build as build_ingestion

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    clock = ManualClock(datetime(2026, 3, 1, 4, tzinfo=timezone.utc))
    ingestion_settings = IngestionSettings.model_validate({"database": {"url": database_url},
                                                          "server": {"listen": f"127.0.0.1:{port}", "grace_seconds": 0}})
    ingestion = build_ingestion(ingestion_settings, clock=clock)
    await ingestion.start()
    classification = build_classification(ClassificationSettings.model_validate({
        "database": {"url": database_url}, "ingestion_address": f"127.0.0.1:{port}", "server": {"grace_seconds": 0}}),
        clock=clock)
    c_port = await classification.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as i_channel, \
                grpc.aio.insecure_channel(f"127.0.0.1:{c_port}") as c_channel:
            stub = ingestion_pb2_grpc.IngestionServiceStub(i_channel)
            classes = classification_pb2_grpc.ClassificationServiceStub(c_channel)

            async def watchlisted(cursor):
                request = pb.GetSubjectClassRequest(subject=common_pb2.SubjectId(enterprise=ACME), min_record_cursor=cursor,
                                                    as_of=timestamp(datetime(2026, 3, 1, tzinfo=timezone.utc)))
                reply = await classes.GetSubjectClass(request, metadata=OPERATOR, timeout=15)
                return reply.subject_class.credit_class == common_pb2.CREDIT_CLASS_WATCHLIST

            first = (await stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(
                record=record(source_id="a", enterprise=ACME, decided_on=date(2026, 1, 10))), metadata=ANTI)).record
            assert await watchlisted(first.cursor)
            await ingestion.stop()
            assert await watchlisted("")  # still answering from what it has
            ingestion = build_ingestion(ingestion_settings, clock=clock)
            await ingestion.start()
            second = (await stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(
                record=record(source_id="w", kind="WITHDRAWAL", withdraws={"record_id": first.record_id},
                              decided_on=date(2026, 2, 1))), metadata=ANTI, timeout=15)).record
            assert not await watchlisted(second.cursor)  # the follower reconnected and applied it
    finally:
        await classification.stop()
        await ingestion.stop()


async def test_the_batched_change_feed_carries_the_same_changes_a_transaction_a_message(suite):
    # Three subjects in one message: ingestion commits them together, classification applies
    # them in one batch, and the batched feed reads those changes as one page.
    keys = ["91460100MA5T0A3D5P", "91460000MA5T00001F", "914600007500000001"]
    request = ingestion_pb2.SubmitRecordsRequest(records=[record(source_id=f"b{i}", enterprise=key, decided_on=date(2026, 1, 10))
                                                          for i, key in enumerate(keys)])
    results = [r async for reply in suite.stub.SubmitRecords(iter([request]), metadata=ANTI) for r in reply.results]
    assert all(r.WhichOneof("result") == "record" for r in results), results
    for key in keys:
        await class_of(suite, "2026-01-10T00:00:00+08:00", results[-1].record.cursor, enterprise=key)
    one_a_message = [c async for c in suite.classification.StreamChanges(pb.StreamChangesRequest(), metadata=GATE)]
    batches = [b async for b in suite.classification.StreamChangeBatches(pb.StreamChangeBatchesRequest(), metadata=GATE)]
    assert [c for b in batches for c in b.changes] == one_a_message  # the same changes, in the same order
    assert len(one_a_message) == 3 and len(batches) == 1 and batches[0].revision == one_a_message[-1].revision
    # Resumed after a revision, and followed: what is after it, then heartbeats naming the last revision.
    follow = suite.classification.StreamChangeBatches(pb.StreamChangeBatchesRequest(
        after_revision=one_a_message[0].revision, follow=True, heartbeat_interval={"nanos": 100_000_000}), metadata=GATE)
    first = await asyncio.wait_for(follow.read(), 10)
    assert [c.revision for c in first.changes] == [c.revision for c in one_a_message[1:]] and not first.heartbeat
    beat = await asyncio.wait_for(follow.read(), 10)
    assert beat.heartbeat and not beat.changes and beat.revision == one_a_message[-1].revision
    follow.cancel()
    with pytest.raises(grpc.aio.AioRpcError) as refused:  # a heartbeat more often than 100 ms is refused
        async for _ in suite.classification.StreamChangeBatches(pb.StreamChangeBatchesRequest(
                follow=True, heartbeat_interval={"nanos": 10_000_000}), metadata=GATE):
            pass
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT

"""Recognition over real servers: signed envelopes in, partners' records through ingestion into
classification, refusals that store nothing, the transparency log's proofs, signed reports out
(RULES X-1 .. X-6, R-7), on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone

import grpc
import pytest
from grpc_status import rpc_status

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.common.v1 import common_pb2
from secondline.envelope import envelope_hash, open_envelope
from secondline.merkle import leaf_hash, verify_consistency, verify_inclusion
from secondline.note import Checkpoint, NoteVerifier
from secondline.rpc.convert import timestamp
from secondline.rpc.status import field_violations
from tests.conftest import OPERATOR
from tests.recognition_helpers import GBA_KEY, SG_KEY, envelope, partner, rating, rpb, start_recognition

ACME = "91460100MA5T0A3D5P"
NOW = datetime(2026, 3, 1, 4, 0, tzinfo=timezone.utc)  # the clock fixture's instant (12:00 CST)


@pytest.fixture
async def recognition(suite, database_url, tmp_path, clock, spans):
    host, channel, stub, telemetry = await start_recognition(suite, database_url, tmp_path, clock, spans)
    suite.recognition = stub
    suite.recognition_host = host
    try:
        yield suite
    finally:
        await channel.close()
        await host.stop()
        telemetry.shutdown()


async def submit(suite, env, who="GBA"):
    return (await suite.recognition.SubmitEnvelope(rpb.SubmitEnvelopeRequest(envelope=env), metadata=partner(who))).acceptance


async def refused(suite, env, who="GBA"):
    size = (await suite.recognition.GetCheckpoint(rpb.GetCheckpointRequest(), metadata=OPERATOR)).tree_size
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await submit(suite, env, who)
    assert (await suite.recognition.GetCheckpoint(rpb.GetCheckpointRequest(), metadata=OPERATOR)).tree_size == size
    return caught.value


async def test_x3_a_partners_lowest_grade_is_filed_as_its_record_and_watchlists_citing_the_partner(recognition):
    accepted = await submit(recognition, rating("GBA-1", "D", {"enterprise": ACME}, "2026-02-01", NOW))
    assert accepted.effect == common_pb2.PARTNER_EFFECT_LOWEST and accepted.table_version == "gba-grades-1"
    assert accepted.record_cursor, "filed into ingestion before the answer"
    record = (await recognition.stub.GetRecord(
        __import__("secondline.ingestion.v1.ingestion_pb2", fromlist=["x"]).GetRecordRequest(record_id=accepted.record_id),
        metadata=OPERATOR)).record
    assert record.from_partner and record.input.partner.partner == "GBA" and record.input.grade == "D"
    assert record.input.partner.effect == common_pb2.PARTNER_EFFECT_LOWEST
    answer = (await recognition.classification.GetSubjectClass(cpb.GetSubjectClassRequest(
        subject=common_pb2.SubjectId(enterprise=ACME), as_of=timestamp(NOW), min_record_cursor=accepted.record_cursor),
        metadata=OPERATOR, timeout=10)).subject_class
    assert answer.credit_class == common_pb2.CREDIT_CLASS_WATCHLIST
    assert [(r.rule, r.partner, r.counts_as) for r in answer.reasons] == [("X-3", "GBA", "E-W1")]


async def test_r3_the_same_record_again_is_a_replay_and_other_content_under_its_id_is_refused(recognition):
    first = await submit(recognition, rating("GBA-2", "B", {"enterprise": ACME}, "2026-02-01", NOW))
    again = await submit(recognition, rating("GBA-2", "B", {"enterprise": ACME}, "2026-02-01", NOW.replace(hour=3)))
    assert again.replayed and again.log_index == first.log_index and again.record_id == first.record_id
    error = await refused(recognition, rating("GBA-2", "D", {"enterprise": ACME}, "2026-02-01", NOW))
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS


@pytest.mark.parametrize("make,code,field", [
    (lambda: rating("x", "D", {"enterprise": ACME}, "2026-02-01", NOW)[:-4] + "AAAA", "UNAUTHENTICATED", None),
    (lambda: rating("x", "D", {"enterprise": ACME}, "2026-02-01", NOW, kid="gba-9"), "UNAUTHENTICATED", None),
    (lambda: rating("x", "D", {"enterprise": ACME}, "2026-02-01", NOW, kid="gba-2025"), "UNAUTHENTICATED", None),
    (lambda: rating("x", "D", {"enterprise": ACME}, "2026-02-01", NOW, key=SG_KEY), "UNAUTHENTICATED", None),
    (lambda: envelope(GBA_KEY, "gba-2026", partner="GBA", source_id="x", kind="AEO_GRANTED", subject={"enterprise": ACME},
                      decided_on="2026-02-01", signed_at=NOW.isoformat()), "PERMISSION_DENIED", None),
    (lambda: rating("x", "D", {"foreign": "SG123456789012"}, "2026-02-01", NOW), "PERMISSION_DENIED", None),
    (lambda: envelope(GBA_KEY, "gba-2026", partner="YRD", source_id="x", kind="INDUSTRY_RATING",
                      subject={"enterprise": ACME}, decided_on="2026-02-01", grade="D", signed_at=NOW.isoformat()),
     "PERMISSION_DENIED", None),
    (lambda: rating("x", "Z", {"enterprise": ACME}, "2026-02-01", NOW), "INVALID_ARGUMENT", "grade"),
    (lambda: rating("x", "D", {"enterprise": "91460100MA5T0A3D5X"}, "2026-02-01", NOW), "INVALID_ARGUMENT", "subject.enterprise"),
])
async def test_x4_refusals_have_their_code_and_store_nothing(recognition, make, code, field):
    error = await refused(recognition, make())
    assert error.code().name == code
    if field:
        assert field in [v.field for v in field_violations(rpc_status.from_call(error))]


async def test_x4_an_economy_outside_the_mra_is_refused(recognition):
    env = envelope(SG_KEY, "sg-1", partner="SG", source_id="s1", kind="AEO_GRANTED", subject={"foreign": "MY123456"},
                   decided_on="2026-01-05", signed_at=NOW.isoformat())
    assert (await refused(recognition, env, "SG")).code() == grpc.StatusCode.PERMISSION_DENIED


async def test_envelopes_stream_with_a_result_each_in_order(recognition):
    good = rating("GBA-s1", "A", {"enterprise": ACME}, "2026-02-01", NOW)
    bad = rating("GBA-s2", "Z", {"enterprise": ACME}, "2026-02-01", NOW)

    async def requests():
        yield rpb.SubmitEnvelopesRequest(envelopes=[good, bad])
        yield rpb.SubmitEnvelopesRequest(envelopes=[good])

    replies = [r async for r in recognition.recognition.SubmitEnvelopes(requests(), metadata=partner("GBA"))]
    results = [res for reply in replies for res in reply.results]
    assert [r.index for r in results] == [0, 1, 2]
    assert [r.WhichOneof("result") for r in results] == ["acceptance", "error", "acceptance"]
    assert results[2].acceptance.replayed


async def test_x6_every_envelope_is_provably_in_the_log_and_checkpoints_are_consistent(recognition):
    keys = await recognition.recognition.ListPublicKeys(rpb.ListPublicKeysRequest(), metadata=OPERATOR)
    verifier = NoteVerifier.from_vkey(keys.log_verifier_key)
    sent = [rating(f"GBA-p{i}", "A", {"enterprise": ACME}, "2026-02-01", NOW) for i in range(5)]
    first = await submit(recognition, sent[0])
    old = await recognition.recognition.GetCheckpoint(rpb.GetCheckpointRequest(), metadata=OPERATOR)
    for env in sent[1:]:
        await submit(recognition, env)
    report = await recognition.recognition.GetCreditReport(rpb.GetCreditReportRequest(
        subject=common_pb2.SubjectId(enterprise=ACME)), metadata=partner("GBA"))
    new = await recognition.recognition.GetCheckpoint(rpb.GetCheckpointRequest(), metadata=OPERATOR)
    assert new.tree_size == 6
    checkpoint = Checkpoint.open(new.checkpoint, [verifier])
    for env in [*sent, report.envelope]:
        proof = await recognition.recognition.GetInclusionProof(rpb.GetInclusionProofRequest(envelope_hash=envelope_hash(env)),
                                                                metadata=OPERATOR)
        assert verify_inclusion(leaf_hash(env.encode()), proof.index, checkpoint.size, list(proof.proof), checkpoint.root_hash)
    by_index = await recognition.recognition.GetInclusionProof(rpb.GetInclusionProofRequest(index=first.log_index),
                                                               metadata=OPERATOR)
    assert by_index.index == first.log_index
    consistency = await recognition.recognition.GetConsistencyProof(
        rpb.GetConsistencyProofRequest(old_size=old.tree_size), metadata=OPERATOR)
    assert verify_consistency(old.tree_size, new.tree_size, Checkpoint.open(consistency.old_checkpoint, [verifier]).root_hash,
                              checkpoint.root_hash, list(consistency.proof))
    entry = (await recognition.recognition.GetLogEntry(rpb.GetLogEntryRequest(index=5), metadata=OPERATOR)).entry
    assert entry.envelope == report.envelope and entry.direction == rpb.DIRECTION_SENT and entry.partner == "GBA"


async def test_x5_a_signed_report_for_what_the_agreement_allows_and_never_an_individual(recognition):
    accepted = await submit(recognition, rating("GBA-r1", "D", {"enterprise": ACME}, "2026-02-01", NOW))
    await recognition.classification.GetSubjectClass(cpb.GetSubjectClassRequest(
        subject=common_pb2.SubjectId(enterprise=ACME), min_record_cursor=accepted.record_cursor), metadata=OPERATOR, timeout=10)
    reply = await recognition.recognition.GetCreditReport(rpb.GetCreditReportRequest(
        subject=common_pb2.SubjectId(enterprise=ACME)), metadata=partner("GBA"))
    keys = await recognition.recognition.ListPublicKeys(rpb.ListPublicKeysRequest(), metadata=OPERATOR)
    [key] = [k for k in keys.keys if k.key_id == reply.key_id]
    report = open_envelope(reply.envelope, key.public_key)
    assert report["type"] == "cross-border-credit-report" and report["subject"] == {"enterprise": ACME}
    assert report["credit_class"]["class"] == "WATCHLIST"
    assert report["performance"][0]["source"] == "partner/GBA" and report["performance"][0]["grade"] == "D"
    assert json.loads(keys.keys_file)["keys"][0]["kid"] == keys.keys[0].key_id
    with pytest.raises(grpc.aio.AioRpcError) as other:
        await recognition.recognition.GetCreditReport(rpb.GetCreditReportRequest(
            subject=common_pb2.SubjectId(enterprise="91110000600037341L")), metadata=partner("GBA"))
    assert other.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as person:
        await recognition.recognition.GetCreditReport(rpb.GetCreditReportRequest(
            subject=common_pb2.SubjectId(individual="11010519491231002X")), metadata=partner("GBA"))
    assert person.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_the_signed_feed_carries_class_changes_of_visible_entities_only(recognition):
    accepted = await submit(recognition, rating("GBA-f1", "D", {"enterprise": ACME}, "2026-02-01", NOW))
    sg = envelope(SG_KEY, "sg-1", partner="SG", source_id="s1", kind="AEO_GRANTED", subject={"foreign": "SG123456789012"},
                  decided_on="2026-01-05", signed_at=NOW.isoformat())
    other = await submit(recognition, sg, "SG")
    await recognition.classification.GetSubjectClass(cpb.GetSubjectClassRequest(
        subject=common_pb2.SubjectId(foreign="SG123456789012"), min_record_cursor=max(accepted.record_cursor,
                                                                                      other.record_cursor, key=int)),
        metadata=OPERATOR, timeout=10)
    stream = recognition.recognition.StreamClassChanges(rpb.StreamClassChangesRequest(), metadata=partner("GBA"))
    changes = [c for reply in [r async for r in stream] for c in reply.changes]
    subjects = [json.loads(base64.urlsafe_b64decode(c.envelope.split(".")[1] + "==="))["subject"] for c in changes]
    assert subjects and all(s == {"enterprise": ACME} for s in subjects)



async def test_r7_an_acceptance_made_while_ingestion_was_away_is_filed_once_after_a_restart(
        suite, database_url, tmp_path, clock, spans):
    """The outbox: accepted and logged while ingestion does not answer, then, after the service
    restarts (as after a crash), filed exactly once; a second delivery is a replay (R-3)."""
    import asyncio

    from secondline.ingestion.v1 import ingestion_pb2
    from secondline.services.recognition.outbox import record_input

    host, channel, stub, telemetry = await start_recognition(suite, database_url, tmp_path, clock, spans, ingestion_port=9)
    try:
        suite.recognition = stub
        accepted = await submit(suite, rating("GBA-o1", "D", {"enterprise": ACME}, "2026-02-01", NOW))
        assert accepted.log_index == 0 and not accepted.record_id  # durable, not yet filed
        [pending] = await host.service.recognition.db.read(host.service.recognition.store.pending, 10)
    finally:
        await channel.close()
        await host.stop()
        telemetry.shutdown()
    host, channel, stub, telemetry = await start_recognition(suite, database_url, tmp_path, clock, spans)
    try:
        subject = common_pb2.SubjectId(enterprise=ACME)
        records = []
        for _ in range(400):
            records = (await suite.stub.ListSubjectRecords(ingestion_pb2.ListSubjectRecordsRequest(subject=subject),
                                                           metadata=OPERATOR)).records
            if records:
                break
            await asyncio.sleep(0.05)
        assert [r.input.source_id for r in records] == ["GBA-o1"]
        # A crash after ingestion acknowledged it but before it was marked: delivered again, a replay.
        again = await suite.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=record_input(pending)),
                                              metadata=(("x-secondline-principal", "service/recognition"),))
        assert again.replayed and again.record.record_id == records[0].record_id
        assert len((await suite.stub.ListSubjectRecords(ingestion_pb2.ListSubjectRecordsRequest(subject=subject),
                                                        metadata=OPERATOR)).records) == 1
    finally:
        await channel.close()
        await host.stop()
        telemetry.shutdown()

"""Bounded free text, bounded feed messages, and consumers that say why a feed stopped.

A record's free text is bounded (settings ``limits``) and free of control and bidirectional
characters (RULES R-2 fields; refused naming the field, nothing stored). The record feed's
messages are bounded in bytes as well as in count, so a consumer with gRPC's default limits
catches up from cursor 0 whatever the records hold. A consumer whose feed fails logs the status
code and details; a permanent error is a health status and a metric, not a silent retry loop.
"""

from __future__ import annotations

import logging
from datetime import date

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.classification.v1 import classification_pb2_grpc
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.telemetry import setup_telemetry
from tests.conftest import OPERATOR, SERVICE, as_department
from tests.helpers import record
from tests.integration.test_ingestion_submit import refusal

ACME = "91460100MA5T0A3D5P"
MARKET = as_department("MARKET_REGULATION")
WIDE = "\U0001d11e"  # four bytes in UTF-8: the largest a character takes


async def stored(ingestion) -> list[ingestion_pb2.Record]:
    call = ingestion.stub.StreamRecords(ingestion_pb2.StreamRecordsRequest(), metadata=SERVICE)
    return [r async for message in call for r in message.records]


@pytest.mark.parametrize("field, fields, problem", [
    ("legal_basis", {"legal_basis": "x" * 1001}, "must be at most 1000 characters, got 1001"),
    ("legal_basis", {"legal_basis": "Customs Law\x00art. 86"}, "U+0000 at position 11 is a control character"),
    ("legal_basis", {"legal_basis": "Art. 86 \x1b[2J"}, "U+001B at position 8 is a control character"),
    ("legal_basis", {"legal_basis": "Art. \u202e68"}, "U+202E at position 5 is a bidirectional-formatting character"),
    ("grade", {"kind": "INDUSTRY_RATING", "grade": "D" * 3_900_000}, "must be at most 128 characters, got 3900000"),
    ("source_id", {"source_id": "S" * 129}, "must be at most 128 printable characters"),
    ("corrects.source_id", {"kind": "CORRECTION", "corrects": {"source_id": "x\u2066y"}}, "bidirectional-formatting"),
])
async def test_free_text_is_bounded_and_free_of_control_characters_naming_the_field(ingestion, field, fields, problem):
    fields = {"kind": "OTHER_LEGAL_LISTING", "source_id": "L-1", **fields}
    code, info, found, message = await refusal(ingestion.stub.SubmitRecord(
        ingestion_pb2.SubmitRecordRequest(record=record(enterprise=ACME, **fields)), metadata=MARKET))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and field in found and problem in message
    assert len(message) < 2000  # the value itself is not echoed back
    assert await stored(ingestion) == []


async def test_a_subject_identifier_of_any_length_is_refused_by_its_length_not_echoed(ingestion):
    code, _, found, message = await refusal(ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(
        record=record(kind="OTHER_LEGAL_LISTING", individual="PASSPORT:" + "A" * 1_000_000 + ":X")), metadata=MARKET))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and found == ["subject.individual"]
    assert "at most 64 characters" in message and len(message) < 500


def test_limits_are_settings_checked_at_start_up(tmp_path):
    from secondline.config import ConfigError, load_settings
    from secondline.services.ingestion.app import ENV_PREFIX, IngestionSettings

    (tmp_path / "ingestion.yaml").write_text("limits: {legal_basis_chars: 500000}\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(IngestionSettings, path=tmp_path / "ingestion.yaml", env_prefix=ENV_PREFIX, environ={})
    assert "feed.max_message_bytes (1048576) must hold the largest record the limits allow" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        load_settings(IngestionSettings, path=None, env_prefix=ENV_PREFIX,
                      environ={ENV_PREFIX + "FEED__MAX_MESSAGE_BYTES": "8000000"})
    assert f"environment variable {ENV_PREFIX}FEED__MAX_MESSAGE_BYTES: feed.max_message_bytes" in str(caught.value)


LONG_TEXT = {"limits": {"legal_basis_chars": 4000}, "feed": {"max_message_bytes": 262_144}}


@pytest.fixture
async def wide(database_url, spans, clock):
    """Ingestion allowing 4,000-character legal bases (16 KB a record at most), and classification following it."""
    from secondline.services.classification.app import ClassificationSettings
    from secondline.services.classification.app import build as build_classification
    from secondline.services.ingestion.app import IngestionSettings, build

    server = {"listen": "127.0.0.1:0", "grace_seconds": 1}
    ingestion = build(IngestionSettings.model_validate({"database": {"url": database_url}, "server": server, **LONG_TEXT}),
                      telemetry=setup_telemetry("ingestion"), clock=clock)
    ingestion_port = await ingestion.start()
    classification = build_classification(ClassificationSettings.model_validate({
        "database": {"url": database_url}, "server": server, "ingestion_address": f"127.0.0.1:{ingestion_port}"}),
        telemetry=setup_telemetry("classification"), clock=clock)
    classification_port = await classification.start()
    try:
        yield ingestion_port, classification_port
    finally:
        await classification.stop()
        await ingestion.stop()


async def test_records_at_the_largest_sizes_reach_a_consumer_with_default_limits_from_cursor_0(wide):
    ingestion_port, classification_port = wide
    total, per_message = 620, 100  # a page of 500 such records is 8 MB, twice what a default client takes
    async with grpc.aio.insecure_channel(f"127.0.0.1:{ingestion_port}") as channel:
        stub = ingestion_pb2_grpc.IngestionServiceStub(channel)

        async def requests():
            for start in range(0, total, per_message):
                yield ingestion_pb2.SubmitRecordsRequest(view=ingestion_pb2.RECORD_VIEW_BASIC, records=[
                    record(source_id=f"L-{n:04d}", kind="OTHER_LEGAL_LISTING", enterprise=ACME, decided_on=date(2026, 2, 20),
                           legal_basis=WIDE * 4000) for n in range(start, min(start + per_message, total))])

        results = [r async for m in stub.SubmitRecords(requests(), metadata=MARKET) for r in m.results]
        assert len(results) == total and all(r.HasField("record") for r in results)
        last = results[-1].record.cursor

        sizes, seen = [], []
        async for message in stub.StreamRecords(ingestion_pb2.StreamRecordsRequest(), metadata=SERVICE):
            sizes.append(message.ByteSize())
            seen += [r.input.source_id for r in message.records]
        assert seen == [f"L-{n:04d}" for n in range(total)]
        assert max(sizes) <= 262_144 and len(sizes) > total // 500  # bounded in bytes, not only in count

    async with grpc.aio.insecure_channel(f"127.0.0.1:{classification_port}") as channel:
        classification = classification_pb2_grpc.ClassificationServiceStub(channel)
        answer = await classification.GetSubjectClass(cpb.GetSubjectClassRequest(
            subject={"enterprise": ACME}, min_record_cursor=last), metadata=OPERATOR, timeout=60)
        assert answer.subject_class.credit_class == 3  # WATCHLIST (E-W4): classification caught up from 0


class _BrokenFeed(ingestion_pb2_grpc.IngestionServiceServicer):
    """An ingestion whose feed fails as a too-large message does at a default client."""

    async def StreamRecords(self, request, context):
        await context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "Received message larger than max (8938476 vs. 4194304)")
        yield  # pragma: no cover


async def test_a_permanent_feed_error_is_logged_with_its_code_and_shown_in_health_and_a_metric(database_url, clock, caplog):
    from secondline.services.classification.app import RECORD_FEED_HEALTH, ClassificationSettings, build

    broken = grpc.aio.server()
    ingestion_pb2_grpc.add_IngestionServiceServicer_to_server(_BrokenFeed(), broken)
    broken_port = broken.add_insecure_port("127.0.0.1:0")
    await broken.start()
    metrics = InMemoryMetricReader()
    host = build(ClassificationSettings.model_validate({
        "database": {"url": database_url}, "server": {"listen": "127.0.0.1:0", "grace_seconds": 1},
        "ingestion_address": f"127.0.0.1:{broken_port}"}),
        telemetry=setup_telemetry("classification", metric_reader=metrics), clock=clock)
    caplog.set_level(logging.WARNING, logger="secondline.services.classification.background")
    port = await host.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            request = health_pb2.HealthCheckRequest(service=RECORD_FEED_HEALTH)
            watch = health.Watch(request)
            statuses = []
            async for reply in watch:  # SERVING at first, then NOT_SERVING once the feed stalls
                statuses.append(reply.status)
                if reply.status == health_pb2.HealthCheckResponse.NOT_SERVING:
                    break
            watch.cancel()
            assert statuses[-1] == health_pb2.HealthCheckResponse.NOT_SERVING
            overall = await health.Check(health_pb2.HealthCheckRequest(service=""))
            assert overall.status == health_pb2.HealthCheckResponse.SERVING  # it still answers from what it has
        lines = [r for r in caplog.records if getattr(r, "feed", "") == "records"]
        assert lines and lines[0].code == "RESOURCE_EXHAUSTED" and "larger than max" in lines[0].details
        assert lines[0].levelno == logging.ERROR and "RESOURCE_EXHAUSTED" in lines[0].getMessage()
        points = {m.name: m.data.data_points for rm in metrics.get_metrics_data().resource_metrics
                  for sm in rm.scope_metrics for m in sm.metrics}
        [errors] = points["secondline.feed.errors"]
        assert errors.value >= 1 and dict(errors.attributes) == {"feed": "records", "code": "RESOURCE_EXHAUSTED"}
        [stalled] = points["secondline.feed.stalled"]
        assert stalled.value == 1
    finally:
        await host.stop()
        await broken.stop(0)


def test_by_bytes_keeps_each_run_within_the_budget_and_lets_an_oversized_item_through_alone():
    from secondline.feeds import by_bytes, field_bytes

    runs = list(by_bytes([3, 4, 5, 20, 1, 1], budget=10, size=lambda n: n))
    assert runs == [[3, 4], [5], [20], [1, 1]]
    assert field_bytes(0) == 2 and field_bytes(127) == 129 and field_bytes(128) == 131
    record_msg = ingestion_pb2.StreamRecordsResponse(records=[ingestion_pb2.Record(record_id="x" * 200)] * 3)
    assert record_msg.ByteSize() == 3 * field_bytes(ingestion_pb2.Record(record_id="x" * 200).ByteSize())

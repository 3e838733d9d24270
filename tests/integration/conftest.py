"""The objection service over real servers: ingestion, classification (and the gate), on one clock."""

from __future__ import annotations

import grpc
import pytest

from secondline.telemetry import setup_telemetry


async def _objection(suite, database_url, spans, clock, overrides):
    from secondline.objection.v1 import objection_pb2_grpc
    from secondline.services.objection.app import ObjectionSettings, build

    if database_url.startswith("sqlite:"):
        # A file of its own, as on the embedded default: a migration sharing a file with services
        # that already write to it can meet SQLite's BUSY_SNAPSHOT (a read upgraded to a write).
        database_url = database_url.replace("test.sqlite", "objection.sqlite")
    settings = ObjectionSettings.model_validate({
        "database": {"url": database_url}, "server": {"listen": "127.0.0.1:0", "grace_seconds": 1},
        "ingestion_address": f"127.0.0.1:{suite.port}",
        "classification_address": f"127.0.0.1:{suite.classification_port}", **overrides,
    })
    telemetry = setup_telemetry("objection", span_exporter=spans)
    host = build(settings, telemetry=telemetry, clock=clock)
    port = await host.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    suite.objection = objection_pb2_grpc.ObjectionServiceStub(channel)
    suite.objection_host = host
    return host, channel, telemetry


@pytest.fixture
def objection_settings():
    """Overrides of the objection service's settings for one test (e.g. a calendar folder)."""
    return {}


@pytest.fixture
async def objection(suite, database_url, spans, clock, objection_settings):
    """Ingestion, classification and the objection service."""
    host, channel, telemetry = await _objection(suite, database_url, spans, clock, objection_settings)
    try:
        yield suite
    finally:
        await channel.close()
        await host.stop()
        telemetry.shutdown()


@pytest.fixture
async def objection_and_gate(gate, database_url, spans, clock, objection_settings):
    """The four services: ingestion, classification, the gate and the objection service."""
    host, channel, telemetry = await _objection(gate, database_url, spans, clock, objection_settings)
    try:
        yield gate
    finally:
        await channel.close()
        await host.stop()
        telemetry.shutdown()


@pytest.fixture
async def whole_suite(gate, database_url, spans, clock, tmp_path):
    """The five services: ingestion, classification, the gate, recognition (with the test partners)
    and the objection service, which gathers every service's reads into the subject's file (I-4)."""
    from tests.recognition_helpers import start_recognition

    r_host, r_channel, r_stub, r_telemetry = await start_recognition(gate, database_url, tmp_path, clock, spans)
    gate.recognition, gate.recognition_port = r_stub, r_host.port
    host, channel, telemetry = await _objection(gate, database_url, spans, clock,
                                                {"recognition_address": f"127.0.0.1:{r_host.port}"})
    gate.objection_port = host.port
    try:
        yield gate
    finally:
        await channel.close()
        await host.stop()
        telemetry.shutdown()
        await r_channel.close()
        await r_host.stop()
        r_telemetry.shutdown()

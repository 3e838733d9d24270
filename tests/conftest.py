"""Shared fixtures: databases (SQLite always, PostgreSQL when it answers) and services.

PostgreSQL tests run when ``SECONDLINE_TEST_POSTGRES_URL`` names a server, e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test`` (CI sets it). Each test gets its own
schema there, dropped afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone

import grpc
import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import create_engine, text

from secondline.clock import ManualClock
from secondline.telemetry import setup_telemetry

POSTGRES_URL = os.environ.get("SECONDLINE_TEST_POSTGRES_URL", "")


def _postgres_answers() -> bool:
    if not POSTGRES_URL:
        return False
    try:
        with create_engine(POSTGRES_URL).connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


POSTGRES = _postgres_answers()
BACKENDS = ["sqlite", pytest.param("postgres", marks=[
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES, reason="no PostgreSQL at SECONDLINE_TEST_POSTGRES_URL"),
])]


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/test.sqlite"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def spans():
    return InMemorySpanExporter()


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 3, 1, 4, 0, tzinfo=timezone.utc))  # 12:00 CST


@pytest.fixture
async def ingestion(database_url, spans, clock):
    """A real ingestion server on a free loopback port, and a channel to it."""
    from secondline.ingestion.v1 import ingestion_pb2_grpc
    from secondline.services.ingestion.app import IngestionSettings, build

    settings = IngestionSettings.model_validate(
        {"database": {"url": database_url}, "server": {"listen": "127.0.0.1:0", "grace_seconds": 1}}
    )
    telemetry = setup_telemetry("ingestion", span_exporter=spans)
    host = build(settings, telemetry=telemetry, clock=clock)
    port = await host.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield Running(host, channel, ingestion_pb2_grpc.IngestionServiceStub(channel), clock, port)
    finally:
        await channel.close()
        await host.stop()
        telemetry.shutdown()


class Running:
    def __init__(self, host, channel, stub, clock, port):
        self.host, self.channel, self.stub, self.clock, self.port = host, channel, stub, clock, port


def as_department(name: str):
    return (("x-secondline-principal", f"department/{name}"),)


OPERATOR = (("x-secondline-principal", "operator/ops"),)
SERVICE = (("x-secondline-principal", "service/classification"),)  # ingestion's record feed follower
GATE = (("x-secondline-principal", "service/gate"),)  # classification's change feed follower


@pytest.fixture
async def suite(database_url, ingestion, spans, clock, tmp_path, request):
    """Ingestion plus classification following its feed, on one manual clock."""
    from secondline.classification.v1 import classification_pb2_grpc
    from secondline.services.classification.app import ClassificationSettings, build

    url = database_url  # both services' tables live side by side, as on a shared server
    settings = ClassificationSettings.model_validate({
        "database": {"url": url}, "server": {"listen": "127.0.0.1:0", "grace_seconds": 1},
        "ingestion_address": f"127.0.0.1:{ingestion.port}",
    })
    telemetry = setup_telemetry("classification", span_exporter=spans)
    host = build(settings, telemetry=telemetry, clock=clock)
    port = await host.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        ingestion.classification = classification_pb2_grpc.ClassificationServiceStub(channel)
        ingestion.classification_host = host
        ingestion.classification_port = port
        yield ingestion
    finally:
        await channel.close()
        await host.stop()
        telemetry.shutdown()


def lane(port: str):
    """A port's lane system (M-0): it decides crossings at its own port only."""
    return (("x-secondline-principal", f"lane/{port}"),)


LANE = lane("HAIKOU")


@pytest.fixture
def gate_settings():
    """Overrides of the gate's settings for one test (e.g. a measures file)."""
    return {}


@pytest.fixture
async def gate(suite, database_url, spans, clock, gate_settings):
    """Ingestion, classification and the lane gate following classification, on one manual clock."""
    from secondline.gate.v1 import gate_pb2_grpc
    from secondline.services.gate.app import GateSettings, build

    settings = GateSettings.model_validate({
        "database": {"url": database_url}, "server": {"listen": "127.0.0.1:0", "grace_seconds": 1},
        "classification_address": f"127.0.0.1:{suite.classification_port}", "heartbeat_seconds": 0.2,
        **gate_settings,
    })
    metrics = InMemoryMetricReader()
    telemetry = setup_telemetry("gate", span_exporter=spans, metric_reader=metrics)
    host = build(settings, telemetry=telemetry, clock=clock)
    port = await host.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        suite.gate = gate_pb2_grpc.GateServiceStub(channel)
        suite.gate_host = host
        suite.gate_channel = channel
        suite.gate_metrics = metrics
        yield suite
    finally:
        await channel.close()
        await host.stop()
        telemetry.shutdown()

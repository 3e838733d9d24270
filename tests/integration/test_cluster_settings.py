"""What a cluster needs of a service: probes that need no client certificate, followers that
present one, and migrations run on their own, twice or at once (k8s/)."""

from __future__ import annotations

import subprocess
import sys

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import create_engine, inspect

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.classification.v1 import classification_pb2_grpc
from secondline.common.v1 import common_pb2
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.server import DatabaseSettings, migrate_database
from secondline.services.classification.app import ClassificationSettings, build as build_classification
from secondline.services.ingestion.app import IngestionSettings, build as build_ingestion
from secondline.telemetry import setup_telemetry
from tests.helpers import record
from tests.pki import TestCA

ACME = "91460100MA5T0A3D5P"


def server_tls(ca: TestCA, name: str) -> dict:
    issued = ca.issue(f"service/{name}", dns_names=["localhost"], file_stem=name)
    return {"cert_file": str(issued.cert_file), "key_file": str(issued.key_file), "client_ca_file": str(ca.file)}


def client_tls(ca: TestCA, name: str) -> dict:
    return {"cert_file": str(ca.folder / f"{name}.crt"), "key_file": str(ca.folder / f"{name}.key"), "ca_file": str(ca.file)}


def credentials(ca: TestCA, common_name: str):
    issued = ca.issue(common_name)
    return grpc.ssl_channel_credentials(ca.pem, issued.key, issued.cert)


async def test_the_health_port_answers_probes_in_plaintext_and_serves_nothing_else(tmp_path):
    ca = TestCA(tmp_path / "pki")
    settings = IngestionSettings.model_validate({
        "database": {"url": f"sqlite:///{tmp_path}/i.sqlite"},
        "server": {"listen": "127.0.0.1:0", "health_listen": "127.0.0.1:0", "tls": server_tls(ca, "ingestion")},
    })
    host = build_ingestion(settings, telemetry=setup_telemetry("ingestion"))
    await host.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{host.health_port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            for name in ("", "secondline.ingestion.v1.IngestionService"):
                reply = await health.Check(health_pb2.HealthCheckRequest(service=name), timeout=5)
                assert reply.status == health_pb2.HealthCheckResponse.SERVING
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await ingestion_pb2_grpc.IngestionServiceStub(channel).ListSubjectRecords(
                    ingestion_pb2.ListSubjectRecordsRequest(), timeout=5)
            assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED
        async with grpc.aio.insecure_channel(f"127.0.0.1:{host.port}") as plaintext:
            with pytest.raises(grpc.aio.AioRpcError):  # the service's own port wants TLS
                await health_pb2_grpc.HealthStub(plaintext).Check(health_pb2.HealthCheckRequest(), timeout=2)
    finally:
        await host.stop()


async def test_classification_follows_ingestion_over_mutual_tls_as_its_certificate_names_it(tmp_path, database_url):
    ca = TestCA(tmp_path / "pki")
    ingestion = build_ingestion(IngestionSettings.model_validate({
        "database": {"url": database_url},
        "server": {"listen": "127.0.0.1:0", "tls": server_tls(ca, "ingestion")},
    }), telemetry=setup_telemetry("ingestion"))
    await ingestion.start()
    classification = build_classification(ClassificationSettings.model_validate({
        "database": {"url": database_url},
        "server": {"listen": "127.0.0.1:0", "tls": server_tls(ca, "classification")},
        "ingestion_address": f"localhost:{ingestion.port}",
        "ingestion_tls": client_tls(ca, "classification"),
    }), telemetry=setup_telemetry("classification"))
    await classification.start()
    try:
        async with grpc.aio.secure_channel(f"localhost:{ingestion.port}", credentials(ca, "department/ANTI_SMUGGLING")) as ch:
            stored = (await ingestion_pb2_grpc.IngestionServiceStub(ch).SubmitRecord(
                ingestion_pb2.SubmitRecordRequest(record=record(enterprise=ACME)), timeout=10)).record
        async with grpc.aio.secure_channel(f"localhost:{classification.port}", credentials(ca, "operator/ops")) as ch:
            answer = await classification_pb2_grpc.ClassificationServiceStub(ch).GetSubjectClass(
                cpb.GetSubjectClassRequest(subject=common_pb2.SubjectId(enterprise=ACME), min_record_cursor=stored.cursor),
                timeout=30)
        assert answer.subject_class.credit_class == common_pb2.CREDIT_CLASS_WATCHLIST
    finally:
        await classification.stop()
        await ingestion.stop()


async def test_a_follower_without_its_client_certificate_is_not_let_in(tmp_path):
    ca = TestCA(tmp_path / "pki")
    ingestion = build_ingestion(IngestionSettings.model_validate({
        "database": {"url": f"sqlite:///{tmp_path}/i.sqlite"},
        "server": {"listen": "127.0.0.1:0", "tls": server_tls(ca, "ingestion")},
    }), telemetry=setup_telemetry("ingestion"))
    await ingestion.start()
    try:
        anonymous = grpc.ssl_channel_credentials(ca.pem)  # trusts the server, presents nothing
        async with grpc.aio.secure_channel(f"localhost:{ingestion.port}", anonymous) as ch:
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                call = ingestion_pb2_grpc.IngestionServiceStub(ch).StreamRecords(ingestion_pb2.StreamRecordsRequest(), timeout=5)
                await call.read()
            assert caught.value.code() == grpc.StatusCode.UNAVAILABLE  # the handshake fails
    finally:
        await ingestion.stop()


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def migrate_processes(tmp_path, service: str, url: str, count: int) -> list[subprocess.CompletedProcess]:
    """``count`` init containers' worth of ``--migrate``, started together."""
    config = tmp_path / f"{service}.yaml"
    config.write_text(f"database: {{url: '{url}', migrate: false}}\n")
    processes = [subprocess.Popen([sys.executable, "-m", f"secondline.services.{service}", "--config", str(config), "--migrate"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(count)]
    return [subprocess.CompletedProcess(p.args, p.wait(timeout=300), *p.communicate()) for p in processes]


def test_the_migrate_flag_brings_the_schema_up_to_date_and_exits_and_may_run_again(tmp_path, database_url):
    for service in ("ingestion", "classification", "gate"):
        for _ in range(2):
            [done] = migrate_processes(tmp_path, service, database_url, 1)
            assert done.returncode == 0, done.stderr
    assert {"alembic_version_ingestion", "alembic_version_classification", "alembic_version_gate"} <= _tables(database_url)
    migrate_database(DatabaseSettings(url=database_url), "gate")  # the same, in process


def test_replicas_migrating_at_once_all_succeed(tmp_path, database_url):
    # PostgreSQL: replicas' init containers. SQLite: gate workers, and services sharing one
    # file while another already writes to it (a deferred transaction failed there at once).
    url = database_url
    for service in ("ingestion", "classification", "gate"):
        for done in migrate_processes(tmp_path, service, url, 3):
            assert done.returncode == 0, done.stderr
    assert {"alembic_version_ingestion", "alembic_version_classification", "alembic_version_gate"} <= _tables(url)


def test_the_followers_tls_settings_name_their_files(tmp_path):
    from secondline.services.gate.app import GateSettings

    settings = GateSettings.model_validate({"classification_tls": {"cert_file": "a.crt", "key_file": "a.key", "ca_file": "ca.crt"}})
    assert str(settings.classification_tls.ca_file) == "ca.crt"
    with pytest.raises(Exception):
        GateSettings.model_validate({"classification_tls": {"cert_file": "a.crt", "key_file": "a.key"}})

"""One way to run a service: health, reflection, graceful stop, and principals over mTLS."""

from __future__ import annotations

import asyncio
import socket

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from secondline.auth import MetadataAuthenticator, parse_principal
from secondline.errors import PermissionDenied, Unauthenticated
from secondline.server import ServerSettings, ServiceHost
from secondline.telemetry import setup_telemetry



async def test_health_is_serving_once_started_and_not_serving_during_a_graceful_stop(ingestion):
    stub = health_pb2_grpc.HealthStub(ingestion.channel)
    for service in ("", "secondline.ingestion.v1.IngestionService"):
        reply = await stub.Check(health_pb2.HealthCheckRequest(service=service))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
    watch = stub.Watch(health_pb2.HealthCheckRequest(service=""))
    assert (await watch.read()).status == health_pb2.HealthCheckResponse.SERVING
    stopping = asyncio.create_task(ingestion.host.stop())
    assert (await asyncio.wait_for(watch.read(), 5)).status == health_pb2.HealthCheckResponse.NOT_SERVING
    await stopping


class _SlowStart:
    name = "slow"

    def __init__(self):
        self.release = asyncio.Event()

    def register(self, server):
        return ["test.Slow"]

    async def start(self):
        await self.release.wait()

    async def stop(self):
        pass


async def test_health_is_not_serving_while_the_service_starts():
    service = _SlowStart()
    host = ServiceHost(service, ServerSettings(), setup_telemetry("slow"))
    starting = asyncio.create_task(host.start())
    while not host.port:
        await asyncio.sleep(0.01)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{host.port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        reply = await stub.Check(health_pb2.HealthCheckRequest(service=""))
        assert reply.status == health_pb2.HealthCheckResponse.NOT_SERVING
        service.release.set()
        await starting
        reply = await stub.Check(health_pb2.HealthCheckRequest(service=""))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
    await host.stop()


async def test_reflection_lists_the_ingestion_service(ingestion):
    stub = reflection_pb2_grpc.ServerReflectionStub(ingestion.channel)

    async def ask():
        yield reflection_pb2.ServerReflectionRequest(list_services="")

    [reply] = [r async for r in stub.ServerReflectionInfo(ask())]
    names = {s.name for s in reply.list_services_response.service}
    assert "secondline.ingestion.v1.IngestionService" in names and "grpc.health.v1.Health" in names


def test_principals_are_departments_operators_or_services():
    assert str(parse_principal("department/TAX")) == "department/TAX"
    assert parse_principal("operator/li.wei").kind == "operator"
    for bad in ("department/NAVY", "TAX", "operator/", "root/x"):
        with pytest.raises(Unauthenticated):
            parse_principal(bad)
    with pytest.raises(PermissionDenied):
        parse_principal("department/TAX").require("operator", action="backfill")


class _Context:
    def __init__(self, metadata=(), cert_names=()):
        self._metadata, self._names = metadata, cert_names

    def invocation_metadata(self):
        return self._metadata

    def auth_context(self):
        return {"x509_common_name": [n.encode() for n in self._names]} if self._names else {}


def test_the_mtls_authenticator_reads_the_certificate_and_ignores_metadata():
    from secondline.auth import MutualTlsAuthenticator

    context = _Context(metadata=(("x-secondline-principal", "operator/root"),), cert_names=["department/CUSTOMS"])
    assert str(MutualTlsAuthenticator().authenticate(context)) == "department/CUSTOMS"
    with pytest.raises(Unauthenticated):
        MutualTlsAuthenticator().authenticate(_Context(metadata=(("x-secondline-principal", "operator/root"),)))
    assert str(MetadataAuthenticator().authenticate(context)) == "operator/root"


async def test_a_second_process_on_a_served_port_fails_naming_it_unless_both_share_it_as_workers():
    # grpc.so_reuseport is set explicitly: 0 for a process of its own (gRPC's default on Linux
    # is 1, which would let the second bind quietly), 1 for a service's workers.
    first = _SlowStart()
    first.release.set()
    alone = ServiceHost(first, ServerSettings(), setup_telemetry("slow"))
    port = await alone.start()
    try:
        second = _SlowStart()
        second.release.set()
        taken = ServiceHost(second, ServerSettings(listen=f"127.0.0.1:{port}"), setup_telemetry("slow"))
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{port}"):
            await taken.start()
    finally:
        await alone.stop()
    workers = []
    try:
        for _ in range(2):
            service = _SlowStart()
            service.release.set()
            workers.append(ServiceHost(service, ServerSettings(listen=f"127.0.0.1:{port}"), setup_telemetry("slow"),
                                       reuse_port=True))
            assert await workers[-1].start() == port
    finally:
        for worker in workers:
            await worker.stop()


async def test_a_worker_listens_only_once_its_service_has_started():
    service = _SlowStart()
    held = ServiceHost(_SlowStart(), ServerSettings(), setup_telemetry("slow"))
    held.service.release.set()
    port = await held.start()
    await held.stop()  # a free port to ask for
    host = ServiceHost(service, ServerSettings(listen=f"127.0.0.1:{port}"), setup_telemetry("slow"),
                       reuse_port=True, listen_when_ready=True)
    starting = asyncio.create_task(host.start())
    await asyncio.sleep(0.3)
    assert not starting.done() and host.port == 0  # still starting: not listening, no connection taken
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    service.release.set()
    assert await starting == port
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
    await host.stop()

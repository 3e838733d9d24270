"""One way to run a service: a ``grpc.aio`` server with health, reflection and a clean stop.

The standard health service (Check, Watch, List) reports NOT_SERVING while the service starts
and from the moment a graceful stop begins; server reflection (v1 and v1alpha) lets tools such
as ``buf curl`` call the service without its protos; request bytes that do not parse are
refused INVALID_ARGUMENT before any servicer sees them (:mod:`secondline.standard`), and every
call is checked against the authorization table (:mod:`secondline.guard`). SIGTERM and SIGINT start a graceful stop: health goes NOT_SERVING, calls in
flight get ``grace`` seconds to finish, then the service's own resources are released.

A service may run as several worker processes sharing its ports (:mod:`secondline.workers`):
:func:`secondline.entry.service_main` then starts a supervisor instead, and each worker's host listens with
``grpc.so_reuseport`` 1 once its service has started. A process of its own sets the option to 0,
explicitly: gRPC turns it on by default on Linux, which would let a second process started on a
port already served bind it too and quietly take part of the connections; with 0 that second
process fails to start, naming the address.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from pydantic import Field

from secondline.auth import Authenticator, MetadataAuthenticator, MutualTlsAuthenticator
from secondline.config import Strict
from secondline.guard import Authorization
from secondline import loops
from secondline.loops import EventLoop
from secondline.per_method import PerMethodServer
from secondline.standard import HEALTH, HealthServicer, WireErrors, enable_reflection
from secondline.telemetry import Telemetry

if TYPE_CHECKING:
    from secondline.worker import Worker

log = logging.getLogger(__name__)

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


class TlsSettings(Strict):
    """Mutual TLS: the server's certificate and key, and the CA that signs client certificates."""

    cert_file: Path
    key_file: Path
    client_ca_file: Path


class ClientTlsSettings(Strict):
    """Mutual TLS towards another service: this service's certificate and key (its common name
    is the principal the other service sees), and the CA that signs the other's certificate."""

    cert_file: Path
    key_file: Path
    ca_file: Path


class ServerSettings(Strict):
    listen: str = "127.0.0.1:0"
    """host:port to listen on; port 0 picks a free one."""
    health_listen: str | None = None
    """A second host:port, plaintext, serving only the health service: for probes that cannot
    present a client certificate (Kubernetes' gRPC probes) when ``tls`` is set."""
    grace_seconds: float = 5.0
    """How long calls in flight may run once a stop begins."""
    worker_hang_seconds: float = Field(default=10.0, ge=1.0, le=600.0)
    """Run as several workers: a worker whose event loop has not beaten for this long is
    killed and started again by the supervisor (secondline.workers)."""
    tls: TlsSettings | None = None
    """Mutual TLS; the client certificate's common name is the caller (secondline.auth)."""
    event_loop: EventLoop = "uvloop"
    """The process's event loop: ``uvloop`` (libuv's, cheaper per call) or ``asyncio``
    (the standard library's); see secondline.loops."""


class DatabaseSettings(Strict):
    url: str
    """SQLAlchemy URL: sqlite:///file (the embedded default) or postgresql+psycopg://..."""
    migrate: bool = True
    """Bring the service's schema up to date at start-up."""


class TelemetrySettings(Strict):
    otlp_endpoint: str | None = None
    """Export traces by OTLP/gRPC to this collector; none: no export."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0)
    """With ``otlp_endpoint``: the share of new traces recorded and exported (1: all). A call or
    record whose trace context is sampled is always traced. Without an endpoint nothing starts
    a recorded trace (there is nowhere to send it)."""


class Service(Protocol):
    """What a service's composition root hands to :class:`ServiceHost`."""

    name: str

    def register(self, server: grpc.aio.Server) -> list[str]:
        """Add the servicers; return the full names of the gRPC services added."""

    async def start(self) -> None:
        """Start background work; the server already accepts calls (health NOT_SERVING)."""

    async def stop(self) -> None:
        """Stop background work and release resources, after the server has stopped."""


@dataclass
class ServiceHost:
    service: Service
    settings: ServerSettings
    telemetry: Telemetry
    port: int = 0
    health_port: int = 0
    health: HealthServicer = field(default_factory=HealthServicer)
    _server: grpc.aio.Server | None = None
    _health_server: grpc.aio.Server | None = None
    _names: list[str] = field(default_factory=list)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)
    reuse_port: bool = False
    """Share the ports with other processes (``grpc.so_reuseport`` 1): a service's workers."""
    listen_when_ready: bool = False
    """Listen only once the service has started (a worker): the kernel hands new connections
    to the workers already listening, so a worker starting again takes none before it is ready
    (the gate: before its snapshot is loaded)."""

    def _options(self) -> list[tuple[str, int]]:
        return [("grpc.so_reuseport", int(self.reuse_port))]

    async def start(self) -> int:
        untraced = tuple(getattr(self.service, "untraced_methods", ()))  # a service's hot calls
        domain = f"{self.service.name}.secondline"
        # The authorization table's check is innermost: it sees the servicer's own handler.
        interceptors = [WireErrors(domain), *self.telemetry.server_interceptors(untraced),
                        Authorization(self.authenticator(), domain)]
        # Each decides by the method alone: applied once per method, not on every call.
        real = grpc.aio.server(options=self._options())
        server = PerMethodServer(real, interceptors)
        self._names = self.service.register(server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
        for name in ["", *self._names]:
            await self.health.set(name, NOT_SERVING)
        enable_reflection([*self._names, HEALTH], server)
        credentials = self._credentials()  # read now: a missing file stops the start at once
        if not self.listen_when_ready:
            await self._listen(real, credentials)
        await self.service.start()
        if self.listen_when_ready:
            await self._listen(real, credentials)
        for name in ["", *self._names]:
            await self.health.set(name, SERVING)
        watch = getattr(self.service, "watch_health", None)
        if watch is not None:  # a service with health names of its own keeps them current
            watch(self.health)
        log.info("serving", extra={"service": self.service.name, "port": self.port, "event_loop": loops.current()})
        return self.port

    def authenticator(self) -> Authenticator:
        """Who is calling: the client certificate under mutual TLS, else the call's metadata."""
        return MutualTlsAuthenticator() if self.settings.tls is not None else MetadataAuthenticator()

    async def _listen(self, real: grpc.aio.Server, credentials: grpc.ServerCredentials | None) -> None:
        if credentials is None:
            self.port = _add_port(real.add_insecure_port, self.settings.listen)
        else:
            self.port = _add_port(real.add_secure_port, self.settings.listen, credentials)
        await real.start()
        self._server = real
        if self.settings.health_listen:
            await self._start_health_server(self.settings.health_listen)

    def _credentials(self) -> grpc.ServerCredentials | None:
        tls = self.settings.tls
        if tls is None:
            return None
        return grpc.ssl_server_credentials(
            [(tls.key_file.read_bytes(), tls.cert_file.read_bytes())],
            root_certificates=tls.client_ca_file.read_bytes(),
            require_client_auth=True,
        )

    async def _start_health_server(self, listen: str) -> None:
        # The same health servicer on a port of its own: nothing else is served there, so
        # leaving it without TLS discloses only what the probes read.
        server = grpc.aio.server(options=self._options())
        health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
        self.health_port = _add_port(server.add_insecure_port, listen)
        await server.start()
        self._health_server = server

    async def stop(self) -> None:
        if self._server is None:
            return
        await self.health.enter_graceful_shutdown()
        await self._server.stop(self.settings.grace_seconds)
        self._server = None
        if self._health_server is not None:
            await self._health_server.stop(0)
            self._health_server = None
        await self.service.stop()
        log.info("stopped", extra={"service": self.service.name})

    def request_stop(self) -> None:
        self._stopping.set()

    async def run_until_signalled(self) -> None:
        """Serve until SIGTERM or SIGINT, then stop gracefully."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.request_stop)
        await self.start()
        try:
            await self._stopping.wait()
        finally:
            await self.stop()
            self.telemetry.shutdown()


def _add_port(add, listen: str, *credentials) -> int:
    """The port bound, or OSError naming the address (gRPC returns 0 or raises, by version)."""
    try:
        port = add(listen, *credentials)
    except RuntimeError as exc:
        raise OSError(f"cannot listen on {listen}: the address is in use or not available") from exc
    if port == 0:
        raise OSError(f"cannot listen on {listen}")
    return port


def client_channel(address: str, tls: ClientTlsSettings | None, interceptors=None) -> grpc.aio.Channel:
    """A channel to another service: plaintext on the embedded default, mutual TLS when
    ``tls`` is set (the other service's certificate must name the host of ``address``)."""
    if tls is None:
        return grpc.aio.insecure_channel(address, interceptors=interceptors)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=tls.ca_file.read_bytes(),
        private_key=tls.key_file.read_bytes(),
        certificate_chain=tls.cert_file.read_bytes(),
    )
    return grpc.aio.secure_channel(address, credentials, interceptors=interceptors)


def host(service_type, settings, name: str, *, telemetry: Telemetry | None = None, clock=None,
         worker: Worker | None = None) -> ServiceHost:
    """A service wired from its settings: its own telemetry, and the real clock unless the
    settings start a manual one (tests and scenario runs only). A ``worker`` shares its ports
    with the other workers and tells its telemetry which worker it is."""
    from secondline.clock import ManualClock, SystemClock
    from secondline.telemetry import setup_telemetry

    telemetry = telemetry or setup_telemetry(name, otlp_endpoint=settings.telemetry.otlp_endpoint,
                                             attributes=worker.resource() if worker else None,
                                             sample_ratio=settings.telemetry.sample_ratio)
    if clock is None:
        clock = ManualClock(settings.start_clock) if settings.start_clock else SystemClock()
    return ServiceHost(service_type(settings, telemetry, clock), settings.server, telemetry,
                       reuse_port=worker is not None, listen_when_ready=worker is not None)


def migrate_database(settings: DatabaseSettings, service: str) -> None:
    """Bring a service's schema to its newest revision, whatever ``settings.migrate`` says.
    Safe to run twice, and from several processes at once (storage.migrate)."""
    from secondline.storage import make_engine, migrate

    engine = make_engine(settings.url)
    try:
        migrate(engine, f"secondline.services.{service}.migrations", version_table=f"alembic_version_{service}")
    finally:
        engine.dispose()
    log.info("schema up to date", extra={"service": service})


def open_database(settings: DatabaseSettings, telemetry: Telemetry, service: str):
    """A service's database: its engine, traced, its schema migrated (when configured), and
    the threads its work runs on. Each service keeps its own Alembic history and version table."""
    from secondline.storage import Database, make_engine, migrate

    engine = make_engine(settings.url)
    telemetry.instrument_engine(engine)
    if settings.migrate:
        migrate(engine, f"secondline.services.{service}.migrations", version_table=f"alembic_version_{service}")
    return Database(engine)


async def cancel_all(tasks: list[asyncio.Task]) -> None:
    """Cancel a service's background tasks and wait until each has ended (a stop's first step)."""
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task

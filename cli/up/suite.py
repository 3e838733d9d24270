"""Run the whole suite on one machine: each service in its own OS process, on loopback ports.

This is the embedded default (SQLite files in one data folder, no server to install). Each
service gets a small settings file written into the data folder, its log in
``<data>/logs/<service>.log`` and its process id in ``<data>/run/<service>.pid``. The suite
is ready once every service answers SERVING on the standard gRPC health service.

Adding a service is one entry in :data:`SERVICES`: its name, its module, and a function that
returns its settings given the suite's layout (every service's address is known before any
starts, so a follower can be told where its producer listens).
"""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import yaml
from grpc_health.v1 import health_pb2, health_pb2_grpc

__all__ = [
    "SERVICES", "Layout", "RunningService", "ServiceSpec", "Suite", "SuiteError",
    "running_suite", "start_suite",
]

HOST = "127.0.0.1"


class SuiteError(RuntimeError):
    """A service could not be started (its message ends with the tail of that service's log)."""


@dataclass(frozen=True)
class Layout:
    """What a service's settings may depend on."""

    data_dir: Path  # the suite's data folder, absolute
    addresses: dict[str, str]  # every service's host:port, by name
    otlp_endpoint: str | None = None  # where to export traces, when set
    gate_workers: int = 1  # the gate's worker processes (its setting workers)


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    module: str  # run as `python -m <module> --config <file>`
    settings: Callable[[str, Layout], dict[str, Any]]  # (name, layout) -> the YAML settings


def embedded_settings(name: str, layout: Layout) -> dict[str, Any]:
    """Settings every service shares on the embedded default: listen address, SQLite file."""
    settings: dict[str, Any] = {
        "server": {"listen": layout.addresses[name]},
        "database": {"url": f"sqlite:///{layout.data_dir / name}.sqlite"},
    }
    if layout.otlp_endpoint:
        settings["telemetry"] = {"otlp_endpoint": layout.otlp_endpoint}
    return settings


def classification_settings(name: str, layout: Layout) -> dict[str, Any]:
    """Classification follows ingestion's record feed."""
    return {**embedded_settings(name, layout), "ingestion_address": layout.addresses["ingestion"],
            "pseudonym": {"secret_file": str(layout.data_dir / "pseudonym-secret")}}


def gate_settings(name: str, layout: Layout) -> dict[str, Any]:
    """The gate follows classification's change feed; with ``gate_workers`` > 1 it is that many
    processes sharing its port, under a supervisor (the process ``up`` watches)."""
    settings = {**embedded_settings(name, layout), "classification_address": layout.addresses["classification"]}
    if layout.gate_workers > 1:
        settings["workers"] = layout.gate_workers
    return settings


def objection_settings(name: str, layout: Layout) -> dict[str, Any]:
    """The objection service reads ingestion and classification and files through ingestion."""
    return {**embedded_settings(name, layout), "ingestion_address": layout.addresses["ingestion"],
            "classification_address": layout.addresses["classification"],
            "recognition_address": layout.addresses.get("recognition")}


def recognition_settings(name: str, layout: Layout) -> dict[str, Any]:
    """Recognition files partners' records into ingestion and reads classes for reports (X-3, X-5);
    its keys live in the data folder (development keys generated on first start)."""
    return {**embedded_settings(name, layout), "ingestion_address": layout.addresses["ingestion"],
            "classification_address": layout.addresses["classification"],
            "signing": {"keys_dir": str(layout.data_dir / "recognition-keys")}}


#: The suite, in start order (producers before their followers); stopped in reverse.
SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("ingestion", "secondline.services.ingestion", embedded_settings),
    ServiceSpec("classification", "secondline.services.classification", classification_settings),
    ServiceSpec("gate", "secondline.services.gate", gate_settings),
    ServiceSpec("objection", "secondline.services.objection", objection_settings),
    ServiceSpec("recognition", "secondline.services.recognition", recognition_settings),
)


@dataclass
class RunningService:
    name: str
    address: str
    process: subprocess.Popen
    log_path: Path
    log_offset: int  # where this run's output starts: logs are appended across runs

    def log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError), self.log_path.open("rb") as log:
            log.seek(self.log_offset)
            return "\n".join(log.read().decode(errors="replace").splitlines()[-lines:])
        return ""


class Suite:
    """The running services; get one from :func:`running_suite` or :func:`start_suite`."""

    def __init__(self, data_dir: Path, layout: Layout | None = None, specs: Sequence[ServiceSpec] = ()) -> None:
        self.data_dir = data_dir
        self.layout = layout
        self.specs = {spec.name: spec for spec in specs}
        self.services: dict[str, RunningService] = {}

    def restart(self, name: str) -> RunningService:
        """Start the named service's process again, on the same address with the same settings."""
        if self.layout is None:
            raise SuiteError(f"service {name} cannot be restarted: the suite's layout is unknown")
        self.services[name] = _launch(self.specs[name], self.layout)
        return self.services[name]

    def address(self, name: str) -> str:
        """``127.0.0.1:<port>`` of the named service."""
        return self.services[name].address

    def pids(self) -> dict[str, int]:
        return {name: s.process.pid for name, s in self.services.items()}

    def exited(self) -> RunningService | None:
        """A service whose process has ended, if any has."""
        return next((s for s in self.services.values() if s.process.poll() is not None), None)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM each service, followers first; SIGKILL whatever outlives ``timeout``."""
        for service in reversed(list(self.services.values())):
            process = service.process
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # the service stops gracefully on it
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            (self.data_dir / "run" / f"{service.name}.pid").unlink(missing_ok=True)


def start_suite(
    data_dir: Path | str,
    *,
    otlp_endpoint: str | None = None,
    services: Sequence[ServiceSpec] = SERVICES,
    ready_timeout: float = 30.0,
    gate_workers: int = 1,
) -> Suite:
    """Start ``services`` and wait until all are SERVING; on failure stop them and raise."""
    data = Path(data_dir).resolve()
    for folder in (data, data / "logs", data / "run", data / "config"):
        folder.mkdir(parents=True, exist_ok=True)
    ports = _free_ports(len(services))
    layout = Layout(data, {spec.name: f"{HOST}:{port}" for spec, port in zip(services, ports)}, otlp_endpoint,
                    gate_workers)
    suite = Suite(data, layout, services)
    try:
        for spec in services:
            suite.services[spec.name] = _launch(spec, layout)
        _wait_until_serving(suite, time.monotonic() + ready_timeout)
    except BaseException:  # Ctrl-C while starting too: leave no process behind
        suite.stop()
        raise
    return suite


@contextlib.contextmanager
def running_suite(
    data_dir: Path | str,
    *,
    otlp_endpoint: str | None = None,
    services: Sequence[ServiceSpec] = SERVICES,
    ready_timeout: float = 30.0,
    stop_timeout: float = 15.0,
) -> Iterator[Suite]:
    """The suite, started and SERVING for the duration of the ``with`` block."""
    suite = start_suite(data_dir, otlp_endpoint=otlp_endpoint, services=services, ready_timeout=ready_timeout)
    try:
        yield suite
    finally:
        suite.stop(stop_timeout)


def _free_ports(count: int) -> list[int]:
    # The kernel picks free ports and we release them for the services to bind; another
    # program could take one in between, in which case that service fails to start and says so.
    # All are held until all are picked: a port released at once could be handed out again to
    # the next service, and two services would be given one address.
    with contextlib.ExitStack() as held:
        socks = [held.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) for _ in range(count)]
        for sock in socks:
            sock.bind((HOST, 0))
        return [sock.getsockname()[1] for sock in socks]


def _launch(spec: ServiceSpec, layout: Layout) -> RunningService:
    config = layout.data_dir / "config" / f"{spec.name}.yaml"
    config.write_text(yaml.safe_dump(spec.settings(spec.name, layout), sort_keys=False), encoding="utf-8")
    log_path = layout.data_dir / "logs" / f"{spec.name}.log"
    with log_path.open("ab") as log:
        offset = log.tell()
        process = subprocess.Popen(
            [sys.executable, "-m", spec.module, "--config", str(config)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=layout.data_dir,
            # Its own process group: a Ctrl-C in the terminal reaches only the CLI, which
            # then stops the services in order (followers before their producers).
            start_new_session=True,
        )
    (layout.data_dir / "run" / f"{spec.name}.pid").write_text(f"{process.pid}\n")
    return RunningService(spec.name, layout.addresses[spec.name], process, log_path, offset)


def _wait_until_serving(suite: Suite, deadline: float) -> None:
    for service in suite.services.values():
        with grpc.insecure_channel(service.address) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            while not _serving(health):
                if service.process.poll() is not None:
                    raise SuiteError(_failure(service, f"exited with code {service.process.returncode}"))
                if time.monotonic() > deadline:
                    raise SuiteError(_failure(service, "did not report SERVING in time"))
                time.sleep(0.1)


def _serving(health: health_pb2_grpc.HealthStub) -> bool:
    try:
        reply = health.Check(health_pb2.HealthCheckRequest(service=""), timeout=1.0)
    except grpc.RpcError:  # not listening yet, or still starting
        return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


def _failure(service: RunningService, what: str) -> str:
    return f"service {service.name} {what}; the end of {service.log_path}:\n{service.log_tail()}"

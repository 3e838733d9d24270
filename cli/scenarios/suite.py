"""The suite a scenario runs against: every service in this process, on loopback ports, each on a
manual clock that the runner sets through the service's ClockService.

Adding a service is one entry in :data:`SERVICES`: its name, its composition root, and the
settings it needs beside the shared ones (the addresses of services started before it).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import grpc

from secondline.clock import ManualClock
from secondline.rpc.convert import timestamp
from secondline.telemetry import setup_telemetry
from secondline.testing.v1 import clock_pb2, clock_pb2_grpc

#: Every clock starts here, the day the special customs regime began.
EPOCH = datetime(2025, 12, 18, tzinfo=timezone.utc)


@dataclass(frozen=True)
class InProcessService:
    name: str
    app: str  # the module with ``build(settings, telemetry=, clock=)``
    settings_class: str  # its settings class, in the same module
    #: the settings beside listen address and database, given the suite started so far
    extra: Callable[["InProcessSuite"], dict[str, Any]] = lambda suite: {}


def _signing_key_pem() -> str:
    """A fresh suite signing key for one scenario run (X-4), given as the environment would give it."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    return Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


#: In start order: producers before their followers.
SERVICES: tuple[InProcessService, ...] = (
    InProcessService("ingestion", "secondline.services.ingestion.app", "IngestionSettings"),
    InProcessService("classification", "secondline.services.classification.app", "ClassificationSettings",
                     lambda suite: {"ingestion_address": suite.address("ingestion")}),
    InProcessService("gate", "secondline.services.gate.app", "GateSettings",
                     lambda suite: {"classification_address": suite.address("classification"), "heartbeat_seconds": 0.2}),
    InProcessService("objection", "secondline.services.objection.app", "ObjectionSettings",
                     lambda suite: {"ingestion_address": suite.address("ingestion"),
                                    "classification_address": suite.address("classification"),
                                    "delivery_poll_seconds": 0.2}),
    InProcessService("recognition", "secondline.services.recognition.app", "RecognitionSettings",
                     lambda suite: {"ingestion_address": suite.address("ingestion"),
                                    "classification_address": suite.address("classification"),
                                    "signing": {"private_key": _signing_key_pem(),
                                                "public_keys_file": str(suite.data_dir / "public-keys.json")}}),
)


class InProcessSuite:
    """The services of :data:`SERVICES`, started in ``async with`` and stopped at its end."""

    def __init__(self, data_dir: Path, services: tuple[InProcessService, ...] = SERVICES,
                 settings: dict[str, dict[str, Any]] | None = None) -> None:
        self.data_dir = data_dir
        self.services = services
        #: settings of a service beside the shared ones, by service name (a scenario's partners)
        self.overrides = settings or {}
        self.hosts: dict[str, Any] = {}
        self.channels: dict[str, grpc.aio.Channel] = {}

    async def __aenter__(self) -> "InProcessSuite":
        try:
            for service in self.services:
                app = importlib.import_module(service.app)
                settings = getattr(app, service.settings_class).model_validate(
                    {**self._settings(service.name), **service.extra(self), **self.overrides.get(service.name, {})})
                host = app.build(settings, telemetry=setup_telemetry(service.name), clock=ManualClock(EPOCH))
                port = await host.start()
                self.hosts[service.name] = host
                self.channels[service.name] = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
        except BaseException:
            await self.__aexit__()
            raise
        return self

    def _settings(self, name: str) -> dict:
        return {"server": {"listen": "127.0.0.1:0", "grace_seconds": 0.5},
                "database": {"url": f"sqlite:///{self.data_dir / name}.sqlite"}}

    def address(self, name: str) -> str:
        return f"127.0.0.1:{self.hosts[name].port}"

    async def set_time(self, now: datetime) -> None:
        """Every service's clock to ``now``, through its ClockService."""
        for channel in self.channels.values():
            await clock_pb2_grpc.ClockServiceStub(channel).SetTime(clock_pb2.SetTimeRequest(now=timestamp(now)))

    async def __aexit__(self, *exc) -> None:
        for name in reversed(list(self.hosts)):
            await self.channels.pop(name).close()
            await self.hosts.pop(name).stop()

"""The classification service's composition root: settings, wiring, and its entry point.

    python -m secondline.services.classification --config classification.yaml

Settings come from the file and from ``SECONDLINE_CLASSIFICATION_*`` environment variables.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import grpc

from secondline.auth import MetadataAuthenticator, MutualTlsAuthenticator
from secondline.classification.v1 import classification_pb2, classification_pb2_grpc
from secondline.clock import Clock, ManualClock, SystemClock
from secondline.clock_service import register_if_manual
from secondline.config import ConfigError, Strict, load_settings
from secondline.logs import configure_logging
from secondline.rules_config import load_rules
from secondline.server import DatabaseSettings, ServerSettings, ServiceHost, TelemetrySettings
from secondline.storage import Database, make_engine, migrate
from secondline.telemetry import Telemetry, setup_telemetry

from .background import Follower, Scheduler
from .servicer import ClassificationServicer
from .store import ClassificationStore
from .usecases import Classification, Progress

NAME = "classification"
ENV_PREFIX = "SECONDLINE_CLASSIFICATION_"


class ClassificationSettings(Strict):
    server: ServerSettings = ServerSettings()
    database: DatabaseSettings = DatabaseSettings(url="sqlite:///data/classification.sqlite")
    telemetry: TelemetrySettings = TelemetrySettings()
    ingestion_address: str = "127.0.0.1:50051"
    """Where the ingestion service's record feed is (host:port)."""
    rules_file: Path | None = None
    """Versioned rules (periods, scales, candidate thresholds); the packaged default when unset."""
    start_clock: datetime | None = None
    """Tests and scenario runs only: a manual clock standing at this instant (settable over gRPC)."""


@dataclass
class ClassificationService:
    settings: ClassificationSettings
    telemetry: Telemetry
    clock: Clock
    name: str = NAME
    classification: Classification | None = field(default=None, init=False)
    follower: Follower | None = field(default=None, init=False)
    _tasks: list[asyncio.Task] = field(default_factory=list, init=False)
    _db: Database | None = field(default=None, init=False)

    def register(self, server: grpc.aio.Server) -> list[str]:
        rules = load_rules(self.settings.rules_file)
        engine = make_engine(self.settings.database.url)
        self.telemetry.instrument_engine(engine)
        if self.settings.database.migrate:
            migrate(engine, "secondline.services.classification.migrations", version_table="alembic_version_classification")
        self._db = Database(engine)
        store = ClassificationStore(engine, rules)
        progress = Progress()
        self.classification = Classification(db=self._db, store=store, rules=rules, clock=self.clock, progress=progress)
        self.follower = Follower(address=self.settings.ingestion_address, db=self._db, store=store, clock=self.clock,
                                 progress=progress, telemetry=self.telemetry)
        self._scheduler = Scheduler(db=self._db, store=store, clock=self.clock, progress=progress)
        authenticator = MutualTlsAuthenticator() if self.settings.server.tls else MetadataAuthenticator()
        classification_pb2_grpc.add_ClassificationServiceServicer_to_server(
            ClassificationServicer(self.classification, authenticator), server)
        names = [classification_pb2.DESCRIPTOR.services_by_name["ClassificationService"].full_name]
        return names + register_if_manual(server, self.clock)

    async def start(self) -> None:
        progress = self.classification.progress
        await progress.advance(cursor=await self._db.read(self.classification.store.cursor),
                               revision=await self._db.read(self.classification.store.revision))
        self._tasks = [asyncio.create_task(self.follower.run(), name="classification-follower"),
                       asyncio.create_task(self._scheduler.run(), name="classification-scheduler")]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._db.close()


def build(settings: ClassificationSettings, *, telemetry: Telemetry | None = None, clock: Clock | None = None) -> ServiceHost:
    telemetry = telemetry or setup_telemetry(NAME, otlp_endpoint=settings.telemetry.otlp_endpoint)
    if clock is None:
        clock = ManualClock(settings.start_clock) if settings.start_clock else SystemClock()
    return ServiceHost(ClassificationService(settings, telemetry, clock), settings.server, telemetry)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="secondline-classification", description="The Secondline classification service.")
    parser.add_argument("--config", type=Path, help="settings file (YAML)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(ClassificationSettings, path=args.config, env_prefix=ENV_PREFIX)
        load_rules(settings.rules_file)
    except ConfigError as exc:
        print(f"secondline-classification: {exc}", file=sys.stderr)
        return 2
    configure_logging(NAME, level=settings.telemetry.log_level)
    asyncio.run(build(settings).run_until_signalled())
    return 0

"""The ingestion service's composition root: settings, wiring, and its entry point.

    python -m secondline.services.ingestion --config ingestion.yaml

Settings come from the file and from ``SECONDLINE_INGESTION_*`` environment variables
(``SECONDLINE_INGESTION_DATABASE__URL=postgresql+psycopg://...``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from pydantic import PositiveInt

import grpc

from secondline.auth import MetadataAuthenticator, MutualTlsAuthenticator
from secondline.clock import Clock, ManualClock, SystemClock
from secondline.config import ConfigError, Strict, load_settings
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.logs import configure_logging
from secondline.rules_config import load_rules
from secondline.clock_service import register_if_manual
from secondline.server import DatabaseSettings, ServerSettings, ServiceHost, TelemetrySettings
from secondline.storage import Database, make_engine, migrate
from secondline.telemetry import Telemetry, setup_telemetry

from .servicer import IngestionServicer
from .store import RecordStore
from .usecases import Ingestion
from .writer import RecordWriter

NAME = "ingestion"
ENV_PREFIX = "SECONDLINE_INGESTION_"


class IngestionSettings(Strict):
    server: ServerSettings = ServerSettings()
    database: DatabaseSettings = DatabaseSettings(url="sqlite:///data/ingestion.sqlite")
    telemetry: TelemetrySettings = TelemetrySettings()
    rules_file: Path | None = None
    """Versioned rules (R-1, R-5, R-6, S-2); the packaged default when unset."""
    max_batch: PositiveInt = 1000
    """Most records committed in one transaction."""
    start_clock: datetime | None = None
    """Tests and scenario runs only: a manual clock standing at this instant."""


@dataclass
class IngestionService:
    """The wired service; ServiceHost runs it."""

    settings: IngestionSettings
    telemetry: Telemetry
    clock: Clock
    name: str = NAME
    ingestion: Ingestion | None = field(default=None, init=False)
    _db: Database | None = field(default=None, init=False)

    def register(self, server: grpc.aio.Server) -> list[str]:
        rules = load_rules(self.settings.rules_file)
        engine = make_engine(self.settings.database.url)
        self.telemetry.instrument_engine(engine)
        if self.settings.database.migrate:
            migrate(engine, "secondline.services.ingestion.migrations", version_table="alembic_version_ingestion")
        self._db = Database(engine)
        store = RecordStore(engine, rules)
        writer = RecordWriter(self._db, store, self.telemetry, max_batch=self.settings.max_batch)
        self.ingestion = Ingestion(db=self._db, store=store, writer=writer, rules=rules, clock=self.clock)
        authenticator = MutualTlsAuthenticator() if self.settings.server.tls else MetadataAuthenticator()
        ingestion_pb2_grpc.add_IngestionServiceServicer_to_server(IngestionServicer(self.ingestion, authenticator), server)
        names = [ingestion_pb2.DESCRIPTOR.services_by_name["IngestionService"].full_name]
        return names + register_if_manual(server, self.clock)

    async def start(self) -> None:
        self.ingestion.writer.start()

    async def stop(self) -> None:
        await self.ingestion.writer.stop()
        self._db.close()


def build(settings: IngestionSettings, *, telemetry: Telemetry | None = None, clock: Clock | None = None) -> ServiceHost:
    telemetry = telemetry or setup_telemetry(NAME, otlp_endpoint=settings.telemetry.otlp_endpoint)
    if clock is None:
        clock = ManualClock(settings.start_clock) if settings.start_clock else SystemClock()
    return ServiceHost(IngestionService(settings, telemetry, clock), settings.server, telemetry)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="secondline-ingestion", description="The Secondline ingestion service.")
    parser.add_argument("--config", type=Path, help="settings file (YAML)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(IngestionSettings, path=args.config, env_prefix=ENV_PREFIX)
        load_rules(settings.rules_file)  # a bad rules file stops the service before it listens
    except ConfigError as exc:
        print(f"secondline-ingestion: {exc}", file=sys.stderr)
        return 2
    configure_logging(NAME, level=settings.telemetry.log_level)
    asyncio.run(build(settings).run_until_signalled())
    return 0

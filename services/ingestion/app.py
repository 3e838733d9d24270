"""The ingestion service's composition root: settings, wiring, and its entry point.

    python -m secondline.services.ingestion --config ingestion.yaml

Settings come from the file and from ``SECONDLINE_INGESTION_*`` environment variables
(``SECONDLINE_INGESTION_DATABASE__URL=postgresql+psycopg://...``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from pydantic import PositiveInt

import grpc

from secondline.auth import MetadataAuthenticator, MutualTlsAuthenticator
from secondline.clock import Clock
from secondline.config import Strict
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.rules_config import load_rules
from secondline.clock_service import register_if_manual
from secondline.server import DatabaseSettings, ServerSettings, ServiceHost, TelemetrySettings, host, open_database, service_main
from secondline.storage import Database
from secondline.telemetry import Telemetry

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
        self._db = open_database(self.settings.database, self.telemetry, NAME)
        engine = self._db.engine
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
    return host(IngestionService, settings, NAME, telemetry=telemetry, clock=clock)


def main(argv: list[str] | None = None) -> int:
    return service_main(argv, name=NAME, settings_model=IngestionSettings, env_prefix=ENV_PREFIX, build=build,
                        check=lambda settings: load_rules(settings.rules_file))

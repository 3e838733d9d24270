"""The ingestion service's composition root: settings, wiring, and its entry point.

    python -m secondline.services.ingestion --config ingestion.yaml

Settings come from the file and from ``SECONDLINE_INGESTION_*`` environment variables
(``SECONDLINE_INGESTION_DATABASE__URL=postgresql+psycopg://...``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from pydantic import Field, PositiveInt, model_validator

import grpc

from secondline.collector import settle
from secondline.access_log import AccessLog, open_access_log
from secondline.clock import Clock
from secondline.config import Strict
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.rules_config import load_rules
from secondline.clock_service import register_if_manual
from secondline.server import DatabaseSettings, ServerSettings, ServiceHost, TelemetrySettings, host, open_database
from secondline.entry import service_main
from secondline.storage import Database
from secondline.telemetry import Telemetry

from .tables import SubjectReads
from .checks import MIN_RECORDS, EdgeChecks
from .servicer import IngestionServicer
from .store import RecordStore
from .usecases import Ingestion
from .validation import Limits
from .writer import RecordWriter

NAME = "ingestion"
ENV_PREFIX = "SECONDLINE_INGESTION_"


GRPC_DEFAULT_MAX_MESSAGE = 4 * 1024 * 1024  # what a client with default limits takes


class LimitSettings(Strict):
    """Free text in a record (RULES R-2): a longer value is refused, naming the field."""

    text_chars: PositiveInt = 128
    """source_id, grade, and the ids a correction or withdrawal names."""
    legal_basis_chars: PositiveInt = 1000
    """legal_basis (OTHER_LEGAL_LISTING)."""

    def largest_record_bytes(self) -> int:
        """An upper bound of one record in the feed at these limits: four UTF-8 bytes a
        character for every text field, identifiers, dates, ids and the trace context."""
        return 4 * (self.legal_basis_chars + 4 * self.text_chars) + 1024


class FeedSettings(Strict):
    """The record feed's messages (StreamRecords)."""

    max_records: PositiveInt = 500
    """Records read per page and sent at most per message."""
    max_message_bytes: int = Field(default=1024 * 1024, ge=16 * 1024, le=GRPC_DEFAULT_MAX_MESSAGE - 16 * 1024)
    """A message's size at most, whatever its records hold, below gRPC's default 4 MiB limit."""
    linger_ms: float = Field(default=20, ge=0, le=1000)
    """Once a follower is caught up, how long the feed waits after a commit before sending, so
    that records filed one at a time reach classification together and are applied in one
    transaction (feeds.pages); a record's way to the gate is that much longer at most. 0: no wait."""


class EdgeCheckSettings(Strict):
    """The checks at the edge of large SubmitRecords messages in worker processes (.checks)."""

    processes: int = Field(default=1, ge=0, le=16)
    """Worker processes; 0: every record is checked in the service's own process."""
    min_records: PositiveInt = MIN_RECORDS
    """Records a message needs for its checks to go to a worker (fewer cost more to send than to check)."""


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
    limits: LimitSettings = LimitSettings()
    feed: FeedSettings = FeedSettings()
    edge_checks: EdgeCheckSettings = EdgeCheckSettings()

    @model_validator(mode="after")
    def _one_record_fits_a_feed_message(self) -> "IngestionSettings":
        largest = self.limits.largest_record_bytes()
        if largest > self.feed.max_message_bytes:
            raise ValueError(f"feed.max_message_bytes ({self.feed.max_message_bytes}) must hold the largest record "
                             f"the limits allow (about {largest} bytes): raise it or lower limits")
        return self


@dataclass
class IngestionService:
    """The wired service; ServiceHost runs it."""

    settings: IngestionSettings
    telemetry: Telemetry
    clock: Clock
    name: str = NAME
    ingestion: Ingestion | None = field(default=None, init=False)
    _db: Database | None = field(default=None, init=False)
    reads: AccessLog | None = field(default=None, init=False)
    checks: EdgeChecks | None = field(default=None, init=False)

    def register(self, server: grpc.aio.Server) -> list[str]:
        rules = load_rules(self.settings.rules_file)
        self._db = open_database(self.settings.database, self.telemetry, NAME)
        engine = self._db.engine
        store = RecordStore(engine, rules)
        writer = RecordWriter(self._db, store, self.telemetry, max_batch=self.settings.max_batch)
        limits = Limits(text_chars=self.settings.limits.text_chars, legal_basis_chars=self.settings.limits.legal_basis_chars)
        self.ingestion = Ingestion(db=self._db, store=store, writer=writer, rules=rules, clock=self.clock, limits=limits,
                                   feed_page=self.settings.feed.max_records, feed_linger=self.settings.feed.linger_ms / 1000)
        self.reads, reads_service = open_access_log(server, engine, SubjectReads, self.clock, self.telemetry, NAME)
        edge = self.settings.edge_checks
        self.checks = EdgeChecks(rules, limits, processes=edge.processes, min_records=edge.min_records)
        servicer = IngestionServicer(self.ingestion, self.reads, feed_bytes=self.settings.feed.max_message_bytes,
                                     checks=self.checks)
        ingestion_pb2_grpc.add_IngestionServiceServicer_to_server(servicer, server)
        names = [ingestion_pb2.DESCRIPTOR.services_by_name["IngestionService"].full_name, reads_service]
        return names + register_if_manual(server, self.clock)

    async def start(self) -> None:
        self.ingestion.writer.start()
        self.reads.start()
        settle()  # a few hundred objects a record: the collector's default pace costs ~7 µs a record

    async def stop(self) -> None:
        if self.checks is not None:
            await self.checks.close()
        await self.ingestion.writer.stop()
        self.reads.close()
        self._db.close()


def build(settings: IngestionSettings, *, telemetry: Telemetry | None = None, clock: Clock | None = None) -> ServiceHost:
    return host(IngestionService, settings, NAME, telemetry=telemetry, clock=clock)


def main(argv: list[str] | None = None) -> int:
    return service_main(argv, name=NAME, settings_model=IngestionSettings, env_prefix=ENV_PREFIX, build=build,
                        check=lambda settings: load_rules(settings.rules_file))

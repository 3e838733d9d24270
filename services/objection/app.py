"""The objection service's composition root: settings, wiring, and its entry point.

    python -m secondline.services.objection --config objection.yaml

Settings come from the file and from ``SECONDLINE_OBJECTION_*`` environment variables.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import grpc
from pydantic import PositiveFloat

from secondline.access_log import AccessLog, open_access_log
from secondline.clock import Clock
from secondline.clock_service import register_if_manual
from secondline.config import Strict
from secondline.dates import WorkingCalendar
from secondline.objection.v1 import objection_pb2, objection_pb2_grpc
from secondline.rules_config import load_rules
from secondline.server import (cancel_all, ClientTlsSettings, DatabaseSettings, ServerSettings, ServiceHost, TelemetrySettings, client_channel,
                               host, open_database)
from secondline.entry import service_main
from secondline.storage import Database
from secondline.telemetry import Telemetry

from .clients import ClassificationClient, IngestionClient
from .outbox import Deliverer, OutboxTable
from .repair_store import RepairStore
from .repairs import Repairs
from .reads import ReadsGatherer
from .tables import SubjectReads
from .servicer import ObjectionServicer
from .store import ObjectionStore
from .usecases import Calendar, Objections

NAME = "objection"
ENV_PREFIX = "SECONDLINE_OBJECTION_"


class ObjectionSettings(Strict):
    server: ServerSettings = ServerSettings()
    database: DatabaseSettings = DatabaseSettings(url="sqlite:///data/objection.sqlite")
    telemetry: TelemetrySettings = TelemetrySettings()
    ingestion_address: str = "127.0.0.1:50051"
    """Where ingestion is: the subjects' records, and where the outbox files."""
    ingestion_tls: ClientTlsSettings | None = None
    """Mutual TLS towards ingestion; the certificate's common name is this service's principal
    (``service/objection``). None: plaintext, the principal in the call metadata."""
    classification_address: str = "127.0.0.1:50052"
    """Where classification is: the records behind a class (O-1), the subject's file (I-1)."""
    classification_tls: ClientTlsSettings | None = None
    """Mutual TLS towards classification, as ``ingestion_tls``."""
    recognition_address: str | None = None
    """Where recognition is: partners' reads of a subject join its file (I-4); none when unset."""
    recognition_tls: ClientTlsSettings | None = None
    """Mutual TLS towards recognition, as ``ingestion_tls``."""
    rules_file: Path | None = None
    """Versioned rules (O-3 and L-4 periods); the packaged default when unset."""
    calendar_dir: Path | None = None
    """The working-day calendar (T-3), one YAML file per year; the packaged one when unset.
    Add a year's file and call ReloadCalendar: open deadlines are re-projected and journaled."""
    deliver_wait_seconds: PositiveFloat = 5.0
    """How long a call waits for ingestion to acknowledge what it committed before answering."""
    delivery_poll_seconds: PositiveFloat = 2.0
    """How often the outbox retries what ingestion has not acknowledged."""
    start_clock: datetime | None = None
    """Tests, scenario runs and the demo's replay of past weeks only: a manual clock standing at
    this instant, moved through the ClockService."""


@dataclass
class ObjectionService:
    settings: ObjectionSettings
    telemetry: Telemetry
    clock: Clock
    name: str = NAME
    objections: Objections | None = field(default=None, init=False)
    repairs: Repairs | None = field(default=None, init=False)
    _db: Database | None = field(default=None, init=False)
    reads: AccessLog | None = field(default=None, init=False)
    _channels: list = field(default_factory=list, init=False)
    _tasks: list[asyncio.Task] = field(default_factory=list, init=False)

    def register(self, server: grpc.aio.Server) -> list[str]:
        rules = load_rules(self.settings.rules_file)
        calendar = Calendar(self.settings.calendar_dir)
        self._db = open_database(self.settings.database, self.telemetry, NAME)
        interceptors = self.telemetry.client_interceptors()
        self._channels = [client_channel(self.settings.ingestion_address, self.settings.ingestion_tls, interceptors),
                          client_channel(self.settings.classification_address, self.settings.classification_tls, interceptors)]
        ingestion = IngestionClient(self._channels[0])
        deliverer = Deliverer(db=self._db, table=OutboxTable(self._db.engine), ingestion=ingestion, clock=self.clock,
                              poll_seconds=self.settings.delivery_poll_seconds)
        self.objections = Objections(
            db=self._db, store=ObjectionStore(self._db.engine), ingestion=ingestion,
            classification=ClassificationClient(self._channels[1]), deliverer=deliverer, rules=rules, calendar=calendar,
            clock=self.clock, deliver_wait=self.settings.deliver_wait_seconds)
        self.repairs = Repairs(self.objections, RepairStore(self._db.engine))
        self.reads, reads_service = open_access_log(server, self._db.engine, SubjectReads, self.clock, self.telemetry, NAME)
        readers = self._channels[:2]
        if self.settings.recognition_address:
            self._channels.append(client_channel(self.settings.recognition_address, self.settings.recognition_tls, interceptors))
            readers.append(self._channels[-1])
        reads = ReadsGatherer(self.reads, readers)
        objection_pb2_grpc.add_ObjectionServiceServicer_to_server(
            ObjectionServicer(self.objections, self.repairs, reads), server)
        names = [objection_pb2.DESCRIPTOR.services_by_name["ObjectionService"].full_name, reads_service]
        return names + register_if_manual(server, self.clock)

    async def start(self) -> None:
        self.reads.start()
        # A calendar file added while the service was down re-projects its deadlines now (T-3).
        calendar = self.objections.calendar.current
        await self.objections.reproject(calendar)
        await self.repairs.reproject(calendar)
        # What was committed before a stop (or a kill) and not acknowledged is delivered now.
        self._tasks = [asyncio.create_task(self.objections.deliverer.run(), name="objection-outbox")]

    async def stop(self) -> None:
        await cancel_all(self._tasks)
        for channel in self._channels:
            await channel.close()
        self.reads.close()
        self._db.close()


def build(settings: ObjectionSettings, *, telemetry: Telemetry | None = None, clock: Clock | None = None) -> ServiceHost:
    return host(ObjectionService, settings, NAME, telemetry=telemetry, clock=clock)


def _check(settings: ObjectionSettings) -> None:
    load_rules(settings.rules_file)
    if settings.calendar_dir is not None:
        WorkingCalendar.from_directory(settings.calendar_dir)


def main(argv: list[str] | None = None) -> int:
    return service_main(argv, name=NAME, settings_model=ObjectionSettings, env_prefix=ENV_PREFIX, build=build, check=_check)

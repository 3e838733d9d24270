"""The classification service's composition root: settings, wiring, and its entry point.

    python -m secondline.services.classification --config classification.yaml

Settings come from the file and from ``SECONDLINE_CLASSIFICATION_*`` environment variables.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import grpc
from pydantic import Field, PositiveInt

from secondline.collector import settle
from secondline.classification.v1 import classification_pb2, classification_pb2_grpc
from secondline.access_log import AccessLog, open_access_log
from secondline.clock import Clock
from secondline.clock_service import register_if_manual
from secondline.config import Strict
from secondline.feeds import keep_health
from secondline.measures import load_measures
from secondline.pseudonyms import PseudonymSettings, load_pseudonyms
from secondline.rules_config import load_rules
from secondline.server import (cancel_all, ClientTlsSettings, DatabaseSettings, ServerSettings, ServiceHost, TelemetrySettings, client_channel,
                               host, open_database)
from secondline.entry import service_main
from secondline.storage import Database
from secondline.telemetry import Telemetry

from .background import MAX_BATCH, Follower, Scheduler
from .tables import SubjectReads
from .servicer import ClassificationServicer
from .sharing import Sharing
from .store import ClassificationStore
from .usecases import Classification, Progress

NAME = "classification"
ENV_PREFIX = "SECONDLINE_CLASSIFICATION_"
SERVICE_NAME = classification_pb2.DESCRIPTOR.services_by_name["ClassificationService"].full_name
RECORD_FEED_HEALTH = f"{SERVICE_NAME}/record_feed"


class ClassificationSettings(Strict):
    server: ServerSettings = ServerSettings()
    database: DatabaseSettings = DatabaseSettings(url="sqlite:///data/classification.sqlite")
    telemetry: TelemetrySettings = TelemetrySettings()
    ingestion_address: str = "127.0.0.1:50051"
    """Where the ingestion service's record feed is (host:port)."""
    ingestion_tls: ClientTlsSettings | None = None
    """Mutual TLS towards ingestion; the certificate's common name is this service's principal
    (``service/classification``). None: plaintext, the principal in the call metadata."""
    rules_file: Path | None = None
    """Versioned rules (periods, scales, candidate thresholds); the packaged default when unset."""
    start_clock: datetime | None = None
    """Tests and scenario runs only: a manual clock standing at this instant (settable over gRPC)."""
    pseudonym: PseudonymSettings = PseudonymSettings()
    """The secret behind individuals' pseudonyms in the departments' feeds (I-2, I-3): from
    ``pseudonym.secret_file`` or ``SECONDLINE_CLASSIFICATION_PSEUDONYM__SECRET``, never the repository."""
    measures_file: Path | None = None
    """The measures catalogue the export names measures from (I-3); the packaged one when unset."""
    feed_message_bytes: int = Field(default=1024 * 1024, ge=16 * 1024, le=4 * 1024 * 1024 - 16 * 1024)
    """A ListNotableSubjects page's size at most, below gRPC's default 4 MiB limit; a change
    (one subject's state) is one message of its own."""
    cache_subjects: PositiveInt = 250_000
    """Subjects whose facts and timeline are kept in memory (a few KB each), across the timeline
    workers: more is faster catching up, fewer is less memory; a subject not kept is read from
    the tables."""
    timeline_workers: int = Field(default=2, ge=0, le=64)
    """Worker processes computing timelines by subject shard while catching up (batches of
    ``shard_from`` records or more), so that classification uses more than one core; 0: the
    writer computes every timeline itself."""
    incremental_timelines: bool = True
    """Update a kept subject's contributions from the new facts alone where a record only adds a
    fact; False computes every timeline from all of the subject's facts (the straightforward
    path, the benchmark's baseline)."""
    catch_up_batch: PositiveInt = MAX_BATCH
    """Records applied in one transaction at most while catching up: larger is fewer commits and
    fewer recomputations of each subject, and more memory (1,000,000 records for 200,000 subjects
    in bench/README: 20,000 took 63 s and 951 MB, 10,000 took 70 s and 877 MB)."""
    shard_from: PositiveInt = 2000
    """Records in a batch from which the timeline workers compute it; a smaller batch (records
    arriving one by one) is computed by the writer itself, sparing the round trip."""


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
    reads: AccessLog | None = field(default=None, init=False)
    _store: ClassificationStore | None = field(default=None, init=False)

    def register(self, server: grpc.aio.Server) -> list[str]:
        rules = load_rules(self.settings.rules_file)
        self._db = open_database(self.settings.database, self.telemetry, NAME)
        engine = self._db.engine
        store = ClassificationStore(engine, rules, cache_size=self.settings.cache_subjects,
                                    tracer=self.telemetry.tracer("secondline.services.classification"),
                                    workers=self.settings.timeline_workers, shard_from=self.settings.shard_from,
                                    incremental=self.settings.incremental_timelines)
        self._store = store
        progress = Progress()
        self.classification = Classification(db=self._db, store=store, rules=rules, clock=self.clock, progress=progress)
        self.follower = Follower(address=self.settings.ingestion_address, db=self._db, store=store, clock=self.clock,
                                 progress=progress, telemetry=self.telemetry, max_batch=self.settings.catch_up_batch,
                                 channel_factory=lambda address: client_channel(
                                     address, self.settings.ingestion_tls, self.telemetry.client_interceptors()))
        self._scheduler = Scheduler(db=self._db, store=store, clock=self.clock, progress=progress)
        self.reads, reads_service = open_access_log(server, engine, SubjectReads, self.clock, self.telemetry, NAME)
        sharing = Sharing(self.classification, load_pseudonyms(self.settings.pseudonym),
                          load_measures(self.settings.measures_file))
        classification_pb2_grpc.add_ClassificationServiceServicer_to_server(
            ClassificationServicer(self.classification, sharing, self.reads, feed_bytes=self.settings.feed_message_bytes),
            server)
        names = [classification_pb2.DESCRIPTOR.services_by_name["ClassificationService"].full_name, reads_service]
        return names + register_if_manual(server, self.clock)

    async def start(self) -> None:
        # The writer keeps hundreds of thousands of small tuples (the subject cache) alive; with
        # the default thresholds the cyclic collector walks them again every few thousand
        # allocations, which cost catching up about a quarter of its speed (secondline.collector).
        settle()
        self.reads.start()
        progress = self.classification.progress
        await progress.advance(cursor=await self._db.read(self.classification.store.cursor),
                               revision=await self._db.read(self.classification.store.revision))
        self._tasks = [asyncio.create_task(self.follower.run(), name="classification-follower"),
                       asyncio.create_task(self._scheduler.run(), name="classification-scheduler")]

    def watch_health(self, health) -> None:
        """``<ClassificationService>/record_feed``: NOT_SERVING while the record feed is stalled."""
        self._tasks.append(asyncio.create_task(
            keep_health(health, RECORD_FEED_HEALTH, lambda: not self.follower.watch.stalled), name="classification-health"))

    async def stop(self) -> None:
        await cancel_all(self._tasks)
        self.reads.close()
        self._db.close()
        self._store.close()


def build(settings: ClassificationSettings, *, telemetry: Telemetry | None = None, clock: Clock | None = None) -> ServiceHost:
    return host(ClassificationService, settings, NAME, telemetry=telemetry, clock=clock)


def main(argv: list[str] | None = None) -> int:
    return service_main(argv, name=NAME, settings_model=ClassificationSettings, env_prefix=ENV_PREFIX, build=build,
                        check=_check)


def _check(settings: ClassificationSettings) -> None:
    load_rules(settings.rules_file)
    load_measures(settings.measures_file)
    load_pseudonyms(settings.pseudonym)

"""The recognition service's composition root: settings, wiring, and its entry point.

    python -m secondline.services.recognition --config recognition.yaml

Settings come from the file and from ``SECONDLINE_RECOGNITION_*`` environment variables
(``SECONDLINE_RECOGNITION_PARTNERS_FILE=partners.yaml``). The partners file (X-1) and the
signing keys are checked before the service listens.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import grpc

from secondline.access_log import AccessLog, open_access_log
from secondline.clock import Clock
from secondline.clock_service import register_if_manual
from secondline.config import Strict
from secondline.recognition.v1 import recognition_pb2, recognition_pb2_grpc
from secondline.server import (cancel_all, ClientTlsSettings, DatabaseSettings, ServerSettings, ServiceHost, TelemetrySettings, client_channel,
                               host, open_database)
from secondline.entry import service_main
from secondline.storage import Database
from secondline.telemetry import Telemetry

from .keys import SigningSettings, load_keys, write_public_keys
from .outbox import Outbox
from .partners import load_partners
from .tables import SubjectReads
from .servicer import RecognitionServicer
from .store import RecognitionStore
from .usecases import Recognition

NAME = "recognition"
ENV_PREFIX = "SECONDLINE_RECOGNITION_"
log = logging.getLogger(__name__)


class RecognitionSettings(Strict):
    server: ServerSettings = ServerSettings()
    database: DatabaseSettings = DatabaseSettings(url="sqlite:///data/recognition.sqlite")
    telemetry: TelemetrySettings = TelemetrySettings()
    ingestion_address: str = "127.0.0.1:50051"
    """Where ingestion is: accepted records are filed there (R-7)."""
    ingestion_tls: ClientTlsSettings | None = None
    """Mutual TLS towards ingestion; the certificate's common name is this service's principal
    (``service/recognition``). None: plaintext, the principal in the call metadata."""
    classification_address: str = "127.0.0.1:50052"
    """Where classification is: reports and class changes are read there (X-5)."""
    classification_tls: ClientTlsSettings | None = None
    """Mutual TLS towards classification, as ``ingestion_tls``."""
    partners_file: Path | None = None
    """Partners, their keys, agreements and grade tables (X-1, X-3); none when unset."""
    signing: SigningSettings = SigningSettings()
    start_clock: datetime | None = None
    """Tests and scenario runs only: a manual clock standing at this instant."""


def check(settings: RecognitionSettings) -> None:
    load_partners(settings.partners_file)
    load_keys(settings.signing)


@dataclass
class RecognitionService:
    settings: RecognitionSettings
    telemetry: Telemetry
    clock: Clock
    name: str = NAME
    recognition: Recognition | None = field(default=None, init=False)
    _db: Database | None = field(default=None, init=False)
    reads: AccessLog | None = field(default=None, init=False)
    _channels: list[grpc.aio.Channel] = field(default_factory=list, init=False)
    _tasks: list[asyncio.Task] = field(default_factory=list, init=False)

    def register(self, server: grpc.aio.Server) -> list[str]:
        partners = load_partners(self.settings.partners_file)
        keys = load_keys(self.settings.signing)
        signing = self.settings.signing
        write_public_keys(keys, signing.public_keys_file or signing.keys_dir / "public-keys.json")
        self._db = open_database(self.settings.database, self.telemetry, NAME)
        store = RecognitionStore(self._db.engine)
        log.info("transparency log of %d entries loaded", store.load())
        ingestion = client_channel(self.settings.ingestion_address, self.settings.ingestion_tls)
        classification = client_channel(self.settings.classification_address, self.settings.classification_tls)
        self._channels = [ingestion, classification]
        outbox = Outbox(db=self._db, store=store, channel=ingestion)
        self.recognition = Recognition(db=self._db, store=store, partners=partners, keys=keys, outbox=outbox,
                                       clock=self.clock, ingestion=ingestion, classification=classification)
        self.reads, reads_service = open_access_log(server, self._db.engine, SubjectReads, self.clock, self.telemetry, NAME)
        recognition_pb2_grpc.add_RecognitionServiceServicer_to_server(RecognitionServicer(self.recognition, self.reads), server)
        names = [recognition_pb2.DESCRIPTOR.services_by_name["RecognitionService"].full_name, reads_service]
        return names + register_if_manual(server, self.clock)

    async def start(self) -> None:
        self.reads.start()
        self._tasks = [asyncio.create_task(self.recognition.outbox.run(), name="recognition-outbox")]

    async def stop(self) -> None:
        await cancel_all(self._tasks)
        for channel in self._channels:
            await channel.close()
        self.reads.close()
        self._db.close()


def build(settings: RecognitionSettings, *, telemetry: Telemetry | None = None, clock: Clock | None = None) -> ServiceHost:
    return host(RecognitionService, settings, NAME, telemetry=telemetry, clock=clock)


def main(argv: list[str] | None = None) -> int:
    return service_main(argv, name=NAME, settings_model=RecognitionSettings, env_prefix=ENV_PREFIX, build=build, check=check)

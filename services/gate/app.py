"""The gate service's composition root: settings, wiring, and its entry point.

    python -m secondline.services.gate --config gate.yaml

Settings come from the file and from ``SECONDLINE_GATE_*`` environment variables.

Health: the overall status (``""``) and ``secondline.gate.v1.GateService`` are SERVING while
the gate answers, which it does even when classification is gone; the snapshot's freshness is
the separate health service name ``secondline.gate.v1.GateService/snapshot``: SERVING while the
snapshot is loaded and has heard from classification within the catalogue's stale bound,
NOT_SERVING otherwise. Page on that one; route traffic on the overall one.

With ``workers: N`` (N > 1) the process started is a supervisor of N gate processes sharing
the listening port (:mod:`secondline.workers`), each with its own snapshot following
classification's feed and its own decision-log writer, all writing to the one database.
Health, GetGateStatus and the metrics are each worker's own (``worker`` in GetGateStatus, the
resource attribute ``secondline.worker``): a call is answered by the worker holding the
caller's connection.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import grpc
from opentelemetry.metrics import Observation
from pydantic import PositiveFloat, PositiveInt, ValidationInfo, field_validator

from secondline.collector import PER_CALL, settle
from secondline.clock import Clock
from secondline.clock_service import register_if_manual
from secondline.config import Strict
from secondline.feeds import keep_health
from secondline.gate.v1 import gate_pb2
from secondline.server import (cancel_all, NOT_SERVING, SERVING, ClientTlsSettings, DatabaseSettings, ServerSettings, ServiceHost, TelemetrySettings,
                               client_channel, host, open_database)
from secondline.entry import service_main
from secondline.storage import Database
from secondline.telemetry import Telemetry
from secondline.worker import Worker

from .core import Gate
from .decision_log import DecisionLog
from .follower import SnapshotFollower
from .measures import load_measures
from .servicer import GateServicer, add_to_server
from .snapshot import Snapshot

NAME = "gate"
ENV_PREFIX = "SECONDLINE_GATE_"
SERVICE_NAME = gate_pb2.DESCRIPTOR.services_by_name["GateService"].full_name
SNAPSHOT_HEALTH = f"{SERVICE_NAME}/snapshot"
CHANGE_FEED_HEALTH = f"{SERVICE_NAME}/change_feed"
log = logging.getLogger(__name__)


class DecisionLogSettings(Strict):
    capacity: PositiveInt = 100_000
    """Decisions the queue holds while the database is slow or gone; more are dropped (counted)."""
    flush_seconds: PositiveFloat = 0.02
    """How often queued decisions are written."""
    replay_wait_seconds: PositiveFloat = 1.0
    """How long ReplayDecision looks again for a decision made by another process of the gate
    (a worker beside this one, another replica), which may still be in that one's queue."""


class CrossingWindow(Strict):
    """The crossing instants Decide takes: from ``past`` before the gate's clock to ``future``
    after it. The snapshot keeps each subject's history for ``past`` (a subject that turned
    plain whitelist stays that long), so that every crossing taken is decided on the history it
    needs, never on what was thrown away; an older crossing is refused naming the bound."""

    past: timedelta = timedelta(hours=24)
    """How old a crossing may be (a lane system sending late); ISO 8601 (``PT24H``) or seconds."""
    future: timedelta | None = timedelta(minutes=10)
    """How far ahead of the gate's clock a crossing may be (lane systems' clocks drift);
    ``null``: no bound."""

    @field_validator("past", "future")
    @classmethod
    def _positive(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and value <= timedelta(0):
            raise ValueError("must be a positive duration")
        return value


class GateSettings(Strict):
    server: ServerSettings = ServerSettings()
    database: DatabaseSettings = DatabaseSettings(url="sqlite:///data/gate.sqlite")
    telemetry: TelemetrySettings = TelemetrySettings()
    classification_address: str = "127.0.0.1:50052"
    """Where classification's change feed is (host:port)."""
    classification_tls: ClientTlsSettings | None = None
    """Mutual TLS towards classification; the certificate's common name is this service's
    principal (``service/gate``). None: plaintext, the principal in the call metadata."""
    measures_file: Path | None = None
    """The measures catalogue (M-0..M-5); the packaged default when unset."""
    start_clock: datetime | None = None
    """Tests and scenario runs only: a manual clock standing at this instant (settable over gRPC)."""
    decision_log: DecisionLogSettings = DecisionLogSettings()
    trace_decisions: bool = False
    """A server span for every Decide and BatchDecide. Off by default: the span costs more than
    the decision itself (about 180 us of CPU against 40), and every decision is in the decision
    log anyway; the record's trace reaches the gate through the snapshot update."""
    bootstrap_seconds: PositiveFloat = 30.0
    """How long start-up waits for the first snapshot before serving anyway (stale, so under the fallback)."""
    heartbeat_seconds: PositiveFloat = 1.0
    """How often classification's feed must speak when quiet."""
    crossing_window: CrossingWindow = CrossingWindow()
    """Which crossing instants Decide takes, around the gate's clock (M-1; RULES T-4)."""
    workers: PositiveInt = 1
    """Gate processes sharing the listening port (SO_REUSEPORT), each on a core of its own with
    its own snapshot; above 1, the process started supervises them (secondline.workers)."""

    @field_validator("workers")
    @classmethod
    def _one_clock(cls, value: int, info: ValidationInfo) -> int:
        if value > 1 and info.data.get("start_clock") is not None:
            raise ValueError("must be 1 with start_clock: the manual clock is set over gRPC, on one worker only")
        return value


@dataclass
class GateService:
    settings: GateSettings
    telemetry: Telemetry
    clock: Clock
    name: str = NAME
    worker: int = 0
    """Which worker this is, from 1 (GetGateStatus.worker); 0: the gate runs as one process."""
    gate: Gate | None = field(default=None, init=False)
    follower: SnapshotFollower | None = field(default=None, init=False)
    health: object = field(default=None, init=False)
    _tasks: list[asyncio.Task] = field(default_factory=list, init=False)
    _db: Database | None = field(default=None, init=False)

    @property
    def untraced_methods(self) -> tuple[str, ...]:
        if self.settings.trace_decisions:
            return ()
        return (f"/{SERVICE_NAME}/Decide", f"/{SERVICE_NAME}/BatchDecide")

    def register(self, server: grpc.aio.Server) -> list[str]:
        measures = load_measures(self.settings.measures_file)
        self._db = open_database(self.settings.database, self.telemetry, NAME)
        decision_log = DecisionLog(self._db.engine, capacity=self.settings.decision_log.capacity,
                                   flush_seconds=self.settings.decision_log.flush_seconds)
        window = self.settings.crossing_window
        snapshot = Snapshot(keep_past_seconds=int(window.past.total_seconds()))
        self.gate = Gate(snapshot=snapshot, measures=measures, log=decision_log, clock=self.clock,
                         past=window.past, future=window.future)
        self.follower = SnapshotFollower(address=self.settings.classification_address, snapshot=snapshot,
                                         clock=self.clock, telemetry=self.telemetry,
                                         heartbeat_seconds=self.settings.heartbeat_seconds, history=window.past,
                                         channel_factory=lambda address: client_channel(
                                             address, self.settings.classification_tls, self.telemetry.client_interceptors()))
        servicer = GateServicer(self.gate, worker=self.worker,
                                replay_wait=self.settings.decision_log.replay_wait_seconds)
        add_to_server(servicer, server)
        self._metrics()
        return [SERVICE_NAME] + register_if_manual(server, self.clock)

    def _metrics(self) -> None:
        meter = self.telemetry.meter("secondline.gate")
        gate = self.gate

        def observe(value):
            return lambda options: [Observation(value())]

        meter.create_observable_gauge("secondline.gate.snapshot.age", [observe(gate.snapshot.age)], unit="s",
                                      description="Seconds since the snapshot last heard from classification's change feed")
        meter.create_observable_gauge("secondline.gate.snapshot.subjects", [observe(lambda: len(gate.snapshot))],
                                      description="Subjects held in the snapshot (not plain whitelist)")
        meter.create_observable_gauge("secondline.gate.snapshot.degraded",
                                      [observe(lambda: int(gate.degraded(int(self.clock.now().timestamp()))))],
                                      description="1 while decisions are made under the stale-snapshot fallback")
        meter.create_observable_counter("secondline.gate.decisions.logged", [observe(lambda: gate.log.logged)],
                                        description="Decisions written to the decision log")
        meter.create_observable_counter("secondline.gate.decisions.dropped", [observe(lambda: gate.log.dropped)],
                                        description="Decisions the decision log could not take")
        meter.create_observable_gauge("secondline.gate.decisions.queued", [observe(lambda: gate.log.queued)],
                                      description="Decisions waiting to be written")

    async def start(self) -> None:
        self.gate.log.start()
        self._tasks = [asyncio.create_task(self.follower.run(), name="gate-follower")]
        try:
            await asyncio.wait_for(self.follower.loaded.wait(), self.settings.bootstrap_seconds)
        except TimeoutError:
            log.warning("classification did not answer within %.0fs; serving from an empty, stale snapshot",
                        self.settings.bootstrap_seconds)
        # A full collection (tens of ms) must not land in a lane's wait, nor a young one that
        # frees thousands of calls' garbage at once (secondline.collector.PER_CALL).
        # The snapshot itself is str and bytes, which the collector never tracks.
        settle(PER_CALL)

    def watch_health(self, health) -> None:
        """Keep the snapshot's and the change feed's health names current (called by the host
        once health exists); ``.../change_feed`` is NOT_SERVING while the feed is stalled."""
        self._tasks.append(asyncio.create_task(self._watch(health), name="gate-health"))
        self._tasks.append(asyncio.create_task(
            keep_health(health, CHANGE_FEED_HEALTH, lambda: not self.follower.watch.stalled), name="gate-feed-health"))

    async def _watch(self, health) -> None:
        status = None
        while True:
            now = int(self.clock.now().timestamp())
            fresh = self.gate.snapshot.loaded and not self.gate.degraded(now)
            if fresh != status:
                await health.set(SNAPSHOT_HEALTH, SERVING if fresh else NOT_SERVING)
                if status is not None:
                    log.warning("snapshot %s", "fresh again" if fresh else "stale: deciding under the fallback")
                status = fresh
            await asyncio.sleep(1.0)

    async def stop(self) -> None:
        await cancel_all(self._tasks)
        await asyncio.to_thread(self.gate.log.close)
        self._db.close()


def build(settings: GateSettings, *, telemetry: Telemetry | None = None, clock: Clock | None = None,
          worker: Worker | None = None) -> ServiceHost:
    service = partial(GateService, worker=worker.index) if worker is not None else GateService
    return host(service, settings, NAME, telemetry=telemetry, clock=clock, worker=worker)


def main(argv: list[str] | None = None) -> int:
    return service_main(argv, name=NAME, settings_model=GateSettings, env_prefix=ENV_PREFIX, build=build,
                        check=lambda settings: load_measures(settings.measures_file),
                        workers=lambda settings: settings.workers)

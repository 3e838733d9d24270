"""Keeping the snapshot current: load classification's notable subjects, then follow its changes.

On start (and whenever the snapshot was never loaded) the follower pages through
``ListNotableSubjects``, which fixes a revision, then follows the change feed after that
revision with heartbeats, so that a quiet feed is told from a stalled one: ``StreamChangeBatches``,
the changes read together as one message, or ``StreamChanges`` from a classification too old to
serve batches. A broken stream is
resumed after the last revision applied, with backoff; meanwhile the gate keeps answering from
what it holds, and its age grows until the stale-snapshot fallback applies (measures.yaml).

Each change that carries a trace context is applied inside a span parented on it: a record
filed at ingestion is one trace through classification to the gate's snapshot.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

import grpc

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.classification.v1 import classification_pb2_grpc
from secondline.clock import Clock
from secondline.feeds import FeedWatch
from secondline.rpc.convert import timestamp
from secondline.telemetry import Telemetry, context_from_traceparent, sampled

from .snapshot import Snapshot

log = logging.getLogger(__name__)
PRINCIPAL = (("x-secondline-principal", "service/gate"),)
PAGE_SIZE = 5000


class SnapshotFollower:
    def __init__(self, *, address: str, snapshot: Snapshot, clock: Clock, telemetry: Telemetry,
                 heartbeat_seconds: float = 1.0, history: timedelta = timedelta(hours=24),
                 channel_factory: Callable | None = None) -> None:
        self._address, self._snapshot, self._clock = address, snapshot, clock
        self._heartbeat = heartbeat_seconds
        self._history = history  # the crossings taken reach this far back: load what they need
        self._tracer = telemetry.tracer(__name__)
        self._channel_factory = channel_factory or (lambda a: grpc.aio.insecure_channel(a, interceptors=telemetry.client_interceptors()))
        self.loaded = asyncio.Event()
        self.batched = True
        """Whether it follows StreamChangeBatches (False once classification answered UNIMPLEMENTED)."""
        self.watch = FeedWatch("changes", meter=telemetry.meter("secondline.gate"), logger=log)

    async def run(self) -> None:
        backoff = 0.1
        while True:
            try:
                async with self._channel_factory(self._address) as channel:
                    stub = classification_pb2_grpc.ClassificationServiceStub(channel)
                    if not self._snapshot.loaded:
                        await self._bootstrap(stub)
                    backoff = 0.1
                    await self._follow(stub)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # classification down or the stream cut: resume after the last revision
                self.watch.failed(exc, backoff)  # its code and details; a permanent error stalls the feed (health, metric)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _bootstrap(self, stub) -> None:
        token, revision = "", 0
        clock_now = self._clock.now()
        now = int(clock_now.timestamp())
        since = timestamp(clock_now - self._history)  # subjects plain now but not then are needed too
        while True:
            page = await stub.ListNotableSubjects(cpb.ListNotableSubjectsRequest(page_size=PAGE_SIZE, page_token=token,
                                                                                 since=since),
                                                  metadata=PRINCIPAL, timeout=60)
            revision = page.revision
            self._snapshot.load(page.states, now)
            token = page.next_page_token
            if not token:
                break
        self._snapshot.loaded = True
        self._snapshot.heard(revision)
        self.watch.progressed()
        self.loaded.set()
        log.info("snapshot loaded", extra={"subjects": len(self._snapshot), "revision": revision})

    async def _follow(self, stub) -> None:
        """Follow the change feed in batches (StreamChangeBatches); from a classification that
        does not serve them yet (an older version, during a rolling upgrade), one change a
        message (StreamChanges), for as long as this process runs."""
        if self.batched:
            try:
                # A streamed message costs the gate's event loop about 70 µs of gRPC's work back
                # to back (130-190 µs at 100 a second) whatever it carries: the changes read
                # together come as one.
                await self._take(stub.StreamChangeBatches(self._request(cpb.StreamChangeBatchesRequest),
                                                          metadata=PRINCIPAL), changes_of=lambda batch: batch.changes)
                return
            except grpc.aio.AioRpcError as error:
                if error.code() != grpc.StatusCode.UNIMPLEMENTED:
                    raise
                self.batched = False
                log.warning("classification does not serve StreamChangeBatches: following StreamChanges, "
                            "one change a message")
        await self._take(stub.StreamChanges(self._request(cpb.StreamChangesRequest), metadata=PRINCIPAL),
                         changes_of=lambda change: (change,))

    def _request(self, kind):
        """A following request of either feed, after the snapshot's revision, with heartbeats."""
        request = kind(after_revision=self._snapshot.revision, follow=True)
        request.heartbeat_interval.FromTimedelta(timedelta(seconds=self._heartbeat))
        return request

    async def _take(self, stream, *, changes_of) -> None:
        """Apply a feed's messages as they come: a heartbeat's revision is heard, and each
        change a message carries (``changes_of``) is put in the snapshot."""
        snapshot, watch = self._snapshot, self.watch
        async for message in stream:
            watch.progressed()
            if message.heartbeat:
                snapshot.heard(message.revision)
                continue
            now = int(self._clock.now().timestamp())
            for change in changes_of(message):
                self._apply(change, now)

    def _apply(self, change: cpb.StreamChangesResponse, now: int) -> None:
        if sampled(change.traceparent):  # traced when the record's trace asks for it
            with self._tracer.start_as_current_span(
                    "gate.snapshot_update", context=context_from_traceparent(change.traceparent),
                    attributes={"secondline.revision": change.revision, "secondline.record_id": change.record_id}):
                self._snapshot.put(change.state, now)
        else:
            self._snapshot.put(change.state, now)
        self._snapshot.heard(change.revision)


__all__ = ["SnapshotFollower"]

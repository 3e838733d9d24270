"""The service's two background loops: following the record feed, and publishing on time.

The follower reads ingestion's feed from the cursor classification stored with what it
applied, so a restart resumes exactly there; it reconnects with backoff while ingestion is
down, and the rest of the service keeps answering from what it has. The scheduler publishes
scheduled changes when their instant passes (a three-year stay ends, a publicity period ends,
an alert expires), without waiting for a new record.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
from collections.abc import Callable
from datetime import date, timezone

import grpc

from secondline.clock import Clock
from secondline.common.v1 import common_pb2
from secondline.feeds import FeedWatch
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.storage import Database
from secondline.telemetry import Telemetry

from .store import ClassificationStore, Incoming
from .usecases import Progress

log = logging.getLogger(__name__)
PRINCIPAL = (("x-secondline-principal", "service/classification"),)
MAX_BATCH = 20_000
"""Records applied in one transaction at most while catching up (settings ``catch_up_batch``):
larger batches are fewer commits and fewer recomputations of a subject, and more memory."""
SCHEDULER_IDLE_SECONDS = 1.0


class Follower:
    def __init__(self, *, address: str, db: Database, store: ClassificationStore, clock: Clock,
                 progress: Progress, telemetry: Telemetry, channel_factory: Callable | None = None,
                 max_batch: int = MAX_BATCH) -> None:
        self._address, self._db, self._store, self._clock = address, db, store, clock
        self._max_batch = max_batch
        self._progress, self._telemetry = progress, telemetry
        self._tracer = telemetry.tracer(__name__)
        self._channel_factory = channel_factory or (lambda a: grpc.aio.insecure_channel(a, interceptors=telemetry.client_interceptors()))
        self.watch = FeedWatch("records", meter=telemetry.meter("secondline.classification"), logger=log)

    async def run(self) -> None:
        backoff = 0.1
        while True:
            try:
                async with self._channel_factory(self._address) as channel:
                    await self._follow(ingestion_pb2_grpc.IngestionServiceStub(channel))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # ingestion down, or the stream cut: resume from the stored cursor
                self.watch.failed(exc, backoff)  # its code and details; a permanent error stalls the feed (health, metric)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            else:
                backoff = 0.1

    async def _follow(self, stub) -> None:
        cursor = await self._db.read(self._store.cursor)
        await self._progress.advance(cursor=cursor)
        call = stub.StreamRecords(ingestion_pb2.StreamRecordsRequest(after_cursor=str(cursor) if cursor else "", follow=True),
                                  metadata=PRINCIPAL)
        # Read ahead: two batches of the feed's pages of 500 records, so that the next batch is
        # there to be prepared while this one is applied (pipelining, store.apply).
        queue: asyncio.Queue = asyncio.Queue(maxsize=max(64, 2 * self._max_batch // 500))

        async def read() -> None:
            async for message in call:
                await queue.put(message)
            await queue.put(None)

        reader = asyncio.create_task(read())
        try:
            upcoming: list[Incoming] = []
            while True:
                if upcoming:  # as given to the store if it prepared it; else with what has arrived since
                    batch = upcoming if self._store.prepared_for(upcoming) else _take(queue, upcoming, self._max_batch)
                elif (message := await _next(queue, reader)) is not None:
                    batch = _take(queue, incoming(message), self._max_batch)
                else:
                    break
                # The batch after it, from what has arrived meanwhile (not waited for): the store
                # prepares it while this one is published (pipelining, store.apply).
                upcoming = _take(queue, [], self._max_batch)
                await self._apply(batch, upcoming or None)
                self.watch.progressed()
        finally:
            reader.cancel()

    async def _apply(self, batch: list[Incoming], upcoming: list[Incoming] | None) -> None:
        with self._tracer.start_as_current_span("classification.apply_records") as span:
            span.set_attribute("secondline.batch_size", len(batch))
            published = await self._db.write(self._store.apply, batch, self._clock.now(), upcoming)
        revision = await self._db.read(self._store.revision) if published else None
        await self._progress.advance(cursor=batch[-1].cursor, revision=revision)


def _take(queue: asyncio.Queue, pending: list[Incoming], limit: int) -> list[Incoming]:
    """``pending`` with the records of the messages that have arrived, message by message until
    there are ``limit`` or more (at most one message's worth over); the end of the stream stays in
    the queue. A new list."""
    found = list(pending)
    while not queue.empty() and len(found) < limit:
        more = queue.get_nowait()
        if more is None:
            queue.put_nowait(None)
            break
        found += incoming(more)
    return found


async def _next(queue: asyncio.Queue, reader: asyncio.Task):
    """The next message, or the reader's error if the stream broke (instead of waiting for ever)."""
    getter = asyncio.ensure_future(queue.get())
    try:
        done, _ = await asyncio.wait({getter, reader}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if not getter.done():
            getter.cancel()  # stopping, or the stream broke: leave no task behind
    if getter in done:
        return getter.result()
    reader.result()  # raises what broke the stream
    return None


class Scheduler:
    def __init__(self, *, db: Database, store: ClassificationStore, clock: Clock, progress: Progress) -> None:
        self._db, self._store, self._clock, self._progress = db, store, clock, progress

    async def run(self) -> None:
        while True:
            try:
                published = await self._db.write(self._store.publish_due, self._clock.now())
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scheduled changes not published; retrying")
                published = 0
            if published:
                await self._progress.advance(revision=await self._db.read(self._store.revision))
                continue  # more may be due
            await asyncio.sleep(SCHEDULER_IDLE_SECONDS)


class _Names(dict):
    """An enum's value names without their prefix, by number: one interned string per name, so
    that the facts a shard holds share their kinds and sources rather than each holding copies;
    a field costs one dict lookup. A value the descriptor does not know is refused as ``Name``
    refuses it (ValueError)."""

    def __init__(self, enum, prefix: str) -> None:
        super().__init__({v.number: sys.intern(v.name.removeprefix(prefix)) for v in enum.DESCRIPTOR.values})
        self._enum = enum

    def __missing__(self, value: int) -> str:
        return self._enum.Name(value)  # raises ValueError: a number this build does not know


_KINDS = _Names(common_pb2.RecordKind, "RECORD_KIND_")
_DEPARTMENTS = _Names(common_pb2.Department, "DEPARTMENT_")
_EFFECTS = _Names(common_pb2.PartnerEffect, "PARTNER_EFFECT_")
_LISTS = _Names(common_pb2.DishonestyList, "DISHONESTY_LIST_")
_SEVERITIES = _Names(common_pb2.Severity, "SEVERITY_")


@functools.lru_cache(maxsize=1 << 14)
def _day(year: int, month: int, day: int) -> date:
    return date(year, month, day)  # likewise, one object per day


def incoming(message: ingestion_pb2.StreamRecordsResponse) -> list[Incoming]:
    """The feed's records as the store takes them; each message field read once (a read of a
    submessage makes a new wrapper), and a mark or a partner only where the record has one."""
    found = []
    append, intern, utc = found.append, sys.intern, timezone.utc
    for record in message.records:
        body = record.input
        subject = body.subject
        subject_type = subject.WhichOneof("id")
        if record.from_partner:  # a partner's record is filed under the partner, as ingestion keeps it
            partner = body.partner
            source = intern("partner/" + partner.partner)
            effect = _EFFECTS[partner.effect] if partner.effect else ""
        else:
            source, effect = _DEPARTMENTS[record.source], ""
        if body.HasField("mark"):
            mark = body.mark
            objection_id, marked_records = mark.objection_id, tuple(mark.record_ids)
            marked_at = mark.at.ToDatetime(tzinfo=utc) if mark.HasField("at") else None
        else:
            objection_id, marked_at, marked_records = "", None, ()
        decided_on = body.decided_on
        if body.HasField("valid_until"):
            until = body.valid_until
            valid_until = _day(until.year, until.month, until.day)
        else:
            valid_until = None
        kind, listed, severity = body.kind, body.list, body.severity
        append(Incoming(
            record_id=record.record_id,
            cursor=int(record.cursor),
            kind=_KINDS[kind],
            content_kind=_KINDS[record.content_kind],
            source=source,
            effect=effect,
            subject_type=intern(subject_type),
            subject_key=getattr(subject, subject_type),
            decided_on=_day(decided_on.year, decided_on.month, decided_on.day),
            grade=intern(body.grade),
            list=_LISTS[listed] if listed else "",
            severity=_SEVERITIES[severity] if severity else "",
            valid_until=valid_until,
            target_record_id=record.target_record_id,
            traceparent=record.traceparent,
            objection_id=objection_id,
            marked_at=marked_at,
            marked_records=marked_records,
            source_id=body.source_id,
        ))
    return found

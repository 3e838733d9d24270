"""Group commit: every submission, unary or streamed, goes through one queue to one writer.

The writer takes what has queued up (up to ``max_batch``), stores it in one transaction and
only then answers each caller, so an acknowledged record is durable and the cost of a commit
is shared by everything that arrived meanwhile. If the database fails, every caller of the
batch gets UNAVAILABLE and nothing of the batch is stored.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.trace import Link

from secondline.errors import Unavailable
from secondline.storage import Database
from secondline.telemetry import Telemetry

from .domain import Draft
from .store import Outcome, RecordStore

log = logging.getLogger(__name__)


@dataclass
class _Pending:
    drafts: list[Draft]
    future: asyncio.Future
    link: Link | None


class RecordWriter:
    def __init__(self, db: Database, store: RecordStore, telemetry: Telemetry, *, max_batch: int = 1000) -> None:
        self._db = db
        self._store = store
        self._tracer = telemetry.tracer(__name__)
        self._max_batch = max_batch
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue(maxsize=16)
        self._task: asyncio.Task | None = None
        # A caller's drafts enter the queue together, so that a stream's records keep their
        # order (a correction after the record it corrects) even when the queue is full.
        self._put_lock = asyncio.Lock()
        self.commits = 0
        self.committed = asyncio.Condition()
        """Notified after every commit; the feed waits on it."""

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="ingestion-writer")

    async def stop(self) -> None:
        """Finish what is queued, then stop."""
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        self._task = None

    async def submit(self, drafts: list[Draft]) -> list[Outcome]:
        """Queue drafts and wait until each is stored or refused."""
        loop = asyncio.get_running_loop()
        span = trace.get_current_span().get_span_context()
        link = Link(span) if span.is_valid else None
        # One queue entry and one future per slice of a caller's drafts, not per draft.
        pending = [_Pending(drafts[i:i + self._max_batch], loop.create_future(), link)
                   for i in range(0, len(drafts), self._max_batch)]
        async with self._put_lock:
            for item in pending:
                await self._queue.put(item)
        outcomes: list[Outcome] = []
        for item in pending:
            outcomes += await item.future
        return outcomes

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            size = len(batch[0].drafts)
            while size < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
                size += len(batch[-1].drafts)
            try:
                await self._commit(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _commit(self, batch: list[_Pending]) -> None:
        links = [p.link for p in batch if p.link is not None][:128]
        with self._tracer.start_as_current_span("ingestion.commit_batch", links=links) as span:
            drafts = [d for p in batch for d in p.drafts]
            span.set_attribute("secondline.batch_size", len(drafts))
            try:
                outcomes = await self._db.write(self._store.store_batch, drafts)
            except Exception as exc:  # the database is gone: nobody's record is acknowledged
                log.exception("batch of %d records not stored", len(drafts))
                error = Unavailable(message=f"the record log is unavailable: {type(exc).__name__}", reason="STORE_UNAVAILABLE")
                outcomes = [Outcome(error=error)] * len(drafts)
        start = 0
        for pending in batch:
            end = start + len(pending.drafts)
            if not pending.future.done():
                pending.future.set_result(outcomes[start:end])
            start = end
        self.commits += 1
        async with self.committed:
            self.committed.notify_all()

"""A log written off the hot path: a bounded in-memory queue, written by a thread of its own.

The gate's decision log and every service's access log (RULES M-3, I-4) are this. ``offer``
only appends to a list under a lock; the thread writes what has queued in one transaction
every ``flush_seconds``. When the queue is full (the database is slow or gone for long
enough), what it cannot take is counted as dropped: the count is reported (a metric, a status
RPC, the service's log), never silent. A failed write is retried with backoff, its items kept
at the head of the queue. What is lost in a crash: what was offered in the last flush interval.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Callable

from opentelemetry.instrumentation.utils import suppress_instrumentation
from sqlalchemy import Engine, Table, insert

from secondline.storage import insert_many, insert_rows, writer

log = logging.getLogger(__name__)


class QueuedLog:
    def __init__(self, engine: Engine, table: Table, *, to_row: Callable[[object], dict] = dict, name: str = "log",
                 capacity: int = 100_000, flush_seconds: float = 0.02, batch_rows: int = 5_000,
                 columns: tuple[str, ...] | None = None) -> None:
        """``to_row``: an item as a dict of its columns, or, with ``columns``, as a list of
        their values in that order (storage.insert_rows: no dict a row)."""
        self._engine, self._table, self._to_row, self._name = engine, table, to_row, name
        self._columns = columns
        self._writes = writer(engine)
        self._insert = insert(table)  # one statement: storage.insert_many compiles it once
        self._capacity, self._flush_seconds, self._batch_rows = capacity, flush_seconds, batch_rows
        self._pending: list = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._written = threading.Condition()
        self._offered = 0  # sequence numbers: offered (taken into the queue) and written
        self._done = 0
        self.logged = 0
        self.dropped = 0
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def queued(self) -> int:
        return len(self._pending)

    async def room_for(self, count: int, timeout: float = 5.0) -> None:
        """Wait, on the event loop and without blocking it, until ``count`` more items fit in
        half the queue (or the queue is empty, or ``timeout``): a producer that can wait, such
        as a batch, waits for the writer, which has the interpreter while the loop sleeps,
        rather than have items dropped. Called right before the items are offered, with no
        await in between, so that producers waking together cannot overfill it."""
        limit = self._capacity // 2
        if len(self._pending) + count <= limit:
            return
        deadline = time.monotonic() + timeout
        self._wake.set()
        while (self._pending and len(self._pending) + count > limit and time.monotonic() < deadline
               and self._thread.is_alive()):
            await asyncio.sleep(self._flush_seconds)

    def offer(self, item) -> bool:
        """Queue an item; False (and counted) when the queue is full. Never blocks."""
        with self._lock:
            if len(self._pending) >= self._capacity or self._stopping:
                self.dropped += 1
                if self.dropped == 1 or self.dropped % 10_000 == 0:
                    log.error("%s full: %d dropped so far", self._name, self.dropped)
                return False
            self._pending.append(item)
            self._offered += 1
        return True

    def flush(self, timeout: float = 10.0) -> bool:
        """Block until everything offered before the call is written (or ``timeout``)."""
        target = self._offered
        self._wake.set()
        deadline = time.monotonic() + timeout
        with self._written:
            while self._done < target:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._written.wait(remaining)
        return True

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued (within ``timeout``), then stop the thread."""
        if self._thread.is_alive():
            self.flush(timeout)
        with self._lock:
            self._stopping = True
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        lost = len(self._pending)
        if lost:
            self.dropped += lost
            log.error("%s closed with %d unwritten", self._name, lost)

    def _run(self) -> None:
        backoff = 0.05
        while True:
            self._wake.wait(self._flush_seconds)
            self._wake.clear()
            with self._lock:
                batch = self._pending[:self._batch_rows]
                stopping = self._stopping
            if not batch:
                if stopping:
                    return
                continue
            try:
                # No span for a flush: it has no caller to belong to, and one root span
                # every flush interval is noise in a trace backend (and cost on the hot process).
                with suppress_instrumentation(), self._writes.begin() as conn:
                    rows = [self._to_row(item) for item in batch]
                    if self._columns is None:
                        insert_many(conn, self._insert, rows)
                    else:
                        insert_rows(conn, self._insert, self._columns, rows)
            except Exception:
                if stopping:
                    return
                log.exception("%s write failed; %d kept, retrying in %.2fs", self._name, len(batch), backoff)
                time.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
                continue
            backoff = 0.05
            with self._lock:
                del self._pending[:len(batch)]
            with self._written:
                self.logged += len(batch)
                self._done += len(batch)
                self._written.notify_all()
            if len(batch) == self._batch_rows:
                self._wake.set()  # more is waiting


__all__ = ["QueuedLog"]

"""The decision log: every decision stored for audit and replay, off the Decide path.

Decide only appends the decision to a bounded in-memory queue (a list append under a lock);
a thread of its own writes what has queued in one transaction every few milliseconds. When
the queue is full (the database is slow or gone for long enough), a decision the log cannot
take is counted as dropped: the count is reported by GetGateStatus, by a metric and in the
service's log, never silent. A failed write is retried with backoff, its decisions kept at the
head of the queue.

What is lost in a crash: decisions answered in the last flush interval (tens of milliseconds)
before the process died. The lane has its answer either way; the trade is deliberate, since
waiting for a commit before answering would put a disk flush in every crossing's latency.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select

from secondline.storage import writer

from .tables import DecisionRow

log = logging.getLogger(__name__)
decisions = DecisionRow.__table__


@dataclass
class Entry:
    """A decision waiting to be written; its messages are serialized by the writer thread."""

    decision_id: str
    crossing_id: str
    at: object  # datetime
    decided_at: object  # datetime
    port: str
    lane: str
    refused: bool
    config_version: str
    classification_revision: int
    degraded: bool
    inputs: list  # the parties' PartyState tuples, written as JSON lists
    crossing: object  # gate_pb2.Crossing
    decision: object  # gate_pb2.Decision

    def row(self) -> dict:
        return {"decision_id": self.decision_id, "crossing_id": self.crossing_id, "at": self.at,
                "decided_at": self.decided_at, "port": self.port, "lane": self.lane, "refused": self.refused,
                "config_version": self.config_version, "classification_revision": self.classification_revision,
                "degraded": self.degraded, "inputs": json.dumps(self.inputs, separators=(",", ":")),
                "crossing": self.crossing.SerializeToString(), "decision": self.decision.SerializeToString()}


class DecisionLog:
    def __init__(self, engine: Engine, *, capacity: int = 100_000, flush_seconds: float = 0.02,
                 batch_rows: int = 5_000) -> None:
        self._engine = engine
        self._writes = writer(engine)
        self._capacity, self._flush_seconds, self._batch_rows = capacity, flush_seconds, batch_rows
        self._pending: list[Entry] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._written = threading.Condition()
        self._offered = 0  # sequence numbers: offered (taken into the queue) and written
        self._done = 0
        self.logged = 0
        self.dropped = 0
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="gate-decision-log", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def queued(self) -> int:
        return len(self._pending)

    def offer(self, entry: Entry) -> bool:
        """Queue a decision; False (and counted) when the queue is full. Never blocks."""
        with self._lock:
            if len(self._pending) >= self._capacity or self._stopping:
                self.dropped += 1
                if self.dropped == 1 or self.dropped % 10_000 == 0:
                    log.error("decision log full: %d decisions dropped so far", self.dropped)
                return False
            self._pending.append(entry)
            self._offered += 1
        return True

    def flush(self, timeout: float = 10.0) -> bool:
        """Block until every decision offered before the call is written (or ``timeout``)."""
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
        self.flush(timeout)
        with self._lock:
            self._stopping = True
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        lost = len(self._pending)
        if lost:
            self.dropped += lost
            log.error("decision log closed with %d decisions unwritten", lost)

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
                with self._writes.begin() as conn:
                    conn.execute(insert(decisions), [entry.row() for entry in batch])
            except Exception:
                if stopping:
                    return
                log.exception("decision log write failed; %d decisions kept, retrying in %.2fs", len(batch), backoff)
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

    def read(self, decision_id: str) -> dict | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(decisions).where(decisions.c.decision_id == decision_id)).mappings().first()
        return dict(row) if row is not None else None


__all__ = ["DecisionLog", "Entry"]

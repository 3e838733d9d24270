"""Exactly once into ingestion: the outbox and its delivery.

A decision (an objection received, an answer, an approval) and the records it causes are
committed in one transaction (:mod:`.store`). The deliverer then files each pending record
through ingestion, in commit order, under a source id fixed at commit time, and marks it
delivered only once ingestion has acknowledged it. Killed anywhere in between, the service
delivers the record again after its restart, and ingestion answers the redelivery as a replay
of the record it stored (R-3): nothing is lost, nothing is filed twice.

A record ingestion refuses for good (the rules changed under it, say) is marked with the
refusal and not retried; anything else (ingestion down, a deadline) is retried, in order.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

import grpc
from sqlalchemy import Engine, select, update

from secondline.clock import Clock
from secondline.common.v1 import common_pb2
from secondline.ingestion.v1 import ingestion_pb2
from secondline.storage import Database, writer

from .clients import PRINCIPAL, TIMEOUT, IngestionClient
from .tables import OutboxRow

log = logging.getLogger(__name__)
outbox = OutboxRow.__table__
PERMANENT = {grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.FAILED_PRECONDITION,
             grpc.StatusCode.ALREADY_EXISTS, grpc.StatusCode.NOT_FOUND}
BATCH = 100


@dataclass(frozen=True)
class Pending:
    seq: int
    source_id: str
    on_behalf_of: str
    record: bytes


class OutboxTable:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writes = writer(engine)

    def pending(self, limit: int) -> list[Pending]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(outbox.c.seq, outbox.c.source_id, outbox.c.on_behalf_of, outbox.c.record)
                                .where(outbox.c.delivered_at.is_(None)).order_by(outbox.c.seq).limit(limit)).all()
        return [Pending(*row) for row in rows]

    def acknowledged(self, seq: int, record_id: str, cursor: int, now: datetime) -> None:
        with self._writes.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.seq == seq).values(delivered_at=now, record_id=record_id, cursor=cursor))

    def refused(self, seq: int, error: str, now: datetime) -> None:
        with self._writes.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.seq == seq).values(delivered_at=now, error=error))


class Deliverer:
    def __init__(self, *, db: Database, table: OutboxTable, ingestion: IngestionClient, clock: Clock,
                 poll_seconds: float) -> None:
        self._db, self._table, self._ingestion, self._clock = db, table, ingestion, clock
        self._poll = poll_seconds
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Deliver what is pending now (after a restart too), then whenever woken or polled."""
        while True:
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox delivery failed; retrying")
            try:
                await asyncio.wait_for(self._wake.wait(), self._poll)
            except TimeoutError:
                pass
            self._wake.clear()

    async def flush(self) -> bool:
        """Deliver every pending record in order; False when ingestion could not be reached."""
        async with self._lock:
            while rows := await self._db.read(self._table.pending, BATCH):
                for row in rows:
                    if not await self._deliver(row):
                        return False
            return True

    async def _deliver(self, row: Pending) -> bool:
        request = ingestion_pb2.SubmitRecordRequest(record=ingestion_pb2.RecordInput.FromString(row.record))
        if row.on_behalf_of:
            request.on_behalf_of = common_pb2.Department.Value("DEPARTMENT_" + row.on_behalf_of)
        try:
            response = await self._ingestion.stub.SubmitRecord(request, metadata=PRINCIPAL, timeout=TIMEOUT)
        except grpc.aio.AioRpcError as error:
            if error.code() in PERMANENT:
                log.error("ingestion refused %s for good: %s %s", row.source_id, error.code().name, error.details())
                await self._db.write(self._table.refused, row.seq, f"{error.code().name}: {error.details()}", self._clock.now())
                return True
            log.warning("ingestion did not take %s: %s; retrying", row.source_id, error.code().name)
            return False
        record = response.record
        await self._db.write(self._table.acknowledged, row.seq, record.record_id, int(record.cursor), self._clock.now())
        return True

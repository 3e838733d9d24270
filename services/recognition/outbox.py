"""Accepted envelopes into ingestion, exactly once (RULES R-7, R-3).

An acceptance is committed with its outbox entry (the envelope row, not yet delivered); then
the record is filed through ingestion as the recognition service, under the partner's own
source id, and marked delivered once ingestion acknowledges it. After a crash anywhere in
between, the next start sends again what was not marked: ingestion answers a record it already
holds with the same content as a replay (R-3), so it is stored once.
"""

from __future__ import annotations

import asyncio
import logging

import grpc

from secondline.common.v1 import common_pb2
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.rpc.convert import date_to_proto
from secondline.storage import Database

from .store import Filed, RecognitionStore

log = logging.getLogger(__name__)
PRINCIPAL = (("x-secondline-principal", "service/recognition"),)
RETRY_SECONDS = 0.5
BATCH = 200


def record_input(filed: Filed) -> ingestion_pb2.RecordInput:
    """The partner's record as ingestion takes it: the partner's source id, grade and origin (X-3)."""
    msg = ingestion_pb2.RecordInput(
        source_id=filed.source_id,
        kind=common_pb2.RecordKind.Value("RECORD_KIND_" + filed.kind),
        decided_on=date_to_proto(filed.decided_on),
        grade=filed.grade if filed.kind == "INDUSTRY_RATING" else "",
        partner=common_pb2.PartnerOrigin(
            partner=filed.partner, grade=filed.grade, table_version=filed.table_version,
            effect=common_pb2.PartnerEffect.Value("PARTNER_EFFECT_" + filed.effect),
            score=filed.score, envelope_hash=filed.envelope_hash.hex()),
    )
    setattr(msg.subject, filed.subject_type, filed.subject_key)
    if filed.valid_until is not None:
        msg.valid_until.CopyFrom(date_to_proto(filed.valid_until))
    return msg


class Outbox:
    def __init__(self, *, db: Database, store: RecognitionStore, channel: grpc.aio.Channel) -> None:
        self._db, self._store = db, store
        self._stub = ingestion_pb2_grpc.IngestionServiceStub(channel)
        self._wake = asyncio.Event()

    async def deliver(self, filed: Filed) -> Filed:
        """File one acceptance now; on failure it stays pending for :meth:`run` to retry."""
        try:
            reply = await self._stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=record_input(filed)),
                                                  metadata=PRINCIPAL, timeout=10)
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.PERMISSION_DENIED,
                              grpc.StatusCode.ALREADY_EXISTS):
                log.error("ingestion refused partner record %s/%s: %s", filed.partner, filed.source_id, exc.details())
            self._wake.set()
            return filed
        record = reply.record
        await self._db.write(self._store.delivered, filed.log_index, record.record_id, record.cursor)
        return Filed(**{**filed.__dict__, "delivered": True, "record_id": record.record_id, "record_cursor": record.cursor})

    async def run(self) -> None:
        """Redeliver whatever is pending, at start and whenever a delivery failed."""
        while True:
            pending: list[Filed] = []
            try:
                pending = await self._db.read(self._store.pending, BATCH)
                for filed in pending:
                    await self.deliver(filed)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox delivery failed; retrying")
            if len(pending) < BATCH:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), RETRY_SECONDS * 4)
                except asyncio.TimeoutError:
                    pass
            await asyncio.sleep(RETRY_SECONDS if self._wake.is_set() else 0)

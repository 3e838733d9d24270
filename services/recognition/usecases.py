"""The recognition service's use cases (RULES X), over plain values and the other services' contracts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime

import grpc

from secondline.classification.v1 import classification_pb2, classification_pb2_grpc
from secondline.clock import Clock
from secondline.common.v1 import common_pb2
from secondline.dates import cst_date
from secondline.envelope import envelope_hash, sign_envelope
from secondline.errors import DomainError, FieldViolation, InvalidArgument, NotFound, PermissionDenied, Unavailable
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.note import Checkpoint
from secondline.rpc.convert import timestamp
from secondline.storage import Database

from .inbound import check_envelope
from .keys import KeyRing
from .outbound import class_change, credit_report
from .outbox import Outbox
from .partners import PartnersConfig
from .store import Filed, RecognitionStore

PRINCIPAL = (("x-secondline-principal", "service/recognition"),)
DELIVERY_WAIT_SECONDS = 5.0
ENTITY_TYPES = ("enterprise", "foreign")


class Recognition:
    def __init__(self, *, db: Database, store: RecognitionStore, partners: PartnersConfig, keys: KeyRing,
                 outbox: Outbox, clock: Clock, ingestion: grpc.aio.Channel, classification: grpc.aio.Channel) -> None:
        self.db, self.store, self.partners, self.keys, self.outbox, self.clock = db, store, partners, keys, outbox, clock
        self._ingestion = ingestion_pb2_grpc.IngestionServiceStub(ingestion)
        self._classification = classification_pb2_grpc.ClassificationServiceStub(classification)

    # -- inbound (X-3, X-4, R-7) -----------------------------------------------------------

    async def receive(self, partner: str, envelopes: list[str]) -> list[Filed | DomainError]:
        """Each envelope checked, stored with its log entry and filed into ingestion; in order."""
        now = self.clock.now()
        results: list[Filed | DomainError] = []
        for envelope in envelopes:
            try:
                accepted = check_envelope(envelope, caller=partner, partners=self.partners, now=now)
                filed = await self.db.write(self.store.accept, accepted, now)
            except DomainError as error:
                results.append(error)
                continue
            results.append(filed)
        deliveries = [self._delivered(r) for r in results if isinstance(r, Filed)]
        done = iter(await asyncio.gather(*deliveries))
        return [next(done) if isinstance(r, Filed) else r for r in results]

    async def _delivered(self, filed: Filed) -> Filed:
        if filed.delivered:
            return filed
        try:
            return await asyncio.wait_for(self.outbox.deliver(filed), DELIVERY_WAIT_SECONDS)
        except asyncio.TimeoutError:
            return filed  # accepted and durable; the outbox delivers it later

    # -- outbound (X-4, X-5) ---------------------------------------------------------------

    def _sign(self, payload: dict) -> tuple[str, str]:
        key = self.keys.current(self.clock.now())
        return sign_envelope(payload, key.private_key, key.key_id), key.key_id

    async def _log_sent(self, envelope: str, partner: str) -> int:
        return await self.db.write(self.store.append_sent, envelope, envelope_hash(envelope), partner, self.clock.now())

    def _agreement(self, partner: str):
        known = self.partners.partners.get(partner)
        if known is None:
            raise PermissionDenied(message=f"partner/{partner} has no agreement with the suite (X-1)", reason="UNKNOWN_PARTNER")
        return known.agreement(cst_date(self.clock.now()))

    async def _may_see(self, partner: str, subject_type: str, key: str, what: str) -> None:
        agreement = self._agreement(partner)
        if agreement is None or not getattr(agreement.sees, what):
            raise PermissionDenied(message=f"{partner}'s agreement does not let it see {what.replace('_', ' ')} (X-1)",
                                   reason="NOT_AGREED")
        if key not in agreement.sees.entities and not await self.db.read(self.store.has_sent_about, partner, key):
            raise PermissionDenied(message=f"{partner} may see entities its agreement names or it has sent records "
                                           f"about; {key} is neither (X-1)", reason="SUBJECT_NOT_VISIBLE")

    async def credit_report(self, partner: str, subject: common_pb2.SubjectId, subject_type: str, key: str,
                            as_of: datetime | None) -> tuple[str, str, int]:
        """X-5: the signed report of a business entity as of an instant; logged as sent (X-6)."""
        if subject_type not in ENTITY_TYPES:
            raise InvalidArgument.of([FieldViolation("subject", "a credit report is about a business entity; "
                                                                "individuals never appear in one (X-5)")])
        await self._may_see(partner, subject_type, key, "reports")
        now = self.clock.now()
        at = as_of or now
        try:
            answer = await self._classification.GetSubjectClass(
                classification_pb2.GetSubjectClassRequest(subject=subject, as_of=timestamp(at)), metadata=PRINCIPAL, timeout=10)
            records = await self._ingestion.ListSubjectRecords(
                ingestion_pb2.ListSubjectRecordsRequest(subject=subject, page_size=1000), metadata=PRINCIPAL, timeout=10)
        except grpc.aio.AioRpcError as exc:
            raise Unavailable(message=f"the report cannot be built now: {exc.details()}", reason="UPSTREAM_UNAVAILABLE") from None
        payload = credit_report(subject=subject, as_of=at, issued_at=now, recipient=partner,
                                subject_class=answer.subject_class, records=list(records.records))
        envelope, key_id = self._sign(payload)
        return envelope, key_id, await self._log_sent(envelope, partner)

    async def class_changes(self, partner: str, after: int, follow: bool) -> AsyncIterator[tuple[int, str, int, str]]:
        """The signed class changes of the entities the partner may see, after a revision:
        (revision, envelope, log index, the entity's code)."""
        agreement = self._agreement(partner)
        if agreement is None or not agreement.sees.class_changes:
            raise PermissionDenied(message=f"{partner}'s agreement does not let it follow class changes (X-1)",
                                   reason="NOT_AGREED")
        request = classification_pb2.StreamChangesRequest(after_revision=after, follow=follow)
        async for change in self._classification.StreamChanges(request, metadata=PRINCIPAL):
            if change.heartbeat:
                continue
            subject = change.state.subject
            which = subject.WhichOneof("id")
            if which not in ENTITY_TYPES:
                continue  # individuals never leave to a partner (I-3)
            key = getattr(subject, which)
            if key not in agreement.sees.entities and key not in await self.db.read(self.store.subjects_sent, partner):
                continue
            envelope, _ = self._sign(class_change(change, partner))
            yield change.revision, envelope, await self._log_sent(envelope, partner), key

    # -- the transparency log (X-6) ----------------------------------------------------------

    def checkpoint(self, size: int | None = None) -> tuple[str, int, bytes]:
        tree = self.store.tree
        size = tree.size if size is None else size
        root = tree.root(size)
        return Checkpoint(self.keys.log_signer.name, size, root).sign([self.keys.log_signer]), size, root

    async def entry(self, index: int):
        row = await self.db.read(self.store.entry, index)
        if row is None:
            raise NotFound(message=f"the log has no entry {index}", reason="NO_SUCH_ENTRY")
        return row

    async def inclusion(self, index: int | None, envelope_hash_: bytes | None, size: int) -> tuple[int, int, list[bytes], str]:
        if index is None:
            index = await self.db.read(self.store.index_of, envelope_hash_)
            if index is None:
                raise NotFound(message=f"no envelope {envelope_hash_.hex()} in the log", reason="NO_SUCH_ENVELOPE")
        size = size or self.store.tree.size
        self._check_size(size, "tree_size")
        if not 0 <= index < size:
            raise InvalidArgument.of([FieldViolation("index", f"must be below the tree size {size}")])
        return index, size, self.store.tree.inclusion_proof(index, size), self.checkpoint(size)[0]

    def consistency(self, old: int, new: int) -> tuple[int, int, list[bytes], str, str]:
        new = new or self.store.tree.size
        self._check_size(new, "new_size")
        if not 0 <= old <= new:
            raise InvalidArgument.of([FieldViolation("old_size", f"must be between 0 and new_size ({new})")])
        return old, new, self.store.tree.consistency_proof(old, new), self.checkpoint(old)[0], self.checkpoint(new)[0]

    def _check_size(self, size: int, name: str) -> None:
        if not 0 < size <= self.store.tree.size:
            raise InvalidArgument.of([FieldViolation(name, f"must be between 1 and the log's size {self.store.tree.size}")])

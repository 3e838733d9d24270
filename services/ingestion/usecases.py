"""The ingestion service's use cases, over plain domain values (no grpc, no protos)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime

from secondline.auth import Principal
from secondline.clock import Clock
from secondline.feeds import pages
from secondline.errors import DomainError, FieldViolation, InvalidArgument, NotFound, PermissionDenied
from secondline.rules_config import RulesConfig
from secondline.storage import Database
from secondline.telemetry import current_traceparent

from .domain import PARTNER_PREFIX, Draft, RecordInput, StoredRecord, partner_source
from .marks import prepare, refuse_service_fields
from .store import Outcome, RecordStore
from .validation import Limits, check_at_edge
from .writer import RecordWriter

FEED_PAGE = 500
RECOGNITION = Principal("service", "recognition")
FEED_POLL_SECONDS = 0.5  # how soon a follower sees records committed by another process


@dataclass(frozen=True)
class Historical:
    source: str
    record: RecordInput
    submitted_at: datetime


def items_as(principal: Principal, inputs: list[RecordInput], now: datetime) -> list:
    """What ``principal`` files in ``inputs``: a department's own records, or partners' records
    through the recognition service (R-7, filed under that partner); for each, a
    ``(source, raw, received_at, backfilled)`` item or why the principal may not file it."""
    items: list = []
    for raw in inputs:
        if principal.kind == "department" and raw.partner is None:
            items.append((principal.name, raw, now, False))
        elif principal == RECOGNITION and raw.partner is not None:
            items.append((partner_source(raw.partner.partner), raw, now, False))
        else:
            items.append(PermissionDenied(
                message=(f"{principal} may not file this record: departments file their own records, "
                         f"and only {RECOGNITION} files partners' records (R-1, R-7)"),
                reason="SOURCE_NOT_ALLOWED", metadata={"principal": str(principal)}))
    return items


def check_item(item, *, traceparent: str, rules: RulesConfig, limits: Limits) -> Draft | DomainError:
    """An item of :func:`items_as` (or of a backfill) checked at the edge: its draft, or why it
    is refused. Pure: the same item gives the same answer in any process."""
    if isinstance(item, DomainError):
        return item
    source, raw, received_at, backfilled = item
    try:
        refuse_service_fields(raw, partner_source=source.startswith(PARTNER_PREFIX))
        return check_at_edge(raw, source=source, received_at=received_at, rules=rules,
                             backfilled=backfilled, traceparent=traceparent, limits=limits)
    except DomainError as error:
        return error


class Ingestion:
    def __init__(self, *, db: Database, store: RecordStore, writer: RecordWriter, rules: RulesConfig, clock: Clock,
                 limits: Limits = Limits(), feed_page: int = FEED_PAGE, feed_linger: float = 0.0) -> None:
        self.limits = limits
        self.feed_page = feed_page
        self.feed_linger = feed_linger
        self.db = db
        self.store = store
        self.writer = writer
        self.rules = rules
        self.clock = clock

    async def submit(self, source: str, inputs: list[RecordInput]) -> list[Outcome]:
        """File records for ``source`` as received now; one outcome per input, in order."""
        now = self.clock.now()
        return await self._file([(source, raw, now, False) for raw in inputs])

    async def file(self, principal: Principal, raw: RecordInput, *, on_behalf_of: str = "",
                   validate_only: bool = False) -> Outcome:
        """File one record for ``principal``: a department's own, or what the objection service
        files (marks, an owner's records on its behalf); with ``validate_only``, store nothing."""
        try:
            draft = prepare(principal, raw, on_behalf_of=on_behalf_of, received_at=self.clock.now(),
                            rules=self.rules, traceparent=current_traceparent(), limits=self.limits)
        except DomainError as error:
            return Outcome(error=error)
        if validate_only:
            return await self.db.read(self.store.check, draft)
        [outcome] = await self.writer.submit([draft])
        return outcome

    async def submit_as(self, principal: Principal, inputs: list[RecordInput]) -> list[Outcome]:
        """File records for a department as itself, or for partners through the recognition
        service (R-7): a partner's record carries its origin and is filed under that partner."""
        return await self._file(items_as(principal, inputs, self.clock.now()))

    async def backfill(self, items: list[Historical | DomainError]) -> list[Outcome]:
        """Migrate records with their original receipt instants (operators only); an item that
        is already an error (its receipt instant refused at the edge) is that record's result."""
        now = self.clock.now()
        prepared = []
        for item in items:
            if isinstance(item, DomainError):
                prepared.append(item)
            elif item.submitted_at > now:
                prepared.append(InvalidArgument.of([FieldViolation("submitted_at", f"{item.submitted_at.isoformat()} is in the future")]))
            else:
                prepared.append((item.source, item.record, item.submitted_at, True))
        return await self._file(prepared)

    async def _file(self, items: list) -> list[Outcome]:
        traceparent = current_traceparent()
        return await self.file_checked([self.check(item, traceparent) for item in items])

    def check(self, item, traceparent: str) -> Draft | DomainError:
        """An item of :func:`items_as` checked at the edge here: its draft, or why it is refused."""
        return check_item(item, traceparent=traceparent, rules=self.rules, limits=self.limits)

    async def file_checked(self, checked: list[Draft | DomainError]) -> list[Outcome]:
        """Store the drafts of records checked at the edge (here or in a worker process); an
        item that is an error is that record's outcome. One outcome per item, in order."""
        outcomes: list[Outcome | None] = []
        drafts, slots = [], []
        for item in checked:
            if isinstance(item, DomainError):
                outcomes.append(Outcome(error=item))
                continue
            slots.append(len(outcomes))
            outcomes.append(None)
            drafts.append(item)
        if drafts:
            for slot, outcome in zip(slots, await self.writer.submit(drafts)):
                outcomes[slot] = outcome
        return outcomes  # type: ignore[return-value]

    async def get(self, record_id: str) -> StoredRecord:
        record = await self.db.read(self.store.get, record_id)
        if record is None:
            raise NotFound(message=f"no record {record_id[:64]!r}", reason="RECORD_NOT_FOUND", metadata={"record_id": record_id[:64]},
                           violations=[FieldViolation("record_id", "names no record")])
        return record

    async def history(self, subject_key: str, after_seq: int, limit: int, source: str | None = None) -> list[StoredRecord]:
        """A page of the subject's records; ``source``'s own only when given (a department, I-3)."""
        return await self.db.read(self.store.history, subject_key, after_seq, limit, source)

    async def timeliness(self, first: date, last: date, department: str | None) -> tuple[int, list]:
        rows = await self.db.read(self.store.timeliness, first, last, department)
        return self.rules.in_force(last).timeliness_days, sorted(rows)

    def feed(self, after_seq: int, *, follow: bool) -> AsyncIterator[list[StoredRecord]]:
        """Pages of committed records after ``after_seq`` in commit order; with ``follow``, forever."""
        return pages(lambda after, size: self.db.read(self.store.feed, after, size), after=after_seq,
                     position=lambda record: record.seq, follow=follow, page_size=self.feed_page,
                     committed=self.writer.committed, version=lambda: self.writer.commits,
                     poll_seconds=FEED_POLL_SECONDS, linger_seconds=self.feed_linger)

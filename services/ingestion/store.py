"""The record log: storing drafts in batches, and reading records back (RULES R-3, R-4).

All of a batch is decided and inserted in one transaction. Writers are serialised (one writer
thread per process and, on PostgreSQL, a transaction-scoped advisory lock across processes),
so rows become visible in ``seq`` order and the feed never skips a record that commits late.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import Engine, insert, select

from secondline.errors import AlreadyExists, DomainError, FieldViolation, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from secondline.rules_config import RulesConfig
from secondline.storage import insert_rows, lock_transaction, writer

from .domain import Content, Draft, StoredRecord
from .tables import RecordRow

from .marks import MARK_KINDS, MARK_SOURCE, mark_violations
from .validation import content_violations
from .rows import COLUMNS, LAST_SEQ, FeedRecord, _Batch, _from_row, _with_superseded, feed_page

records = RecordRow.__table__
INSERT = insert(records)  # one statement: storage.insert_rows compiles it once per dialect

WRITE_LOCK_KEY = 0x5EC0_1D01  # pg_advisory_xact_lock key serialising ingestion writers


@dataclass(frozen=True)
class Outcome:
    record: StoredRecord | None = None
    replayed: bool = False
    error: DomainError | None = None


class RecordStore:
    def __init__(self, engine: Engine, rules: RulesConfig) -> None:
        self.engine = engine
        self.rules = rules
        self._writes = writer(engine)

    # -- writing ---------------------------------------------------------------------------

    def store_batch(self, drafts: list[Draft]) -> list[Outcome]:
        """Decide every draft against the log and insert the new ones, in one transaction."""
        with self._writes.begin() as conn:
            lock_transaction(conn, WRITE_LOCK_KEY)
            batch = _Batch(conn, drafts)
            outcomes = [self._decide(draft, batch) for draft in drafts]
            if batch.new_rows:
                insert_rows(conn, INSERT, COLUMNS, batch.new_rows)
        return outcomes

    def check(self, draft: Draft) -> Outcome:
        """What storing ``draft`` would answer, storing nothing (validate_only, AIP-163)."""
        with self.engine.connect() as conn:
            outcome = self._decide(draft, _Batch(conn, [draft]))
        if outcome.record is not None and not outcome.replayed:
            outcome = replace(outcome, record=replace(outcome.record, record_id="", seq=0))
        return outcome

    def _decide(self, draft: Draft, batch: "_Batch") -> Outcome:
        key = (draft.source, draft.source_id)
        prior = batch.by_source.get(key)
        if prior is not None:  # a replay, or a conflict
            if prior.digest_ == draft.digest:
                return Outcome(record=prior.record, replayed=True)
            return Outcome(error=AlreadyExists(
                message=(f"{draft.source} already filed source id {draft.source_id!r} with different content "
                         f"(record {prior.record.record_id}) (R-3)"),
                reason="SOURCE_ID_REUSED",
                violations=[FieldViolation("source_id", f"already names record {prior.record.record_id}, with other content (R-3)")],
                metadata={"record_id": prior.record.record_id},
            ))
        content, content_kind, target_id = draft.content, draft.content.kind, ""
        if content.kind == "OBJECTION_OPENED":  # O-2: current records of the subject only
            problems = mark_violations(content, batch.by_id, batch.superseded)
            if problems:
                return Outcome(error=InvalidArgument.of(problems))
        if draft.content.target is not None:
            try:
                target = self._resolve_target(draft, batch)
                content = self._amend(draft, target)
            except DomainError as error:
                return Outcome(error=error)
            content_kind, target_id = target.content_kind, target.record_id
        record = StoredRecord(
            seq=batch.take_seq(),
            record_id=batch.new_id(),
            source=draft.source,
            source_id=draft.source_id,
            content=content,
            content_kind=content_kind,
            target_record_id=target_id,
            submitted_at=draft.submitted_at,
            submitted_on=draft.submitted_on,
            late=draft.late,
            backfilled=draft.backfilled,
            traceparent=draft.traceparent,
            filed_by=draft.filed_by,
        )
        batch.add(record, draft.digest)
        return Outcome(record=record)

    def _resolve_target(self, draft: Draft, batch: "_Batch") -> StoredRecord:
        ref = draft.content.target
        field = "corrects" if draft.content.kind == "CORRECTION" else "withdraws"
        path = f"{field}.record_id" if ref.record_id else f"{field}.source_id"
        if ref.record_id:
            target = batch.by_id.get(ref.record_id)
        else:
            held = batch.by_source.get((draft.source, ref.source_id))
            target = held.record if held else None
        if target is None:
            raise NotFound(
                message=f"{field} names no record of {draft.source}: {ref.record_id or ref.source_id!r}",
                reason="RECORD_NOT_FOUND",
                violations=[FieldViolation(path, f"names no record of {draft.source}")],
                metadata={"field": field},
            )
        if target.source != draft.source:
            raise PermissionDenied(
                message=f"only {target.source}, which filed record {target.record_id}, may correct or withdraw it (R-1, R-4)",
                reason="RECORD_NOT_OWNED",
                violations=[FieldViolation(path, f"names a record of {target.source}, not of {draft.source} (R-4)")],
                metadata={"record_id": target.record_id},
            )
        if target.content.kind == "WITHDRAWAL":
            raise FailedPrecondition(
                message=f"record {target.record_id} is a withdrawal; it cannot be corrected or withdrawn",
                reason="RECORD_IS_WITHDRAWAL",
                violations=[FieldViolation(path, "names a withdrawal, which cannot be corrected or withdrawn (R-4)")],
                metadata={"record_id": target.record_id},
            )
        superseded_by = batch.superseded.get(target.record_id)
        if superseded_by:
            raise FailedPrecondition(
                message=f"record {target.record_id} was already superseded by {superseded_by}; name that one (R-4)",
                reason="RECORD_SUPERSEDED",
                violations=[FieldViolation(path, f"names a superseded version; the current one is {superseded_by} (R-4)")],
                metadata={"record_id": target.record_id, "superseded_by": superseded_by},
            )
        return target

    def _amend(self, draft: Draft, target: StoredRecord) -> Content:
        """The content a correction or withdrawal stores, checked against the record it names (R-4)."""
        content = draft.content
        if content.kind == "WITHDRAWAL":
            if content.subject is None:
                return replace(content, subject=target.content.subject)
            if content.subject != target.content.subject:
                raise InvalidArgument.of([FieldViolation(
                    "subject", f"must be the withdrawn record's subject ({target.content.subject.key})")])
            return content
        # CORRECTION: the full corrected content, of the corrected record's kind and about its
        # subject: a record filed against the wrong subject is withdrawn and filed anew.
        version = self.rules.in_force(content.decided_on)
        problems = content_violations(target.content_kind, content, draft.source, version)
        if content.subject != target.content.subject:
            problems.insert(0, FieldViolation(
                "subject", f"must be the corrected record's subject ({target.content.subject.key}): a correction keeps "
                           "the record's subject; withdraw the record and file it anew for another subject (R-4)"))
        if problems:
            raise InvalidArgument.of(problems)
        return content

    # -- reading ---------------------------------------------------------------------------

    def get(self, record_id: str) -> StoredRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(_with_superseded().where(records.c.record_id == record_id)).first()
        return _from_row(row, superseded=True) if row else None

    def history(self, subject_key: str, after_seq: int, limit: int, source: str | None = None) -> list[StoredRecord]:
        """A page of the subject's records (``source``'s only, when given), each with the open
        objections that mark it (O-2)."""
        query = _with_superseded().where(records.c.subject_key == subject_key, records.c.seq > after_seq)
        if source is not None:
            query = query.where(records.c.source == source)
        query = query.order_by(records.c.seq).limit(limit)
        marks = (select(records.c.content).where(records.c.subject_key == subject_key, records.c.kind.in_(MARK_KINDS))
                 .order_by(records.c.seq))
        with self.engine.connect() as conn:
            page = [_from_row(row, superseded=True) for row in conn.execute(query)]
            opened: dict[str, tuple[str, ...]] = {}
            for (content,) in conn.execute(marks):
                mark = Content.from_json(json.loads(content)).mark
                if mark.record_ids:
                    opened[mark.objection_id] = mark.record_ids
                else:
                    opened.pop(mark.objection_id, None)
        marked: dict[str, list[str]] = {}
        for objection_id, record_ids in opened.items():
            for record_id in record_ids:
                marked.setdefault(record_id, []).append(objection_id)
        return [replace(r, open_objection_ids=tuple(marked[r.record_id])) if r.record_id in marked else r for r in page]

    def feed(self, after_seq: int, limit: int) -> list[FeedRecord]:
        with self.engine.connect() as conn:
            return feed_page(conn, after_seq, limit)

    def last_seq(self) -> int:
        with self.engine.connect() as conn:
            return conn.scalar(LAST_SEQ)

    def timeliness(self, first: date, last: date, department: str | None) -> list[tuple[str, int, int, int]]:
        """(department, records, late records, longest delay in days) over receipt dates."""
        c = records.c
        query = select(c.source, c.late, c.decided_on, c.submitted_on).where(
            c.submitted_on >= first, c.submitted_on <= last, c.source != MARK_SOURCE)  # marks are no department's
        if department:
            query = query.where(c.source == department)
        rows: dict[str, list[int]] = {}
        with self.engine.connect() as conn:
            for source, late, decided_on, submitted_on in conn.execute(query):
                row = rows.setdefault(source, [0, 0, 0])
                row[0] += 1
                row[1] += bool(late)
                row[2] = max(row[2], (submitted_on - decided_on).days)
        return [(source, *row) for source, row in rows.items()]

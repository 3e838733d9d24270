"""The objection use cases (RULES O-1..O-4), over plain values (no grpc in the rules)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import replace
from datetime import datetime

from secondline.clock import Clock
from secondline.dates import WorkingCalendar, cst_date, default_calendar
from secondline.errors import AlreadyExists, FailedPrecondition, FieldViolation, InvalidArgument, NotFound, PermissionDenied
from secondline.rules_config import RulesConfig
from secondline.storage import Database

from . import filings
from . import rules as r
from .clients import ClassificationClient, IngestionClient, record_view
from .domain import MARK_KINDS, UPHELD, Disputed, Objection
from .outbox import Deliverer
from .store import ObjectionStore
from .validation import Answer, Filing, check_answer, check_filing, check_reason


class Calendar:
    """The working-day calendar (T-3): the packaged one, or a folder of year files, reloadable."""

    def __init__(self, directory=None) -> None:
        self.directory = directory
        self.current = self.load()

    def load(self) -> WorkingCalendar:
        return WorkingCalendar.from_directory(self.directory) if self.directory else default_calendar()


class Objections:
    def __init__(self, *, db: Database, store: ObjectionStore, ingestion: IngestionClient,
                 classification: ClassificationClient, deliverer: Deliverer, rules: RulesConfig, calendar: Calendar,
                 clock: Clock, deliver_wait: float) -> None:
        self.db, self.store, self.ingestion, self.classification = db, store, ingestion, classification
        self.deliverer, self.rules, self.calendar, self.clock = deliverer, rules, calendar, clock
        self.deliver_wait = deliver_wait

    async def deliver(self) -> None:
        """Deliver what was just committed, waiting a little: in the normal case the marks and
        the owner's records are in ingestion when the call returns; else the outbox delivers later."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.deliverer.flush(), self.deliver_wait)

    async def get(self, objection_id: str) -> Objection:
        found = await self.db.read(self.store.get, objection_id)
        if found is None:
            raise NotFound(message=f"no objection {objection_id!r}", reason="OBJECTION_NOT_FOUND",
                           metadata={"objection_id": objection_id})
        return found

    async def file(self, filing: Filing) -> Objection:
        """O-1: the records must be the subject's own and current; a class objection names the
        records behind the class at receipt; a record is under at most one open objection."""
        check_filing(filing)
        if filing.request_id:
            first = await self.db.read(self.store.request, filing.principal, filing.request_id)
            if first:
                return await self.get(first)  # AIP-155: a retry gets the first answer
        now = self.clock.now()
        views = {v.record_id: v for v in map(record_view, await self.ingestion.history(filing.subject_type, filing.subject_key))}
        if filing.against_class:
            ids = await self._behind_class(filing, now, views)
            fields = {record_id: "against_class" for record_id in ids}
        else:
            ids = list(filing.record_ids)
            fields = {record_id: f"record_ids[{i}]" for i, record_id in enumerate(ids)}
        unknown, stale = [], []
        for record_id in ids:
            view = views.get(record_id)
            if view is None or view.kind in MARK_KINDS or view.kind == "WITHDRAWAL":
                unknown.append(FieldViolation(fields[record_id], f"{record_id!r} is no credit record of the subject"))
            elif view.superseded_by:
                current = r.current_version(record_id, views)
                what = "withdrawn" if current is not None and current.kind == "WITHDRAWAL" else f"superseded by {view.superseded_by}"
                stale.append(FieldViolation(fields[record_id], f"record {record_id} was {what}: only current records are disputed (O-1, R-4)"))
        if unknown:
            raise InvalidArgument.of(unknown, reason="INVALID_OBJECTION")
        if stale:
            raise FailedPrecondition(message="; ".join(v.description for v in stale), reason="RECORD_NOT_CURRENT", violations=stale)
        taken = await self.db.read(self.store.open_objections, ids)
        if taken:
            record_id, other = next(iter(taken.items()))
            raise AlreadyExists(message=f"record {record_id} is already under open objection {other} (O-1)",
                                reason="RECORD_UNDER_OBJECTION", violations=[FieldViolation(fields[record_id], f"under objection {other}")],
                                metadata={"record_id": record_id, "objection_id": other})
        received_on = cst_date(now)
        days = self.rules.in_force(received_on).objection_answer_working_days
        calendar = self.calendar.current
        objection = Objection(
            objection_id=uuid.uuid4().hex, subject_type=filing.subject_type, subject_key=filing.subject_key,
            against_class=filing.against_class, statement=filing.statement, evidence=filing.evidence, received_at=now,
            filed_by=filing.principal,
            records=tuple(Disputed(record_id, views[record_id].source, views[record_id].content_kind,
                                   r.deadline(received_on, days, calendar)) for record_id in ids))
        await self.db.write(self.store.add, objection, [filings.opened(objection)], filing.principal, filing.request_id,
                            r.answer_due(objection, now))
        await self.deliver()
        return await self.get(objection.objection_id)

    async def _behind_class(self, filing: Filing, now: datetime, views: dict) -> list[str]:
        cursor = max((v.cursor for v in views.values()), default=0)  # read the class after every record of the subject
        answer = await self.classification.subject_class(filing.subject_type, filing.subject_key, now, min_cursor=cursor)
        ids = r.class_records([(x.rule, x.effect, list(x.record_ids)) for x in answer.reasons])
        if not ids:
            raise FailedPrecondition(
                message="no record is behind the subject's class: there is nothing to dispute (O-1)", reason="NOTHING_TO_DISPUTE",
                violations=[FieldViolation("against_class", "the class has no record behind it (O-1)")])
        return ids

    async def _owned(self, objection_id: str, record_id: str, department: str, action: str) -> tuple[Objection, Disputed]:
        objection = await self.get(objection_id)
        record = objection.record(record_id)
        if record is None:
            raise InvalidArgument.of([FieldViolation("record_id", f"{record_id!r} is not disputed by objection {objection_id}")])
        if record.owner != department:
            raise PermissionDenied(message=f"only {record.owner}, which filed record {record_id}, may {action} for it (O-3)",
                                   reason="RECORD_NOT_OWNED", metadata={"record_id": record_id, "owner": record.owner})
        return objection, record

    async def extend(self, department: str, objection_id: str, record_id: str, reason: str) -> Objection:
        """O-3: once, before the first deadline, with a reason, by the record's owner."""
        check_reason(reason)
        objection, record = await self._owned(objection_id, record_id, department, "extend the deadline")
        now = self.clock.now()
        refusal = r.extension_refusal(record, now)
        if refusal:
            raise FailedPrecondition(message=refusal, reason="EXTENSION_REFUSED", metadata={"record_id": record_id})
        days = self.rules.in_force(record.deadline.received_on).objection_extended_working_days
        extended, move = r.extend(record, reason=reason, now=now, extended_days=days, calendar=self.calendar.current, by=department)
        updated = objection.with_record(extended)
        await self.db.write(self.store.extend, objection_id, extended, move, r.answer_due(updated, now))
        return await self.get(objection_id)

    async def answer(self, answer: Answer) -> Objection:
        """O-3, O-4: the owner answers for its record; UPHELD files its WITHDRAWAL or CORRECTION;
        the last answer decides the objection and ends its marks."""
        check_answer(answer)
        objection, record = await self._owned(answer.objection_id, answer.record_id, answer.department, "answer")
        if record.outcome:
            if (record.outcome, record.reason, record.remedy) == (answer.outcome, answer.reason, answer.remedy):
                return objection  # the same answer again: a retry
            raise FailedPrecondition(message=f"record {record.record_id} was already answered {record.outcome} (O-4)",
                                     reason="ALREADY_ANSWERED", metadata={"record_id": record.record_id})
        now = self.clock.now()
        outgoing = []
        if answer.outcome == UPHELD:
            outgoing.append(await self._remedy(objection, record, answer.remedy, now))
        answered = replace(record, outcome=answer.outcome, reason=answer.reason, answered_at=now, remedy=answer.remedy)
        updated = objection.with_record(answered)
        status = r.decided_status([x.outcome for x in updated.records]) if r.is_decided(updated) else None
        if status:
            outgoing.append(filings.closed(updated, now))
        due = r.answer_due(updated, now)
        await self.db.write(lambda: self.store.answer(updated, answered, status=status, due=due, outgoing=outgoing, now=now))
        await self.deliver()
        return await self.get(objection.objection_id)

    async def _remedy(self, objection: Objection, record: Disputed, remedy: dict, now: datetime):
        current = await self.ingestion.record(record.record_id)
        if current.superseded_by:
            raise FailedPrecondition(
                message=f"record {record.record_id} was superseded by {current.superseded_by} since the objection (R-4)",
                reason="RECORD_NOT_CURRENT", metadata={"record_id": record.record_id, "superseded_by": current.superseded_by})
        if "correct" in remedy:
            outgoing = filings.correction(objection, current, remedy["correct"], record.owner)
            prefix = "correct."
        else:
            outgoing = filings.withdrawal(objection, record.record_id, record.owner, cst_date(now))
            prefix = ""
        # Refused here rather than by the outbox later: what is committed is what ingestion takes.
        await self.ingestion.validate(filings.record_of(outgoing), record.owner, prefix=prefix)
        return outgoing

    async def listing(self, *, department: str, status: str, due_before, after, limit: int):
        return await self.db.read(lambda: self.store.listing(department=department, status=status, due_before=due_before,
                                                             now=self.clock.now(), after=after, limit=limit))

    async def reproject(self, calendar: WorkingCalendar) -> int:
        """T-3: every open deadline on ``calendar``, each move journaled; returns how many moved."""
        now, moved = self.clock.now(), 0
        for objection in await self.db.read(self.store.undecided):
            records, moves = [], []
            for record in objection.records:
                if record.outcome:
                    continue
                new = r.reproject(record.deadline, calendar)
                move = r.calendar_move(record.record_id, record.deadline, new, calendar.years, now)
                if move is not None:
                    records.append(replace(record, deadline=new))
                    moves.append(move)
            if moves:
                updated = objection
                for record in records:
                    updated = updated.with_record(record)
                await self.db.write(self.store.reproject, objection.objection_id, records, moves, r.answer_due(updated, now))
                moved += len(moves)
        return moved

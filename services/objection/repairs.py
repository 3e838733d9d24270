"""The repair use cases (RULES L-4) and the subject's own file (I-1)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from secondline.dates import WorkingCalendar, cst_date
from secondline.errors import FailedPrecondition, FieldViolation, InvalidArgument, NotFound, PermissionDenied

from . import filings
from . import rules as r
from .clients import record_view
from .domain import APPROVED, Repair
from .repair_store import RepairStore
from .usecases import Objections
from .validation import REASON_MAX, STATEMENT_MAX, request_id, text


@dataclass(frozen=True)
class Application:
    principal: str
    subject_type: str
    subject_key: str
    listing_record_id: str
    commitment: str
    obligations_fulfilled: bool
    request_id: str = ""


class Repairs:
    def __init__(self, objections: Objections, store: RepairStore) -> None:
        self.o, self.store = objections, store

    async def get(self, repair_id: str) -> Repair:
        found = await self.o.db.read(self.store.get, repair_id)
        if found is None:
            raise NotFound(message=f"no repair application {repair_id!r}", reason="REPAIR_NOT_FOUND", metadata={"repair_id": repair_id})
        return found

    async def apply(self, app: Application) -> Repair:
        """L-4: admitted only if, at receipt, every condition holds; otherwise each unmet one is named."""
        problems = request_id(app.request_id)
        if not app.listing_record_id:
            problems.append(FieldViolation("listing_record_id", "is required: the DISHONESTY_LISTED record (L-4)"))
        problems += text(app.commitment, "commitment", STATEMENT_MAX, required=True, what="the credit commitment (L-4)")
        if not app.obligations_fulfilled:
            problems.append(FieldViolation("obligations_fulfilled", "must be true: the declaration that the legal obligations are fulfilled (L-4)"))
        if problems:
            raise InvalidArgument.of(problems, reason="INVALID_REPAIR")
        if app.request_id:
            first = await self.o.db.read(self.o.store.request, app.principal, app.request_id)
            if first:
                return await self.get(first)
        now = self.o.clock.now()
        views = [record_view(x) for x in await self.o.ingestion.history(app.subject_type, app.subject_key)]
        chain = [app.listing_record_id]
        current = r.current_version(app.listing_record_id, {v.record_id: v for v in views})
        if current is not None:
            chain.append(current.record_id)
        other = await self.o.db.read(self.store.open_for_listing, chain)
        listing, unmet, admissible_from = r.admission(app.listing_record_id, views, now=now, rules=self.o.rules, open_application=other)
        if listing is None:
            raise InvalidArgument.of(unmet, reason="INVALID_REPAIR")
        if unmet:
            raise FailedPrecondition(message="; ".join(v.description for v in unmet), reason="REPAIR_NOT_ADMISSIBLE", violations=unmet,
                                     metadata={"admissible_from": admissible_from.isoformat()} if admissible_from else {})
        received_on = cst_date(now)
        days = self.o.rules.in_force(received_on).repair_decide_working_days
        repair = Repair(repair_id=uuid.uuid4().hex, subject_type=app.subject_type, subject_key=app.subject_key,
                        listing_record_id=app.listing_record_id, list=listing.list, owner=listing.source,
                        commitment=app.commitment, received_at=now, filed_by=app.principal,
                        deadline=r.deadline(received_on, days, self.o.calendar.current))
        await self.o.db.write(self.store.add, repair, chain, app.principal, app.request_id)
        return await self.get(repair.repair_id)

    async def decide(self, department: str, repair_id: str, outcome: str, reason: str) -> Repair:
        """L-4: the list owner approves (filing its DISHONESTY_REMOVED and CREDIT_COMMITMENT) or rejects."""
        problems = [] if outcome in ("APPROVED", "REJECTED") else [FieldViolation("outcome", "is required: APPROVED or REJECTED")]
        problems += text(reason, "reason", REASON_MAX, required=True, what="why (L-4)")
        if problems:
            raise InvalidArgument.of(problems, reason="INVALID_DECISION")
        repair = await self.get(repair_id)
        if department != repair.owner:
            raise PermissionDenied(message=f"only {repair.owner}, which keeps the listing, may decide application {repair_id} (L-4)",
                                   reason="LISTING_NOT_OWNED", metadata={"repair_id": repair_id, "owner": repair.owner})
        if repair.outcome:
            if (repair.outcome, repair.reason) == (outcome, reason):
                return repair
            raise FailedPrecondition(message=f"application {repair_id} was already decided {repair.outcome}",
                                     reason="ALREADY_DECIDED", metadata={"repair_id": repair_id})
        now = self.o.clock.now()
        outgoing = []
        if outcome == APPROVED:
            outgoing = [filings.removal(repair, cst_date(now)), filings.commitment(repair, cst_date(now))]
            for item in outgoing:
                await self.o.ingestion.validate(filings.record_of(item), repair.owner, prefix="")
        decided = replace(repair, outcome=outcome, reason=reason, decided_at=now)
        await self.o.db.write(self.store.decide, decided, outgoing, now)
        await self.o.deliver()
        return await self.get(repair_id)

    async def reproject(self, calendar: WorkingCalendar) -> int:
        now, moved = self.o.clock.now(), 0
        for repair in await self.o.db.read(self.store.undecided):
            new = r.reproject(repair.deadline, calendar)
            move = r.calendar_move("", repair.deadline, new, calendar.years, now)
            if move is not None:
                await self.o.db.write(self.store.reproject, repair.repair_id, new, move)
                moved += 1
        return moved

    async def subject_file(self, subject_type: str, key: str, as_of: datetime | None):
        """I-1: class now (and as of an instant), the records with their marks, objections, repairs."""
        now = self.o.clock.now()
        history = await self.o.ingestion.history(subject_type, key)
        cursor = max((int(x.cursor) for x in history), default=0)
        current = await self.o.classification.subject_class(subject_type, key, now, min_cursor=cursor)
        then = await self.o.classification.subject_class(subject_type, key, as_of, min_cursor=cursor) if as_of else None
        objections = await self.o.db.read(self.o.store.of_subject, key)
        repairs = await self.o.db.read(self.store.of_subject, key)
        return now, current, then, history, objections, repairs

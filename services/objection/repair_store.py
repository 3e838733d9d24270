"""Repair applications (L-4): stored with their deadline's rule, decided with what they file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, insert, select, update

from secondline.errors import FailedPrecondition
from secondline.storage import writer

from .domain import Deadline, Move, Outgoing, Repair
from .store import add_outgoing, delivered, journal, moves, requests
from .tables import RepairRow

repairs = RepairRow.__table__


class RepairStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writes = writer(engine)

    def open_for_listing(self, listing_ids: list[str]) -> str:
        """An undecided application for any of these listing record ids, or ``""`` (L-4)."""
        with self.engine.connect() as conn:
            return _open_for(conn, listing_ids)

    def add(self, repair: Repair, listing_ids: list[str], principal: str, request_id: str) -> None:
        with self._writes.begin() as conn:
            other = _open_for(conn, listing_ids)
            if other:
                raise FailedPrecondition(message=f"application {other} for the same listing is still open (L-4)",
                                         reason="REPAIR_ALREADY_OPEN", metadata={"repair_id": other})
            d = repair.deadline
            conn.execute(insert(repairs).values(
                repair_id=repair.repair_id, subject_type=repair.subject_type, subject_key=repair.subject_key,
                listing_record_id=repair.listing_record_id, list=repair.list, owner=repair.owner,
                commitment=repair.commitment, received_at=repair.received_at, filed_by=repair.filed_by,
                received_on=d.received_on, working_days=d.working_days, due=d.due, provisional=d.provisional,
                outcome="", reason="", decided_at=None))
            if request_id:
                conn.execute(insert(requests).values(principal=principal, request_id=request_id, result_id=repair.repair_id))

    def get(self, repair_id: str) -> Repair | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(repairs).where(repairs.c.repair_id == repair_id)).mappings().first()
            return _repair(conn, row) if row else None

    def of_subject(self, subject_key: str) -> list[Repair]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(repairs).where(repairs.c.subject_key == subject_key).order_by(repairs.c.seq)).mappings()
            return [_repair(conn, row) for row in rows.all()]

    def decide(self, repair: Repair, outgoing: list[Outgoing], now: datetime) -> None:
        with self._writes.begin() as conn:
            changed = conn.execute(update(repairs).where(repairs.c.repair_id == repair.repair_id, repairs.c.outcome == "")
                                   .values(outcome=repair.outcome, reason=repair.reason, decided_at=repair.decided_at)).rowcount
            if not changed:
                raise FailedPrecondition(message=f"application {repair.repair_id} was decided meanwhile",
                                         reason="ALREADY_DECIDED", metadata={"repair_id": repair.repair_id})
            add_outgoing(conn, outgoing, now)

    def undecided(self) -> list[Repair]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(repairs).where(repairs.c.outcome == "").order_by(repairs.c.seq)).mappings()
            return [_repair(conn, row) for row in rows.all()]

    def reproject(self, repair_id: str, deadline: Deadline, move: Move) -> None:
        with self._writes.begin() as conn:
            conn.execute(update(repairs).where(repairs.c.repair_id == repair_id)
                         .values(due=deadline.due, provisional=deadline.provisional))
            conn.execute(insert(journal).values(parent_id=repair_id, record_id=move.record_id, old_due=move.old_due,
                                                new_due=move.new_due, reason=move.reason, moved_at=move.moved_at))


def _open_for(conn, listing_ids: list[str]) -> str:
    return conn.scalar(select(repairs.c.repair_id).where(repairs.c.listing_record_id.in_(listing_ids),
                                                         repairs.c.outcome == "").limit(1)) or ""


def _repair(conn, row) -> Repair:
    filed, cursor = delivered(conn, row["repair_id"])
    return Repair(
        repair_id=row["repair_id"], subject_type=row["subject_type"], subject_key=row["subject_key"],
        listing_record_id=row["listing_record_id"], list=row["list"], owner=row["owner"], commitment=row["commitment"],
        received_at=row["received_at"], filed_by=row["filed_by"],
        deadline=Deadline(row["received_on"], row["working_days"], row["due"], row["provisional"]),
        outcome=row["outcome"], reason=row["reason"], decided_at=row["decided_at"], journal=moves(conn, row["repair_id"]),
        filed_record_ids=tuple(filed[p] for p in ("removed", "commitment") if p in filed), record_cursor=cursor)

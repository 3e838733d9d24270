"""The objection service's adapter: objections, the deadline journal, the outbox, request ids.

Every decision is stored in one transaction with the records it causes (the outbox, see
:mod:`.outbox`), so that a decision committed is a record that will reach ingestion, and a
record is never filed for a decision that was not committed. Repairs are in :mod:`.repair_store`.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Engine, and_, exists, insert, or_, select, update

from secondline.errors import AlreadyExists, FailedPrecondition
from secondline.storage import writer

from .domain import Deadline, Disputed, Move, Objection, Outgoing
from .tables import DisputedRow, MoveRow, ObjectionRow, OutboxRow, RequestRow

objections, disputed, journal, outbox, requests = (ObjectionRow.__table__, DisputedRow.__table__, MoveRow.__table__,
                                                   OutboxRow.__table__, RequestRow.__table__)


class ObjectionStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writes = writer(engine)

    # -- requests (AIP-155) ----------------------------------------------------------------

    def request(self, principal: str, request_id: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.scalar(select(requests.c.result_id).where(requests.c.principal == principal,
                                                                  requests.c.request_id == request_id))

    # -- objections ------------------------------------------------------------------------

    def open_objections(self, record_ids: list[str]) -> dict[str, str]:
        """record id -> the open objection that disputes it (O-1: at most one)."""
        with self.engine.connect() as conn:
            return _open_objections(conn, record_ids)

    def add(self, objection: Objection, outgoing: list[Outgoing], principal: str, request_id: str, due: Deadline) -> None:
        with self._writes.begin() as conn:
            taken = _open_objections(conn, [r.record_id for r in objection.records])
            if taken:
                record_id, other = next(iter(taken.items()))
                raise AlreadyExists(message=f"record {record_id} is already under open objection {other} (O-1)",
                                    reason="RECORD_UNDER_OBJECTION", metadata={"record_id": record_id, "objection_id": other})
            conn.execute(insert(objections).values(
                objection_id=objection.objection_id, subject_type=objection.subject_type, subject_key=objection.subject_key,
                against_class=objection.against_class, statement=objection.statement,
                evidence=json.dumps(list(objection.evidence)), received_at=objection.received_at,
                filed_by=objection.filed_by, answer_due=due.due, status=None, decided_at=None))
            conn.execute(insert(disputed), [_disputed_row(objection.objection_id, i, r) for i, r in enumerate(objection.records)])
            if request_id:
                conn.execute(insert(requests).values(principal=principal, request_id=request_id, result_id=objection.objection_id))
            add_outgoing(conn, outgoing, objection.received_at)

    def get(self, objection_id: str) -> Objection | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(objections).where(objections.c.objection_id == objection_id)).mappings().first()
            return _objection(conn, row) if row else None

    def of_subject(self, subject_key: str) -> list[Objection]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(objections).where(objections.c.subject_key == subject_key)
                                .order_by(objections.c.seq)).mappings().all()
            return [_objection(conn, row) for row in rows]

    def listing(self, *, department: str, status: str, due_before: datetime | None, now: datetime,
                after: tuple[datetime, int] | None, limit: int) -> list[tuple[Objection, tuple[datetime, int]]]:
        """Objections by (answer_due, seq), filtered by owner department, status now, due instant."""
        o = objections.c
        query = select(objections)
        if department:
            query = query.where(exists().where(disputed.c.objection_id == o.objection_id, disputed.c.owner == department))
        if status == "OPEN":
            query = query.where(o.status.is_(None), o.answer_due > now)
        elif status == "OVERDUE":
            query = query.where(o.status.is_(None), o.answer_due <= now)
        elif status:
            query = query.where(o.status == status)
        if due_before is not None:
            query = query.where(o.answer_due < due_before)
        if after is not None:
            query = query.where(or_(o.answer_due > after[0], and_(o.answer_due == after[0], o.seq > after[1])))
        query = query.order_by(o.answer_due, o.seq).limit(limit)
        with self.engine.connect() as conn:
            return [(_objection(conn, row), (row["answer_due"], row["seq"])) for row in conn.execute(query).mappings().all()]

    def answer(self, objection: Objection, record: Disputed, *, status: str | None, due: Deadline,
               outgoing: list[Outgoing], now: datetime) -> None:
        """Store an owner's answer (only if the record is still unanswered) with what it files."""
        with self._writes.begin() as conn:
            changed = conn.execute(update(disputed).where(
                disputed.c.objection_id == objection.objection_id, disputed.c.record_id == record.record_id,
                disputed.c.outcome == "").values(outcome=record.outcome, reason=record.reason,
                                                 answered_at=record.answered_at, remedy=json.dumps(record.remedy))).rowcount
            if not changed:
                raise FailedPrecondition(message=f"record {record.record_id} was answered meanwhile", reason="ALREADY_ANSWERED",
                                         metadata={"record_id": record.record_id})
            conn.execute(update(objections).where(objections.c.objection_id == objection.objection_id).values(
                status=status, decided_at=now if status else None, answer_due=due.due))
            add_outgoing(conn, outgoing, now)

    def extend(self, objection_id: str, record: Disputed, move: Move, due: Deadline) -> None:
        with self._writes.begin() as conn:
            changed = conn.execute(update(disputed).where(
                disputed.c.objection_id == objection_id, disputed.c.record_id == record.record_id,
                disputed.c.extension_reason == "", disputed.c.outcome == "").values(
                working_days=record.deadline.working_days, extension_reason=record.deadline.extension_reason,
                due=record.deadline.due, provisional=record.deadline.provisional)).rowcount
            if not changed:
                raise FailedPrecondition(message=f"the deadline of record {record.record_id} was extended or answered meanwhile",
                                         reason="ALREADY_EXTENDED", metadata={"record_id": record.record_id})
            conn.execute(insert(journal).values(parent_id=objection_id, **_move(move)))
            conn.execute(update(objections).where(objections.c.objection_id == objection_id).values(answer_due=due.due))

    # -- re-projection (T-3) ---------------------------------------------------------------

    def undecided(self) -> list[Objection]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(objections).where(objections.c.status.is_(None)).order_by(objections.c.seq)).mappings().all()
            return [_objection(conn, row) for row in rows]

    def reproject(self, objection_id: str, records: list[Disputed], moves: list[Move], due: Deadline) -> None:
        with self._writes.begin() as conn:
            for r in records:
                conn.execute(update(disputed).where(disputed.c.objection_id == objection_id,
                                                    disputed.c.record_id == r.record_id)
                             .values(due=r.deadline.due, provisional=r.deadline.provisional))
            if moves:
                conn.execute(insert(journal), [{"parent_id": objection_id, **_move(m)} for m in moves])
            conn.execute(update(objections).where(objections.c.objection_id == objection_id).values(answer_due=due.due))


# -- shared with the repairs' store and the outbox ---------------------------------------------


def add_outgoing(conn, outgoing: list[Outgoing], now: datetime) -> None:
    if outgoing:
        conn.execute(insert(outbox), [{
            "parent_id": o.parent_id, "purpose": o.purpose, "source_id": o.source_id, "on_behalf_of": o.on_behalf_of,
            "record": o.record, "created_at": now, "delivered_at": None, "record_id": "", "cursor": 0, "error": "",
        } for o in outgoing])


def delivered(conn, parent_id: str) -> tuple[dict[str, str], int]:
    """purpose -> the acknowledged record id, and the latest acknowledged cursor, of a parent's outbox."""
    rows = conn.execute(select(outbox.c.purpose, outbox.c.record_id, outbox.c.cursor)
                        .where(outbox.c.parent_id == parent_id, outbox.c.record_id != "")).all()
    return {p: r for p, r, _ in rows}, max((c for _, _, c in rows), default=0)


def moves(conn, parent_id: str) -> tuple[Move, ...]:
    rows = conn.execute(select(journal).where(journal.c.parent_id == parent_id).order_by(journal.c.seq)).mappings()
    return tuple(Move(r["record_id"], r["old_due"], r["new_due"], r["reason"], r["moved_at"]) for r in rows)


def _move(m: Move) -> dict:
    return {"record_id": m.record_id, "old_due": m.old_due, "new_due": m.new_due, "reason": m.reason, "moved_at": m.moved_at}


def _open_objections(conn, record_ids: list[str]) -> dict[str, str]:
    if not record_ids:
        return {}
    query = (select(disputed.c.record_id, disputed.c.objection_id)
             .join(objections, objections.c.objection_id == disputed.c.objection_id)
             .where(disputed.c.record_id.in_(record_ids), objections.c.status.is_(None)))
    return dict(conn.execute(query).all())


def _disputed_row(objection_id: str, position: int, r: Disputed) -> dict:
    d = r.deadline
    return {"objection_id": objection_id, "record_id": r.record_id, "position": position, "owner": r.owner, "kind": r.kind,
            "received_on": d.received_on, "working_days": d.working_days, "extension_reason": d.extension_reason,
            "due": d.due, "provisional": d.provisional, "outcome": r.outcome, "reason": r.reason,
            "answered_at": r.answered_at, "remedy": json.dumps(r.remedy)}


def _objection(conn, row) -> Objection:
    filed, cursor = delivered(conn, row["objection_id"])
    records = conn.execute(select(disputed).where(disputed.c.objection_id == row["objection_id"])
                           .order_by(disputed.c.position)).mappings().all()
    return Objection(
        objection_id=row["objection_id"], subject_type=row["subject_type"], subject_key=row["subject_key"],
        against_class=row["against_class"], statement=row["statement"], evidence=tuple(json.loads(row["evidence"])),
        received_at=row["received_at"], filed_by=row["filed_by"], decided_at=row["decided_at"], record_cursor=cursor,
        journal=moves(conn, row["objection_id"]),
        records=tuple(Disputed(
            record_id=r["record_id"], owner=r["owner"], kind=r["kind"],
            deadline=Deadline(r["received_on"], r["working_days"], r["due"], r["provisional"], r["extension_reason"]),
            outcome=r["outcome"], reason=r["reason"], answered_at=r["answered_at"], remedy=json.loads(r["remedy"]),
            filed_record_id=filed.get(f"record:{r['record_id']}", "")) for r in records))


__all__ = ["ObjectionStore", "add_outgoing", "delivered", "moves"]

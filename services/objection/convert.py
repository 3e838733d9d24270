"""Proto conversion at the objection service's edge."""

from __future__ import annotations

from datetime import date, datetime

from secondline.common.v1 import common_pb2
from secondline.objection.v1 import objection_pb2 as pb
from secondline.rpc.convert import date_to_proto, subject_to_proto, timestamp

from . import rules as r
from .domain import Deadline, Move, Objection, Repair
from .validation import CORRECTABLE


def _enum(enum, prefix: str, name: str) -> int:
    return enum.Value(prefix + name) if name else 0


def department(name: str) -> int:
    return _enum(common_pb2.Department, "DEPARTMENT_", name)


def deadline(d: Deadline) -> pb.Deadline:
    return pb.Deadline(received_on=date_to_proto(d.received_on), working_days=d.working_days, due=timestamp(d.due),
                       provisional=d.provisional, extension_reason=d.extension_reason)


def move(m: Move) -> pb.DeadlineMove:
    return pb.DeadlineMove(record_id=m.record_id, old_due=timestamp(m.old_due), new_due=timestamp(m.new_due),
                           reason=m.reason, moved_at=timestamp(m.moved_at))


def objection(o: Objection, at: datetime) -> pb.Objection:
    due = r.answer_due(o, at)
    msg = pb.Objection(
        objection_id=o.objection_id, subject=subject_to_proto(o.subject_type, o.subject_key),
        status=_enum(pb.ObjectionStatus, "OBJECTION_STATUS_", r.status_at(o, at)), as_of=timestamp(at),
        against_class=o.against_class, statement=o.statement, evidence=list(o.evidence),
        received_at=timestamp(o.received_at), answer_due=timestamp(due.due), deadline_provisional=due.provisional,
        journal=[move(m) for m in o.journal], filed_by=o.filed_by, record_cursor=str(o.record_cursor) if o.record_cursor else "")
    for x in o.records:
        record = msg.records.add(record_id=x.record_id, owner=department(x.owner),
                                 kind=_enum(common_pb2.RecordKind, "RECORD_KIND_", x.kind), deadline=deadline(x.deadline),
                                 outcome=_enum(pb.Outcome, "OUTCOME_", x.outcome), reason=x.reason,
                                 filed_record_id=x.filed_record_id)
        if x.answered_at is not None:
            record.answered_at.CopyFrom(timestamp(x.answered_at))
    if o.decided_at is not None and o.decided_at <= at:
        msg.decided_at.CopyFrom(timestamp(o.decided_at))
    return msg


def repair(x: Repair, at: datetime) -> pb.Repair:
    msg = pb.Repair(
        repair_id=x.repair_id, subject=subject_to_proto(x.subject_type, x.subject_key), listing_record_id=x.listing_record_id,
        list=_enum(common_pb2.DishonestyList, "DISHONESTY_LIST_", x.list), owner=department(x.owner),
        status=_enum(pb.RepairStatus, "REPAIR_STATUS_", r.repair_status_at(x, at)), as_of=timestamp(at),
        commitment=x.commitment, received_at=timestamp(x.received_at), deadline=deadline(x.deadline),
        outcome=_enum(pb.RepairOutcome, "REPAIR_OUTCOME_", x.outcome), reason=x.reason,
        filed_record_ids=list(x.filed_record_ids), journal=[move(m) for m in x.journal],
        record_cursor=str(x.record_cursor) if x.record_cursor else "")
    if x.decided_at is not None:
        msg.decided_at.CopyFrom(timestamp(x.decided_at))
    return msg


def remedy(request: pb.AnswerObjectionRequest) -> dict:
    """The remedy of an answer as plain values: ``{"withdraw": True}`` or ``{"correct": {...}}``."""
    which = request.WhichOneof("remedy")
    if which == "withdraw":
        return {"withdraw": True} if request.withdraw else {}
    if which != "correct":
        return {}
    c, changes = request.correct, {}
    for name in CORRECTABLE:
        if name in ("decided_on", "valid_until"):
            if c.HasField(name):
                value = getattr(c, name)
                changes[name] = _iso(value, f"correct.{name}")
        elif name == "severity":
            if c.severity:
                changes[name] = common_pb2.Severity.Name(c.severity).removeprefix("SEVERITY_")
        elif getattr(c, name):
            changes[name] = getattr(c, name)
    return {"correct": changes}


def _iso(value: common_pb2.Date, name: str) -> str:
    from secondline.errors import FieldViolation, InvalidArgument
    try:
        return date(value.year, value.month, value.day).isoformat()
    except ValueError:
        raise InvalidArgument.of([FieldViolation(name, "is not a calendar date")]) from None


def file_class(answer) -> pb.FileClass:
    msg = pb.FileClass(as_of=answer.as_of, credit_class=answer.credit_class, flags=list(answer.flags),
                       reasons=[x.rule for x in answer.reasons],
                       record_ids=list(dict.fromkeys(rid for x in answer.reasons for rid in x.record_ids)))
    if answer.HasField("until"):
        msg.until.CopyFrom(answer.until)
    return msg


def file_record(record) -> pb.FileRecord:
    return pb.FileRecord(record_id=record.record_id, source=record.source, kind=record.content_kind,
                         decided_on=record.input.decided_on, superseded_by=record.superseded_by,
                         open_objection_ids=list(record.open_objection_ids))

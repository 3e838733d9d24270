"""The records the service files through ingestion, as ingestion's contract states them.

Each gets its source id here, fixed when the decision is committed, so that a redelivery is
the same record (R-3). An owner's records name the objection or repair they are filed for.
"""

from __future__ import annotations

from datetime import date, datetime

from secondline.common.v1 import common_pb2
from secondline.ingestion.v1 import ingestion_pb2
from secondline.rpc.convert import date_to_proto, subject_to_proto, timestamp

from .domain import Objection, Outgoing, Repair


def opened(objection: Objection) -> Outgoing:
    """O-2: the mark from receipt, on the disputed records."""
    record = _mark("OBJECTION_OPENED", objection, objection.received_at)
    record.mark.record_ids.extend(r.record_id for r in objection.records)
    return Outgoing(objection.objection_id, "opened", record.source_id, "", record.SerializeToString())


def closed(objection: Objection, at: datetime) -> Outgoing:
    """O-4: the marks end when the last record is answered."""
    record = _mark("OBJECTION_CLOSED", objection, at)
    return Outgoing(objection.objection_id, "closed", record.source_id, "", record.SerializeToString())


def withdrawal(objection: Objection, record_id: str, owner: str, on: date) -> Outgoing:
    """O-4: an upheld record withdrawn, as its owner's WITHDRAWAL naming the objection."""
    record = ingestion_pb2.RecordInput(
        source_id=f"objection/{objection.objection_id}/{record_id}", kind=common_pb2.RECORD_KIND_WITHDRAWAL,
        decided_on=date_to_proto(on), withdraws=ingestion_pb2.RecordRef(record_id=record_id),
        objection_id=objection.objection_id)
    return Outgoing(objection.objection_id, f"record:{record_id}", record.source_id, owner, record.SerializeToString())


def correction(objection: Objection, current: ingestion_pb2.Record, changes: dict, owner: str) -> Outgoing:
    """O-4: an upheld record corrected: the fields that change, the rest as filed (its current
    version's content), as its owner's CORRECTION naming the objection."""
    record = ingestion_pb2.RecordInput()
    record.CopyFrom(current.input)
    record.ClearField("withdraws")
    record.source_id = f"objection/{objection.objection_id}/{current.record_id}"
    record.kind = common_pb2.RECORD_KIND_CORRECTION
    record.corrects.CopyFrom(ingestion_pb2.RecordRef(record_id=current.record_id))
    record.objection_id = objection.objection_id
    for name, value in changes.items():
        if name in ("decided_on", "valid_until"):
            getattr(record, name).CopyFrom(date_to_proto(date.fromisoformat(value)))
        elif name == "severity":
            record.severity = common_pb2.Severity.Value("SEVERITY_" + value)
        else:
            setattr(record, name, value)
    return Outgoing(objection.objection_id, f"record:{current.record_id}", record.source_id, owner, record.SerializeToString())


def removal(repair: Repair, on: date) -> Outgoing:
    """L-4: the list owner's DISHONESTY_REMOVED, decided on the approval date."""
    record = ingestion_pb2.RecordInput(
        source_id=f"repair/{repair.repair_id}/removed", kind=common_pb2.RECORD_KIND_DISHONESTY_REMOVED,
        subject=subject_to_proto(repair.subject_type, repair.subject_key), decided_on=date_to_proto(on),
        list=common_pb2.DishonestyList.Value("DISHONESTY_LIST_" + repair.list), repair_id=repair.repair_id)
    return Outgoing(repair.repair_id, "removed", record.source_id, repair.owner, record.SerializeToString())


def commitment(repair: Repair, on: date) -> Outgoing:
    """L-4: the subject's credit commitment, as the list owner's CREDIT_COMMITMENT (MADE)."""
    record = ingestion_pb2.RecordInput(
        source_id=f"repair/{repair.repair_id}/commitment", kind=common_pb2.RECORD_KIND_CREDIT_COMMITMENT,
        subject=subject_to_proto(repair.subject_type, repair.subject_key), decided_on=date_to_proto(on),
        commitment=common_pb2.COMMITMENT_STATUS_MADE, repair_id=repair.repair_id)
    return Outgoing(repair.repair_id, "commitment", record.source_id, repair.owner, record.SerializeToString())


def record_of(outgoing: Outgoing) -> ingestion_pb2.RecordInput:
    return ingestion_pb2.RecordInput.FromString(outgoing.record)


def _mark(kind: str, objection: Objection, at: datetime) -> ingestion_pb2.RecordInput:
    name = "opened" if kind == "OBJECTION_OPENED" else "closed"
    return ingestion_pb2.RecordInput(
        source_id=f"objection/{objection.objection_id}/{name}", kind=common_pb2.RecordKind.Value("RECORD_KIND_" + kind),
        subject=subject_to_proto(objection.subject_type, objection.subject_key),
        mark=ingestion_pb2.ObjectionMark(objection_id=objection.objection_id, at=timestamp(at)))

"""Proto conversion at the edge: requests to domain values, stored records to messages."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from secondline.common.v1 import common_pb2
from secondline.ingestion.v1 import ingestion_pb2
from secondline.rpc.convert import date_to_proto, instant, timestamp

from .domain import PARTNER_PREFIX, ObjectionMark, PartnerOrigin, RecordInput, RecordRef, StoredRecord
from .marks import MARK_SOURCE
from .rows import FeedRecord


@lru_cache(maxsize=4096)  # the enums' descriptors are slow to ask, and the values few
def enum_name(enum, value: int, prefix: str) -> str:
    """``DEPARTMENT_TAX`` -> ``TAX``; the zero value -> ``""``; an unknown number -> ``?<n>``."""
    if value == 0:
        return ""
    try:
        return enum.Name(value).removeprefix(prefix)
    except ValueError:
        return f"?{value}"


@lru_cache(maxsize=4096)
def enum_value(enum, name: str, prefix: str) -> int:
    return enum.Value(prefix + name) if name else 0


def input_from_proto(msg: ingestion_pb2.RecordInput) -> RecordInput:
    subject = msg.subject.WhichOneof("id") if msg.HasField("subject") else None
    return RecordInput(
        source_id=msg.source_id,
        kind=enum_name(common_pb2.RecordKind, msg.kind, "RECORD_KIND_"),
        subject_type=subject or "",
        subject_text=getattr(msg.subject, subject) if subject else "",
        decided_on=_raw_date(msg.decided_on) if msg.HasField("decided_on") else None,
        grade=msg.grade,
        list=enum_name(common_pb2.DishonestyList, msg.list, "DISHONESTY_LIST_"),
        severity=enum_name(common_pb2.Severity, msg.severity, "SEVERITY_"),
        valid_until=_raw_date(msg.valid_until) if msg.HasField("valid_until") else None,
        commitment=enum_name(common_pb2.CommitmentStatus, msg.commitment, "COMMITMENT_STATUS_"),
        corrects=_ref(msg.corrects) if msg.HasField("corrects") else None,
        withdraws=_ref(msg.withdraws) if msg.HasField("withdraws") else None,
        legal_basis=msg.legal_basis,
        objection_id=msg.objection_id,
        repair_id=msg.repair_id,
        mark=_mark(msg.mark) if msg.HasField("mark") else None,
        partner=_partner_from_proto(msg.partner) if msg.HasField("partner") else None,
    )


def _mark(msg: ingestion_pb2.ObjectionMark) -> ObjectionMark:
    return ObjectionMark(msg.objection_id, instant(msg.at) if msg.HasField("at") else None, tuple(msg.record_ids))


def _partner_from_proto(msg: common_pb2.PartnerOrigin) -> PartnerOrigin:
    return PartnerOrigin(partner=msg.partner, grade=msg.grade, table_version=msg.table_version,
                         effect=enum_name(common_pb2.PartnerEffect, msg.effect, "PARTNER_EFFECT_"),
                         score=msg.score, envelope_hash=msg.envelope_hash)


def _fill_partner(msg: common_pb2.PartnerOrigin, origin: dict) -> None:
    """A partner's origin in its stored form (domain.PartnerOrigin.to_json)."""
    msg.partner = origin["partner"]
    msg.grade = origin["grade"]
    msg.table_version = origin["table_version"]
    msg.effect = enum_value(common_pb2.PartnerEffect, origin["effect"], "PARTNER_EFFECT_")
    msg.score = origin["score"]
    msg.envelope_hash = origin["envelope_hash"]


def record_to_proto(record: StoredRecord | FeedRecord, *, basic: bool = False) -> ingestion_pb2.Record:
    """The stored record; ``basic`` leaves out what the sender stated (RECORD_VIEW_BASIC)."""
    msg = ingestion_pb2.Record()
    fill_record(msg, record, basic=basic)
    return msg


def fill_record(msg: ingestion_pb2.Record, record: StoredRecord | FeedRecord, *, basic: bool = False) -> None:
    """Set an empty ``msg`` (such as a response's ``results.add().record``) to the stored record,
    in place: building a Record and then copying it into its parent costs as much again.

    The content is read in its stored JSON form (``record.content_json``), the one form both
    a record just filed (its Content's ``stored_json``) and a record of the feed (parsed from
    the log, no Content built) have."""
    from_partner = record.source.startswith(PARTNER_PREFIX)  # a partner's record
    msg.record_id = record.record_id
    # An objection mark is no department's record, nor is a partner's: their source is left unspecified.
    if not from_partner and record.source != MARK_SOURCE:
        msg.source = enum_value(common_pb2.Department, record.source, "DEPARTMENT_")
    msg.from_partner = from_partner
    if not basic:
        _fill_content(msg.input, record.source_id, record.content_json)
        msg.content_kind = enum_value(common_pb2.RecordKind, record.content_kind, "RECORD_KIND_")
        msg.traceparent = record.traceparent
    msg.target_record_id = record.target_record_id
    msg.submitted_at.CopyFrom(_timestamp(record.submitted_at))
    msg.submitted_on.CopyFrom(_date(record.submitted_on))
    msg.late = record.late
    msg.backfilled = record.backfilled
    msg.superseded_by = record.superseded_by
    msg.cursor = str(record.seq)
    msg.filed_by = record.filed_by
    if record.open_objection_ids:
        msg.open_objection_ids.extend(record.open_objection_ids)


# A batch's records share their receipt instant and day, and records their decision days: each
# converted once (the messages are only ever copied from, never handed out).
_timestamp = lru_cache(maxsize=256)(timestamp)
_date = lru_cache(maxsize=256)(date_to_proto)


@lru_cache(maxsize=4096)
def _iso_date(text: str) -> common_pb2.Date:
    return date_to_proto(date.fromisoformat(text))


def _fill_content(msg: ingestion_pb2.RecordInput, source_id: str, data: dict) -> None:
    """Set an empty ``msg`` to a content in its stored JSON form (domain.Content.to_json):
    each field as ``Content.from_json`` reads it, so that a record read back and a record
    just filed give the same message (tests/integration/test_ingestion_feed_records.py)."""
    kind = data["kind"]
    msg.source_id = source_id
    msg.kind = enum_value(common_pb2.RecordKind, kind, "RECORD_KIND_")
    msg.decided_on.CopyFrom(_iso_date(data["decided_on"]))
    msg.grade = data["grade"]
    msg.list = enum_value(common_pb2.DishonestyList, data["list"], "DISHONESTY_LIST_")
    msg.severity = enum_value(common_pb2.Severity, data["severity"], "SEVERITY_")
    msg.commitment = enum_value(common_pb2.CommitmentStatus, data["commitment"], "COMMITMENT_STATUS_")
    msg.legal_basis = data["legal_basis"]
    msg.objection_id = data.get("objection_id", "")
    msg.repair_id = data.get("repair_id", "")
    if mark := data.get("mark"):
        msg.mark.objection_id = mark["objection_id"]
        msg.mark.record_ids.extend(mark["record_ids"])
        if mark["at"]:
            msg.mark.at.CopyFrom(timestamp(datetime.fromisoformat(mark["at"])))
    if subject := data["subject"]:
        setattr(msg.subject, subject["type"], subject["key"])
    if partner := data.get("partner"):
        _fill_partner(msg.partner, partner)
    if valid_until := data["valid_until"]:
        msg.valid_until.CopyFrom(_iso_date(valid_until))
    if target := data["target"]:
        ref = msg.corrects if kind == "CORRECTION" else msg.withdraws
        if target["record_id"]:
            ref.record_id = target["record_id"]
        else:
            ref.source_id = target["source_id"]


def _raw_date(msg: common_pb2.Date) -> tuple[int, int, int]:
    return (msg.year, msg.month, msg.day)


def _ref(msg: ingestion_pb2.RecordRef) -> RecordRef:
    which = msg.WhichOneof("ref")
    return RecordRef(**{which: getattr(msg, which)}) if which else RecordRef()

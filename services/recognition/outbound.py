"""What the suite sends partners (RULES X-5, X-1): the cross-border credit report and class
changes, as JSON payloads for signed envelopes, built from classification's and ingestion's
answers through their contracts. Individuals never appear (X-5, I-3).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from secondline.classification.v1 import classification_pb2
from secondline.dates import cst_date
from secondline.common.v1 import common_pb2
from secondline.ingestion.v1 import ingestion_pb2

QUALIFICATIONS = ("AEO_GRANTED", "AEO_REVOKED")
PERFORMANCE = ("INDUSTRY_RATING", "CREDIT_COMMITMENT")
SANCTIONS = ("SMUGGLING_PENALTY", "SMUGGLING_CRIME", "DISHONESTY_LISTED", "DISHONESTY_REMOVED", "OTHER_LEGAL_LISTING",
             "RISK_ALERT")


def _name(enum, value: int, prefix: str) -> str:
    return enum.Name(value).removeprefix(prefix) if value else ""


def _iso(stamp, present: bool) -> str | None:
    return stamp.ToDatetime().replace(tzinfo=None).isoformat() + "Z" if present else None


def _day(msg: common_pb2.Date) -> str:
    return f"{msg.year:04d}-{msg.month:02d}-{msg.day:02d}"


def class_json(subject_class: classification_pb2.SubjectClass) -> dict[str, Any]:
    """The class with its reasons (E-X3), partner-driven reasons naming the partner (X-2, X-3)."""
    return {
        "class": _name(common_pb2.CreditClass, subject_class.credit_class, "CREDIT_CLASS_"),
        "since": _iso(subject_class.since, subject_class.HasField("since")),
        "until": _iso(subject_class.until, subject_class.HasField("until")),
        "reasons": [{"rule": r.rule, "effect": r.effect, "since": _iso(r.since, r.HasField("since")),
                     "until": _iso(r.until, r.HasField("until")),
                     **({"partner": r.partner, "counts_as": r.counts_as} if r.partner else {})}
                    for r in subject_class.reasons],
        "flags": [_name(common_pb2.Flag, f, "FLAG_") for f in subject_class.flags],
    }


def _source(record: ingestion_pb2.Record) -> str:
    if record.from_partner:
        return "partner/" + record.input.partner.partner
    return _name(common_pb2.Department, record.source, "DEPARTMENT_")


def _entry(record: ingestion_pb2.Record) -> dict[str, Any]:
    body = record.input
    kind = _name(common_pb2.RecordKind, record.content_kind or body.kind, "RECORD_KIND_")
    entry: dict[str, Any] = {"kind": kind, "source": _source(record), "decided_on": _day(body.decided_on)}
    if body.grade:
        entry["grade"] = body.grade
    if body.HasField("valid_until"):
        entry["valid_until"] = _day(body.valid_until)
    if body.list:
        entry["list"] = _name(common_pb2.DishonestyList, body.list, "DISHONESTY_LIST_")
    if body.commitment:
        entry["commitment"] = _name(common_pb2.CommitmentStatus, body.commitment, "COMMITMENT_STATUS_")
    if body.HasField("partner") and body.partner.score:
        entry["score"] = body.partner.score  # 金椰分 and the like, shown as sent
    return entry


def credit_report(*, subject: common_pb2.SubjectId, as_of: datetime, issued_at: datetime, recipient: str,
                  subject_class: classification_pb2.SubjectClass, records: list[ingestion_pb2.Record]) -> dict[str, Any]:
    """X-5: identity, qualifications, performance, rewards and sanctions, and the class, as of ``as_of``."""
    holding = [r for r in records if not r.superseded_by and r.input.kind != common_pb2.RECORD_KIND_WITHDRAWAL
               and _day(r.input.decided_on) <= cst_date(as_of).isoformat()]
    by_part: dict[str, list] = {"qualifications": [], "performance": [], "sanctions": []}
    for record in holding:
        entry = _entry(record)
        part = ("qualifications" if entry["kind"] in QUALIFICATIONS else "performance" if entry["kind"] in PERFORMANCE
                else "sanctions" if entry["kind"] in SANCTIONS else None)
        if part:
            by_part[part].append(entry)
    which = subject.WhichOneof("id")
    return {
        "type": "cross-border-credit-report",
        "issuer": "secondline",
        "recipient": recipient,
        "issued_at": issued_at.isoformat(),
        "as_of": as_of.isoformat(),
        "subject": {which: getattr(subject, which)},
        **by_part,
        "credit_class": class_json(subject_class),
    }


def class_change(change: classification_pb2.StreamChangesResponse, recipient: str) -> dict[str, Any]:
    """One class change of an entity the recipient may see (X-1), for the signed feed."""
    subject = change.state.subject
    which = subject.WhichOneof("id")
    return {
        "type": "class-change",
        "issuer": "secondline",
        "recipient": recipient,
        "revision": change.revision,
        "subject": {which: getattr(subject, which)},
        "effective_at": _iso(change.current.as_of, change.current.HasField("as_of")),
        "credit_class": class_json(change.current),
    }

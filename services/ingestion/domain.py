"""Credit records as the ingestion service sees them (RULES R), free of any framework.

``RecordInput`` is what a department states, as received (raw values, not yet checked);
``Draft`` is a record that passed the checks at the edge and waits to be stored;
``StoredRecord`` is a record in the log.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime
from typing import Any

from secondline.jsontext import compact_sorted

RawDate = tuple[int, int, int]


@dataclass(frozen=True)
class Subject:
    type: str
    """``enterprise`` or ``individual`` (S-1)."""
    key: str
    """The canonical identifier: a USCC, a resident identity number, or TYPE:ISSUER:NUMBER."""


@dataclass(frozen=True)
class RecordRef:
    """Names an earlier record of the same department by one of its ids (R-4)."""

    record_id: str = ""
    source_id: str = ""


PARTNER_PREFIX = "partner/"


def partner_source(partner: str) -> str:
    """The source a partner's records are filed under (R-7), beside the departments' names."""
    return PARTNER_PREFIX + partner


@dataclass(frozen=True)
class PartnerOrigin:
    """What is kept of a partner's record (X-3): who sent it, its grade, the table and the effect."""

    partner: str
    grade: str = ""
    table_version: str = ""
    effect: str = ""
    score: str = ""
    envelope_hash: str = ""

    def to_json(self) -> dict[str, str]:
        return {"partner": self.partner, "grade": self.grade, "table_version": self.table_version,
                "effect": self.effect, "score": self.score, "envelope_hash": self.envelope_hash}


@dataclass(frozen=True)
class ObjectionMark:
    """An objection's mark in the log (O-2): which objection, from or until when, on which records."""

    objection_id: str = ""
    at: datetime | None = None
    record_ids: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"objection_id": self.objection_id, "at": self.at.isoformat() if self.at else None,
                "record_ids": list(self.record_ids)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ObjectionMark":
        return cls(data["objection_id"], datetime.fromisoformat(data["at"]) if data["at"] else None,
                   tuple(data["record_ids"]))


@dataclass(frozen=True)
class RecordInput:
    """What a department states in one record, exactly as received."""

    source_id: str = ""
    kind: str = ""
    subject_type: str = ""
    subject_text: str = ""
    decided_on: RawDate | None = None
    grade: str = ""
    list: str = ""
    severity: str = ""
    valid_until: RawDate | None = None
    commitment: str = ""
    corrects: RecordRef | None = None
    withdraws: RecordRef | None = None
    legal_basis: str = ""
    objection_id: str = ""
    repair_id: str = ""
    mark: ObjectionMark | None = None
    partner: PartnerOrigin | None = None
    """Set by the recognition service only: the record is that partner's (R-7)."""


@dataclass(frozen=True)
class Content:
    """The facts a record states; what R-3 compares to tell a replay from a conflict."""

    kind: str
    subject: Subject | None
    decided_on: date
    grade: str = ""
    list: str = ""
    severity: str = ""
    valid_until: date | None = None
    commitment: str = ""
    legal_basis: str = ""
    target: RecordRef | None = None
    objection_id: str = ""
    """An owner's record filed for an upheld objection names it (O-4)."""
    repair_id: str = ""
    """A list owner's record filed for an approved repair names it (L-4)."""
    mark: ObjectionMark | None = None
    """OBJECTION_OPENED / OBJECTION_CLOSED: the mark (O-2)."""
    partner: PartnerOrigin | None = None

    def to_json(self) -> dict[str, Any]:
        # What dataclasses.asdict gave, built directly (asdict deep-copies every field). A
        # partner's origin is written only where there is one, so that the canonical JSON
        # (and the digest, R-3) of every department's record stays as it was.
        subject, target = self.subject, self.target
        extra = {"partner": self.partner.to_json()} if self.partner is not None else {}
        return {**extra,
            "kind": self.kind,
            "subject": {"type": subject.type, "key": subject.key} if subject is not None else None,
            "decided_on": self.decided_on.isoformat(),
            "grade": self.grade,
            "list": self.list,
            "severity": self.severity,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "commitment": self.commitment,
            "legal_basis": self.legal_basis,
            "target": {"record_id": target.record_id, "source_id": target.source_id} if target is not None else None,
            # Only when set: the canonical JSON (and so the digest, R-3) of every other record
            # stays what it was before these fields existed.
            **({"objection_id": self.objection_id} if self.objection_id else {}),
            **({"repair_id": self.repair_id} if self.repair_id else {}),
            **({"mark": self.mark.to_json()} if self.mark is not None else {}),
        }

    @cached_property
    def stored_json(self) -> dict[str, Any]:
        """:meth:`to_json`, computed once: the form the log stores (as canonical JSON) and the
        one form a record's message is built from (convert.fill_record), whether the record
        was just filed or read back from the log. Read, never changed."""
        return self.to_json()

    @cached_property
    def canonical_json(self) -> str:
        """The canonical JSON the log stores and the digest is taken of, computed once."""
        return compact_sorted(self.stored_json)  # json.dumps(sort_keys=True, separators=(",", ":")), by orjson

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Content":
        return cls(
            kind=data["kind"],
            subject=Subject(**data["subject"]) if data["subject"] else None,
            decided_on=date.fromisoformat(data["decided_on"]),
            grade=data["grade"],
            list=data["list"],
            severity=data["severity"],
            valid_until=date.fromisoformat(data["valid_until"]) if data["valid_until"] else None,
            commitment=data["commitment"],
            legal_basis=data["legal_basis"],
            target=RecordRef(**data["target"]) if data["target"] else None,
            objection_id=data.get("objection_id", ""),
            repair_id=data.get("repair_id", ""),
            mark=ObjectionMark.from_json(data["mark"]) if data.get("mark") else None,
            partner=PartnerOrigin(**data["partner"]) if data.get("partner") else None,
        )

    def digest(self) -> str:
        return hashlib.sha256(self.canonical_json.encode()).hexdigest()


@dataclass(frozen=True)
class Draft:
    """A record that passed the edge checks, with its receipt."""

    source: str
    source_id: str
    content: Content
    submitted_at: datetime
    submitted_on: date
    late: bool
    backfilled: bool = False
    traceparent: str = ""
    digest: str = field(default="", compare=False)
    filed_by: str = ""
    """Who asked, when not the department itself (``service/objection``)."""


@dataclass(frozen=True)
class StoredRecord:
    record_id: str
    source: str
    source_id: str
    content: Content
    content_kind: str
    """``content.kind``, or for a correction or withdrawal the kind of the record it names."""
    target_record_id: str
    submitted_at: datetime
    submitted_on: date
    late: bool
    backfilled: bool
    traceparent: str = ""
    superseded_by: str = ""
    seq: int = 0
    filed_by: str = ""
    open_objection_ids: tuple[str, ...] = ()
    """In answers about history: the open objections that mark the record (O-2)."""

    @property
    def content_json(self) -> dict[str, Any]:
        """The content in its stored form (what convert.fill_record reads, as from a FeedRecord)."""
        return self.content.stored_json

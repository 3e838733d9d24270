"""Credit records as the ingestion service sees them (RULES R), free of any framework.

``RecordInput`` is what a department states, as received (raw values, not yet checked);
``Draft`` is a record that passed the checks at the edge and waits to be stored;
``StoredRecord`` is a record in the log.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime
from typing import Any

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

    def to_json(self) -> dict[str, Any]:
        # What dataclasses.asdict gave, built directly (asdict deep-copies every field).
        subject, target = self.subject, self.target
        return {
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
        }

    @cached_property
    def canonical_json(self) -> str:
        """The canonical JSON the log stores and the digest is taken of, computed once."""
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))

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

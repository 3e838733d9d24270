"""Objections and repair applications as the objection service keeps them (RULES O, L-4).

Free of any framework. A deadline is kept as its rule (receipt date, working days, the
extension's reason) beside its projection (the due instant and whether it is provisional), so
that a change of the working-day calendar re-projects every open one (T-3).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

OPEN, OVERDUE = "OPEN", "OVERDUE"
UPHELD, REJECTED, PARTLY_UPHELD = "UPHELD", "REJECTED", "PARTLY_UPHELD"
APPROVED = "APPROVED"
# O-4: what a new violation is, for L-4's admission (withdrawn records do not count).
VIOLATION_KINDS = ("SMUGGLING_PENALTY", "SMUGGLING_CRIME", "DISHONESTY_LISTED", "OTHER_LEGAL_LISTING")
MARK_KINDS = ("OBJECTION_OPENED", "OBJECTION_CLOSED")


@dataclass(frozen=True)
class Deadline:
    received_on: date
    """The receipt date (CST); the count starts the day after (T-3)."""
    working_days: int
    due: datetime
    """The end of the last working day."""
    provisional: bool
    """Counted over a year whose calendar is not loaded: weekdays alone (T-3)."""
    extension_reason: str = ""


@dataclass(frozen=True)
class Move:
    """One move of a deadline, journaled: old due instant, new one, why."""

    record_id: str
    old_due: datetime
    new_due: datetime
    reason: str
    moved_at: datetime


@dataclass(frozen=True)
class RecordView:
    """A record of the subject, as ingestion answers about it."""

    record_id: str
    source: str
    kind: str
    """The stated kind (CORRECTION for a correction)."""
    content_kind: str
    """The kind whose rules apply (a correction's: the corrected record's kind)."""
    subject_key: str
    decided_on: date
    list: str = ""
    severity: str = ""
    superseded_by: str = ""
    cursor: int = 0

    @property
    def holds(self) -> bool:
        """The current version of a record that was not withdrawn (R-4), and no objection mark."""
        return not self.superseded_by and self.kind not in ("WITHDRAWAL", *MARK_KINDS)


@dataclass(frozen=True)
class Disputed:
    """A record under an objection, with its owner's deadline and answer (O-3)."""

    record_id: str
    owner: str
    kind: str
    deadline: Deadline
    outcome: str = ""
    """UPHELD or REJECTED once answered."""
    reason: str = ""
    answered_at: datetime | None = None
    remedy: dict = field(default_factory=dict)
    """UPHELD: ``{"withdraw": True}`` or ``{"correct": {field: value}}``."""
    filed_record_id: str = ""

    def answered_by(self, at: datetime) -> bool:
        return bool(self.outcome) and self.answered_at is not None and self.answered_at <= at


@dataclass(frozen=True)
class Objection:
    objection_id: str
    subject_type: str
    subject_key: str
    against_class: bool
    statement: str
    evidence: tuple[str, ...]
    received_at: datetime
    filed_by: str
    records: tuple[Disputed, ...]
    journal: tuple[Move, ...] = ()
    decided_at: datetime | None = None
    record_cursor: int = 0

    def record(self, record_id: str) -> Disputed | None:
        return next((r for r in self.records if r.record_id == record_id), None)

    def with_record(self, disputed: Disputed) -> "Objection":
        return replace(self, records=tuple(disputed if r.record_id == disputed.record_id else r for r in self.records))


@dataclass(frozen=True)
class Repair:
    repair_id: str
    subject_type: str
    subject_key: str
    listing_record_id: str
    list: str
    owner: str
    commitment: str
    received_at: datetime
    filed_by: str
    deadline: Deadline
    outcome: str = ""
    """APPROVED or REJECTED once decided."""
    reason: str = ""
    decided_at: datetime | None = None
    journal: tuple[Move, ...] = ()
    filed_record_ids: tuple[str, ...] = ()
    record_cursor: int = 0


@dataclass(frozen=True)
class Outgoing:
    """A record to file through ingestion, committed with the decision that causes it (the outbox)."""

    parent_id: str
    purpose: str
    """``opened``, ``closed``, ``record:<id>`` (an upheld record), ``removed``, ``commitment``."""
    source_id: str
    """Idempotent (R-3): a redelivery is a replay."""
    on_behalf_of: str
    record: bytes
    """The serialized ``secondline.ingestion.v1.RecordInput``."""

"""The classification service's own tables."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from secondline.access_log import reads_table
from secondline.storage import UtcDateTime

BIG = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    pass


class RecordRow(Base):
    """A record as classification follows it: which chain it belongs to, and whether it holds."""

    __tablename__ = "classification_records"
    __table_args__ = (Index("ix_classification_records_subject", "subject_key", "holds"),)

    record_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    cursor: Mapped[int] = mapped_column(BIG)
    """The record's position in ingestion's feed."""
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    content_kind: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32))
    decided_on: Mapped[date] = mapped_column(Date)
    grade: Mapped[str] = mapped_column(String(32))
    list: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    valid_until: Mapped[date | None] = mapped_column(Date)
    root_cursor: Mapped[int] = mapped_column(BIG)
    """Feed position of the chain's first record: orders facts of the same day."""
    holds: Mapped[bool] = mapped_column(Boolean)
    """The newest version of its chain, and not a withdrawal (R-4)."""
    traceparent: Mapped[str] = mapped_column(String(64))
    objection_id: Mapped[str] = mapped_column(String(64), default="", server_default="")
    """OBJECTION_OPENED / OBJECTION_CLOSED: the objection (O-2)."""
    marked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    """When the objection's mark starts or ends."""
    marked_records: Mapped[str] = mapped_column(Text, default="", server_default="")
    """OBJECTION_OPENED: the disputed record ids, space-separated."""
    effect: Mapped[str] = mapped_column(String(24), default="", server_default="")
    """A partner's record (R-7): the local effect of its grade (X-3); empty for a department's."""
    source_id: Mapped[str] = mapped_column(String(128), default="", server_default="")
    """The filer's own id of the record (R-3), for the department's feed (I-2)."""


class SubjectRow(Base):
    """Where a subject's timeline stands, for every subject the suite has a record about.

    The timeline itself is its latest change's (``ChangeRow`` at ``revision``): an upsert
    rewrites a row of some 60 bytes rather than one holding the timeline too (bench/README).
    """

    __tablename__ = "classification_subjects"
    __table_args__ = (
        Index("ix_classification_subjects_next_change", "next_change_at"),
        Index("ix_classification_subjects_notable", "notable", "subject_key"),
    )

    subject_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(16))
    revision: Mapped[int] = mapped_column(BIG)
    """The subject's latest change: its timeline is that change's."""
    next_change_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    """The next scheduled change after the last one published; the scheduler's queue."""
    notable: Mapped[bool] = mapped_column(Boolean)
    """Not plain whitelist now or later: listed by ListNotableSubjects."""


class ChangeRow(Base):
    """The change feed: one row per change of a subject's state, in revision order."""

    __tablename__ = "classification_changes"

    revision: Mapped[int] = mapped_column(BIG, primary_key=True, autoincrement=False)
    subject_key: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(16))
    effective_at: Mapped[datetime] = mapped_column(UtcDateTime())
    """When the change took effect: the apply instant, or the scheduled instant."""
    timeline: Mapped[str] = mapped_column(Text)
    record_id: Mapped[str] = mapped_column(String(32))
    traceparent: Mapped[str] = mapped_column(String(64))


class CursorRow(Base):
    """How far the record feed has been applied (stored with what it applied)."""

    __tablename__ = "classification_cursor"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BIG)


SubjectReads = reads_table(Base.metadata, "classification")
"""Who read a subject's records, and when (RULES I-4)."""

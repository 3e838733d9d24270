"""The ingestion service's tables (its own; no other service reads them)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from secondline.access_log import reads_table
from secondline.storage import UtcDateTime


class Base(DeclarativeBase):
    pass


class RecordRow(Base):
    """One credit record, append-only (R-4): rows are inserted, never updated or deleted."""

    __tablename__ = "ingestion_records"
    __table_args__ = (
        # one record per (department, source id).
        UniqueConstraint("source", "source_id", name="uq_ingestion_records_source"),
        # a record is corrected or withdrawn at most once; later amendments name the newest.
        UniqueConstraint("target_record_id", name="uq_ingestion_records_target"),
        Index("ix_ingestion_records_subject", "subject_key", "seq"),
        Index("ix_ingestion_records_received", "submitted_on", "source"),
    )

    # Commit order and the feed cursor. The writer assigns it (the last one + 1) while it holds
    # the write lock, so a larger seq was committed later and is known before the commit.
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    record_id: Mapped[str] = mapped_column(String(32), unique=True)
    source: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    content_kind: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_key: Mapped[str] = mapped_column(String(64))
    decided_on: Mapped[date] = mapped_column(Date)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    submitted_on: Mapped[date] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean)
    backfilled: Mapped[bool] = mapped_column(Boolean)
    target_record_id: Mapped[str | None] = mapped_column(String(32))
    content: Mapped[str] = mapped_column(Text)
    """The record's facts as canonical JSON (domain.Content)."""
    digest: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the canonical content: equal digests are the same record (R-3)."""
    traceparent: Mapped[str] = mapped_column(String(64))
    filed_by: Mapped[str] = mapped_column(String(64), default="", server_default="")
    """Who asked, when not the department itself: ``service/objection`` (O-2, O-4, L-4)."""


SubjectReads = reads_table(Base.metadata, "ingestion")
"""Who read a subject's records, and when (RULES I-4)."""

"""The recognition service's own tables."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from secondline.access_log import reads_table
from secondline.storage import UtcDateTime

BIG = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    pass


class EnvelopeRow(Base):
    """An accepted envelope from a partner, and its delivery to ingestion (the outbox).

    Inserted with its log entry in one transaction; ``delivered`` turns true once ingestion
    acknowledged the record, which is filed under the partner's own source id so that a
    redelivery after a crash is a replay there (R-3), never a second record.
    """

    __tablename__ = "recognition_envelopes"
    __table_args__ = (
        UniqueConstraint("partner", "source_id", name="uq_recognition_envelopes_source"),
        Index("ix_recognition_envelopes_pending", "delivered", "log_index"),
        Index("ix_recognition_envelopes_subject", "partner", "subject_key"),
    )

    log_index: Mapped[int] = mapped_column(BIG, primary_key=True, autoincrement=False)
    partner: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str] = mapped_column(String(128))
    digest: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_key: Mapped[str] = mapped_column(String(64))
    decided_on: Mapped[date] = mapped_column(Date)
    grade: Mapped[str] = mapped_column(String(32))
    valid_until: Mapped[date | None] = mapped_column(Date)
    score: Mapped[str] = mapped_column(String(32))
    effect: Mapped[str] = mapped_column(String(24))
    table_version: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    delivered: Mapped[bool] = mapped_column(Boolean)
    record_id: Mapped[str] = mapped_column(String(32))
    record_cursor: Mapped[str] = mapped_column(String(32))


class LogEntryRow(Base):
    """One entry of the transparency log (X-6): an envelope received or sent, append-only."""

    __tablename__ = "recognition_log"

    index: Mapped[int] = mapped_column(BIG, primary_key=True, autoincrement=False)
    envelope_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    direction: Mapped[str] = mapped_column(String(16))
    partner: Mapped[str] = mapped_column(String(16))
    envelope: Mapped[str] = mapped_column(Text)
    logged_at: Mapped[datetime] = mapped_column(UtcDateTime())


SubjectReads = reads_table(Base.metadata, "recognition")
"""Who read a subject's records, and when (RULES I-4)."""

"""The objection service's own tables."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from secondline.access_log import reads_table
from secondline.storage import UtcDateTime

BIG = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    pass


class ObjectionRow(Base):
    """An objection (O-1); ``answer_due`` is kept current for the listing (O-3)."""

    __tablename__ = "objection_objections"
    __table_args__ = (
        Index("ix_objection_objections_subject", "subject_key"),
        Index("ix_objection_objections_due", "answer_due", "seq"),
    )

    seq: Mapped[int] = mapped_column(BIG, primary_key=True, autoincrement=True)
    objection_id: Mapped[str] = mapped_column(String(32), unique=True)
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_key: Mapped[str] = mapped_column(String(64))
    against_class: Mapped[bool] = mapped_column(Boolean)
    statement: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)
    """JSON list of evidence references."""
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    filed_by: Mapped[str] = mapped_column(String(64))
    answer_due: Mapped[datetime] = mapped_column(UtcDateTime())
    """The earliest due instant among unanswered records; once decided, the latest."""
    status: Mapped[str | None] = mapped_column(String(16))
    """UPHELD, REJECTED or PARTLY_UPHELD once decided; none while open (OPEN/OVERDUE depend on the instant)."""
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class DisputedRow(Base):
    """A record under an objection, its owner's deadline (as its rule and its projection) and answer."""

    __tablename__ = "objection_records"
    __table_args__ = (Index("ix_objection_records_record", "record_id"), Index("ix_objection_records_owner", "owner"))

    objection_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    owner: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    received_on: Mapped[date] = mapped_column(Date)
    working_days: Mapped[int] = mapped_column(Integer)
    extension_reason: Mapped[str] = mapped_column(Text)
    due: Mapped[datetime] = mapped_column(UtcDateTime())
    provisional: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    remedy: Mapped[str] = mapped_column(Text)
    """JSON: ``{"withdraw": true}`` or ``{"correct": {...}}``."""


class RepairRow(Base):
    """A repair application (L-4)."""

    __tablename__ = "objection_repairs"
    __table_args__ = (Index("ix_objection_repairs_subject", "subject_key"), Index("ix_objection_repairs_listing", "listing_record_id"))

    seq: Mapped[int] = mapped_column(BIG, primary_key=True, autoincrement=True)
    repair_id: Mapped[str] = mapped_column(String(32), unique=True)
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_key: Mapped[str] = mapped_column(String(64))
    listing_record_id: Mapped[str] = mapped_column(String(32))
    list: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(32))
    commitment: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    filed_by: Mapped[str] = mapped_column(String(64))
    received_on: Mapped[date] = mapped_column(Date)
    working_days: Mapped[int] = mapped_column(Integer)
    due: Mapped[datetime] = mapped_column(UtcDateTime())
    provisional: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class MoveRow(Base):
    """The journal of deadline moves (extensions, calendar reloads), per objection or repair."""

    __tablename__ = "objection_journal"
    __table_args__ = (Index("ix_objection_journal_parent", "parent_id", "seq"),)

    seq: Mapped[int] = mapped_column(BIG, primary_key=True, autoincrement=True)
    parent_id: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(32))
    old_due: Mapped[datetime] = mapped_column(UtcDateTime())
    new_due: Mapped[datetime] = mapped_column(UtcDateTime())
    reason: Mapped[str] = mapped_column(Text)
    moved_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OutboxRow(Base):
    """A record to file through ingestion, committed with its decision, delivered until acknowledged."""

    __tablename__ = "objection_outbox"
    __table_args__ = (UniqueConstraint("source_id", name="uq_objection_outbox_source_id"),
                      Index("ix_objection_outbox_pending", "delivered_at", "seq"),
                      Index("ix_objection_outbox_parent", "parent_id"))

    seq: Mapped[int] = mapped_column(BIG, primary_key=True, autoincrement=True)
    parent_id: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(128))
    on_behalf_of: Mapped[str] = mapped_column(String(32))
    record: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    """When ingestion acknowledged it (or refused it for good: then ``error`` says why)."""
    record_id: Mapped[str] = mapped_column(String(32), default="")
    cursor: Mapped[int] = mapped_column(BIG, default=0)
    error: Mapped[str] = mapped_column(Text, default="")


class RequestRow(Base):
    """AIP-155: a request id seen from a caller, and what it created."""

    __tablename__ = "objection_requests"

    principal: Mapped[str] = mapped_column(String(80), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    result_id: Mapped[str] = mapped_column(String(32))


SubjectReads = reads_table(Base.metadata, "objection")
"""Who read a subject's records, and when (RULES I-4)."""

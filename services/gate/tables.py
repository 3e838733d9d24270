"""The gate's own table: the decision log (RULES M-3: every decision can be replayed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from secondline.storage import UtcDateTime

BIG = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    pass


class DecisionRow(Base):
    """One decision as the gate made it, with the inputs that reproduce it."""

    __tablename__ = "gate_decisions"
    __table_args__ = (Index("ix_gate_decisions_crossing", "crossing_id"),
                      Index("ix_gate_decisions_decided_at", "decided_at"))

    decision_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    crossing_id: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    """The crossing's instant."""
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime)
    port: Mapped[str] = mapped_column(String(64))
    lane: Mapped[str] = mapped_column(String(8))
    refused: Mapped[bool] = mapped_column(Boolean)
    config_version: Mapped[str] = mapped_column(String(64))
    classification_revision: Mapped[int] = mapped_column(BIG)
    degraded: Mapped[bool] = mapped_column(Boolean)
    inputs: Mapped[str] = mapped_column(Text)
    """The parties' states as decided on: JSON [[class, flags, rules], ...] in party order."""
    crossing: Mapped[bytes] = mapped_column(LargeBinary)
    """The Crossing message as sent."""
    decision: Mapped[bytes] = mapped_column(LargeBinary)
    """The Decision message as answered."""
    caller: Mapped[str] = mapped_column(String(140), server_default="")
    """Who asked for the decision: ``lane/<PORT>`` or ``operator/<name>``."""

"""The recognition service's tables: accepted envelopes (the outbox to ingestion) and the log.

Every method runs on the database's writer or reader threads. Appending to the transparency
log inserts the entry and commits, then extends the in-memory Merkle tree; appends happen on
the one writer thread, so the tree's order is the table's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, insert, select, update

from secondline.errors import AlreadyExists
from secondline.merkle import MerkleLog, leaf_hash
from secondline.storage import writer

from .inbound import Accepted
from .tables import EnvelopeRow, LogEntryRow

envelopes, log_entries = EnvelopeRow.__table__, LogEntryRow.__table__
RECEIVED, SENT = "RECEIVED", "SENT"


@dataclass(frozen=True)
class Filed:
    """An accepted envelope as stored, with its delivery state."""

    log_index: int
    partner: str
    source_id: str
    kind: str
    subject_type: str
    subject_key: str
    decided_on: object
    grade: str
    valid_until: object
    score: str
    effect: str
    table_version: str
    envelope_hash: bytes
    delivered: bool
    record_id: str
    record_cursor: str
    replayed: bool = False


class RecognitionStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writes = writer(engine)  # SQLite: BEGIN IMMEDIATE, so a writer waits for the lock
        self.tree = MerkleLog()

    def load(self) -> int:
        """Rebuild the in-memory tree from the stored leaves; its size."""
        with self.engine.connect() as conn:
            for (leaf,) in conn.execute(select(log_entries.c.leaf_hash).order_by(log_entries.c.index)):
                self.tree.append(bytes(leaf))
        return self.tree.size

    def accept(self, accepted: Accepted, now: datetime) -> Filed:
        """Store an accepted envelope and its log entry at once; a replay (R-3) stores nothing."""
        c = envelopes.c
        with self._writes.begin() as conn:
            prior = conn.execute(select(envelopes, log_entries.c.envelope_hash)
                                 .join(log_entries, log_entries.c.index == c.log_index)
                                 .where(c.partner == accepted.partner, c.source_id == accepted.source_id)).mappings().first()
            if prior is not None:
                if prior["digest"] != accepted.digest:
                    raise AlreadyExists(
                        message=(f"{accepted.partner} already sent source id {accepted.source_id!r} with different "
                                 f"content (log entry {prior['log_index']}) (R-3)"),
                        reason="SOURCE_ID_CONFLICT",
                        metadata={"partner": accepted.partner, "source_id": accepted.source_id})
                return _filed(prior, replayed=True)
            index = self.tree.size
            leaf = leaf_hash(accepted.envelope.encode())
            conn.execute(insert(log_entries).values(index=index, envelope_hash=accepted.envelope_hash, leaf_hash=leaf,
                                                    direction=RECEIVED, partner=accepted.partner,
                                                    envelope=accepted.envelope, logged_at=now))
            row = dict(log_index=index, partner=accepted.partner, source_id=accepted.source_id, digest=accepted.digest,
                       kind=accepted.kind, subject_type=accepted.subject_type, subject_key=accepted.subject_key,
                       decided_on=accepted.decided_on, grade=accepted.grade, valid_until=accepted.valid_until,
                       score=accepted.score, effect=accepted.effect, table_version=accepted.table_version,
                       received_at=now, delivered=False, record_id="", record_cursor="")
            conn.execute(insert(envelopes).values(**row))
        self.tree.append(leaf)
        return _filed({**row, "envelope_hash": accepted.envelope_hash})

    def append_sent(self, envelope: str, envelope_hash: bytes, partner: str, now: datetime) -> int:
        """Log an envelope the suite sends (X-6); the same envelope twice is one entry."""
        with self._writes.begin() as conn:
            known = conn.execute(select(log_entries.c.index).where(log_entries.c.envelope_hash == envelope_hash)).scalar()
            if known is not None:
                return known
            index = self.tree.size
            leaf = leaf_hash(envelope.encode())
            conn.execute(insert(log_entries).values(index=index, envelope_hash=envelope_hash, leaf_hash=leaf,
                                                    direction=SENT, partner=partner, envelope=envelope, logged_at=now))
        self.tree.append(leaf)
        return index

    def pending(self, limit: int) -> list[Filed]:
        """Accepted envelopes ingestion has not acknowledged yet, oldest first (the outbox)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(envelopes, log_entries.c.envelope_hash)
                                .join(log_entries, log_entries.c.index == envelopes.c.log_index)
                                .where(envelopes.c.delivered.is_(False))
                                .order_by(envelopes.c.log_index).limit(limit)).mappings()
            return [_filed(r) for r in rows]

    def delivered(self, log_index: int, record_id: str, record_cursor: str) -> None:
        with self._writes.begin() as conn:
            conn.execute(update(envelopes).where(envelopes.c.log_index == log_index)
                         .values(delivered=True, record_id=record_id, record_cursor=record_cursor))

    def filed(self, log_index: int) -> Filed | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(envelopes, log_entries.c.envelope_hash)
                               .join(log_entries, log_entries.c.index == envelopes.c.log_index)
                               .where(envelopes.c.log_index == log_index)).mappings().first()
            return _filed(row) if row is not None else None

    def entry(self, index: int):
        with self.engine.connect() as conn:
            return conn.execute(select(log_entries).where(log_entries.c.index == index)).mappings().first()

    def index_of(self, envelope_hash: bytes) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(select(log_entries.c.index).where(log_entries.c.envelope_hash == envelope_hash)).scalar()

    def has_sent_about(self, partner: str, subject_key: str) -> bool:
        """Whether the partner has sent records about the subject (X-1: what it may see)."""
        with self.engine.connect() as conn:
            return bool(conn.execute(select(func.count()).select_from(envelopes).where(
                envelopes.c.partner == partner, envelopes.c.subject_key == subject_key)).scalar())

    def subjects_sent(self, partner: str) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.execute(select(envelopes.c.subject_key).distinct().where(envelopes.c.partner == partner)).scalars())


def _filed(row, *, replayed: bool = False) -> Filed:
    return Filed(log_index=row["log_index"], partner=row["partner"], source_id=row["source_id"], kind=row["kind"],
                 subject_type=row["subject_type"], subject_key=row["subject_key"], decided_on=row["decided_on"],
                 grade=row["grade"], valid_until=row["valid_until"], score=row["score"], effect=row["effect"],
                 table_version=row["table_version"], envelope_hash=bytes(row["envelope_hash"]),
                 delivered=row["delivered"], record_id=row["record_id"], record_cursor=row["record_cursor"],
                 replayed=replayed)

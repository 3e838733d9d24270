"""Classification's reads of its tables: the cursor and revision, subjects' timelines and
facts, the change feed and the notable subjects (the writes are ``store.py``'s)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, or_, select

from .codec import load_timeline
from .domain import Fact, Segment
from .rows import KEY_CHUNK, _chunks, _fact, changes, cursors, records, subject_timelines, subjects

FEED = "ingestion"

# Statements run on every page of the feed, built once: SQLAlchemy builds a statement and
# computes its cache key on every call otherwise, several times the cost of running it in
# SQLite (about 180 µs against 50 for the latest revision).
LAST_REVISION = select(func.coalesce(func.max(changes.c.revision), 0))
APPLIED_CURSOR = select(cursors.c.value).where(cursors.c.name == FEED)
CHANGES_AFTER = (select(changes).where(changes.c.revision > bindparam("after"))
                 .order_by(changes.c.revision).limit(bindparam("limit")))


@dataclass(frozen=True)
class Change:
    revision: int
    subject_type: str
    subject_key: str
    effective_at: datetime
    timeline: list[Segment]
    record_id: str
    traceparent: str


class StoreReads:
    """The reading half of :class:`~.store.ClassificationStore` (its ``engine``)."""

    def _last_revision(self, conn) -> int:
        return conn.scalar(LAST_REVISION)

    # -- reading ---------------------------------------------------------------------------

    def cursor(self) -> int:
        with self.engine.connect() as conn:
            return conn.scalar(APPLIED_CURSOR) or 0

    def revision(self) -> int:
        with self.engine.connect() as conn:
            return self._last_revision(conn)

    def subject(self, key: str) -> tuple[list[Segment], int] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(changes.c.timeline, subjects.c.revision).select_from(subject_timelines)
                               .where(subjects.c.subject_key == key)).first()
        return (load_timeline(row.timeline), row.revision) if row else None

    def subjects_by_key(self, keys: list[str]) -> dict[str, tuple[list[Segment], int]]:
        found = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(set(keys)), KEY_CHUNK):
                for row in conn.execute(select(subjects.c.subject_key, changes.c.timeline, subjects.c.revision)
                                        .select_from(subject_timelines).where(subjects.c.subject_key.in_(chunk))):
                    found[row.subject_key] = (load_timeline(row.timeline), row.revision)
        return found

    def facts(self, key: str) -> list[Fact]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(records).where(records.c.subject_key == key, records.c.holds.is_(True))
                                .order_by(records.c.cursor)).mappings()
            return [_fact(row) for row in rows]

    def facts_by_key(self, keys: list[str]) -> dict[str, list[Fact]]:
        """The facts of many subjects at once (the export, I-3)."""
        found: dict[str, list[Fact]] = {k: [] for k in keys}
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(set(keys)), KEY_CHUNK):
                rows = conn.execute(select(records).where(records.c.subject_key.in_(chunk), records.c.holds.is_(True))
                                    .order_by(records.c.cursor)).mappings()
                for row in rows:
                    found[row["subject_key"]].append(_fact(row))
        return found

    def subjects_page(self, types: tuple[str, ...], after_key: str, limit: int) -> list[tuple[str, str, list[Segment]]]:
        """(key, type, timeline) of subjects of ``types`` after ``after_key``, in key order."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(subjects.c.subject_key, subjects.c.subject_type, changes.c.timeline)
                                .select_from(subject_timelines).where(subjects.c.subject_type.in_(types), subjects.c.subject_key > after_key)
                                .order_by(subjects.c.subject_key).limit(limit)).all()
        return [(r.subject_key, r.subject_type, load_timeline(r.timeline)) for r in rows]

    def changes_after(self, revision: int, limit: int) -> list[Change]:
        with self.engine.connect() as conn:
            rows = conn.execute(CHANGES_AFTER, {"after": revision, "limit": limit}).mappings().all()
        return [Change(r["revision"], r["subject_type"], r["subject_key"], r["effective_at"],
                       load_timeline(r["timeline"]), r["record_id"], r["traceparent"]) for r in rows]

    def notable(self, after_key: str, limit: int, since: datetime | None = None) -> list[tuple[str, str, list[Segment], int]]:
        """Subjects not plain whitelist now or later; with ``since``, also those that were at some
        instant from ``since`` on. A subject whose latest change took effect at or before
        ``since`` and left it plain whitelist from then on is plain at every instant from
        ``since``; any other subject not notable changed after ``since`` and is included."""
        query = (select(subjects.c.subject_key, subjects.c.subject_type, changes.c.timeline, subjects.c.revision)
                 .select_from(subject_timelines).where(subjects.c.subject_key > after_key))
        if since is None:
            query = query.where(subjects.c.notable.is_(True))
        else:
            query = query.where(or_(subjects.c.notable.is_(True), changes.c.effective_at > since))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(subjects.c.subject_key).limit(limit)).mappings().all()
        return [(r["subject_key"], r["subject_type"], load_timeline(r["timeline"]), r["revision"]) for r in rows]

    def subjects_with_kind(self, kinds: list[str], after_key: str, limit: int) -> list[tuple[str, str]]:
        """(key, type) of subjects holding records of ``kinds`` (candidate search, L-5), in key order."""
        with self.engine.connect() as conn:
            return list(conn.execute(select(records.c.subject_key, records.c.subject_type).distinct()
                                     .where(records.c.content_kind.in_(kinds), records.c.holds.is_(True),
                                            records.c.subject_key > after_key)
                                     .order_by(records.c.subject_key).limit(limit)).tuples())


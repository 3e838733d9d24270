"""Classification's rows: a record as it follows the feed (Incoming), to its row and back to a
fact, and a batch's rows as each subject's work."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from .domain import Fact, PlainFact
from .timelines import Work
from .tables import ChangeRow, CursorRow, RecordRow, SubjectRow

records, subjects, changes, cursors = (RecordRow.__table__, SubjectRow.__table__, ChangeRow.__table__,
                                      CursorRow.__table__)

subject_timelines = subjects.join(changes, changes.c.revision == subjects.c.revision)
"""Subjects with their timelines: a subject's is its latest change's (the row at its revision)."""


class Incoming(NamedTuple):
    """A record from ingestion's feed, as classification needs it (a tuple: the follower makes
    one a record, a million while catching up, at a fraction of a frozen dataclass's cost)."""

    record_id: str
    cursor: int
    kind: str
    content_kind: str
    source: str
    subject_type: str
    subject_key: str
    decided_on: date
    grade: str = ""
    list: str = ""
    severity: str = ""
    valid_until: date | None = None
    target_record_id: str = ""
    traceparent: str = ""
    objection_id: str = ""
    marked_at: datetime | None = None
    marked_records: tuple[str, ...] = ()
    effect: str = ""
    """A partner's record (R-7): what its grade maps to (X-3)."""
    source_id: str = ""
    """The filer's own id of the record (R-3): a department's feed names its records by it (I-2)."""


_CHUNK = 500
KEY_CHUNK = 100
"""Subjects' keys per ``IN`` list: with 500 keys PostgreSQL's planner scanned the whole subjects
table (80,000 rows, 12 ms a list) where a list of 100 went by its key's index (0.24 ms). Reading
5,000 subjects, half with records, from tables of 400,000 records: 210-260 ms of the server's
CPU with lists of 500, 140-220 ms with lists of 100 (bench/README, classification)."""


def _row(rec: Incoming, root_cursor: int) -> dict:
    return {
        "record_id": rec.record_id, "cursor": rec.cursor, "subject_type": rec.subject_type,
        "subject_key": rec.subject_key, "kind": rec.kind, "content_kind": rec.content_kind, "source": rec.source,
        "decided_on": rec.decided_on, "grade": rec.grade, "list": rec.list, "severity": rec.severity,
        "valid_until": rec.valid_until, "root_cursor": root_cursor, "holds": rec.kind != "WITHDRAWAL",
        "traceparent": rec.traceparent, "objection_id": rec.objection_id, "marked_at": rec.marked_at,
        "marked_records": " ".join(rec.marked_records), "effect": rec.effect, "source_id": rec.source_id,
    }


def _fact(row) -> Fact:
    return Fact(record_id=row["record_id"], source=row["source"], kind=row["content_kind"],
                decided_on=row["decided_on"], grade=row["grade"], list=row["list"], severity=row["severity"],
                valid_until=row["valid_until"], order=row["root_cursor"], traceparent=row["traceparent"],
                objection_id=row["objection_id"] or "", marked_at=row["marked_at"],
                marked_records=tuple((row["marked_records"] or "").split()), effect=row["effect"],
                source_id=row["source_id"] or "")


def _held_fact(row) -> Fact | PlainFact:
    """A fact as timelines are computed from it: without its trace and the filer's own id, which
    no rule reads (a shard holds every fact of the subjects it keeps, and receives each batch's);
    a :class:`PlainFact` where it has nothing beyond a plain fact's fields."""
    if not (row["list"] or row["severity"] or row["objection_id"] or row["marked_at"] is not None
            or row["marked_records"] or row["effect"]):
        return PlainFact(row["record_id"], row["source"], row["content_kind"], row["decided_on"], row["root_cursor"],
                         row["grade"], row["valid_until"])
    return Fact(record_id=row["record_id"], source=row["source"], kind=row["content_kind"],
                decided_on=row["decided_on"], grade=row["grade"], list=row["list"], severity=row["severity"],
                valid_until=row["valid_until"], order=row["root_cursor"], objection_id=row["objection_id"] or "",
                marked_at=row["marked_at"], marked_records=tuple((row["marked_records"] or "").split()),
                effect=row["effect"])


def _chunks(items: list, size: int = _CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _work(rows: list[dict], gone: dict[str, str], touched: dict) -> list[Work]:
    """Each touched subject's part of the batch, in key order (the order changes are numbered in)."""
    added: dict[str, list[Fact]] = {}
    for row in rows:
        if row["holds"]:
            added.setdefault(row["subject_key"], []).append(_held_fact(row))
    lost: dict[str, set[str]] = {}
    for record_id, key in gone.items():
        lost.setdefault(key, set()).add(record_id)
    return [Work(key, touched[key][0], tuple(added.get(key, ())), frozenset(lost.get(key, ()))) for key in sorted(touched)]

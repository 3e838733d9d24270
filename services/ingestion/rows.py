"""The record log's rows: a stored record to its row and back, and what one batch loads of the log."""

from __future__ import annotations

import json
import os
import time
from typing import Iterable, Iterator, NamedTuple

import orjson
from sqlalchemy import String, and_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY

from secondline.storage import select_rows

from .domain import Content, Draft, StoredRecord
from .tables import RecordRow


records = RecordRow.__table__
_LOOKUP_CHUNK = 500

# The statements every batch (and the record feed's every page) runs, built once: SQLAlchemy
# otherwise builds each and computes its cache key on every call, which costs several times
# what SQLite takes to run it (a record filed alone is a batch of one).
LAST_SEQ = select(func.coalesce(func.max(records.c.seq), 0))
BY_RECORD_IDS = select(records).where(records.c.record_id.in_(bindparam("ids", expanding=True)))
SUPERSEDING = (select(records.c.target_record_id, records.c.record_id)
               .where(records.c.target_record_id.in_(bindparam("ids", expanding=True))))
_BY_SOURCE_IDS = select(records).where(records.c.source == bindparam("source"),
                                       records.c.source_id.in_(bindparam("ids", expanding=True)))
_wanted = func.unnest(bindparam("sources", type_=ARRAY(String)), bindparam("source_ids", type_=ARRAY(String))) \
    .table_valued("source", "source_id").render_derived()
_BY_SOURCE_PAIRS = select(records).join(
    _wanted, and_(records.c.source == _wanted.c.source, records.c.source_id == _wanted.c.source_id))


class _Batch:
    """What a batch needs to know of the log, loaded in a few queries, plus its own new rows."""

    def __init__(self, conn, drafts: list[Draft]) -> None:
        self.by_source: dict[tuple[str, str], _Held] = {}
        self.by_id: dict[str, StoredRecord] = {}
        self.superseded: dict[str, str] = {}
        self.new_rows: list[list] = []
        """The values of each new row, in the order of :data:`COLUMNS`."""
        # One urandom call per batch: each call releases the GIL, and taking it back from a
        # busy event loop costs far more than the call itself.
        self._ids = _record_ids(len(drafts))
        # Feed positions continue from the log's last; the caller holds the write lock.
        self.next_seq = conn.scalar(LAST_SEQ) + 1
        source_keys = {(d.source, d.source_id) for d in drafts}
        target_ids: set[str] = set()
        for d in drafts:
            if d.content.mark is not None:
                target_ids.update(d.content.mark.record_ids)
            ref = d.content.target
            if ref is not None:
                if ref.record_id:
                    target_ids.add(ref.record_id)
                else:
                    source_keys.add((d.source, ref.source_id))
        found = []
        for chunk in _chunks(sorted(source_keys), _LOOKUP_CHUNK):
            found += _by_source_keys(conn, chunk)
        for chunk in _chunks(sorted(target_ids), _LOOKUP_CHUNK):
            found += conn.execute(BY_RECORD_IDS, {"ids": chunk})
        for row in found:
            self._hold(_from_row(row), row.digest)
        known = list(self.by_id)
        for chunk in _chunks(known, _LOOKUP_CHUNK):
            self.superseded.update(dict(conn.execute(SUPERSEDING, {"ids": chunk}).all()))

    def new_id(self) -> str:
        return next(self._ids)

    def _hold(self, record: StoredRecord, digest: str) -> None:
        self.by_source[(record.source, record.source_id)] = _Held(record, digest)
        self.by_id[record.record_id] = record

    def take_seq(self) -> int:
        self.next_seq += 1
        return self.next_seq - 1

    def add(self, record: StoredRecord, digest: str) -> None:
        self._hold(record, digest)
        if record.target_record_id:
            self.superseded[record.target_record_id] = record.record_id
        self.new_rows.append(_to_values(record, digest))


class _Held(NamedTuple):  # a tuple: built once a record, at a fraction of a frozen dataclass's cost
    record: StoredRecord
    digest_: str


class FeedRecord(NamedTuple):
    """A record as the feed serves it: the columns its message needs and the content as read
    from its stored JSON. A feed's records are only ever made into messages, so no Content or
    StoredRecord is built for them (that was half the feed's CPU); convert.fill_record
    reads either kind of record the same way."""

    seq: int
    record_id: str
    source: str
    source_id: str
    content_kind: str
    target_record_id: str
    submitted_at: object  # datetime
    submitted_on: object  # date
    late: bool
    backfilled: bool
    traceparent: str
    filed_by: str
    content_json: dict
    superseded_by: str = ""
    open_objection_ids: tuple = ()


FEED_PAGE = (select(*(records.c[name] for name in FeedRecord._fields[:12]), records.c.content)
             .where(records.c.seq > bindparam("after")).order_by(records.c.seq).limit(bindparam("limit")))


def feed_page(conn, after_seq: int, limit: int) -> list[FeedRecord]:
    """The records committed after ``after_seq``, in commit order, at most ``limit``."""
    loads = orjson.loads  # the same values as json.loads, in a quarter of the time
    return [FeedRecord(seq, record_id, source, source_id, content_kind, target or "", submitted_at, submitted_on,
                       late, backfilled, traceparent, filed_by or "", loads(content))
            for (seq, record_id, source, source_id, content_kind, target, submitted_at, submitted_on, late,
                 backfilled, traceparent, filed_by, content) in select_rows(conn, FEED_PAGE, {"after": after_seq,
                                                                                             "limit": limit})]


def _with_superseded():
    later = records.alias("later")
    return (select(records, later.c.record_id.label("superseded_by"))
            .select_from(records.outerjoin(later, later.c.target_record_id == records.c.record_id)))


COLUMNS = ("seq", "record_id", "source", "source_id", "kind", "content_kind", "subject_type", "subject_key",
           "decided_on", "submitted_at", "submitted_on", "late", "backfilled", "target_record_id", "content",
           "digest", "traceparent", "filed_by")
"""The columns of a new row, in the order :func:`_to_values` gives them (storage.insert_rows)."""


def _to_values(record: StoredRecord, digest: str) -> list:
    content = record.content
    subject = content.subject
    return [record.seq, record.record_id, record.source, record.source_id, content.kind, record.content_kind,
            subject.type, subject.key, content.decided_on, record.submitted_at, record.submitted_on, record.late,
            record.backfilled, record.target_record_id or None, content.canonical_json, digest, record.traceparent,
            record.filed_by]


def _to_row(record: StoredRecord, digest: str) -> dict:
    """The row of a stored record, by column name."""
    return dict(zip(COLUMNS, _to_values(record, digest)))


def _record_ids(count: int) -> Iterator[str]:
    """``count`` record ids: time-ordered UUIDs (version 7, RFC 9562) in hex, 32 characters as
    before, in increasing order. The first 48 bits are the filing instant in milliseconds and 74
    are random, so ids stay unique and unguessable while each table's id index grows at its end:
    at 1,000,000 records a random id dirtied a page at random in that index on every insert, and
    each transaction wrote most of the index again (bench/README, classification). The ids of one
    call share their instant and are sorted, so they too go in at the end one after the other.
    The random bits come from one ``os.urandom`` call for the batch, the version and variant set
    on the bytes: a call per id (as ``uuid_utils.uuid7`` makes) releases the GIL each time, and
    taking it back from a busy event loop cost the writer about 7 µs an id."""
    stamp = (time.time_ns() // 1_000_000).to_bytes(6, "big")
    entropy = bytearray(os.urandom(10 * count))
    for i in range(0, len(entropy), 10):
        entropy[i] = entropy[i] & 0x0F | 0x70  # version 7
        entropy[i + 2] = entropy[i + 2] & 0x3F | 0x80  # RFC 9562 variant
    for tail in sorted(bytes(entropy[i:i + 10]) for i in range(0, len(entropy), 10)):
        yield (stamp + tail).hex()


def _from_row(row, superseded: bool = False) -> StoredRecord:
    """A record from a result row of ``records``; ``superseded``: the row has ``superseded_by``
    (``_with_superseded``). Said rather than probed: probing a row for a column it lacks goes
    through SQLAlchemy's exceptions, which cost the record feed a third of its time."""
    return StoredRecord(
        record_id=row.record_id,
        source=row.source,
        source_id=row.source_id,
        content=Content.from_json(json.loads(row.content)),
        content_kind=row.content_kind,
        target_record_id=row.target_record_id or "",
        submitted_at=row.submitted_at,
        submitted_on=row.submitted_on,
        late=row.late,
        backfilled=row.backfilled,
        traceparent=row.traceparent,
        superseded_by=(row.superseded_by or "") if superseded else "",
        seq=row.seq,
        filed_by=row.filed_by or "",
    )


def _by_source_keys(conn, keys: list[tuple[str, str]]) -> list:
    """Rows with these (source, source_id), found through uq_ingestion_records_source.

    ``(source, source_id) IN ((..), ..)`` makes SQLite scan the whole table, and PostgreSQL
    plan an OR of one index scan per key (and psycopg re-parse a query whose text changes
    with the number of keys). So: on PostgreSQL one join with the keys unnested from two
    arrays; on SQLite one ``source = ? AND source_id IN (..)`` per source (a batch is
    usually one department's).
    """
    if conn.dialect.name == "postgresql":
        return list(conn.execute(_BY_SOURCE_PAIRS, {"sources": [s for s, _ in keys], "source_ids": [i for _, i in keys]}))
    by_source: dict[str, list[str]] = {}
    for source, source_id in keys:
        by_source.setdefault(source, []).append(source_id)
    found = []
    for source, ids in by_source.items():
        found += conn.execute(_BY_SOURCE_IDS, {"source": source, "ids": ids})
    return found


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]

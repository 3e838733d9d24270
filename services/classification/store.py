"""Following the record log into timelines, and publishing changes (RULES R-4, T-4, I-2).

``apply`` takes a batch of records from ingestion's feed, in feed order, and in one
transaction stores them, settles record chains (a correction replaces what it names, a
withdrawal removes it, R-4), recomputes every subject the batch touches, appends a change for
each subject whose timeline changed, and advances the stored cursor. Applying a record twice
changes nothing. ``publish_due`` appends the changes whose scheduled instant has passed.
Writers are serialised (one writer thread; on PostgreSQL an advisory lock), so revisions are
committed in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, bindparam, insert, select, update

from secondline.rules_config import RulesConfig
from secondline.storage import insert_many, insert_rows, lock_transaction, upsert, writer
from secondline.telemetry import context_from_traceparent, sampled, span_traceparent

from . import engine as rules_engine
from .codec import load_timeline
from .coverage import Coverage
from .reads import APPLIED_CURSOR, FEED, Change, StoreReads
from .rows import Incoming, _chunks, _row, _work, changes, cursors, records, subject_timelines, subjects
from .shards import Shards, load_subjects
from .timelines import Result, Timelines

WRITE_LOCK_KEY = 0x5EC0_C1A5
# Built once, bound per call (a statement built per call costs more than SQLite takes to run it).
_RECORDS_BY_ID = select(records).where(records.c.record_id.in_(bindparam("ids", expanding=True)))
_ANY_RECORD = select(records.c.record_id).limit(1)
_NO_LONGER_HOLDS = update(records).where(records.c.record_id.in_(bindparam("ids", expanding=True))).values(holds=False)
_SUBJECT_COLUMNS = ("subject_key", "subject_type", "revision", "next_change_at", "notable")
_CHANGE_COLUMNS = ("revision", "subject_key", "subject_type", "effective_at", "timeline", "record_id", "traceparent")
_CURSOR_COLUMNS = ("name", "value")
SHARD_FROM = 2000  # records in a batch from which the shards compute it (catching up)


@dataclass(frozen=True)
class _Side:
    """The shards, computing for this store's database."""

    shards: Shards
    url: str

    def commit(self, through: int) -> None:
        self.shards.commit(self.url, through)

    def rollback(self) -> None:
        self.shards.rollback(self.url)


@dataclass(frozen=True)
class _Prepared:
    """The batch after the one being applied, settled in its transaction and sent to the shards."""

    batch: list[Incoming]
    """As the caller gave it: the next call must give this very list."""
    after: int
    """The cursor the transaction that prepared it stores."""
    side: _Side
    number: int
    settled: tuple
    """Its rows, the records it ends (R-4) and the subjects it touches (``_settle_chains``)."""
    pending: list


class ClassificationStore(StoreReads):
    def __init__(self, engine: Engine, rules: RulesConfig, *, cache_size: int = 250_000, tracer=None,
                 workers: int = 0, shard_from: int = SHARD_FROM, incremental: bool = True, shards: Shards | None = None) -> None:
        """Writes (``apply``, ``publish_due``); the reads are :class:`~.reads.StoreReads`'.

        ``workers``: shard worker processes computing the timelines of batches of ``shard_from``
        records or more (catching up); 0, or a smaller batch: in the writer's own thread.
        ``shards``: workers to use rather than start (and not to stop: their owner does)."""
        self.engine = engine
        self._tracer = tracer
        self.rules = rules
        self._writes = writer(engine)
        # Kept: storage.insert_many compiles a statement once per statement object.
        self._insert_records, self._insert_changes = insert(records), insert(changes)
        self._upsert_subjects = upsert(engine, subjects, ["subject_key"])
        # The cursor's upsert too, run as the subjects' is (storage.insert_rows, compiled once):
        # built per batch and run through conn.execute it cost 320-460 µs of CPU on a slow day's
        # machine, kept but through conn.execute (its cache key computed each time) 185-220 µs,
        # its SQL alone 25 µs; and a record filed alone is a batch of its own.
        self._upsert_cursor = upsert(engine, cursors, ["name"])
        # Subjects' holding facts and timelines, kept between batches so that catching up does
        # not read back what it has just written. Bounded; a miss reads the tables. One side
        # holds a subject at a time: switching sides forgets what the other held.
        self._timelines = Timelines(rules, cache_size=cache_size, incremental=incremental)
        self._workers, self._shard_from = workers, shard_from
        self._shard_args = dict(cache_size=cache_size, incremental=incremental)
        self._shards, self._own_shards = shards, shards is None  # else started on the first large batch
        if shards is not None:
            self._workers = shards.count
        self._sharded = False  # which side holds the subjects now
        self._committed: int | None = None  # the cursor this store's last transaction stored
        self._coverage = Coverage()  # which subjects the side computing need not read
        self._number = 0  # batches staged, numbered
        self._prepared: _Prepared | None = None
        self._url = engine.url.render_as_string(hide_password=False)

    def close(self) -> None:
        if self._shards is not None and self._own_shards:
            self._shards.close()

    def _side(self, size: int) -> _Side:
        sharded = bool(self._workers) and size >= self._shard_from
        if sharded and self._shards is None:
            self._shards = Shards(self.rules, count=self._workers, **self._shard_args)
        side = _Side(self._shards, self._url) if sharded else self._timelines
        if sharded != self._sharded:
            if sharded:  # the shards take over: what the writer's timelines held, they must read
                handed = self._timelines.held_keys() if self._coverage.covers(self._timelines) else None
                self._timelines.forget()
            else:  # what the shards held is not known here
                handed = None
                self._shards.forget(self._url)
            self._sharded = sharded
            self._coverage.handed_over(side, handed)
        return side

    def _forget_held(self) -> None:
        self._timelines.forget()
        if self._shards is not None:
            self._shards.forget(self._url)

    # -- writing ---------------------------------------------------------------------------

    def apply(self, batch: list[Incoming], now: datetime, upcoming: list[Incoming] | None = None) -> int:
        """Apply records in feed order; returns the number of changes published.

        ``upcoming``: the batch the caller will apply next, where it has it already. With the
        shards, it is settled in this transaction (which sees this batch's records) and sent
        to them before this batch is published and committed, so they compute it meanwhile
        (the writer pipelined with the workers). The next call uses that work only if it is
        given that very batch and finds the cursor this transaction stored; else the shards
        drop it. Each batch is still one transaction with its cursor, numbered in order. The
        shards compute the next batch's scheduled instants as of this call's ``now``; its changes
        take effect at the next call's, and a scheduled change falling between the two is due
        at once and published by ``publish_due``.
        """
        side = staged = None
        prepared, self._prepared = self._prepared, None
        if prepared is not None:
            staged = prepared.side  # the shards may hold what they staged for it
        try:
            with self._writes.begin() as conn:
                lock_transaction(conn, WRITE_LOCK_KEY)
                applied = conn.scalar(APPLIED_CURSOR) or 0
                if applied != self._committed:  # this store's first batch, or another writer went on
                    self._coverage.lost()
                    if self._committed is not None:  # what this store holds may be older than the tables
                        self._forget_held()
                if prepared is not None and not (prepared.batch is batch and prepared.after == applied):
                    prepared.side.rollback()  # not the batch it was prepared for, or another writer went on
                    prepared = staged = None
                batch = [r for r in batch if r.cursor > applied]  # applying twice changes nothing
                if not batch:
                    return 0
                if prepared is not None:
                    side, number, (rows, gone, touched), pending = prepared.side, prepared.number, prepared.settled, prepared.pending
                else:
                    rows, gone, touched = self._settle_chains(conn, batch)
                    work = _work(rows, gone, touched)
                    side = staged = self._side(len(batch))
                    if applied == 0 and conn.scalar(_ANY_RECORD) is None:  # this side computes every record
                        self._coverage.tables_empty(side)
                    number = self._number = self._number + 1
                    only = self._coverage.only(side, (w.key for w in work))
                    if isinstance(side, _Side):  # the shards compute while the records are inserted
                        pending = side.shards.submit(side.url, work, now, number, only)
                    else:  # what each subject held before this batch is read before its records are inserted
                        results = side.compute(work, now, lambda keys: load_subjects(conn, keys), number, only)
                insert_many(conn, self._insert_records, rows)
                for chunk in _chunks(sorted(set(gone) - {r["record_id"] for r in rows})):
                    conn.execute(_NO_LONGER_HOLDS, {"ids": chunk})
                if isinstance(side, _Side):
                    self._prepared = self._prepare(conn, side, upcoming, batch[-1].cursor, now)
                    results = side.shards.results(pending)
                published = self._publish(conn, touched, results, now)
                insert_rows(conn, self._upsert_cursor, _CURSOR_COLUMNS, [[FEED, batch[-1].cursor]])
        except BaseException:
            self._prepared = None
            if staged is not None:
                staged.rollback()
            raise
        side.commit(number)  # only once committed; what the next batch staged stays staged
        self._committed = batch[-1].cursor
        return published

    def prepared_for(self, batch: list[Incoming]) -> bool:
        """Whether the last call prepared ``batch`` (this very list) for the next one."""
        return self._prepared is not None and self._prepared.batch is batch

    def _prepare(self, conn, side: _Side, upcoming: list[Incoming] | None, after: int, now: datetime) -> _Prepared | None:
        """The next batch settled and sent to the shards, to compute while this one is published
        (as if this one were committed: else what it computed is dropped)."""
        following = [r for r in upcoming or () if r.cursor > after]
        if len(following) < self._shard_from:  # that one goes to the writer's own thread, or there is none
            return None
        settled = self._settle_chains(conn, following)
        self._number += 1
        work = _work(*settled)
        pending = side.shards.submit(side.url, work, now, self._number, self._coverage.only(side, (w.key for w in work)))
        return _Prepared(upcoming, after, side, self._number, settled, pending)

    def _settle_chains(self, conn, batch: list[Incoming]) -> tuple[list[dict], dict[str, str], dict[str, tuple[str, Incoming]]]:
        """Rows to insert, the records that no longer hold (R-4) with their subjects, and the subjects touched."""
        known = self._load_targets(conn, batch)
        rows, gone, touched = [], {}, {}
        for rec in batch:
            root_cursor = rec.cursor
            if rec.target_record_id:
                target = known.get(rec.target_record_id)
                if target is not None:
                    gone[rec.target_record_id] = target["subject_key"]
                    target["holds"] = False
                    touched[target["subject_key"]] = (target["subject_type"], rec)
                    root_cursor = target["root_cursor"]
            row = _row(rec, root_cursor)
            known[rec.record_id] = row
            rows.append(row)
            touched[rec.subject_key] = (rec.subject_type, rec)
        return rows, gone, touched

    def _load_targets(self, conn, batch: list[Incoming]) -> dict[str, dict]:
        ids = sorted({r.target_record_id for r in batch if r.target_record_id})
        found: dict[str, dict] = {}
        for chunk in _chunks(ids):
            for row in conn.execute(_RECORDS_BY_ID, {"ids": chunk}).mappings():
                found[row["record_id"]] = dict(row)
        return found

    def _publish(self, conn, touched, results: list[Result], now: datetime) -> int:
        """A change for each subject whose timeline changed, numbered in key order."""
        revision = self._last_revision(conn)
        subject_rows, change_rows = [], []  # values in the order of _SUBJECT_COLUMNS, _CHANGE_COLUMNS
        for result in results:
            subject_type, cause = touched[result.key]
            revision += 1
            subject_rows.append([result.key, subject_type, revision, result.next_change_at, result.notable])
            change_rows.append([revision, result.key, subject_type, now, result.timeline, cause.record_id,
                                self._trace_change(cause, result.key, revision)])
        if subject_rows:
            insert_rows(conn, self._upsert_subjects, _SUBJECT_COLUMNS, subject_rows)
            insert_rows(conn, self._insert_changes, _CHANGE_COLUMNS, change_rows)
        return len(change_rows)

    def _trace_change(self, cause: Incoming, key: str, revision: int) -> str:
        """A span for the change, a child of the record's own trace; its context goes with the change.

        Only for sampled records: an unsampled trace passes its context on unchanged, at no cost.
        """
        parent = cause.traceparent
        if self._tracer is None or not sampled(parent):
            return parent
        span = self._tracer.start_span("classification.change", context=context_from_traceparent(parent),
                                       attributes={"secondline.revision": revision, "secondline.record_id": cause.record_id})
        span.end()
        return span_traceparent(span)

    def publish_due(self, now: datetime, limit: int = 1000) -> int:
        """Publish the scheduled changes whose instant has passed (E-X2, L-3, P-R ...)."""
        with self._writes.begin() as conn:
            lock_transaction(conn, WRITE_LOCK_KEY)
            due = conn.execute(select(subjects, changes.c.timeline).select_from(subject_timelines)
                               .where(subjects.c.next_change_at <= now)
                               .order_by(subjects.c.next_change_at, subjects.c.subject_key).limit(limit)).mappings().all()
            revision = self._last_revision(conn)
            for row in due:
                revision += 1
                segments = load_timeline(row["timeline"])
                at = row["next_change_at"]
                conn.execute(update(subjects).where(subjects.c.subject_key == row["subject_key"]).values(
                    revision=revision, next_change_at=rules_engine.next_change(segments, at),
                    notable=not rules_engine.is_plain_whitelist_from(segments, at)))
                conn.execute(insert(changes).values(
                    revision=revision, subject_key=row["subject_key"], subject_type=row["subject_type"],
                    effective_at=at, timeline=row["timeline"], record_id="", traceparent=""))
        return len(due)


__all__ = ["ClassificationStore", "Incoming", "Change", "FEED", "SHARD_FROM"]

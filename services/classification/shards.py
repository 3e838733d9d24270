"""Timelines computed by subject shards in worker processes, for the one writer (catching up on every core).

A subject belongs to shard ``crc32(key) % n``; each shard is one worker process (a
``ProcessPoolExecutor`` of one, so its calls run in the order they were sent) with a
:class:`~.timelines.Timelines` of its own, which holds its subjects between batches and reads
a subject it does not hold from the database (committed state: the writer's transaction is
not visible to it, and a batch's states are only taken as held once the writer has
committed, :meth:`Shards.commit`), unless the writer vouches that no record of it is there
(a fresh catch-up: ``Timelines.compute``'s ``only``). The writer meanwhile inserts the batch's
records; it then collects the shards' results, numbers the changes in key order and stores
them, so revisions stay in order and there is still one writer. While catching up the writer sends the next
batch before it publishes and commits this one (``ClassificationStore.apply``'s
``upcoming``): a shard stages each batch by number, computing the next from what this one
staged, and a commit names the batch it took.

A worker that dies, or a call that fails, fails the writer's batch: the follower retries it
from the stored cursor, and the shards start again holding nothing (they read what they need).
Workers are started with ``spawn``: the service runs gRPC and threads, which ``fork`` does not
carry safely. A worker whose service process is gone (killed, so that it could not shut the
pool down) ends itself: it would otherwise wait for calls for ever, holding its subjects.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
import zlib
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime

from sqlalchemy import Engine, bindparam, select

from secondline.pipes import size_pipes
from secondline.rules_config import RulesConfig
from secondline.storage import make_engine

from .domain import Fact, PlainFact
from .rows import KEY_CHUNK, _chunks, _held_fact, changes, records, subject_timelines, subjects
from .timelines import Result, Timelines, Work


def shard_of(key: str, count: int) -> int:
    return zlib.crc32(key.encode()) % count


# Built once, bound per call (a statement built per call costs more than SQLite takes to run it).
_TIMELINES_OF = (select(subjects.c.subject_key, changes.c.timeline).select_from(subject_timelines)
                 .where(subjects.c.subject_key.in_(bindparam("keys", expanding=True))))
_HOLDING_FACTS_OF = (select(records).where(records.c.subject_key.in_(bindparam("keys", expanding=True)),
                                           records.c.holds.is_(True)).order_by(records.c.cursor))


def load_subjects(conn, keys: list[str]) -> dict[str, tuple[tuple[Fact, ...], str | None]]:
    """Subjects' holding facts (in feed order) and stored timelines, by key."""
    found: dict[str, tuple[list[Fact], str | None]] = {key: ([], None) for key in keys}
    for chunk in _chunks(sorted(keys), KEY_CHUNK):
        for key, encoded in conn.execute(_TIMELINES_OF, {"keys": chunk}):
            found[key] = (found[key][0], encoded)
        for row in conn.execute(_HOLDING_FACTS_OF, {"keys": chunk}).mappings():
            found[row["subject_key"]][0].append(_held_fact(row))
    return {key: (tuple(facts), encoded) for key, (facts, encoded) in found.items()}


class Shards:
    """``count`` worker processes, each computing the timelines of its shard of subjects."""

    def __init__(self, rules: RulesConfig, *, count: int, cache_size: int, incremental: bool = True) -> None:
        self.count = count
        self._args = (rules, max(1, cache_size // count), incremental)
        self._pools: list[ProcessPoolExecutor] = []
        self.generation = 0
        """How many times the workers were started: started again, they hold nothing."""
        self._start()

    def _start(self) -> None:
        self.generation += 1
        context = multiprocessing.get_context("spawn")
        self._pools = [ProcessPoolExecutor(1, mp_context=context, initializer=_init, initargs=self._args)
                       for _ in range(self.count)]
        for pool in self._pools:
            _size_pipes(pool)

    def submit(self, url: str, work: list[Work], now: datetime, batch: int = 0,
               only: frozenset[str] | None = None) -> list[Future]:
        """Send each shard its part of ``work`` on the database at ``url`` (in the order given),
        to stage as batch number ``batch``; the futures of its results. ``only``: of the
        subjects a shard does not hold, the only ones the tables may have records of
        (``Timelines.compute``), given for this generation of the workers."""
        parts: list[list[tuple]] = [[] for _ in range(self.count)]
        for w in work:
            parts[shard_of(w.key, self.count)].append(_plain(w))
        return [pool.submit(_compute, url, part, now, batch, only) for pool, part in zip(self._pools, parts) if part]

    @staticmethod
    def results(futures: list[Future]) -> list[Result]:
        return sorted((r for future in futures for r in future.result()), key=lambda r: r.key)

    def commit(self, url: str, through: int | None = None) -> None:
        """The writer committed batches through number ``through`` (None: every one staged):
        what the shards staged for them is held (sent in order, not waited for)."""
        try:
            for pool in self._pools:
                pool.submit(_commit, url, through)
        except Exception:  # a worker is gone: start again, holding nothing
            self.close()
            self._start()

    def rollback(self, url: str) -> None:
        """After a failed batch: drop what it staged; if a worker is gone, start them all again."""
        try:
            for future in [pool.submit(_rollback, url) for pool in self._pools]:
                future.result()
        except Exception:
            self.close()
            self._start()

    def forget(self, url: str) -> None:
        for future in [pool.submit(_forget, url) for pool in self._pools]:
            future.result()

    def counts(self, url: str) -> dict[str, int]:
        found: dict[str, int] = {}
        for future in [pool.submit(_counts, url) for pool in self._pools]:
            for name, value in future.result().items():
                found[name] = found.get(name, 0) + value
        return found

    def close(self) -> None:
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)
        self._pools = []


# Work goes to a shard as plain tuples: the pickler writes a named tuple through its Python
# __getnewargs__, a call a fact, on the service's pool thread and under the GIL the writer
# needs (a tenth of a core while catching up); a plain tuple it writes in C. The shard makes
# them named tuples again with tuple.__new__, also in C. A fact's kind is told by its length.
_FACTS = {len(Fact._fields): Fact, len(PlainFact._fields): PlainFact}
assert len(_FACTS) == 2, "Fact and PlainFact are told apart by their number of fields"


def _plain(work: Work) -> tuple:
    return work.key, work.subject_type, tuple(map(tuple, work.added)), work.gone


def _typed(plain: tuple) -> Work:
    key, subject_type, added, gone = plain
    new = tuple.__new__
    return new(Work, (key, subject_type, tuple(new(_FACTS[len(f)], f) for f in added), gone))


def _size_pipes(pool: ProcessPoolExecutor) -> None:
    """The pool's two pipes (its calls, its results) sized to carry a batch's part at once
    (``secondline.pipes``): at 64 KiB a worker answering a few megabytes of timelines blocked
    on every 64 KiB until the pool's result thread, waiting for the GIL the writer and the event
    loop hold, had read it. The pipes are the queues' private connections, made when the pool
    is (its processes start at the first call, after this); should a Python release name them
    otherwise, the pipes stay as they are."""
    ends = [getattr(getattr(pool, queue, None), "_reader", None) for queue in ("_call_queue", "_result_queue")]
    size_pipes([end for end in ends if hasattr(end, "fileno")])  # one end a pipe: its capacity is the pipe's


# -- in the worker process -----------------------------------------------------------------------

_settings: tuple = ()
_states: dict[str, tuple[Engine, Timelines]] = {}


def _init(rules: RulesConfig, cache_size: int, incremental: bool) -> None:
    global _settings
    _settings = (rules, cache_size, incremental)
    threading.Thread(target=_end_with, args=(os.getppid(),), name="shard-parent-watch", daemon=True).start()
    # No cyclic collector while the shard works. What it makes (facts, contributions, held
    # states: tuples, strings, dates) is freed by reference counting, and makes no cycles: a
    # collection after every batch of a 100,000-record catch-up found none. The collector's
    # scans were its cost alone, about an eighth of a shard's CPU at 1,000,000 records: each
    # young generation scanned is tens of thousands of held objects, met at random in memory.
    # What cycles there might be (a library's, a failure's traceback) are collected when the
    # shard forgets or rolls back (_forget, _rollback).
    gc.disable()


def _end_with(parent: int, every: float = 1.0) -> None:
    """End this worker once the process that started it is gone (it is then another's child)."""
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(0)


def _state(url: str) -> tuple[Engine, Timelines]:
    """The database's engine and the shard's timelines of it (one database in a service; a test
    may use several, one after the other)."""
    if url not in _states:
        rules, cache_size, incremental = _settings
        _states[url] = (make_engine(url, pool_size=1), Timelines(rules, cache_size=cache_size, incremental=incremental))
    return _states[url]


def _compute(url: str, work: list[tuple], now: datetime, batch: int, only: frozenset[str] | None) -> list[Result]:
    engine, timelines = _state(url)
    work = [_typed(w) for w in work]

    def load(keys: list[str]):
        with engine.connect() as conn:
            return load_subjects(conn, keys)

    return timelines.compute(work, now, load, batch, only)


def _commit(url: str, through: int | None) -> None:
    _state(url)[1].commit(through)


def _rollback(url: str) -> None:
    _state(url)[1].rollback()
    gc.collect()  # after a failed batch (rare): its exception's traceback is a cycle


def _forget(url: str) -> None:
    _state(url)[1].forget()
    gc.collect()  # the collector is off in a shard (_init): what it held is gone, so this is quick


def _counts(url: str) -> dict[str, int]:
    return dict(_state(url)[1].counts)


__all__ = ["Shards", "shard_of", "load_subjects"]

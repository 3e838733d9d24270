"""Subjects' timelines kept between batches, and computed incrementally where a record only adds a fact.

The writer hands each batch's work over as one :class:`Work` per subject it touches: the facts
the batch adds, and the records of the subject that stopped holding (R-4). :class:`Timelines`
keeps, for the subjects it has seen, their holding facts, their contributions by group and
the digest of their encoded timeline (:class:`Held`), so that catching up does not read back
what it has just computed. A subject
it does not hold is loaded (its facts and its stored timeline) through the ``load`` it is
given, unless the writer vouches that the tables cannot hold a record of it (``compute``'s
``only``: a fresh catch-up, whose subjects are all new). Where a subject it holds only gains
facts of kinds that stand on their own (no kind in ``engine.DEPENDENT_KINDS``), the new facts'
contributions are merged into the groups it holds; otherwise the groups are computed again
from every fact. Groups equal to those held sweep
into the same timeline, so the subject is unchanged without a sweep; else the segments come
from the same sweep, and are exactly those of ``engine.timeline`` over the same facts
(``tests/integration/test_classification_sharded_apply.py``).

What a batch computes is *staged*: it becomes what is held only on :meth:`commit`, once the
writer's transaction is committed, and :meth:`rollback` drops it, so a failed transaction
leaves nothing ahead of the tables. Batches are staged in layers, by number: a batch computed
while the one before it is not committed yet (the writer pipelines them) starts from what
that one staged, and ``commit(through=n)`` takes as held the layers through batch ``n`` only. Nothing here does I/O itself; one instance serves the
writer in-process, and one runs in each shard worker process (``shards.py``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from hashlib import blake2b
from operator import attrgetter
from typing import NamedTuple

from secondline.rules_config import RulesConfig

from . import engine as rules_engine
from .codec import dump_timeline
from .domain import Fact


class Work(NamedTuple):
    """What one batch does to one subject."""

    key: str
    subject_type: str
    added: tuple[Fact, ...]
    """The facts the batch adds that still hold at its end, in feed order."""
    gone: frozenset[str]
    """Record ids of the subject that no longer hold (corrected or withdrawn, R-4)."""


class Result(NamedTuple):
    """A subject whose timeline changed: what the writer stores and publishes."""

    key: str
    timeline: str
    """The encoded timeline (codec.py)."""
    next_change_at: datetime | None
    notable: bool


class Held(NamedTuple):
    """What a subject is held as between batches: its facts, their contributions, and the
    digest of its encoded timeline, which is all it takes to tell whether the next timeline
    differs (a shard holds every subject it keeps: 16 bytes rather than the segments' objects
    or the text)."""

    facts: tuple[Fact, ...]
    groups: rules_engine.Groups
    digest: bytes
    """:func:`digest` of the encoded timeline."""


def digest(encoded: str) -> bytes:
    """BLAKE2b-128 of an encoded timeline (ASCII JSON). Equal digests are taken as equal texts:
    a different text has the same digest with a chance of 2**-128 a comparison."""
    return blake2b(encoded.encode(), digest_size=16).digest()


_KIND = attrgetter("kind")

Loader = Callable[[list[str]], dict[str, tuple[tuple[Fact, ...], str | None]]]
"""Subjects' holding facts and stored encoded timeline (None: never stored), by key."""


class Timelines:
    def __init__(self, rules: RulesConfig, *, cache_size: int, incremental: bool = True) -> None:
        self.rules = rules
        self.incremental = incremental
        self._size = cache_size
        self._held: OrderedDict[str, Held] = OrderedDict()
        self._staged: dict[int, dict[str, Held]] = {}  # by batch number, oldest first
        self._kept_all = True
        """Whether every subject committed here since it was made is still held (none evicted,
        nothing forgotten): see ``compute``'s ``only``."""
        self.counts = {"incremental": 0, "recomputed": 0, "loaded": 0, "new": 0}

    def compute(self, work: Iterable[Work], now: datetime, load: Loader, batch: int = 0,
                only: Collection[str] | None = None) -> list[Result]:
        """The subjects of ``work`` whose timeline changed, in the order of ``work``; staged as
        batch number ``batch`` (after any batch staged before it and not committed yet).

        A subject neither held nor staged is read with ``load``. ``only``: the writer's word
        that the tables hold records of no other subject than those computed here and those
        named in ``only`` (the tables held none when this started computing, ``only`` are the
        subjects another side computed before, and no other writer applied a batch since).
        Then, if nothing held was ever dropped, only those are read: a fresh catch-up meets
        200,000 subjects it has never seen, and each read found nothing (on PostgreSQL, a
        third to a half of the database server's CPU, bench/README)."""
        work = list(work)
        # What a subject is at now: the newest layer staged that has it, else what is held.
        layers = [*reversed(self._staged.values()), self._held]
        staged = self._staged.setdefault(batch, {})
        missing = [w.key for w in work if not any(w.key in layer for layer in layers)]
        if only is not None and self._kept_all:
            unseen = len(missing)
            missing = [key for key in missing if key in only]
            self.counts["new"] += unseen - len(missing)
        stored = load(missing) if missing else {}
        self.counts["loaded"] += len(missing)
        found: list[Result] = []
        dependent = rules_engine.DEPENDENT_KINDS
        for w in work:
            for layer in layers:
                held = layer.get(w.key)
                if held is not None:
                    break
            if held is not None:
                facts, previous = held.facts, held.digest
            else:
                facts, text = stored.get(w.key, ((), None))
                previous = digest(text) if text is not None else None
            after_facts = tuple(f for f in (*facts, *w.added) if f.record_id not in w.gone) if w.gone else (*facts, *w.added)
            if held is not None and self.incremental and not w.gone and dependent.isdisjoint(map(_KIND, w.added)):
                groups = rules_engine.with_independent(held.groups, w.subject_type, list(w.added), self.rules)
                self.counts["incremental"] += 1
            else:
                groups = rules_engine.groups(w.subject_type, list(after_facts), self.rules)
                self.counts["recomputed"] += 1
            if held is not None and groups == held.groups:
                # The same contributions sweep into the same segments: the timeline is unchanged
                # (and the groups held already stand for the new ones).
                staged[w.key] = Held(after_facts, held.groups, previous)
                continue
            segments = rules_engine.sweep(groups.flat())
            encoded = dump_timeline(segments)
            now_digest = digest(encoded)
            staged[w.key] = Held(after_facts, groups, now_digest)
            if now_digest == previous:
                continue
            found.append(Result(w.key, encoded, rules_engine.next_change(segments, now),
                                not rules_engine.is_plain_whitelist_from(segments, now)))
        return found

    def commit(self, through: int | None = None) -> None:
        """The states staged by batches through number ``through`` (every one: None) are now
        what the tables hold."""
        for batch in [b for b in self._staged if through is None or b <= through]:
            for key, held in self._staged.pop(batch).items():
                self._held[key] = held
                self._held.move_to_end(key)
        while len(self._held) > self._size:
            self._held.popitem(last=False)
            self._kept_all = False

    def rollback(self) -> None:
        self._staged.clear()

    def held_keys(self) -> set[str] | None:
        """The subjects held or staged here, or None if some were dropped (``compute``'s ``only``)."""
        if not self._kept_all:
            return None
        return {*self._held, *(key for layer in self._staged.values() for key in layer)}

    def forget(self) -> None:
        self._held.clear()
        self._staged.clear()
        self._kept_all = False


__all__ = ["Timelines", "Work", "Result", "Loader", "digest"]

"""The classification service's use cases over plain values (no grpc, no protos)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from secondline.clock import Clock
from secondline.dates import cst_date
from secondline.errors import FieldViolation, Unavailable
from secondline.feeds import pages
from secondline.rules_config import RulesConfig
from secondline.storage import Database

from . import engine as rules_engine
from .domain import DISHONESTY_FLAGS, Answer, Contribution, Fact, Segment
from .store import Change, ClassificationStore

WHITELIST_FOR_EVER = [Segment(None, None, "WHITELIST")]
FEED_PAGE = 500
POLL_SECONDS = 0.5


@dataclass(frozen=True)
class Candidate:
    subject_type: str
    subject_key: str
    record_ids: tuple[str, ...]
    criterion: str


class Progress:
    """What the follower and the scheduler have done; readers wait on it."""

    def __init__(self) -> None:
        self.cursor = 0
        self.revision = 0
        self.changed = asyncio.Condition()

    async def advance(self, cursor: int | None = None, revision: int | None = None) -> None:
        async with self.changed:
            if cursor is not None:
                self.cursor = max(self.cursor, cursor)
            if revision is not None:
                self.revision = max(self.revision, revision)
            self.changed.notify_all()


class Classification:
    def __init__(self, *, db: Database, store: ClassificationStore, rules: RulesConfig, clock: Clock, progress: Progress) -> None:
        self.db, self.store, self.rules, self.clock, self.progress = db, store, rules, clock, progress

    async def wait_for_cursor(self, cursor: int, timeout: float | None) -> None:
        """Read your writes: wait until the record feed has been applied through ``cursor``."""
        if self.progress.cursor >= cursor:
            return
        try:
            async with self.progress.changed:
                await asyncio.wait_for(self.progress.changed.wait_for(lambda: self.progress.cursor >= cursor), timeout)
        except TimeoutError:
            raise Unavailable(
                message=f"records through cursor {cursor} are not classified yet (at {self.progress.cursor})",
                reason="NOT_CAUGHT_UP", metadata={"cursor": str(self.progress.cursor)},
                violations=[FieldViolation("min_record_cursor", f"not reached yet: records are classified through {self.progress.cursor}")],
            ) from None

    async def timeline(self, key: str) -> tuple[list[Segment], int]:
        found = await self.db.read(self.store.subject, key)
        return found if found else (WHITELIST_FOR_EVER, 0)

    async def class_at(self, subject_type: str, key: str, at: datetime | None) -> tuple[Answer, int]:
        segments, revision = await self.timeline(key)
        return rules_engine.answer_at(segments, at or self.clock.now(), subject_type), revision

    async def classes_at(self, subjects: list[tuple[str, str]], at: datetime | None) -> list[tuple[Answer, int]]:
        found = await self.db.read(self.store.subjects_by_key, [k for _, k in subjects])
        instant = at or self.clock.now()
        return [(rules_engine.answer_at(found.get(k, (WHITELIST_FOR_EVER, 0))[0], instant, t), found.get(k, (None, 0))[1])
                for t, k in subjects]

    async def facts(self, key: str) -> list[Fact]:
        return await self.db.read(self.store.facts, key)

    async def restriction(self, subject_type: str, key: str, at: datetime | None) -> list[Contribution]:
        """L-2: the listings in force at ``at``; any at all means restricted (联合惩戒)."""
        answer, _ = await self.class_at(subject_type, key, at)
        return [c for c in answer.reasons if c.effect in DISHONESTY_FLAGS.values()]

    async def candidates(self, list_name: str, at: datetime | None, after_key: str, limit: int) -> tuple[list[Candidate], str]:
        """L-5: subjects meeting a list's criteria, not on it; never listed by the suite itself."""
        instant = at or self.clock.now()
        version = self.rules.in_force(cst_date(instant))
        rules = [r for r in version.candidates if r.list == list_name]
        kinds = sorted({k for r in rules for k in r.kinds})
        found: list[Candidate] = []
        cursor = after_key
        while rules and len(found) < limit:
            keys = await self.db.read(self.store.subjects_with_kind, kinds, cursor, limit)
            if not keys:
                cursor = ""
                break
            for key, subject_type in keys:
                cursor = key
                candidate = await self._candidate(subject_type, key, rules, list_name, instant)
                if candidate:
                    found.append(candidate)
                    if len(found) == limit:
                        break
        return found, cursor if len(found) == limit else ""

    async def _candidate(self, subject_type: str, key: str, rules, list_name: str, instant: datetime) -> Candidate | None:
        segments, _ = await self.timeline(key)
        answer = rules_engine.answer_at(segments, instant, subject_type)
        if DISHONESTY_FLAGS[list_name] in answer.flags:
            return None
        facts = await self.facts(key)
        for rule in rules:
            recent = [f for f in facts if f.kind in rule.kinds and f.decided_on <= cst_date(instant)
                      and rule.within.end(f.decided_on) > instant]
            if len(recent) >= rule.count:
                kind_names = "/".join(rule.kinds)
                criterion = f"{len(recent)} {kind_names} within {_period_text(rule.within)} (threshold {rule.count})"
                return Candidate(subject_type, key, tuple(f.record_id for f in recent), criterion)
        return None

    async def changes(self, after: int, *, follow: bool) -> AsyncIterator[Change]:
        """Changes after revision ``after`` in revision order; with ``follow``, forever."""
        async for page in self.change_pages(after, follow=follow):
            for change in page:
                yield change

    def change_pages(self, after: int, *, follow: bool) -> AsyncIterator[list[Change]]:
        """:meth:`changes` as the pages they are read in (at most ``FEED_PAGE`` changes each)."""
        return pages(lambda revision, size: self.db.read(self.store.changes_after, revision, size),
                     after=after, position=lambda change: change.revision, follow=follow,
                     page_size=FEED_PAGE, committed=self.progress.changed,
                     version=lambda: self.progress.revision, poll_seconds=POLL_SECONDS)


def _period_text(period) -> str:
    parts = [f"{n} {unit}" for n, unit in ((period.years, "years"), (period.months, "months"), (period.days, "days")) if n]
    return " ".join(parts)


__all__ = ["Classification", "Progress", "Candidate"]

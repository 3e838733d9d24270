"""Class results shared beyond the suite (RULES I-2, I-3): the departments' feed and the
desensitised export for credit firms, over plain values (no grpc, no protos).

- I-2: every class change, for one department: the class, its reasons by rule id with since and
  until, and the source ids of that department's own records behind each reason; individuals
  by the department's pseudonym (secondline.pseudonyms), never by document number.
- I-3: a snapshot as of an instant: business entities with class, reasons, since and until,
  the named measures of the catalogue, and the records behind as kind and decision date only;
  individuals as counts by class.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime

from secondline.dates import cst_date
from secondline.measures import MeasuresConfig
from secondline.pseudonyms import Pseudonyms

from . import engine as rules_engine
from .domain import DISHONESTY_FLAGS, DISHONESTY_PARTNER, ENTITY_TYPES, RISK_ALERT, Answer, Fact
from .usecases import Classification

LISTED = frozenset({*DISHONESTY_FLAGS.values(), DISHONESTY_PARTNER})


@dataclass(frozen=True)
class Shared:
    """One subject's class as a recipient may see it."""

    subject_type: str
    """``enterprise``, ``foreign`` or ``pseudonym``."""
    subject_id: str
    answer: Answer
    records: dict[str, tuple[str, date, str, str]]
    """By record id: (kind, decided on, source, source id) of the facts behind the answer."""
    measures: tuple[str, ...] = ()
    effective_at: datetime | None = None


@dataclass(frozen=True)
class Snapshot:
    at: datetime
    revision: int
    rules_version: str
    catalogue_version: str


def _records(facts: list[Fact]) -> dict[str, tuple[str, date, str, str]]:
    return {f.record_id: (f.kind, f.decided_on, f.source, f.source_id) for f in facts}


class Sharing:
    def __init__(self, classification: Classification, pseudonyms: Pseudonyms, measures: MeasuresConfig) -> None:
        self.c, self.pseudonyms, self.measures = classification, pseudonyms, measures

    async def department_changes(self, department: str, after: int, follow: bool) -> AsyncIterator[tuple[int, Shared]]:
        """I-2: every change after revision ``after``, as ``department/<department>`` sees it."""
        recipient = f"department/{department}"
        async for change in self.c.changes(after, follow=follow):
            answer = rules_engine.answer_at(change.timeline, change.effective_at, change.subject_type)
            facts = await self.c.facts(change.subject_key)
            own = [f for f in facts if f.source == department]
            if change.subject_type in ENTITY_TYPES:
                subject_type, subject_id = change.subject_type, change.subject_key
            else:
                subject_type, subject_id = "pseudonym", self.pseudonyms.of(recipient, change.subject_key)
            yield change.revision, Shared(subject_type, subject_id, answer, _records(own), effective_at=change.effective_at)

    async def snapshot(self, at: datetime | None) -> Snapshot:
        at = at or self.c.clock.now()
        epoch = int(at.timestamp())
        return Snapshot(at, await self.c.db.read(self.c.store.revision), self.c.rules.in_force(cst_date(at)).version,
                        self.measures.in_force(epoch).version)

    async def entities(self, snapshot: Snapshot, after_key: str, limit: int) -> list[Shared]:
        """I-3: a page of business entities after ``after_key``, desensitised."""
        rows = await self.c.db.read(self.c.store.subjects_page, ENTITY_TYPES, after_key, limit)
        facts = await self.c.db.read(self.c.store.facts_by_key, [k for k, _, _ in rows])
        catalogue = self.measures.in_force(int(snapshot.at.timestamp())).measures
        found = []
        for key, subject_type, timeline in rows:
            answer = rules_engine.answer_at(timeline, snapshot.at, subject_type)
            found.append(Shared(subject_type, key, answer, _records(facts[key]), _measures(answer, catalogue)))
        return found

    async def individual_counts(self, snapshot: Snapshot, page: int = 5000) -> dict[str, int]:
        """I-3: individuals by class as of the snapshot, counts only."""
        counts: Counter = Counter()
        after = ""
        while rows := await self.c.db.read(self.c.store.subjects_page, ("individual",), after, page):
            for key, subject_type, timeline in rows:
                counts[rules_engine.answer_at(timeline, snapshot.at, subject_type).klass] += 1
            after = rows[-1][0]
        return dict(counts)


def _measures(answer: Answer, catalogue) -> tuple[str, ...]:
    """The named measures of the catalogue for the entity (M-5, L-2), as the gate names them."""
    found = [m.name for m in catalogue.get(answer.klass, ())]
    if answer.flags & LISTED:
        found += [m.name for m in catalogue.get("LISTED", ())]
    if RISK_ALERT in answer.flags:
        found += [m.name for m in catalogue.get("RISK_ALERT", ())]
    return tuple(dict.fromkeys(found))


__all__ = ["Sharing", "Shared", "Snapshot"]

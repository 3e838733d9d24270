"""The rulebook as pure functions: facts in, a timeline out (RULES E, P, L, T-4).

``contributions`` turns a subject's facts into each rule's effect over an interval;
``timeline`` sweeps them into segments (strictest class wins); ``answer_at`` reads the class
as of any instant, past or future, with reasons and the scheduled end of the class (E-X3).
Nothing here does I/O, and the same facts in any order give the same timeline.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import datetime, timedelta
from operator import itemgetter
from typing import NamedTuple

from secondline.dates import start_of_day
from secondline.rules_config import RulesConfig

from .domain import (AEO, CLASS_RANK, DISHONESTY_FLAGS, ENTITY_TYPES, PARTNER_PREFIX, RISK_ALERT, UNDER_OBJECTION, WATCHLIST,
                     WHITELIST, Answer, Contribution, Fact, Segment)
from .partners import partner_grades

# E-W2..E-W4 for business entities; every one of them is P-W for an individual.
STAY_RULES = {"SMUGGLING_PENALTY": "E-W2", "SMUGGLING_CRIME": "E-W3", "DISHONESTY_LISTED": "E-W3",
              "OTHER_LEGAL_LISTING": "E-W4"}
INDIVIDUAL_STAY_KINDS = ("SMUGGLING_PENALTY", "SMUGGLING_CRIME", "DISHONESTY_LISTED")


def _key(fact: Fact):
    return (fact.decided_on, fact.order, fact.record_id)


# Kinds whose contributions depend on other facts of the subject (a revocation ends earlier
# grants, a rating replaces the department's last one, a removal ends a listing, a closing ends
# an objection's mark). A fact of any other kind contributes on its own alone (``_stays``,
# ``_risk_alerts``), so a record of such a kind only adds to a subject's contributions
# (``timelines.py`` updates a kept subject so).
DEPENDENT_KINDS = frozenset({"AEO_GRANTED", "AEO_REVOKED", "INDUSTRY_RATING", "DISHONESTY_LISTED", "DISHONESTY_REMOVED",
                             "OBJECTION_OPENED", "OBJECTION_CLOSED"})


class Groups(NamedTuple):
    """A subject's contributions in the order the sweep lists reasons. ``stays`` and ``alerts``
    come each from one fact alone; each is kept in one tuple after the key of its fact (its
    decision date, order and record id: ``_key``), in fact order."""

    head: tuple[Contribution, ...]
    """E-A, X-2, E-W1 and X-3 (business entities)."""
    stays: tuple[tuple, ...]
    """``(decided_on, order, record_id, contribution)`` each."""
    listings: tuple[Contribution, ...]
    alerts: tuple[tuple, ...]
    """Likewise."""
    objections: tuple[Contribution, ...]

    def flat(self) -> list[Contribution]:
        return [*self.head, *map(_CONTRIBUTION, self.stays), *self.listings, *map(_CONTRIBUTION, self.alerts),
                *self.objections]


_CONTRIBUTION, _FACT_KEY = itemgetter(3), itemgetter(0, 1, 2)  # of a stay's or an alert's tuple


def contributions(subject_type: str, facts: list[Fact], rules: RulesConfig) -> list[Contribution]:
    return groups(subject_type, facts, rules).flat()


def groups(subject_type: str, facts: list[Fact], rules: RulesConfig) -> Groups:
    facts = sorted(facts, key=_key)
    head: list[Contribution] = []
    if subject_type in ENTITY_TYPES:
        head += _aeo(facts)
        partners = [f for f in facts if f.source.startswith(PARTNER_PREFIX)]
        head += _lowest_grades([f for f in facts if not f.source.startswith(PARTNER_PREFIX)] if partners else facts, rules)
        head += partner_grades(partners, rules)
    return Groups(tuple(head), _stays(subject_type, facts, rules), tuple(_listings(facts, rules)), _risk_alerts(facts),
                  tuple(_objections(facts)))


def with_independent(held: Groups, subject_type: str, added: list[Fact], rules: RulesConfig) -> Groups:
    """``held`` with the contributions of ``added``, facts of no kind in DEPENDENT_KINDS: the
    same groups as computed from all the facts, since each of these stands on its own fact."""
    added = sorted(added, key=_key)
    return held._replace(stays=_merged(held.stays, _stays(subject_type, added, rules)),
                         alerts=_merged(held.alerts, _risk_alerts(added)))


def _merged(held: tuple, more: tuple) -> tuple:
    return tuple(sorted((*held, *more), key=_FACT_KEY)) if more else held


def _aeo(facts: list[Fact]) -> list[Contribution]:
    """E-A: from a grant's decision date until a later revocation or the grant's last day.

    X-2: a partner's certification (an MRA) is AEO while it is valid; a revocation ends the
    certifications of its own source only, so Chinese customs and each partner keep their own.
    """
    revocations = [f for f in facts if f.kind == "AEO_REVOKED"]
    found = []
    for grant in (f for f in facts if f.kind == "AEO_GRANTED"):
        ends, records = [], [grant.record_id]
        partner = grant.source.removeprefix(PARTNER_PREFIX) if grant.source.startswith(PARTNER_PREFIX) else ""
        later = next((r for r in revocations if _key(r) > _key(grant) and _same_issuer(r, grant)), None)
        if later is not None:
            ends.append(start_of_day(later.decided_on))
            records.append(later.record_id)
        if grant.valid_until is not None:
            ends.append(start_of_day(grant.valid_until + timedelta(days=1)))
        end = min(ends) if ends else None
        if partner:
            found.append(Contribution("X-2", AEO, start_of_day(grant.decided_on), end, tuple(records), partner, "E-A"))
        else:
            found.append(Contribution("E-A", AEO, start_of_day(grant.decided_on), end, tuple(records)))
    return found


def _same_issuer(revocation: Fact, grant: Fact) -> bool:
    """Any Chinese customs office's revocation ends a Chinese certification (E-A); a partner's, its own."""
    partner = grant.source.startswith(PARTNER_PREFIX)
    return revocation.source == grant.source if partner else not revocation.source.startswith(PARTNER_PREFIX)


def _lowest_grades(facts: list[Fact], rules: RulesConfig) -> list[Contribution]:
    """E-W1 and E-X1: while a department's latest rating is its scale's lowest grade."""
    by_department: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        if fact.kind == "INDUSTRY_RATING":
            by_department[fact.source].append(fact)
    found = []
    for ratings in by_department.values():  # the latest rating replaces the earlier one
        for rating, following in zip(ratings, [*ratings[1:], None]):
            scale = rules.in_force(rating.decided_on).scale(rating.source) or []
            if scale and rating.grade == scale[-1]:
                end = start_of_day(following.decided_on) if following else None
                records = (rating.record_id, following.record_id) if following else (rating.record_id,)
                found.append(Contribution("E-W1", WATCHLIST, start_of_day(rating.decided_on), end, records))
    return found


def _stays(subject_type: str, facts: list[Fact], rules: RulesConfig) -> tuple[tuple, ...]:
    """E-W2..E-W4 with E-X2, or P-W: each event holds for the configured stay (T-2).

    Overlapping stays join, so a new event inside a stay restarts the count from itself; a
    removal from a list does not shorten the stay of the listing (E-X2).
    """
    found = []
    entity = subject_type in ENTITY_TYPES
    for fact in facts:
        if entity and fact.kind in STAY_RULES:
            rule, period = STAY_RULES[fact.kind], rules.in_force(fact.decided_on).watchlist_stay
        elif subject_type == "individual" and fact.kind in INDIVIDUAL_STAY_KINDS:
            rule, period = "P-W", rules.in_force(fact.decided_on).individual_watchlist_stay
        else:
            continue
        found.append((fact.decided_on, fact.order, fact.record_id,
                      Contribution(rule, WATCHLIST, start_of_day(fact.decided_on), period.end(fact.decided_on), (fact.record_id,))))
    return tuple(found)


def _listings(facts: list[Fact], rules: RulesConfig) -> list[Contribution]:
    """L-1, L-3, L-4: listed from the decision date until removed or the publicity period ends."""
    found = []
    for listing in (f for f in facts if f.kind == "DISHONESTY_LISTED"):
        end = rules.in_force(listing.decided_on).publicity[listing.severity].end(listing.decided_on)
        records = [listing.record_id]
        removal = next((f for f in facts if f.kind == "DISHONESTY_REMOVED" and f.list == listing.list
                        and _key(f) > _key(listing)), None)
        if removal is not None and start_of_day(removal.decided_on) < end:
            end = start_of_day(removal.decided_on)
            records.append(removal.record_id)
        found.append(Contribution("L-1", DISHONESTY_FLAGS[listing.list], start_of_day(listing.decided_on), end, tuple(records)))
    return found


def _risk_alerts(facts: list[Fact]) -> tuple[tuple, ...]:
    """P-R: a risk alert holds from its decision date through its last valid day."""
    return tuple(
        (f.decided_on, f.order, f.record_id, Contribution("P-R", RISK_ALERT, start_of_day(f.decided_on), start_of_day(f.valid_until + timedelta(days=1)),
                               (f.record_id,)))
        for f in facts if f.kind == "RISK_ALERT" and f.valid_until is not None
    )


def _objections(facts: list[Fact]) -> list[Contribution]:
    """O-2: under objection from its receipt until it is decided, with the disputed records.

    A mark, not a class: the class stands until the objection is decided (and then follows
    the owner's withdrawal or correction, O-4).
    """
    closed = {f.objection_id: f.marked_at for f in facts if f.kind == "OBJECTION_CLOSED"}
    return [
        Contribution("O-2", UNDER_OBJECTION, f.marked_at, closed.get(f.objection_id), f.marked_records)
        for f in facts if f.kind == "OBJECTION_OPENED" and f.marked_at is not None
    ]


def timeline(subject_type: str, facts: list[Fact], rules: RulesConfig) -> list[Segment]:
    """Segments covering all of time, each with one class (strictest wins) and its flags."""
    return sweep(contributions(subject_type, facts, rules))


_FLAG_SETS: dict[frozenset[str], frozenset[str]] = {}
"""One frozenset per combination of flags: a subject's segments share them rather than each
holding its own (a shard holds the segments of every subject it keeps)."""


def _flag_set(flags: set[str]) -> frozenset[str]:
    found = frozenset(flags)
    return _FLAG_SETS.setdefault(found, found)


def sweep(contributed: list[Contribution]) -> list[Segment]:
    """The segments of a subject's contributions, listed in the order of ``contributed``.

    A sweep over the instants where a contribution starts or ends: the active set changes
    only there. The distinct contributions are numbered in the order first met, and the active
    set is a bit mask of those numbers, so that an instant where the set is what it was adds no
    segment, and each segment is built once, from the set over it, its reasons in that order.
    """
    distinct = list(dict.fromkeys(c for c in contributed if c.end is None or c.start < c.end))
    if not distinct:
        return [Segment(None, None, WHITELIST)]
    starting: dict[datetime, int] = {}
    ending: dict[datetime, int] = {}
    for bit, c in enumerate(distinct):
        starting[c.start] = starting.get(c.start, 0) | 1 << bit
        if c.end is not None:
            ending[c.end] = ending.get(c.end, 0) | 1 << bit
    rank = CLASS_RANK
    starts: list[datetime | None] = [None]
    states: list[tuple] = [(WHITELIST, (), frozenset())]
    active = shown = 0  # the set now, and the set of the last segment
    for at in sorted(starting.keys() | ending.keys()):
        active = (active | starting.get(at, 0)) & ~ending.get(at, 0)  # nothing starts and ends at one instant
        if active == shown:
            continue
        shown = active
        klass, flags, reasons = WHITELIST, set(), []
        for bit, c in enumerate(distinct):
            if active >> bit & 1:
                reasons.append(c)
                effect = c.effect
                if effect in rank:
                    if rank[effect] > rank[klass]:
                        klass = effect
                else:
                    flags.add(effect)
        starts.append(at)
        states.append((klass, tuple(reasons), _flag_set(flags)))
    ends = starts[1:]
    ends.append(None)
    return [Segment(start, end, *state) for start, end, state in zip(starts, ends, states)]


def answer_at(segments: list[Segment], instant: datetime, subject_type: str) -> Answer:
    """The class as of ``instant`` (T-4), since when, until when (E-X3), and why."""
    starts = [s.start for s in segments[1:]]
    i = bisect_right(starts, instant)
    current = segments[i]
    first = i
    while first > 0 and segments[first - 1].klass == current.klass:
        first -= 1
    last = i
    while last + 1 < len(segments) and segments[last + 1].klass == current.klass:
        last += 1
    return Answer(
        klass=current.klass,
        since=segments[first].start,
        until=segments[last].end,
        reasons=current.contributions,
        flags=current.flags,
        default_rule="E-B" if subject_type in ENTITY_TYPES else "P-B",
    )


def is_plain_whitelist_from(segments: list[Segment], instant: datetime) -> bool:
    """True when nothing distinguishes the subject from an unknown one, now or later."""
    for s in reversed(segments):  # those not over by ``instant`` are the last ones
        if s.end is not None and s.end <= instant:
            return True
        if s.klass != WHITELIST or s.flags:
            return False
    return True


def next_change(segments: list[Segment], instant: datetime) -> datetime | None:
    """The first instant after ``instant`` at which the subject's state changes."""
    found = None
    for s in reversed(segments):  # segments are in order of time: the last ones start latest
        if s.start is None or s.start <= instant:
            return found
        found = s.start
    return found


__all__ = ["contributions", "groups", "with_independent", "Groups", "DEPENDENT_KINDS", "sweep", "timeline", "answer_at", "is_plain_whitelist_from", "next_change", "STAY_RULES", "AEO"]

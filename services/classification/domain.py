"""What classification reasons about (RULES E, P, L), free of any framework.

A ``Fact`` is a record that holds: the newest version of a record chain (R-4) that was not
withdrawn. A ``Contribution`` is one rule's effect over an interval; a ``Segment`` is a stretch
of time with one class, its reasons and its flags; a subject's timeline is a list of segments
that covers all of time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

WHITELIST, AEO, WATCHLIST = "WHITELIST", "AEO", "WATCHLIST"
# Strictest wins (RULES E, M-2): a higher rank beats a lower one.
CLASS_RANK = {WHITELIST: 0, AEO: 1, WATCHLIST: 2}

RISK_ALERT = "RISK_ALERT"
UNDER_OBJECTION = "UNDER_OBJECTION"
DISHONESTY_FLAGS = {"ANTI_SMUGGLING": "DISHONESTY_ANTI_SMUGGLING", "MARITIME": "DISHONESTY_MARITIME"}
DISHONESTY_PARTNER = "DISHONESTY_PARTNER"
PARTNER_PREFIX = "partner/"
# Business entities (S-1): by USCC (S-2), or foreign operators by their S-4 code.
ENTITY_TYPES = ("enterprise", "foreign")


# Fact, Contribution and Segment are NamedTuples: classification builds millions of them
# while it catches up, and tuples are several times cheaper to make than frozen dataclasses.


class Fact(NamedTuple):
    record_id: str
    """The id of the record version that holds (the newest correction, or the original)."""
    source: str
    kind: str
    """The kind whose rules apply (a correction carries the kind of what it corrects)."""
    decided_on: date
    grade: str = ""
    list: str = ""
    severity: str = ""
    valid_until: date | None = None
    order: int = 0
    """Commit order of the chain's first record: breaks ties between facts of one day."""
    traceparent: str = ""
    objection_id: str = ""
    """OBJECTION_OPENED / OBJECTION_CLOSED: the objection (O-2)."""
    marked_at: datetime | None = None
    """When the objection's mark starts (opened) or ends (closed)."""
    marked_records: tuple[str, ...] = ()
    """OBJECTION_OPENED: the disputed records."""
    effect: str = ""
    """A partner's record (R-7): the local effect of its grade (X-3: AEO, LOWEST,
    SERIOUS_DISHONESTY, NONE); empty for a department's record."""
    source_id: str = ""
    """The filer's own id of the record (R-3); a department's feed names its records by it (I-2)."""


class PlainFact(NamedTuple):
    """A fact as most are (a rating, a penalty, a grant, an alert ...): no list, severity,
    objection, mark or partner's effect, and neither trace nor filer's id. It reads as a
    :class:`Fact` with those fields at their defaults, in 7 slots rather than 15: a shard holds
    every fact of the subjects it keeps (``rows._held_fact``)."""

    record_id: str
    source: str
    kind: str
    decided_on: date
    order: int = 0
    grade: str = ""
    valid_until: date | None = None
    # The rest of Fact's fields, at their defaults (class attributes: no slot in each fact).
    list = severity = traceparent = objection_id = effect = source_id = ""
    marked_at = None
    marked_records = ()


class Contribution(NamedTuple):
    rule: str
    """The rule id that applies (``E-W2``, ``P-R`` ...)."""
    effect: str
    """A class (``AEO``, ``WATCHLIST``) or a flag (``RISK_ALERT``, ``DISHONESTY_MARITIME``)."""
    start: datetime
    end: datetime | None
    """When the effect stops, if scheduled; ``None`` for no end."""
    records: tuple[str, ...]
    partner: str = ""
    """Where a partner's record is behind it (X-2, X-3): the partner."""
    counts_as: str = ""
    """Where a partner's record is behind it: the local rule its effect counts as (E-A, E-W1, E-W3, L-2)."""

    def covers(self, instant: datetime) -> bool:
        return self.start <= instant and (self.end is None or instant < self.end)


class Segment(NamedTuple):
    start: datetime | None
    """``None``: since ever."""
    end: datetime | None
    """``None``: for ever."""
    klass: str
    contributions: tuple[Contribution, ...] = ()
    flags: frozenset[str] = frozenset()

    @property
    def plain_whitelist(self) -> bool:
        return self.klass == WHITELIST and not self.flags


@dataclass(frozen=True)
class Answer:
    """A subject's class as of an instant (T-4), with its reasons (E-X3)."""

    klass: str
    since: datetime | None
    until: datetime | None
    """When the current class is scheduled to end; ``None`` when nothing ends it."""
    reasons: tuple[Contribution, ...]
    flags: frozenset[str]
    default_rule: str
    """E-B or P-B: the rule that makes a subject with no situation whitelisted."""

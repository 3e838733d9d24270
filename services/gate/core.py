"""The gate's use cases: decide crossings from the snapshot, log them, replay them.

Nothing here awaits: a decision is a few dict lookups, hashes and bytes joined on the event
loop (answers.py), and one append to the decision log's queue.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from itertools import count
from typing import NamedTuple

from secondline.clock import Clock
from secondline.errors import FieldViolation, InvalidArgument, NotFound
from secondline.gate.v1 import gate_pb2 as pb
from secondline.foreign_codes import parse_foreign
from secondline.identifiers import IdentifierError, parse_enterprise, parse_individual
from secondline.rpc.convert import instant_problem, within

from .decision_log import DecisionLog, Entry
from .measures import MeasuresConfig, MeasuresVersion
from .answers import decide_bytes, to_decision
from .policy import Party, decide
from .snapshot import PartyState, Snapshot

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)
CROSSING_ID_MAX = 128
PORT_MAX = 64  # longer than any port code: not echoed back
LANE_NAMES = {1: "GREEN", 2: "YELLOW", 3: "RED"}
ERROR_REASON = "INVALID_CROSSING"


class ParsedCrossing(NamedTuple):
    crossing_id: str
    at: datetime
    epoch: int
    port: str
    batch: bool
    parties: list[Party]
    version: MeasuresVersion | None  # in force at the crossing's instant


@lru_cache(maxsize=1 << 16)
def _enterprise(text: str) -> str:
    return parse_enterprise(text)


@lru_cache(maxsize=1 << 16)
def _foreign(text: str) -> str:
    return parse_foreign(text)


@lru_cache(maxsize=1 << 16)
def _individual(text: str) -> str:
    return parse_individual(text, today=date.max)  # as classification reads a query's subject


class Window(NamedTuple):
    """Which crossing instants the gate takes, around its clock (item of the settings
    ``crossing_window``): the snapshot keeps every subject's history for ``past``, so an older
    crossing would be decided on history the gate no longer holds (M-1, M-2, M-4 are read as of
    the crossing's instant) and is refused instead, naming the bound."""

    now: datetime
    past: timedelta
    future: timedelta | None
    earliest: int
    """``now - past`` in epoch seconds: a crossing's seconds compared as ints on the hot path."""
    latest: int | None
    now_us: int = 0
    """``now`` in epoch microseconds (what a decision's ``decided_at`` is written from)."""

    def outside(self, at: datetime, seconds: int) -> str | None:
        """Why a crossing at ``at`` (whole ``seconds``) is not taken, or None: two int
        comparisons, and ``within``'s words only for a crossing outside."""
        if seconds >= self.earliest and (self.latest is None or seconds <= self.latest):
            return None
        return within(at, self.now, past=self.past, future=self.future)


def parse_crossing(crossing: pb.Crossing, measures: MeasuresConfig, field: str = "crossing",
                   window: Window | None = None) -> ParsedCrossing:
    """The crossing's parties by canonical key; every problem named by field, all at once.

    ``window``: the instants taken (Decide); a replay decides a logged crossing without one."""
    # Each field read once: a string field read from a message is a new str every time.
    problems: list[FieldViolation] = []
    crossing_id = crossing.crossing_id
    if not crossing_id or len(crossing_id) > CROSSING_ID_MAX:
        problems.append(FieldViolation(f"{field}.crossing_id", f"is required, at most {CROSSING_ID_MAX} characters"))
    elif not crossing_id.isprintable():
        problems.append(FieldViolation(f"{field}.crossing_id", "must be printable characters (no control or bidirectional-override characters)"))
    epoch, at, version = 0, None, None
    if not crossing.HasField("at"):
        problems.append(FieldViolation(f"{field}.at", "is required: the crossing's instant"))
    else:
        stamp = crossing.at
        if problem := instant_problem(stamp):
            problems.append(FieldViolation(f"{field}.at", problem))
        else:
            epoch = stamp.seconds
            at = datetime.fromtimestamp(epoch, timezone.utc)
            outside = window.outside(at, epoch) if window is not None else None
            if outside:
                problems.append(FieldViolation(f"{field}.at", f"{outside} (crossing_window, M-1)"))
            else:
                version = measures.in_force(epoch)
    parties: list[Party] = []
    enterprise, foreign = crossing.enterprise, crossing.foreign_entity
    if enterprise:
        try:
            parties.append(Party("enterprise", _enterprise(enterprise), 0))
        except IdentifierError as exc:
            problems.append(FieldViolation(f"{field}.enterprise", f"is not a valid unified social credit code: {exc}"))
    if foreign:
        if enterprise:
            problems.append(FieldViolation(f"{field}.foreign_entity", "a crossing has one declaring entity: "
                                                                      "enterprise or foreign_entity, not both"))
        try:
            parties.append(Party("foreign", _foreign(foreign), 0))
        except IdentifierError as exc:
            problems.append(FieldViolation(f"{field}.foreign_entity", f"is not a valid S-4 operator code: {exc}"))
    individuals = crossing.individuals
    for index, person in enumerate(individuals):
        role = person.role
        if not role:
            problems.append(FieldViolation(f"{field}.individuals[{index}].role",
                                           "is required: DRIVER, DECLARANT, TRANSPORT_WORKER or TRAVELLER"))
        try:
            parties.append(Party("individual", _individual(person.id), role))
        except IdentifierError as exc:
            problems.append(FieldViolation(f"{field}.individuals[{index}].id", f"is not a valid identity document: {exc}"))
    if not enterprise and not foreign and not individuals:
        problems.append(FieldViolation(f"{field}.enterprise", "a crossing names at least one party: the entity or an individual"))
    port = crossing.port
    if port and version is not None and port not in version.ports:
        known = ", ".join(version.ports)
        named = repr(port) if len(port) <= PORT_MAX and port.isprintable() else "the port given"
        problems.append(FieldViolation(f"{field}.port", f"unknown port {named}; expected one of {known}"))
    if problems:
        raise InvalidArgument.of(problems, reason=ERROR_REASON)
    return ParsedCrossing(crossing_id, at, epoch, port, crossing.batch, parties, version)


@dataclass
class Gate:
    snapshot: Snapshot
    measures: MeasuresConfig
    log: DecisionLog
    clock: Clock
    past: timedelta = timedelta(hours=24)
    """How old a crossing may be: the snapshot keeps every subject's history this long (M-1)."""
    future: timedelta | None = None
    """How far ahead of the gate's clock a crossing may be; None: no bound."""

    def window(self) -> Window:
        """The crossing instants taken now, its bounds as whole epoch seconds computed in exact
        integers (µs), so that they are the bounds ``within`` applies: the first second not
        before ``now - past`` and the last not after ``now + future``."""
        now = self.clock.now()
        micros = (now - _EPOCH) // _MICROSECOND
        future = self._future_us
        return Window(now, self.past, self.future, -((self._past_us - micros) // 1_000_000),
                      None if future is None else (micros + future) // 1_000_000, micros)

    def __post_init__(self) -> None:
        self._past_us = self.past // _MICROSECOND
        self._future_us = None if self.future is None else self.future // _MICROSECOND
        self._prefix = os.urandom(6).hex()
        self._serial = count(1)

    def made_elsewhere(self, decision_id: str) -> bool:
        """Whether ``decision_id`` is shaped as the gate's ids (prefix, 10 hex digits) but was made
        by another process: a worker beside this one or another replica, whose queue may lag."""
        return (len(decision_id) == len(self._prefix) + 10 and not decision_id.startswith(self._prefix)
                and all(c in "0123456789abcdef" for c in decision_id))

    def degraded(self, epoch: int) -> bool:
        return self.snapshot.age() > self.measures.in_force(epoch).stale_fallback.after.seconds

    def decide(self, crossing: pb.Crossing, parsed: ParsedCrossing, caller: str = "", *,
               window: Window | None = None) -> bytes:
        """The decision for a parsed crossing as a Decision's wire bytes (``answers.decide_bytes``),
        logged as they are with who asked for it (``lane/HAIKOU``); decided at the instant of
        ``window`` (the one the crossing was taken in), read from the clock when not given."""
        snapshot = self.snapshot
        version = parsed.version
        age = snapshot.age()
        degraded = age > version.stale_fallback.after.seconds
        epoch = parsed.epoch
        states = [snapshot.party(p.subject_type, p.key, epoch) for p in parsed.parties]
        if window is None:
            window = self.window()
        decision_id = f"{self._prefix}{next(self._serial):010x}"
        revision = snapshot.revision
        decision, lane, refused = decide_bytes(
            crossing_id=parsed.crossing_id, epoch=epoch, port=parsed.port, batch=parsed.batch, parties=parsed.parties,
            states=states, version=version, degraded=degraded, decision_id=decision_id, revision=revision, age=age,
            decided_us=window.now_us)
        self.log.offer(Entry(decision_id, parsed.crossing_id, parsed.at, window.now, parsed.port, LANE_NAMES[lane],
                             refused, version.version, revision, degraded, states, crossing, decision, caller))
        return decision

    def replay(self, decision_id: str) -> tuple[pb.Crossing, pb.Decision, pb.Decision, str]:
        """The logged crossing and decision, the crossing decided again from the logged inputs,
        and who asked for the decision."""
        row = self.log.read(decision_id)
        if row is None:
            raise NotFound(message=f"no decision {decision_id[:64]!r} in the decision log", reason="DECISION_NOT_FOUND",
                           violations=[FieldViolation("decision_id", "names no logged decision")])
        crossing = pb.Crossing.FromString(row["crossing"])
        logged = pb.Decision.FromString(row["decision"])
        version = self.measures.named(row["config_version"])
        if version is None:
            raise NotFound(message=f"the measures catalogue no longer holds version {row['config_version']!r}",
                           reason="CONFIG_VERSION_NOT_FOUND")
        parsed = parse_crossing(crossing, self.measures)
        states = [PartyState(*s) for s in json.loads(row["inputs"])]
        outcome = decide(crossing_id=parsed.crossing_id, epoch=parsed.epoch, port=parsed.port, batch=parsed.batch,
                         parties=parsed.parties, states=states, version=version, degraded=row["degraded"])
        replayed = to_decision(outcome, decision_id=decision_id, crossing_id=parsed.crossing_id,
                               config_version=version.version, revision=row["classification_revision"],
                               age=logged.snapshot_age.ToTimedelta().total_seconds(), decided_at=row["decided_at"])
        return crossing, logged, replayed, row["caller"]


def same_answer(a: pb.Decision, b: pb.Decision) -> bool:
    """Whether two decisions agree on everything the policy decides (not on ids or clocks)."""
    def essence(d: pb.Decision):
        return (d.lane, d.refused, list(d.reasons), [m.SerializeToString() for m in d.measures],
                [p.SerializeToString() for p in d.parties], d.config_version, d.classification_revision,
                d.degraded, d.consolidated_declaration_due.SerializeToString(), d.refusal_detail)
    return essence(a) == essence(b)


__all__ = ["Gate", "Window", "ParsedCrossing", "parse_crossing", "to_decision", "same_answer"]

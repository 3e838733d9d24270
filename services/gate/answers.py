"""The gate's answer: a policy outcome as a ``Decision`` message, and decisions by shape.

:func:`to_decision` is the one way an outcome becomes a message (Decide, BatchDecide, replay).

:func:`decide_into` is Decide's way to it. A decision is a pure function (policy.decide) of
the version, the port, batch or not, whether the snapshot is stale, each party's kind, role and
state, each party's draw (M-3), and, for batch exit, the month's declaration day (M-4); the
crossing's id and the parties' keys enter only through the draws and are otherwise copied into
the answer. So the answer for a *shape* (all of those but the ids and keys) is built the first
time by policy.decide and to_decision and kept; a later crossing of the same shape gets a copy
with its own ids, keys, clock and revision written in. Building a Decision field by field costs
about as much as the rest of a Decide; copying one costs a fraction. Replay decides the logged
inputs the first way, so every logged decision is checked against the other (same_answer).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import NamedTuple

from secondline.gate.v1 import gate_pb2 as pb
from secondline.rpc.convert import date_to_proto

from .measures import MeasuresVersion
from .policy import Outcome, Party, declaration_due, decide, is_drawn, verdict
from .snapshot import ENTITY_TYPES, PartyState, flag_list

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)
def to_decision(outcome: Outcome, *, decision_id: str, crossing_id: str, config_version: str, revision: int,
                age: float, decided_at: datetime, into: pb.Decision | None = None) -> pb.Decision:
    """The answer for an outcome, written into ``into`` (the Decision inside the response
    being built, so that nothing is copied) or into a new Decision."""
    decision = pb.Decision() if into is None else into
    decision.config_version = config_version
    decision.lane = outcome.lane
    decision.refused = outcome.refused
    decision.reasons.extend(outcome.reasons)
    decision.degraded = outcome.degraded
    decision.refusal_detail = outcome.refusal_detail
    for measure in outcome.measures:
        setattr(decision.measures.add(name=measure.name, rule=measure.rule).subject,
                measure.party.subject_type, measure.party.key)
    for o in outcome.parties:
        setattr(decision.parties.add(role=o.party.role, credit_class=o.state.klass, flags=flag_list(o.state.flags),
                                     inspection_rate=o.rate, drawn=o.drawn, lane=o.lane, reasons=o.reasons).subject,
                o.party.subject_type, o.party.key)
    if outcome.declaration_due is not None:
        decision.consolidated_declaration_due.CopyFrom(date_to_proto(outcome.declaration_due))
    _own(decision, decision_id, crossing_id, revision, age, (decided_at - _EPOCH) // _MICROSECOND)
    return decision


def _own(decision: pb.Decision, decision_id: str, crossing_id: str, revision: int, age: float,
         decided_us: int) -> None:
    """What is this decision's alone: its ids, the snapshot's revision and age, the clock."""
    decision.decision_id = decision_id
    decision.crossing_id = crossing_id
    decision.classification_revision = revision
    stamp = decision.decided_at
    stamp.seconds, micros = divmod(decided_us, 1_000_000)
    stamp.nanos = micros * 1000
    span = decision.snapshot_age
    span.seconds, span.nanos = divmod(int(age * 1e9), 1_000_000_000)


class Shape(NamedTuple):
    """A decision made once, without its ids and keys, and what the log needs of it."""

    template: pb.Decision
    lane: int
    refused: bool
    measure_parties: tuple[int, ...]
    """For each of the template's measures, the index of the party it is for."""
    version: MeasuresVersion  # held so that the key's id(version) cannot be reused


_SHAPES: dict[tuple, Shape] = {}
SHAPES_KEPT = 1 << 14


def decide_into(decision: pb.Decision, *, crossing_id: str, epoch: int, port: str, batch: bool,
                parties: list[Party], states: list[PartyState], version: MeasuresVersion, degraded: bool,
                decision_id: str, revision: int, age: float, decided_us: int) -> tuple[int, bool]:
    """Decide a crossing into ``decision`` (empty), decided at ``decided_us`` (epoch µs); its
    lane and whether batch exit was refused."""
    name = version.version
    drawn = tuple(is_drawn(verdict(version, port, party.subject_type in ENTITY_TYPES, state), name, crossing_id, party)
                  for party, state in zip(parties, states))
    due = declaration_due(epoch, version.consolidated_declaration_day) if batch else None
    key = (id(version), port, batch, degraded, due, drawn,
           tuple((party.subject_type, party.role, state) for party, state in zip(parties, states)))
    shape = _SHAPES.get(key)
    if shape is None:
        shape = _shape(crossing_id, epoch, port, batch, parties, states, version, degraded)
        if len(_SHAPES) >= SHAPES_KEPT:
            _SHAPES.clear()
        _SHAPES[key] = shape
    decision.CopyFrom(shape.template)
    for party, message in zip(parties, decision.parties):
        setattr(message.subject, party.subject_type, party.key)
    if shape.measure_parties:
        for index, message in zip(shape.measure_parties, decision.measures):
            party = parties[index]
            setattr(message.subject, party.subject_type, party.key)
    _own(decision, decision_id, crossing_id, revision, age, decided_us)
    return shape.lane, shape.refused


def _shape(crossing_id: str, epoch: int, port: str, batch: bool, parties: list[Party], states: list[PartyState],
           version: MeasuresVersion, degraded: bool) -> Shape:
    outcome = decide(crossing_id=crossing_id, epoch=epoch, port=port, batch=batch, parties=parties, states=states,
                     version=version, degraded=degraded)
    template = to_decision(outcome, decision_id="", crossing_id="", config_version=version.version, revision=0,
                           age=0.0, decided_at=_EPOCH)
    for field in ("decided_at", "snapshot_age"):
        template.ClearField(field)
    for message in (*template.parties, *template.measures):
        message.ClearField("subject")
    indices = tuple(next(i for i, o in enumerate(outcome.parties) if o.party is m.party) for m in outcome.measures)
    return Shape(template, outcome.lane, outcome.refused, indices, version)


__all__ = ["to_decision", "decide_into", "Shape"]

"""The gate's answer: a policy outcome as a ``Decision`` message, and decisions by shape as wire bytes.

:func:`to_decision` is the one way an outcome becomes a message (replay, and each shape once).

:func:`decide_bytes` is Decide's and BatchDecide's way to it. A decision is a pure function
(policy.decide) of the version, the port, batch or not, whether the snapshot is stale, each
party's kind, role and state, each party's draw (M-3), and, for batch exit, the month's
declaration day (M-4); the crossing's id and the parties' keys enter only through the draws and
are otherwise copied into the answer. So the answer for a *shape* (all of those but the ids and
keys) is built the first time by policy.decide and to_decision, and kept as protobuf serialized
it (SerializeToString): the Decision's fields but its parties, measures and own fields, and each
party's and measure's element without its subject. A later crossing of the same shape gets those
bytes with its own written around them (secondline.services.gate.wire): each party's subject,
its ids, the snapshot's revision and age, the clock. The result is the Decision's encoding,
which Decide answers inside its response and the decision log stores as it is: no Decision
message is built, copied or serialized per call (building one field by field costs about as
much as the rest of a Decide; copying one and serializing it twice, for the answer and for the
log, most of what is left). Replay decides the logged inputs the first way and parses the
stored bytes, so every logged decision is checked against the other (same_answer); the tests
compare the two over generated crossings.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import NamedTuple

from secondline.common.v1 import common_pb2
from secondline.gate.v1 import gate_pb2 as pb
from secondline.rpc.convert import date_to_proto

from .measures import MeasuresVersion
from .policy import Outcome, Party, declaration_due, decide, is_drawn, verdict
from .snapshot import ENTITY_TYPES, PartyState, flag_list
from .wire import delimited, tag, varint

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)
def to_decision(outcome: Outcome, *, decision_id: str, crossing_id: str, config_version: str, revision: int,
                age: float, decided_at: datetime) -> pb.Decision:
    """The answer for an outcome, as a message."""
    decision = pb.Decision()
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


_FIELDS = pb.Decision.DESCRIPTOR.fields_by_name
_PARTIES, _MEASURES = tag(_FIELDS["parties"]), tag(_FIELDS["measures"])
_DECISION_ID, _CROSSING_ID = tag(_FIELDS["decision_id"]), tag(_FIELDS["crossing_id"])
_REVISION, _AGE, _DECIDED_AT = tag(_FIELDS["classification_revision"]), tag(_FIELDS["snapshot_age"]), tag(_FIELDS["decided_at"])
_OWN = ("decision_id", "crossing_id", "classification_revision", "snapshot_age", "decided_at")
"""The fields :func:`_own` writes: each call's own, never in a shape's bytes."""
_AGE_SECONDS, _AGE_NANOS = (tag(_FIELDS["snapshot_age"].message_type.fields_by_name[f]) for f in ("seconds", "nanos"))
_AT_SECONDS, _AT_NANOS = (tag(_FIELDS["decided_at"].message_type.fields_by_name[f]) for f in ("seconds", "nanos"))
_PARTY_SUBJECT = tag(pb.PartyDecision.DESCRIPTOR.fields_by_name["subject"])
_MEASURE_SUBJECT = tag(pb.Measure.DESCRIPTOR.fields_by_name["subject"])
_SUBJECT_KIND = {field.name: tag(field) for field in common_pb2.SubjectId.DESCRIPTOR.oneofs_by_name["id"].fields}
"""A SubjectId's field for each kind of party (``Party.subject_type``)."""
_DECIDE_DECISION = tag(pb.DecideResponse.DESCRIPTOR.fields_by_name["decision"])
_BATCH_DECISION = tag(pb.BatchDecideResponse.DESCRIPTOR.fields_by_name["decisions"])


class Shape(NamedTuple):
    """A decision made once, without its ids and keys, as bytes; and what the log needs of it."""

    head: bytes
    """The Decision's fields but its parties, measures and own fields, serialized."""
    parties: tuple[bytes, ...]
    """Each party's PartyDecision but its subject, serialized."""
    measures: tuple[tuple[int, bytes], ...]
    """Each measure: the index of the party it is for, and its Measure but the subject, serialized."""
    lane: int
    refused: bool
    version: MeasuresVersion  # held so that the key's id(version) cannot be reused


_SHAPES: dict[tuple, Shape] = {}
SHAPES_KEPT = 1 << 14


def decide_bytes(*, crossing_id: str, epoch: int, port: str, batch: bool, parties: list[Party],
                 states: list[PartyState], version: MeasuresVersion, degraded: bool, decision_id: str,
                 revision: int, age: float, decided_us: int) -> tuple[bytes, int, bool]:
    """Decide a crossing, decided at ``decided_us`` (epoch µs): the Decision's encoding, its
    lane, and whether batch exit was refused."""
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
    out = [shape.head]
    subjects = [delimited(_SUBJECT_KIND[party.subject_type], party.key.encode()) for party in parties]
    for subject, element in zip(subjects, shape.parties):
        out.append(delimited(_PARTIES, delimited(_PARTY_SUBJECT, subject) + element))
    for index, element in shape.measures:
        out.append(delimited(_MEASURES, element + delimited(_MEASURE_SUBJECT, subjects[index])))
    if decision_id:
        out.append(delimited(_DECISION_ID, decision_id.encode()))
    if crossing_id:
        out.append(delimited(_CROSSING_ID, crossing_id.encode()))
    if revision:
        out.append(_REVISION + varint(revision))
    seconds, nanos = divmod(int(age * 1e9), 1_000_000_000)
    out.append(delimited(_AGE, (_AGE_SECONDS + varint(seconds) if seconds else b"")
                         + (_AGE_NANOS + varint(nanos) if nanos else b"")))
    seconds, micros = divmod(decided_us, 1_000_000)
    out.append(delimited(_DECIDED_AT, _seconds(seconds) + (_AT_NANOS + varint(micros * 1000) if micros else b"")))
    return b"".join(out), shape.lane, shape.refused


@lru_cache(maxsize=4)
def _seconds(seconds: int) -> bytes:
    """``decided_at``'s seconds field, which changes once a second (left out at 0, as proto3 does)."""
    return _AT_SECONDS + varint(seconds) if seconds else b""


def decide_response(decision: bytes) -> bytes:
    """A DecideResponse's encoding, around a Decision's."""
    return _DECIDE_DECISION + varint(len(decision)) + decision


def batch_decision(decision: bytes) -> bytes:
    """One decision of a BatchDecideResponse's encoding: the response is these concatenated."""
    return _BATCH_DECISION + varint(len(decision)) + decision


def _shape(crossing_id: str, epoch: int, port: str, batch: bool, parties: list[Party], states: list[PartyState],
           version: MeasuresVersion, degraded: bool) -> Shape:
    outcome = decide(crossing_id=crossing_id, epoch=epoch, port=port, batch=batch, parties=parties, states=states,
                     version=version, degraded=degraded)
    template = to_decision(outcome, decision_id="", crossing_id="", config_version=version.version, revision=0,
                           age=0.0, decided_at=_EPOCH)
    for message in (*template.parties, *template.measures):
        message.ClearField("subject")
    elements = tuple(message.SerializeToString() for message in template.parties)
    indices = (next(i for i, o in enumerate(outcome.parties) if o.party is m.party) for m in outcome.measures)
    measures = tuple((index, message.SerializeToString()) for index, message in zip(indices, template.measures))
    for field in ("parties", "measures", *_OWN):
        template.ClearField(field)
    return Shape(template.SerializeToString(), elements, measures, outcome.lane, outcome.refused, version)


__all__ = ["to_decision", "decide_bytes", "decide_response", "batch_decision", "Shape"]

"""The gate's hand-written wire bytes (services/gate/wire.py, answers.decide_bytes) against
protobuf's own: a varint of every length from 1 to 10 bytes, and (hypothesis) a decision of any
parties, keys of any length and script, revision, snapshot age and instant parses to the message
to_decision builds and serializes byte for byte as it (M-1 .. M-5: the answer's fields)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secondline.gate.v1 import gate_pb2 as pb
from secondline.services.gate.answers import batch_decision, decide_bytes, decide_response, to_decision
from secondline.services.gate.measures import load_measures
from secondline.services.gate.policy import Party, decide
from secondline.services.gate.snapshot import CLASS_NAMES, FLAGS, RISK_ALERT_BIT, RULE_BIT, RULES, WATCHLIST, PartyState
from secondline.services.gate.wire import tag, varint

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
INT64 = (-(1 << 63), (1 << 63) - 1)
VERSION = load_measures().versions[0]
_REVISION = pb.Decision.DESCRIPTOR.fields_by_name["classification_revision"]


def _protobuf_varint(n: int) -> bytes:
    """``n``'s varint as protobuf writes it: an int64 field's encoding less its one-byte tag."""
    return pb.Decision(classification_revision=n).SerializeToString()[1:] if n else b"\x00"


def test_a_varint_of_every_length_is_protobufs():
    lengths = set()
    for bits in range(0, 64):
        for n in {(1 << bits) - 1, 1 << bits, (1 << bits) + 1}:
            if n <= INT64[1]:
                for m in (n, -n):
                    assert varint(m) == _protobuf_varint(m), m
                    lengths.add(len(varint(m)))
    assert lengths == set(range(1, 11))  # 1 byte below 128, ..., 10 for a negative int64
    assert tag(_REVISION) == pb.Decision(classification_revision=1).SerializeToString()[:1]
    for outside in (1 << 64, -(1 << 63) - 1):
        with pytest.raises(ValueError):
            varint(outside)


@given(st.integers(*INT64))
def test_any_int64_is_written_as_protobuf_writes_it(n):
    assert varint(n) == _protobuf_varint(n)


def _key():
    """A party's key: any text (UTF-8 of 1 to 4 bytes a character), short, or long enough that
    its length, and so every length around it, takes a varint of three bytes."""
    return st.one_of(st.text(max_size=40), st.text(min_size=1, max_size=3).map(lambda t: t * (17_000 // len(t))))


_STATE = st.builds(PartyState, st.sampled_from(sorted(CLASS_NAMES)), st.integers(0, (1 << len(FLAGS)) - 1),
                   st.integers(0, (1 << len(RULES)) - 1))
_ENTITY = st.builds(Party, st.sampled_from(["enterprise", "foreign"]), _key(), st.just(0))
_INDIVIDUAL = st.builds(Party, st.just("individual"), _key(),
                        st.sampled_from([pb.ROLE_DRIVER, pb.ROLE_DECLARANT, pb.ROLE_TRANSPORT_WORKER, pb.ROLE_TRAVELLER]))


@st.composite
def _crossings(draw):
    entity = draw(st.lists(_ENTITY, max_size=1))
    parties = entity + draw(st.lists(_INDIVIDUAL, min_size=0 if entity else 1, max_size=4))
    return dict(
        crossing_id=draw(st.text(min_size=1, max_size=130)), epoch=draw(st.integers(946_684_800, 4_102_444_800)),
        port=draw(st.sampled_from(["", *VERSION.ports])), batch=draw(st.booleans()), parties=parties,
        states=[draw(_STATE) for _ in parties], version=VERSION, degraded=draw(st.booleans()),
        decision_id=draw(st.text(max_size=30)), revision=draw(st.integers(*INT64)),
        age=draw(st.one_of(st.just(0.0), st.floats(0, 3e11, allow_nan=False))),
        # from year 1 to 9999: Timestamp seconds negative (ten bytes) to twelve digits
        decided_us=draw(st.integers(-62_135_596_800_000_000, 253_402_300_799_999_999)))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_crossings())
def test_a_decisions_bytes_are_the_message_to_decision_builds(crossing):
    _check(crossing)


@pytest.mark.parametrize("decided_us", [0, 999_999, 1_000_000, -1, -1_000_000, 1_764_657_600_000_000])
@pytest.mark.parametrize("revision", [0, 1, -1, INT64[1]])
@pytest.mark.parametrize("age", [0.0, 0.5, 1.0, 86_400.25])
def test_zeros_are_left_out_as_proto3_leaves_them(decided_us, revision, age):
    """An empty decision id, revision 0, an age or an instant at a whole second or at 0: the
    field is not written (and ``decided_at``, ``snapshot_age`` are there even when empty)."""
    parties = [Party("enterprise", "91460100MA5T2K8L1F", 0), Party("individual", "460100198003137668", pb.ROLE_DRIVER)]
    states = [PartyState(WATCHLIST, RISK_ALERT_BIT, RULE_BIT["E-W2"]), PartyState(WATCHLIST, 0, RULE_BIT["P-W"])]
    decision = _check(dict(crossing_id="c-1", epoch=1_764_657_600, port="HAIKOU", batch=True, parties=parties,
                           states=states, version=VERSION, degraded=False, decision_id="", revision=revision, age=age,
                           decided_us=decided_us))
    assert decision.measures and decision.HasField("decided_at") and decision.HasField("snapshot_age")


def _check(crossing: dict) -> pb.Decision:
    wire, lane, refused = decide_bytes(**crossing)
    again, _, _ = decide_bytes(**crossing)  # the second from the kept shape
    outcome = decide(**{k: crossing[k] for k in ("crossing_id", "epoch", "port", "batch", "parties", "states",
                                                 "version", "degraded")})
    built = to_decision(outcome, decision_id=crossing["decision_id"], crossing_id=crossing["crossing_id"],
                        config_version=VERSION.version, revision=crossing["revision"], age=crossing["age"],
                        decided_at=EPOCH + timedelta(microseconds=crossing["decided_us"]))
    parsed = pb.Decision.FromString(wire)
    assert again == wire
    assert parsed == built
    assert parsed.SerializeToString(deterministic=True) == built.SerializeToString(deterministic=True)
    assert len(wire) == built.ByteSize()
    assert (lane, refused) == (outcome.lane, outcome.refused)
    assert [p.subject.WhichOneof("id") for p in parsed.parties] == [p.subject_type for p in crossing["parties"]]
    assert pb.DecideResponse.FromString(decide_response(wire)) == pb.DecideResponse(decision=built)
    batch = pb.BatchDecideResponse.FromString(batch_decision(wire) + batch_decision(again))
    assert list(batch.decisions) == [built, built]
    return parsed


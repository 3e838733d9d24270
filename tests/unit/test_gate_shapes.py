"""Decide's answer by shape (services/gate/answers.py), the wire bytes written around a shape's,
parses to the answer policy.decide and to_decision build for the same crossing, and serializes
byte for byte as it: over crossings of every kind the load generator makes, at every port, batch
or not, with a stale snapshot or not, across two catalogue versions.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from secondline.cli.bench.gate.population import Pools, crossings, population
from secondline.clock import ManualClock
from secondline.gate.v1 import gate_pb2 as pb
from secondline.services.gate.answers import _SHAPES, to_decision
from secondline.services.gate.core import Gate, parse_crossing
from secondline.services.gate.measures import MeasuresConfig, load_measures
from secondline.services.gate.policy import decide
from secondline.services.gate.snapshot import Snapshot

NOW = datetime(2026, 7, 1, 15, 59, 30, tzinfo=timezone.utc)  # 23:59:30 CST on the first of a month


class _Log:
    def __init__(self) -> None:
        self.entries = []

    def offer(self, entry) -> bool:
        self.entries.append(entry)
        return True


def _measures() -> MeasuresConfig:
    """The packaged catalogue until 1 July, and a second version from 2 July with other rates at one port."""
    packaged = load_measures().model_dump(mode="json")
    first = packaged["versions"][0]
    first["valid_until"] = "2026-07-01"
    second = {**first, "version": "2026-07-02", "valid_from": "2026-07-02", "valid_until": None}
    ports = dict(second["ports"])
    name = next(iter(ports))
    ports[name] = {**ports[name], "rates": {**second["rates"], "enterprise": {"AEO": 0.5, "WHITELIST": 0.5, "WATCHLIST": 1.0}}}
    second["ports"] = ports
    return MeasuresConfig.model_validate({"versions": [first, second]})


@pytest.mark.parametrize("stale", [False, True], ids=["fresh", "stale"])
def test_answers_by_shape_are_the_answers_built_from_the_outcome(stale):
    _SHAPES.clear()
    epoch = int(NOW.timestamp())
    ages = iter(range(10**9))  # the snapshot's clock: a stale snapshot is days behind
    snapshot = Snapshot(keep_past_seconds=86400, monotonic=lambda: next(ages) * (86400.0 if stale else 0.0))
    snapshot.load(population(400, 5, epoch), epoch)
    snapshot.heard(revision=77)
    measures = _measures()
    gate = Gate(snapshot=snapshot, measures=measures, log=_Log(), clock=ManualClock(NOW),
                past=timedelta(hours=24), future=timedelta(minutes=10))
    payloads, _ = crossings(3000, "shape", 9, Pools.make(400, unknown=200), 0.5, epoch)
    rng = random.Random(3)
    compared = 0
    for payload in payloads:
        crossing = pb.DecideRequest.FromString(payload).crossing
        crossing.batch = crossing.batch or rng.random() < 0.2
        # June under the first version, July under it too, and July under the second (CST)
        crossing.at.seconds += rng.choice([-86_390, 0, 60])
        window = gate.window()
        parsed = parse_crossing(crossing, measures, window=window)
        wire = gate.decide(crossing, parsed, "lane/X", window=window)
        shaped = pb.Decision.FromString(wire)
        entry = gate.log.entries[-1]
        assert entry.decision is wire  # logged as answered, not serialized again
        outcome = decide(crossing_id=parsed.crossing_id, epoch=parsed.epoch, port=parsed.port, batch=parsed.batch,
                         parties=parsed.parties, states=entry.inputs, version=parsed.version, degraded=entry.degraded)
        built = to_decision(outcome, decision_id=shaped.decision_id, crossing_id=parsed.crossing_id,
                            config_version=parsed.version.version, revision=77,
                            age=shaped.snapshot_age.ToTimedelta().total_seconds(), decided_at=window.now)
        assert shaped == built, crossing
        assert shaped.SerializeToString(deterministic=True) == built.SerializeToString(deterministic=True), crossing
        assert len(wire) == built.ByteSize()  # nothing written twice (a submessage twice would merge)
        assert (entry.lane, entry.refused) == ({1: "GREEN", 2: "YELLOW", 3: "RED"}[outcome.lane], outcome.refused)
        compared += 1
    assert compared == 3000
    assert 20 < len(_SHAPES) < 3000  # shapes were shared, and there were many
    assert {e.config_version for e in gate.log.entries} == {measures.versions[0].version, "2026-07-02"}
    assert any(e.refused for e in gate.log.entries) and any(e.degraded == stale for e in gate.log.entries)
    logged = [pb.Decision.FromString(e.decision) for e in gate.log.entries]
    assert any(d.measures for d in logged) and any(len(d.parties) > 2 for d in logged)  # measures' subjects written too
    dues = {d.consolidated_declaration_due.month for d in logged if d.HasField("consolidated_declaration_due")}
    # June's crossings due in July, July's in August (M-4); a stale snapshot refuses batch exit.
    assert dues == (set() if stale else {7, 8}), dues

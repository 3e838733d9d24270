"""The lane gate over real servers: ingestion → classification → the gate's snapshot → Decide
(RULES M-1..M-4, L-2, P-R), batch decisions, replay, and answering while classification is gone."""

from __future__ import annotations

import asyncio
import gc
from datetime import date, datetime

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from secondline.collector import PER_CALL, YOUNG
from secondline.gate.v1 import gate_pb2 as pb
from secondline.ingestion.v1 import ingestion_pb2
from secondline.rpc.convert import timestamp
from tests.conftest import LANE, OPERATOR, as_department, lane
from tests.helpers import details, record

ACME = "91460100MA5T0A3D5P"
DRIVER = "460100198003137668"


async def submit(suite, msg, department="ANTI_SMUGGLING"):
    return (await suite.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=msg),
                                          metadata=as_department(department))).record


async def caught_up(suite, revision_at_least: int = 1, timeout: float = 30.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while (status := await suite.gate.GetGateStatus(pb.GetGateStatusRequest(), metadata=LANE)).classification_revision < revision_at_least:
        assert asyncio.get_running_loop().time() < deadline, "the gate did not catch up"
        await asyncio.sleep(0.02)
    return status


def crossing(crossing_id: str, at: str, *, enterprise: str = "", individuals=(), batch=False, port="HAIKOU"):
    return pb.Crossing(crossing_id=crossing_id, at=timestamp(datetime.fromisoformat(at)), enterprise=enterprise,
                       individuals=[pb.Individual(id=i, role=pb.ROLE_DRIVER) for i in individuals], batch=batch, port=port)


async def decide(suite, c: pb.Crossing) -> pb.Decision:
    return (await suite.gate.Decide(pb.DecideRequest(crossing=c), metadata=lane(c.port))).decision


async def test_a_listing_filed_at_ingestion_sends_the_entity_to_inspection_at_the_crossings_instant(gate):
    await submit(gate, record(enterprise=ACME, kind="DISHONESTY_LISTED", list="MARITIME", severity="SERIOUS",
                              decided_on=date(2026, 3, 1)), department="MARITIME")
    status = await caught_up(gate)
    assert status.loaded and status.subjects == 1
    gate.clock.set(datetime.fromisoformat("2026-04-01T10:00:30+08:00"))  # a lane system asks at the crossing
    listed = await decide(gate, crossing("c1", "2026-04-01T10:00:00+08:00", enterprise=ACME, port="HAIKOU_XINHAI"))
    assert listed.lane == pb.LANE_RED and "L-2" in listed.reasons and "E-W3" in listed.reasons
    assert listed.config_version == "2025-12-18" and listed.classification_revision == status.classification_revision
    assert listed.decision_id and {m.name for m in listed.measures} >= {"KEY_INSPECTION", "MORE_FREQUENT_AUDITS"}
    [party] = listed.parties
    assert party.subject.enterprise == ACME and party.inspection_rate == 1.0 and party.drawn
    # Before the decision date, and once the three-year publicity is over, it is plain whitelist
    # again: the gate reads the timeline at the crossing's own instant, not at its clock.
    gate.clock.set(datetime.fromisoformat("2026-02-28T10:30:00+08:00"))  # a lane system asks at the crossing
    before = await decide(gate, crossing("c0", "2026-02-28T10:00:00+08:00", enterprise=ACME))
    gate.clock.set(datetime.fromisoformat("2029-03-02T10:30:00+08:00"))
    later = await decide(gate, crossing("c9", "2029-03-02T10:00:00+08:00", enterprise=ACME))
    assert [p.inspection_rate for p in (*before.parties, *later.parties)] == [0.03, 0.03]
    assert "E-B" in before.reasons


async def test_the_same_crossing_draws_the_same_and_replays_to_the_same_answer(gate):
    await submit(gate, record(enterprise=ACME, decided_on=date(2026, 2, 20)))
    await caught_up(gate)
    c = crossing("same-1", "2026-03-01T10:00:00+08:00", enterprise=ACME, individuals=[DRIVER])
    first, second = await decide(gate, c), await decide(gate, c)
    assert first.decision_id != second.decision_id
    assert (first.lane, list(first.reasons), [p.drawn for p in first.parties]) == \
           (second.lane, list(second.reasons), [p.drawn for p in second.parties])
    replay = await gate.gate.ReplayDecision(pb.ReplayDecisionRequest(decision_id=first.decision_id), metadata=OPERATOR)
    assert replay.matches and replay.logged == first and replay.crossing == c
    assert replay.replayed.lane == first.lane and list(replay.replayed.reasons) == list(first.reasons)


async def test_batch_decide_answers_in_order_and_refuses_the_whole_call_naming_a_bad_crossing(gate):
    good = [crossing(f"b{i}", "2026-03-01T10:00:00+08:00", enterprise=ACME, batch=True) for i in range(3)]
    reply = await gate.gate.BatchDecide(pb.BatchDecideRequest(crossings=good), metadata=LANE)
    assert [d.crossing_id for d in reply.decisions] == ["b0", "b1", "b2"]
    assert all(not d.refused and d.consolidated_declaration_due.month == 4 for d in reply.decisions)
    bad = [good[0], crossing("", "2026-03-01T10:00:00+08:00", enterprise="91460100MA5T0A3D5X", port="NOWHERE")]
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await gate.gate.BatchDecide(pb.BatchDecideRequest(crossings=bad), metadata=OPERATOR)  # any port
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    info, fields = details(rpc_status.from_call(caught.value))
    assert info.domain == "gate.secondline"
    assert fields == ["crossings[1].crossing_id", "crossings[1].enterprise", "crossings[1].port"]
    status = await gate.gate.GetGateStatus(pb.GetGateStatusRequest(), metadata=LANE)
    assert status.decisions_logged + status.decisions_queued == 3  # the refused call logged nothing


async def test_a_crossing_without_parties_or_instant_is_refused_naming_the_fields(gate):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await gate.gate.Decide(pb.DecideRequest(crossing=pb.Crossing(crossing_id="x", port="HAIKOU")), metadata=LANE)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    _, fields = details(rpc_status.from_call(caught.value))
    assert fields == ["crossing.at", "crossing.enterprise"]
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await gate.gate.Decide(pb.DecideRequest(crossing=crossing("x", "2026-03-01T10:00:00+08:00")))
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_replaying_an_unknown_decision_is_not_found_and_lane_systems_may_not_replay(gate):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await gate.gate.ReplayDecision(pb.ReplayDecisionRequest(decision_id="nope"), metadata=OPERATOR)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await gate.gate.ReplayDecision(pb.ReplayDecisionRequest(decision_id="nope"), metadata=as_department("TAX"))
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


@pytest.fixture
def gate_settings(tmp_path):
    """A catalogue whose stale bound is one second, so that the fallback shows in a test."""
    import yaml

    from secondline.services.gate.measures import load_measures

    data = load_measures().model_dump(mode="json", exclude_none=True)
    data["versions"][0]["stale_fallback"]["after"] = {"seconds": 1}
    (tmp_path / "measures.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    return {"measures_file": str(tmp_path / "measures.yaml")}


async def test_with_classification_gone_the_gate_keeps_answering_then_applies_the_fallback(gate):
    await submit(gate, record(individual=DRIVER, decided_on=date(2026, 2, 20)))
    await caught_up(gate)
    health = health_pb2_grpc.HealthStub(gate.gate_channel)
    snapshot_health = health_pb2.HealthCheckRequest(service="secondline.gate.v1.GateService/snapshot")
    assert (await health.Check(snapshot_health)).status == health_pb2.HealthCheckResponse.SERVING
    traveller = crossing("t1", "2026-03-01T10:00:00+08:00", individuals=["460100196302276482"])
    assert (await decide(gate, traveller)).lane == pb.LANE_GREEN

    await gate.classification_host.stop()  # classification is gone
    watched = await decide(gate, crossing("t2", "2026-03-01T10:00:00+08:00", individuals=[DRIVER]))
    assert watched.parties[0].inspection_rate == 0.5 and not watched.degraded  # still from the snapshot
    await asyncio.sleep(2.5)  # past the one-second bound, and a health watch tick
    stale = await decide(gate, traveller)
    assert stale.degraded and stale.lane == pb.LANE_YELLOW and stale.snapshot_age.seconds >= 1
    status = await gate.gate.GetGateStatus(pb.GetGateStatusRequest(), metadata=LANE)
    assert status.degraded and status.snapshot_age.seconds >= 1
    assert (await health.Check(snapshot_health)).status == health_pb2.HealthCheckResponse.NOT_SERVING
    overall = await health.Check(health_pb2.HealthCheckRequest(service=""))
    assert overall.status == health_pb2.HealthCheckResponse.SERVING  # it still answers: keep routing to it
    readings = metric_values(gate.gate_metrics)
    assert readings["secondline.gate.snapshot.age"] >= 1 and readings["secondline.gate.snapshot.degraded"] == 1
    assert readings["secondline.gate.snapshot.subjects"] == 1 and readings["secondline.gate.decisions.dropped"] == 0


def metric_values(reader) -> dict[str, float]:
    found = {}
    for resource in reader.get_metrics_data().resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                found[metric.name] = metric.data.data_points[-1].value
    return found


async def test_when_classification_is_back_the_gate_resumes_after_its_revision(gate, database_url, clock):
    from secondline.services.classification.app import ClassificationSettings, build
    from secondline.telemetry import setup_telemetry

    await submit(gate, record(source_id="first", individual=DRIVER, decided_on=date(2026, 2, 20)))
    before = await caught_up(gate)
    await gate.classification_host.stop()
    await submit(gate, record(source_id="second", enterprise=ACME, decided_on=date(2026, 2, 21)))
    settings = ClassificationSettings.model_validate({
        "database": {"url": database_url}, "ingestion_address": f"127.0.0.1:{gate.port}",
        "server": {"listen": f"127.0.0.1:{gate.classification_port}", "grace_seconds": 1}})
    again = build(settings, telemetry=setup_telemetry("classification"), clock=clock)
    await again.start()
    try:
        after = await caught_up(gate, before.classification_revision + 1, timeout=30)
        assert after.subjects == 2
        decision = await decide(gate, crossing("r1", "2026-03-01T10:00:00+08:00", enterprise=ACME))
        assert "E-W2" in decision.reasons and not decision.degraded
    finally:
        await again.stop()


async def test_decisions_are_not_traced_by_default_but_the_gates_other_calls_are(gate, spans):
    await decide(gate, crossing("quiet", "2026-03-01T10:00:00+08:00", enterprise=ACME))
    await gate.gate.GetGateStatus(pb.GetGateStatusRequest(), metadata=LANE)
    names = {s.name for s in spans.get_finished_spans() if s.resource.attributes["service.name"] == "gate"}
    assert "/secondline.gate.v1.GateService/GetGateStatus" in names
    assert "/secondline.gate.v1.GateService/Decide" not in names  # trace_decisions: false (the default)


@pytest.mark.parametrize("gate_settings", [{"decision_log": {"capacity": 300, "flush_seconds": 0.05}}])
async def test_batches_faster_than_the_decision_log_wait_for_it_and_none_is_dropped(gate):
    """Eight batches of 100 in flight, again and again, against a log that holds 300: each batch
    waits for room (RULES M-3: every decision can be replayed), so nothing is dropped."""
    async def flood(n: int):
        for round_ in range(4):
            batch = [crossing(f"f{n}-{round_}-{i}", "2026-03-01T10:00:00+08:00", enterprise=ACME) for i in range(100)]
            reply = await gate.gate.BatchDecide(pb.BatchDecideRequest(crossings=batch), metadata=LANE)
            assert len(reply.decisions) == 100

    await asyncio.gather(*(flood(n) for n in range(8)))
    for _ in range(100):
        status = await gate.gate.GetGateStatus(pb.GetGateStatusRequest(), metadata=LANE)
        if status.decisions_logged == 3200:
            break
        await asyncio.sleep(0.05)
    assert (status.decisions_logged, status.decisions_dropped) == (3200, 0)


async def test_the_gate_collects_young_garbage_at_the_per_call_pace(gate):
    # gRPC's aio server leaves cyclic garbage on every call: collected rarely, a young
    # collection frees thousands of calls' worth in one pause of tens of ms (secondline.collector).
    assert PER_CALL < YOUNG
    assert gc.get_threshold()[0] == PER_CALL

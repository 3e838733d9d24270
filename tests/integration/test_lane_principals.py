"""Lane systems call the gate as ``lane/<PORT>`` and decide crossings at their own port only
(RULES M-0, secondline.authorization); the decision log records who asked."""

from __future__ import annotations

import grpc
import pytest
from grpc_status import rpc_status

from secondline.gate.v1 import gate_pb2 as pb
from tests.conftest import OPERATOR, as_department, lane
from tests.helpers import details
from tests.integration.test_gate_service import ACME, crossing


async def refused(call):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    info, fields = details(rpc_status.from_call(caught.value))
    return caught.value.code(), info, fields, caught.value.details()


async def test_a_lane_decides_at_its_own_port_and_the_log_names_it(gate):
    decision = (await gate.gate.Decide(pb.DecideRequest(crossing=crossing("own", "2026-03-01T10:00:00+08:00",
                                                                           enterprise=ACME, port="YANGPU")),
                                       metadata=lane("YANGPU"))).decision
    replay = await gate.gate.ReplayDecision(pb.ReplayDecisionRequest(decision_id=decision.decision_id), metadata=OPERATOR)
    assert replay.caller == "lane/YANGPU" and replay.matches
    by_operator = (await gate.gate.Decide(pb.DecideRequest(crossing=crossing("ops", "2026-03-01T10:00:00+08:00",
                                                                              enterprise=ACME, port="")),
                                          metadata=OPERATOR)).decision  # an operator decides any crossing
    replay = await gate.gate.ReplayDecision(pb.ReplayDecisionRequest(decision_id=by_operator.decision_id), metadata=OPERATOR)
    assert replay.caller == "operator/ops"


async def test_a_crossing_at_another_port_or_at_none_is_refused_naming_crossing_port(gate):
    for port in ("SANYA", ""):
        code, info, fields, message = await refused(gate.gate.Decide(pb.DecideRequest(
            crossing=crossing("other", "2026-03-01T10:00:00+08:00", enterprise=ACME, port=port)), metadata=lane("HAIKOU")))
        assert code == grpc.StatusCode.PERMISSION_DENIED and fields == ["crossing.port"]
        assert info.reason == "NOT_THIS_LANES_PORT" and info.metadata["principal"] == "lane/HAIKOU"
        assert "lane/HAIKOU decides crossings at HAIKOU only" in message
    batch = [crossing(f"b{i}", "2026-03-01T10:00:00+08:00", enterprise=ACME, port=p) for i, p in enumerate(["HAIKOU", "BOAO_AIRPORT"])]
    code, _, fields, _ = await refused(gate.gate.BatchDecide(pb.BatchDecideRequest(crossings=batch), metadata=lane("HAIKOU")))
    assert code == grpc.StatusCode.PERMISSION_DENIED and fields == ["crossings[1].port"]
    status = await gate.gate.GetGateStatus(pb.GetGateStatusRequest(), metadata=lane("HAIKOU"))
    assert status.decisions_logged + status.decisions_queued == 0  # nothing refused was decided


async def test_services_and_departments_no_longer_decide_crossings(gate):
    for who in ((("x-secondline-principal", "service/lane"),), as_department("CUSTOMS")):
        code, info, _, message = await refused(gate.gate.Decide(pb.DecideRequest(
            crossing=crossing("x", "2026-03-01T10:00:00+08:00", enterprise=ACME)), metadata=who))
        assert code == grpc.StatusCode.PERMISSION_DENIED and info.reason == "PRINCIPAL_NOT_ALLOWED"
        assert info.metadata["action"] == "secondline.gate.v1.GateService/Decide"
        assert message.endswith("only operator/<name> or lane/<PORT> may")

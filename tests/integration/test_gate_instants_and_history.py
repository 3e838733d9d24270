"""The instants the gate takes, and the history it keeps for them (RULES M-1, M-2, M-4, T-4).

A crossing with no instant (an empty Timestamp, as a JavaScript ``Date`` arrives through
proto-loader) is refused, not decided as of 1970; a crossing older than the gate's
``crossing_window.past`` is refused naming the bound; within the window the gate answers from
the history it still holds, also for a subject that has turned plain whitelist since, and also
right after the gate started (it loads those subjects too).
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from grpc_status import rpc_status

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.gate.v1 import gate_pb2 as pb
from secondline.gate.v1 import gate_pb2_grpc
from secondline.rpc.convert import timestamp
from secondline.rpc.status import field_violations
from tests.conftest import LANE, OPERATOR
from tests.helpers import details, record
from tests.integration.test_gate_service import caught_up, crossing, decide, submit

TRAVELLER = "460100196606191592"
ACME = "91460100MA5T0A3D5P"


async def refused(stub_call):
    """(code, {field: description}, ErrorInfo) of a call that must fail."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub_call
    status = rpc_status.from_call(caught.value)
    info, _ = details(status)
    return caught.value.code(), {v.field: v.description for v in field_violations(status)}, info


async def test_a_crossing_whose_instant_is_an_empty_timestamp_is_refused_not_decided_as_of_1970(gate):
    await submit(gate, record(individual=TRAVELLER, decided_on=date(2026, 2, 20)))  # P-W: watchlisted
    await caught_up(gate)
    empty = pb.Crossing(crossing_id="js-1", at=Timestamp(), port="HAIKOU", individuals=[pb.Individual(id=TRAVELLER, role=pb.ROLE_TRAVELLER)])
    assert empty.HasField("at")  # what proto-loader sends for a Date it could not encode
    code, fields, info = await refused(gate.gate.Decide(pb.DecideRequest(crossing=empty), metadata=LANE))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and info.reason == "INVALID_CROSSING"
    assert list(fields) == ["crossing.at"] and "empty (1970-01-01T00:00:00Z)" in fields["crossing.at"]
    broken = pb.Crossing(crossing_id="js-2", at=Timestamp(seconds=1, nanos=-5), enterprise=ACME, port="HAIKOU")
    code, fields, _ = await refused(gate.gate.Decide(pb.DecideRequest(crossing=broken), metadata=LANE))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "is not a Timestamp" in fields["crossing.at"]


async def test_a_crossing_older_than_the_window_is_refused_naming_the_bound(gate):
    # The clock stands at 2026-03-01T12:00+08:00; the window reaches 24 h back by default.
    inside = await decide(gate, crossing("late-ok", "2026-02-28T12:00:00+08:00", enterprise=ACME))
    assert inside.lane in (pb.LANE_GREEN, pb.LANE_RED)
    code, fields, _ = await refused(gate.gate.Decide(pb.DecideRequest(
        crossing=crossing("too-late", "2026-02-28T11:59:59+08:00", enterprise=ACME)), metadata=LANE))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert "more than 24 h before the suite's clock" in fields["crossing.at"]
    assert "the earliest instant taken is 2026-02-28T04:00:00+00:00" in fields["crossing.at"]
    # BatchDecide: the same bound, named per crossing, and nothing is decided.
    code, fields, _ = await refused(gate.gate.BatchDecide(pb.BatchDecideRequest(crossings=[
        crossing("b0", "2026-03-01T11:00:00+08:00", enterprise=ACME),
        crossing("b1", "2026-01-01T11:00:00+08:00", enterprise=ACME)]), metadata=LANE))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and list(fields) == ["crossings[1].at"]


class TestAConfiguredWindow:
    @pytest.fixture
    def gate_settings(self):
        return {"crossing_window": {"past": "PT6H", "future": "PT10M"}}

    async def test_bounds_the_past_and_the_future(self, gate):
        assert (await decide(gate, crossing("soon", "2026-03-01T12:10:00+08:00", enterprise=ACME))).decision_id
        code, fields, _ = await refused(gate.gate.Decide(pb.DecideRequest(
            crossing=crossing("ahead", "2026-03-01T12:10:01+08:00", enterprise=ACME)), metadata=LANE))
        assert code == grpc.StatusCode.INVALID_ARGUMENT and "more than 10 min after the suite's clock" in fields["crossing.at"]
        code, fields, _ = await refused(gate.gate.Decide(pb.DecideRequest(
            crossing=crossing("behind", "2026-03-01T05:59:59+08:00", enterprise=ACME)), metadata=LANE))
        assert "more than 6 h before" in fields["crossing.at"]


def test_a_window_that_is_not_a_positive_duration_stops_the_gate_at_start_up(tmp_path):
    from secondline.config import ConfigError, load_settings
    from secondline.services.gate.app import ENV_PREFIX, GateSettings

    (tmp_path / "gate.yaml").write_text("crossing_window: {past: PT0S}\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(GateSettings, path=tmp_path / "gate.yaml", env_prefix=ENV_PREFIX, environ={})
    assert "crossing_window.past: Value error, must be a positive duration" in str(caught.value)


async def published_after(suite, revision: int, timeout: float = 15.0) -> int:
    """Wait until classification has published a change after ``revision`` (its scheduler runs each second)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (status := await suite.classification.GetStatus(cpb.GetStatusRequest(), metadata=OPERATOR)).revision <= revision:
        assert loop.time() < deadline, "classification published nothing"
        await asyncio.sleep(0.05)
    return status.revision


async def test_a_crossing_inside_an_ended_alert_keeps_the_alert_rate_while_the_window_reaches_it(gate):
    """Item 8 of the hardening issue: once a scheduled change had passed by 7 days the gate had
    dropped the subject and decided earlier crossings as if the change had always been."""
    await submit(gate, record(kind="RISK_ALERT", individual=TRAVELLER, decided_on=date(2026, 3, 1),
                              valid_until=date(2026, 3, 5)), department="CUSTOMS")
    before = await caught_up(gate)
    gate.clock.set(datetime.fromisoformat("2026-03-06T09:00:00+08:00"))  # the alert ended at 03-06 00:00
    revision = await published_after(gate, before.classification_revision)
    await caught_up(gate, revision)
    traveller = [pb.Individual(id=TRAVELLER, role=pb.ROLE_TRAVELLER)]
    inside = pb.Crossing(crossing_id="in", at=timestamp(datetime.fromisoformat("2026-03-05T20:00:00+08:00")),
                         individuals=traveller, port="HAIKOU")
    decision = await decide(gate, inside)
    assert decision.lane == pb.LANE_RED and "P-R" in decision.reasons  # M-1: the alert rate, 100%
    after = pb.Crossing(crossing_id="out", at=timestamp(datetime.fromisoformat("2026-03-06T08:00:00+08:00")),
                        individuals=traveller, port="HAIKOU")
    assert (await decide(gate, after)).lane == pb.LANE_GREEN

    # A gate started now loads the subject too, though classification lists it as plain now.
    started, channel = await second_gate(gate)
    try:
        fresh = gate_pb2_grpc.GateServiceStub(channel)
        status = await fresh.GetGateStatus(pb.GetGateStatusRequest(), metadata=LANE)
        assert status.loaded and status.subjects == 1
        again = (await fresh.Decide(pb.DecideRequest(crossing=inside), metadata=LANE)).decision
        assert again.lane == pb.LANE_RED and "P-R" in again.reasons
    finally:
        await channel.close()
        await started.stop()

    gate.clock.set(datetime.fromisoformat("2026-03-13T09:00:00+08:00"))  # a week on: out of the window
    code, fields, _ = await refused(gate.gate.Decide(pb.DecideRequest(crossing=inside), metadata=LANE))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "the earliest instant taken is 2026-03-12T01:00:00+00:00" in fields["crossing.at"]


async def second_gate(suite):
    from secondline.services.gate.app import GateSettings, build
    from secondline.telemetry import setup_telemetry

    settings = GateSettings.model_validate({
        "database": {"url": suite.gate_host.service.settings.database.url},
        "server": {"listen": "127.0.0.1:0", "grace_seconds": 1},
        "classification_address": f"127.0.0.1:{suite.classification_port}", "heartbeat_seconds": 0.2})
    host = build(settings, telemetry=setup_telemetry("gate"), clock=suite.clock)
    port = await host.start()
    return host, grpc.aio.insecure_channel(f"127.0.0.1:{port}")


async def test_notable_subjects_since_an_instant_include_those_plain_only_from_later(gate):
    await submit(gate, record(kind="RISK_ALERT", individual=TRAVELLER, decided_on=date(2026, 3, 1),
                              valid_until=date(2026, 3, 5)), department="CUSTOMS")
    before = await caught_up(gate)
    gate.clock.set(datetime.fromisoformat("2026-03-06T09:00:00+08:00"))
    await published_after(gate, before.classification_revision)

    async def listed(**since) -> list[str]:
        page = await gate.classification.ListNotableSubjects(cpb.ListNotableSubjectsRequest(**since), metadata=OPERATOR)
        return [s.subject.individual for s in page.states]

    assert await listed() == []  # plain whitelist from now on
    assert await listed(since=timestamp(datetime.fromisoformat("2026-03-05T23:00:00+08:00"))) == [TRAVELLER]
    assert await listed(since=timestamp(datetime.fromisoformat("2026-03-06T08:00:00+08:00"))) == []
    code, fields, _ = await refused(gate.classification.ListNotableSubjects(
        cpb.ListNotableSubjectsRequest(since=Timestamp()), metadata=OPERATOR))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and list(fields) == ["since"]

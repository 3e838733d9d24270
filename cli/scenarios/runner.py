"""The scenario runner: ``secondline scenarios DIR...`` (shared/spec/scenarios/README.md).

Each scenario runs against a suite of its own, started here from an empty store on a manual
clock, and is told only through the public gRPC APIs: the clock is set with each service's
ClockService, records are filed through ingestion, classes are asked of classification,
crossings are decided by the lane gate. It prints one line per scenario and last
``N passed, N failed``. A failing step ends its scenario: later steps build on it.

Before a gate step the runner waits until the gate's snapshot has taken in every change that
the records filed so far caused (read your writes, as a lane system would see it a moment
later).
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import grpc

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.classification.v1 import classification_pb2_grpc
from secondline.clock import ManualClock
from secondline.common.v1 import common_pb2
from secondline.gate.v1 import gate_pb2 as gpb
from secondline.gate.v1 import gate_pb2_grpc
from secondline.rpc.convert import instant, timestamp
from secondline.scenarios import IngestionSteps, Scenario, ScenarioError, load_folders
from secondline.telemetry import setup_telemetry
from secondline.testing.v1 import clock_pb2, clock_pb2_grpc

BATCH = 1000  # crossings per BatchDecide call
OPERATOR = (("x-secondline-principal", "operator/scenarios"),)
LANE = (("x-secondline-principal", "service/scenario-lane"),)
EPOCH = datetime(2025, 12, 18, tzinfo=timezone.utc)


@dataclass
class StepFailure:
    index: int
    kind: str
    message: str


@dataclass
class Result:
    scenario: Scenario
    failures: list[StepFailure] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def line(self) -> str:
        if self.passed:
            return f"PASS {self.scenario.name}"
        first = self.failures[0]
        more = f" (and {len(self.failures) - 1} more failing steps)" if len(self.failures) > 1 else ""
        return f"FAIL {self.scenario.name}: step {first.index + 1} ({first.kind}): {first.message}{more}"


class InProcessSuite:
    """Ingestion, classification and the gate on loopback ports, each on its own manual clock."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.hosts: dict[str, Any] = {}
        self.channels: dict[str, grpc.aio.Channel] = {}

    async def __aenter__(self) -> "InProcessSuite":
        from secondline.services.classification.app import ClassificationSettings
        from secondline.services.classification.app import build as build_classification
        from secondline.services.gate.app import GateSettings
        from secondline.services.gate.app import build as build_gate
        from secondline.services.ingestion.app import IngestionSettings
        from secondline.services.ingestion.app import build as build_ingestion

        ingestion = build_ingestion(
            IngestionSettings.model_validate(self._settings("ingestion")),
            telemetry=setup_telemetry("ingestion"), clock=ManualClock(EPOCH))
        await self._start("ingestion", ingestion)
        classification = build_classification(
            ClassificationSettings.model_validate({**self._settings("classification"),
                                                   "ingestion_address": self.address("ingestion")}),
            telemetry=setup_telemetry("classification"), clock=ManualClock(EPOCH))
        await self._start("classification", classification)
        gate = build_gate(
            GateSettings.model_validate({**self._settings("gate"), "classification_address": self.address("classification"),
                                         "heartbeat_seconds": 0.2}),
            telemetry=setup_telemetry("gate"), clock=ManualClock(EPOCH))
        await self._start("gate", gate)
        return self

    def _settings(self, name: str) -> dict:
        return {"server": {"listen": "127.0.0.1:0", "grace_seconds": 0.5},
                "database": {"url": f"sqlite:///{self.data_dir / name}.sqlite"}}

    async def _start(self, name: str, host) -> None:
        port = await host.start()
        self.hosts[name] = host
        self.channels[name] = grpc.aio.insecure_channel(f"127.0.0.1:{port}")

    def address(self, name: str) -> str:
        return f"127.0.0.1:{self.hosts[name].port}"

    async def set_time(self, now: datetime) -> None:
        """Every service's clock to ``now``, through its ClockService."""
        for channel in self.channels.values():
            await clock_pb2_grpc.ClockServiceStub(channel).SetTime(clock_pb2.SetTimeRequest(now=timestamp(now)))

    async def __aexit__(self, *exc) -> None:
        for name in reversed(list(self.hosts)):
            await self.channels[name].close()
            await self.hosts[name].stop()


async def run_scenario(scenario: Scenario) -> Result:
    result = Result(scenario)
    with tempfile.TemporaryDirectory(prefix="secondline-scenario-") as tmp:
        async with InProcessSuite(Path(tmp)) as suite:
            steps = IngestionSteps(scenario, suite.channels["ingestion"], suite.set_time)
            classification = classification_pb2_grpc.ClassificationServiceStub(suite.channels["classification"])
            gate = GateSteps(scenario, suite)
            last_cursor = ""
            for index, step in enumerate(scenario.steps):
                kind = "?"
                try:
                    kind = scenario.step_kind(step)
                    if kind == "submit":
                        last_cursor = (await steps.submit(step)).cursor
                    elif kind == "reject":
                        await steps.reject(step)
                    elif kind == "expect":
                        await expect(classification, step["expect"], last_cursor)
                    elif kind == "gate":
                        await gate.caught_up(last_cursor)
                        await gate.crossing(step)
                    else:
                        await gate.caught_up(last_cursor)
                        await gate.rate(step["gate_rate"])
                except ScenarioError as exc:
                    result.failures.append(StepFailure(index, kind, str(exc)))
                    break  # later steps build on this one
                except grpc.aio.AioRpcError as exc:
                    result.failures.append(StepFailure(index, kind, f"{exc.code().name}: {exc.details()}"))
                    break
    return result


async def expect(stub, spec: dict[str, Any], cursor: str) -> None:
    subject = _subject(spec["subject"])
    at = _instant(spec["at"])
    request = cpb.GetSubjectClassRequest(subject=subject, as_of=timestamp(at), min_record_cursor=cursor)
    answer = (await stub.GetSubjectClass(request, metadata=OPERATOR, timeout=30)).subject_class
    got_class = common_pb2.CreditClass.Name(answer.credit_class).removeprefix("CREDIT_CLASS_")
    problems = []
    if got_class != spec["class"]:
        problems.append(f"class {spec['class']}, got {got_class}")
    rules = {r.rule for r in answer.reasons}
    missing = [r for r in spec.get("reasons") or [] if r not in rules]
    if missing:
        problems.append(f"reasons to include {missing}, got {sorted(rules)}")
    if "until" in spec:
        want = None if spec["until"] in (None, "none") else _instant(spec["until"])
        got = instant(answer.until) if answer.HasField("until") else None
        if want != got:
            problems.append(f"until {_show(want)}, got {_show(got)}")
    flags = {common_pb2.Flag.Name(f).removeprefix("FLAG_") for f in answer.flags}
    missing_flags = [f for f in spec.get("flags") or [] if f not in flags]
    if missing_flags:
        problems.append(f"flags to include {missing_flags}, got {sorted(flags)}")
    if problems:
        raise ScenarioError(f"at {at.isoformat()} expected " + "; ".join(problems))


class GateSteps:
    """Carries out ``gate`` and ``gate_rate`` steps against the lane gate."""

    def __init__(self, scenario: Scenario, suite: InProcessSuite) -> None:
        self.scenario = scenario
        self.stub = gate_pb2_grpc.GateServiceStub(suite.channels["gate"])
        self.classification = classification_pb2_grpc.ClassificationServiceStub(suite.channels["classification"])

    async def caught_up(self, cursor: str, timeout: float = 30.0) -> None:
        """Wait until classification has applied ``cursor`` and the gate holds what that changed."""
        if not cursor:
            return
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            status = await self.classification.GetStatus(cpb.GetStatusRequest(), metadata=OPERATOR)
            if status.record_cursor and int(status.record_cursor) >= int(cursor):
                break
            await self._pause(deadline, "classification to apply the records filed")
        while (await self.stub.GetGateStatus(gpb.GetGateStatusRequest(), metadata=LANE)).classification_revision < status.revision:
            await self._pause(deadline, f"the gate to reach classification revision {status.revision}")

    @staticmethod
    async def _pause(deadline: float, what: str) -> None:
        if asyncio.get_running_loop().time() > deadline:
            raise ScenarioError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)

    async def crossing(self, step: dict[str, Any]) -> None:
        spec, want = step["gate"], step.get("expect") or {}
        crossing = _crossing(spec, str(spec.get("crossing") or ""))
        decision = (await self.stub.Decide(gpb.DecideRequest(crossing=crossing), metadata=LANE, timeout=30)).decision
        problems = []
        got_lane = gpb.Lane.Name(decision.lane).removeprefix("LANE_")
        if "lane" in want and got_lane != want["lane"]:
            problems.append(f"lane {want['lane']}, got {got_lane}")
        if "refused" in want and decision.refused != bool(want["refused"]):
            problems.append(f"refused {want['refused']}, got {decision.refused} ({decision.refusal_detail or 'no detail'})")
        missing = [r for r in want.get("reasons") or [] if r not in decision.reasons]
        if missing:
            problems.append(f"reasons to include {missing}, got {list(decision.reasons)}")
        if problems:
            raise ScenarioError(f"crossing {crossing.crossing_id} at {spec['at']} expected " + "; ".join(problems))

    async def rate(self, spec: dict[str, Any]) -> None:
        total = int(spec["crossings"])
        lane = gpb.Lane.Value(f"LANE_{spec['lane']}")
        crossings = [_crossing(spec, f"{self.scenario.name}-{n}") for n in range(1, total + 1)]
        hits = 0
        for start in range(0, total, BATCH):
            reply = await self.stub.BatchDecide(gpb.BatchDecideRequest(crossings=crossings[start:start + BATCH]),
                                                metadata=LANE, timeout=60)
            hits += sum(d.lane == lane for d in reply.decisions)
        share, rate, tolerance = hits / total, float(spec["rate"]), float(spec["tolerance"])
        if abs(share - rate) > tolerance:
            raise ScenarioError(f"{total} crossings: share {spec['lane']} {share:.4f}, expected {rate} ± {tolerance}")


def _crossing(spec: dict[str, Any], crossing_id: str) -> gpb.Crossing:
    parties = spec.get("parties") or {}
    crossing = gpb.Crossing(crossing_id=crossing_id, at=timestamp(_instant(spec["at"])), batch=bool(spec.get("batch", False)),
                            enterprise=str(parties.get("enterprise") or ""), port=str(spec.get("port") or ""))
    for person in parties.get("individuals") or []:
        role = str(person.get("role", ""))
        if f"ROLE_{role}" not in gpb.Role.keys():
            raise ScenarioError(f"unknown role {role!r}; expected DRIVER, DECLARANT, TRANSPORT_WORKER or TRAVELLER")
        crossing.individuals.add(id=str(person["id"]), role=gpb.Role.Value(f"ROLE_{role}"))
    return crossing


def _subject(spec: dict[str, Any]) -> common_pb2.SubjectId:
    if not isinstance(spec, dict) or len(spec) != 1 or next(iter(spec)) not in ("enterprise", "individual"):
        raise ScenarioError(f"subject must be {{enterprise: ...}} or {{individual: ...}}, got {spec!r}")
    (kind, value), = spec.items()
    return common_pb2.SubjectId(**{kind: str(value)})


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        raise ScenarioError(f"an instant needs a time and an offset, got the date {value}")
    else:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ScenarioError(f"instant {value} has no offset")
    return moment


def _show(value: datetime | None) -> str:
    return "none" if value is None else value.astimezone(timezone.utc).isoformat()


async def run_folders(folders: list[Path], out=print) -> list[Result]:
    results = []
    for scenario in load_folders(folders):
        result = await run_scenario(scenario)
        out(result.line())
        results.append(result)
    passed = sum(r.passed for r in results)
    out(f"{passed} passed, {len(results) - passed} failed")
    return results


def main(folders: list[Path]) -> int:
    missing = [str(f) for f in folders if not Path(f).is_dir()]
    if missing:
        print(f"secondline scenarios: no such folder: {', '.join(missing)}")
        return 2
    results = asyncio.run(run_folders([Path(f) for f in folders]))
    return 0 if all(r.passed for r in results) else 1

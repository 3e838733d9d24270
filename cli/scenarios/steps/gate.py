"""The lane gate's step kinds: ``gate`` (one crossing) and ``gate_rate`` (a share drawn, M-3).

Before either, the runner waits until the gate's snapshot holds every change the records filed
so far caused (read your writes, as a lane system would see it a moment later). A crossing is
decided at its instant: the suite's clock is set to ``at`` first.
"""

from __future__ import annotations

import asyncio
from typing import Any

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.cli.scenarios.format import ScenarioError, check_fields, instant
from secondline.cli.scenarios.steps import Context, step
from secondline.cli.scenarios.steps.classification import OPERATOR, flag_names
from secondline.cli.scenarios.steps.classification import stub as classification_stub
from secondline.gate.v1 import gate_pb2 as gpb
from secondline.gate.v1 import gate_pb2_grpc
from secondline.foreign_codes import parse_foreign
from secondline.identifiers import IdentifierError, validate_uscc
from secondline.rpc.convert import timestamp

BATCH = 1000  # crossings per BatchDecide call
STATUS_READER = (("x-secondline-principal", "lane/HAIKOU"),)
CROSSING_FIELDS = {"at", "crossing", "parties", "batch", "port"}
PARTIES_FIELDS = ("enterprise", "foreign", "individuals")
INDIVIDUAL_FIELDS = ("id", "role")


def lane_of(crossing: gpb.Crossing) -> tuple[tuple[str, str], ...]:
    """Who sends the crossing: its port's lane system (``lane/<PORT>``, which decides crossings at
    its own port only, M-0); a crossing that names no port, an operator."""
    return (("x-secondline-principal", f"lane/{crossing.port}" if crossing.port else "operator/scenarios"),)


def stub(context: Context) -> gate_pb2_grpc.GateServiceStub:
    return gate_pb2_grpc.GateServiceStub(context.suite.channels["gate"])


@step("gate", fields=CROSSING_FIELDS, beside={"expect": {"lane", "refused", "reasons", "flags"}})
async def gate(context: Context, step: dict[str, Any]) -> None:
    spec, want = step["gate"], step.get("expect") or {}
    await caught_up(context)
    crossing = _crossing(spec, str(spec.get("crossing") or ""))
    await context.suite.set_time(instant(spec["at"]))
    decision = (await stub(context).Decide(gpb.DecideRequest(crossing=crossing), metadata=lane_of(crossing), timeout=30)).decision
    problems = []
    got_lane = gpb.Lane.Name(decision.lane).removeprefix("LANE_")
    if "lane" in want and got_lane != want["lane"]:
        problems.append(f"lane {want['lane']}, got {got_lane}")
    if "refused" in want and decision.refused != bool(want["refused"]):
        problems.append(f"refused {want['refused']}, got {decision.refused} ({decision.refusal_detail or 'no detail'})")
    missing = [r for r in want.get("reasons") or [] if r not in decision.reasons]
    if missing:
        problems.append(f"reasons to include {missing}, got {list(decision.reasons)}")
    flags = set().union(*(flag_names(p.flags) for p in decision.parties))
    missing_flags = [f for f in want.get("flags") or [] if f not in flags]
    if missing_flags:
        problems.append(f"a party's flags to include {missing_flags}, got {sorted(flags)}")
    if problems:
        raise ScenarioError(f"crossing {crossing.crossing_id} at {spec['at']} expected " + "; ".join(problems))


@step("gate_rate", fields={"at", "parties", "crossings", "lane", "rate", "tolerance", "port", "batch"})
async def gate_rate(context: Context, step: dict[str, Any]) -> None:
    spec = step["gate_rate"]
    await caught_up(context)
    total = int(spec["crossings"])
    lane = gpb.Lane.Value(f"LANE_{spec['lane']}")
    crossings = [_crossing(spec, f"{context.scenario.name}-{n}") for n in range(1, total + 1)]
    await context.suite.set_time(instant(spec["at"]))
    hits = 0
    for start in range(0, total, BATCH):
        reply = await stub(context).BatchDecide(gpb.BatchDecideRequest(crossings=crossings[start:start + BATCH]),
                                                metadata=lane_of(crossings[0]), timeout=60)
        hits += sum(d.lane == lane for d in reply.decisions)
    share, rate, tolerance = hits / total, float(spec["rate"]), float(spec["tolerance"])
    if abs(share - rate) > tolerance:
        raise ScenarioError(f"{total} crossings: share {spec['lane']} {share:.4f}, expected {rate} ± {tolerance}")


async def caught_up(context: Context, timeout: float = 30.0) -> None:
    """Wait until classification has applied every record filed so far and the gate holds what that changed."""
    if not context.cursor:
        return
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        status = await classification_stub(context).GetStatus(cpb.GetStatusRequest(), metadata=OPERATOR)
        if status.record_cursor and int(status.record_cursor) >= context.cursor:
            break
        await _pause(deadline, "classification to apply the records filed")
    gate_status = stub(context).GetGateStatus
    while (await gate_status(gpb.GetGateStatusRequest(), metadata=STATUS_READER)).classification_revision < status.revision:
        await _pause(deadline, f"the gate to reach classification revision {status.revision}")


async def _pause(deadline: float, what: str) -> None:
    if asyncio.get_running_loop().time() > deadline:
        raise ScenarioError(f"timed out waiting for {what}")
    await asyncio.sleep(0.02)


def _is_foreign(code: str) -> bool:
    """An S-4 code rather than a USCC (which the gate would check, S-2)."""
    try:
        validate_uscc(code)
        return False
    except IdentifierError:
        pass
    try:
        parse_foreign(code)
        return True
    except IdentifierError:
        return False


def _crossing(spec: dict[str, Any], crossing_id: str) -> gpb.Crossing:
    parties = check_fields("parties", spec.get("parties") or {}, PARTIES_FIELDS)
    crossing = gpb.Crossing(crossing_id=crossing_id, at=timestamp(instant(spec["at"])), batch=bool(spec.get("batch", False)),
                            port=str(spec.get("port") or ""))
    entity = str(parties.get("enterprise") or "")
    if parties.get("foreign") or (entity and _is_foreign(entity)):  # an S-4 code as the declaring entity
        crossing.foreign_entity = str(parties.get("foreign") or entity)
    else:
        crossing.enterprise = entity
    for person in parties.get("individuals") or []:
        check_fields("parties.individuals[]", person, INDIVIDUAL_FIELDS)
        role = str(person.get("role", ""))
        if f"ROLE_{role}" not in gpb.Role.keys():
            raise ScenarioError(f"unknown role {role!r}; expected DRIVER, DECLARANT, TRANSPORT_WORKER or TRAVELLER")
        crossing.individuals.add(id=str(person["id"]), role=gpb.Role.Value(f"ROLE_{role}"))
    return crossing

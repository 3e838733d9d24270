"""The objection service's step kinds (RULES O, L-4; shared/spec/scenarios/README.md,
"Objections and repairs"): ``object``, ``extend``, ``answer``, ``expect_objection``,
``apply_repair``, ``decide_repair``, ``expect_repair``.

The acting steps happen at their ``at``: the suite's clock is set to it first. The subject
objects and applies through the portal; an owner answers, extends and decides as its department.
What an objection files through ingestion (its marks, the owner's records) is noted as filed,
so that a later ``expect`` reads the class after it (read your writes).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import grpc

from secondline.cli.scenarios.format import ScenarioError, calendar_date, instant, show, subject
from secondline.cli.scenarios.steps import Context, step
from secondline.common.v1 import common_pb2
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.objection.v1 import objection_pb2 as opb
from secondline.objection.v1 import objection_pb2_grpc
from secondline.rpc.convert import instant as from_timestamp
from secondline.rpc.convert import timestamp

PORTAL = (("x-secondline-principal", "portal/scenarios"),)
OPERATOR = (("x-secondline-principal", "operator/scenarios"),)
REJECT = {"code"}
CORRECT_FIELDS = ("decided_on", "grade", "severity", "valid_until", "legal_basis")


def stub(context: Context) -> objection_pb2_grpc.ObjectionServiceStub:
    return objection_pb2_grpc.ObjectionServiceStub(context.suite.channels["objection"])


def _as(department: str) -> tuple:
    return (("x-secondline-principal", f"department/{department}"),)


def _ref(context: Context, name: Any) -> str:
    return context.refs.get(str(name), str(name))


async def _call(context: Context, what: str, call, step: dict[str, Any]):
    """The answer of ``call``, or None where the step expects (and got) the refusal it names."""
    await context.suite.set_time(instant(step[what]["at"]))
    want = (step.get("reject") or {}).get("code")
    try:
        reply = await call()  # started once the clock stands at the step's instant
    except grpc.aio.AioRpcError as exc:
        if want == exc.code().name:
            return None
        expected = f"refused with {want}" if want else "it accepted"
        raise ScenarioError(f"{what}: expected {expected}, got {exc.code().name}: {exc.details()}") from None
    if want:
        raise ScenarioError(f"{what}: expected it refused with {want}, but it was accepted")
    return reply


def _check_due(what: str, expected: Any, got) -> None:
    if expected is not None and from_timestamp(got) != instant(expected):
        raise ScenarioError(f"{what}: expected due {instant(expected).isoformat()}, got {show(from_timestamp(got))}")


@step("object", fields={"ref", "at", "subject", "records", "class", "statement"},
      beside={"expect": {"answer_due"}, "reject": REJECT}, prose={"statement"})
async def object_(context: Context, step: dict[str, Any]) -> None:
    """A subject objects to records, or to its class (O-1), through the portal."""
    spec = step["object"]
    request = opb.FileObjectionRequest(subject=subject(spec["subject"]), against_class=bool(spec.get("class", False)),
                                       record_ids=[_ref(context, r) for r in spec.get("records") or []],
                                       statement=str(spec.get("statement", "")))
    reply = await _call(context, "object", lambda: stub(context).FileObjection(request, metadata=PORTAL, timeout=30), step)
    if reply is None:
        return
    objection = reply.objection
    context.filed(objection.record_cursor)
    if spec.get("ref"):
        context.refs[spec["ref"]] = objection.objection_id
    _check_due("object", (step.get("expect") or {}).get("answer_due"), objection.answer_due)


@step("extend", fields={"objection", "record", "by", "at", "reason"}, beside={"expect": {"answer_due"}, "reject": REJECT},
      prose={"reason"})
async def extend(context: Context, step: dict[str, Any]) -> None:
    """The record's owner extends its deadline once, with a reason (O-3)."""
    spec = step["extend"]
    request = opb.ExtendDeadlineRequest(objection_id=_ref(context, spec["objection"]), record_id=_ref(context, spec["record"]),
                                        reason=str(spec.get("reason", "")))
    reply = await _call(context, "extend", lambda: stub(context).ExtendDeadline(request, metadata=_as(spec["by"]), timeout=30), step)
    if reply is not None:
        _check_due("extend", (step.get("expect") or {}).get("answer_due"), reply.objection.answer_due)


@step("answer", fields={"objection", "record", "by", "at", "outcome", "reason", "withdraw", "correct"}, beside={"reject": REJECT},
      prose={"reason"})
async def answer(context: Context, step: dict[str, Any]) -> None:
    """The record's owner answers UPHELD (withdrawn or corrected) or REJECTED (O-3, O-4)."""
    spec = step["answer"]
    request = opb.AnswerObjectionRequest(objection_id=_ref(context, spec["objection"]), record_id=_ref(context, spec["record"]),
                                         outcome=opb.Outcome.Value(f"OUTCOME_{spec.get('outcome', 'UNSPECIFIED')}"),
                                         reason=str(spec.get("reason", "")))
    if spec.get("withdraw"):
        request.withdraw = True
    if spec.get("correct"):
        request.correct.CopyFrom(_correction(spec["correct"]))
    reply = await _call(context, "answer", lambda: stub(context).AnswerObjection(request, metadata=_as(spec["by"]), timeout=30), step)
    if reply is not None:
        context.filed(reply.objection.record_cursor)


def _correction(spec: dict[str, Any]) -> opb.RecordCorrection:
    unknown = sorted(set(spec) - set(CORRECT_FIELDS))
    if unknown:
        raise ScenarioError(f"answer's correct: unknown field {unknown[0]!r}; expected one of {', '.join(CORRECT_FIELDS)}")
    msg = opb.RecordCorrection(grade=str(spec.get("grade", "")), legal_basis=str(spec.get("legal_basis", "")))
    if spec.get("severity"):
        msg.severity = common_pb2.Severity.Value(f"SEVERITY_{spec['severity']}")
    for name in ("decided_on", "valid_until"):
        day = calendar_date(spec.get(name))
        if day is not None:
            getattr(msg, name).CopyFrom(common_pb2.Date(year=day.year, month=day.month, day=day.day))
    return msg


@step("expect_objection", fields={"objection", "at", "status", "answer_due"})
async def expect_objection(context: Context, step: dict[str, Any]) -> None:
    """An objection's status (and due instant) as of ``at``."""
    spec = step["expect_objection"]
    at = instant(spec["at"])
    request = opb.GetObjectionRequest(objection_id=_ref(context, spec["objection"]), as_of=timestamp(at))
    found = (await stub(context).GetObjection(request, metadata=OPERATOR, timeout=30)).objection
    _expect_state("expect_objection", at, spec, opb.ObjectionStatus.Name(found.status).removeprefix("OBJECTION_STATUS_"),
                  found.answer_due, "answer_due")


@step("apply_repair", fields={"ref", "at", "listing", "commitment", "obligations_fulfilled"}, beside={"reject": REJECT},
      prose={"commitment"})
async def apply_repair(context: Context, step: dict[str, Any]) -> None:
    """A listed subject applies for early removal of a listing (L-4), through the portal."""
    spec = step["apply_repair"]
    listing = _ref(context, spec["listing"])
    record = (await ingestion_pb2_grpc.IngestionServiceStub(context.suite.channels["ingestion"]).GetRecord(
        ingestion_pb2.GetRecordRequest(record_id=listing), metadata=OPERATOR)).record
    request = opb.ApplyForRepairRequest(subject=record.input.subject, listing_record_id=listing,
                                        commitment=str(spec.get("commitment", "")),
                                        obligations_fulfilled=bool(spec.get("obligations_fulfilled", False)))
    reply = await _call(context, "apply_repair", lambda: stub(context).ApplyForRepair(request, metadata=PORTAL, timeout=30), step)
    if reply is not None and spec.get("ref"):
        context.refs[spec["ref"]] = reply.repair.repair_id


@step("decide_repair", fields={"repair", "by", "at", "outcome", "reason"}, beside={"reject": REJECT}, prose={"reason"})
async def decide_repair(context: Context, step: dict[str, Any]) -> None:
    """The list's owner approves or rejects an application (L-4)."""
    spec = step["decide_repair"]
    request = opb.DecideRepairRequest(repair_id=_ref(context, spec["repair"]), reason=str(spec.get("reason", "")),
                                      outcome=opb.RepairOutcome.Value(f"REPAIR_OUTCOME_{spec.get('outcome', 'UNSPECIFIED')}"))
    reply = await _call(context, "decide_repair", lambda: stub(context).DecideRepair(request, metadata=_as(spec["by"]), timeout=30), step)
    if reply is not None:
        context.filed(reply.repair.record_cursor)


@step("expect_repair", fields={"repair", "at", "status", "decide_due"})
async def expect_repair(context: Context, step: dict[str, Any]) -> None:
    """A repair application's status (and due instant) as of ``at``."""
    spec = step["expect_repair"]
    at = instant(spec["at"])
    request = opb.GetRepairRequest(repair_id=_ref(context, spec["repair"]), as_of=timestamp(at))
    found = (await stub(context).GetRepair(request, metadata=OPERATOR, timeout=30)).repair
    _expect_state("expect_repair", at, spec, opb.RepairStatus.Name(found.status).removeprefix("REPAIR_STATUS_"),
                  found.deadline.due, "decide_due")


def _expect_state(what: str, at: datetime, spec: dict[str, Any], status: str, due, due_field: str) -> None:
    problems = []
    if "status" in spec and status != spec["status"]:
        problems.append(f"status {spec['status']}, got {status}")
    if due_field in spec and from_timestamp(due) != instant(spec[due_field]):
        problems.append(f"{due_field} {instant(spec[due_field]).isoformat()}, got {show(from_timestamp(due))}")
    if problems:
        raise ScenarioError(f"{what} at {at.isoformat()}: expected " + "; ".join(problems))

"""Ingestion's step kinds: ``submit`` and ``reject`` (RULES R-1 .. R-6)."""

from __future__ import annotations

from typing import Any

import grpc
from grpc_status import rpc_status

from secondline.cli.scenarios.format import SUBJECT_KINDS, ScenarioError, calendar_date, check_fields, enum_value
from secondline.cli.scenarios.steps import Context, step
from secondline.common.v1 import common_pb2
from secondline.dates import noon
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.rpc.status import field_violations

OPERATOR = (("x-secondline-principal", "operator/scenarios"),)
#: The fields of a record as a step writes it (shared/spec/scenarios/README.md).
RECORD_FIELDS = frozenset({"ref", "source", "source_id", "kind", "subject", "decided_on", "submitted_on", "grade",
                           "list", "severity", "valid_until", "corrects", "withdraws"})


def stub(context: Context) -> ingestion_pb2_grpc.IngestionServiceStub:
    return ingestion_pb2_grpc.IngestionServiceStub(context.suite.channels["ingestion"])


@step("submit", fields=RECORD_FIELDS, beside={"late": None})
async def submit(context: Context, step: dict[str, Any]) -> None:
    """A department files a record; it must be accepted (and flagged late or not, where ``late`` says)."""
    spec = step["submit"]
    record = await submit_record(context, spec)
    if "late" in step and record.late is not bool(step["late"]):
        raise ScenarioError(f"submit {spec.get('ref', '')}: expected late={step['late']}, got late={record.late}")


async def submit_record(context: Context, spec: dict[str, Any]) -> ingestion_pb2.Record:
    request, metadata = await _request(context, spec)
    try:
        reply = await stub(context).SubmitRecord(request, metadata=metadata)
    except grpc.aio.AioRpcError as exc:
        raise ScenarioError(f"submit {spec.get('ref', '')}: expected it stored, got {exc.code().name}: {exc.details()}") from None
    context.filed(reply.record.cursor)
    if spec.get("ref"):
        context.refs[spec["ref"]] = reply.record.record_id
    return reply.record


@step("reject", fields={"record", "code", "field"})
async def reject(context: Context, step: dict[str, Any]) -> None:
    """A submission that must be refused with ``code`` (naming ``field``), leaving nothing stored."""
    spec = step["reject"]
    check_fields("reject's record", spec.get("record"), RECORD_FIELDS)
    request, metadata = await _request(context, spec["record"])
    before = await _stored(context, request.record)
    try:
        reply = await stub(context).SubmitRecord(request, metadata=metadata)
    except grpc.aio.AioRpcError as exc:
        code, fields = exc.code().name, [v.field for v in field_violations(rpc_status.from_call(exc))]
    else:
        context.filed(reply.record.cursor)
        raise ScenarioError(f"reject: expected {spec['code']}, but the record was stored ({reply.record.record_id})")
    if code != spec["code"]:
        raise ScenarioError(f"reject: expected {spec['code']}, got {code}")
    if spec.get("field") and spec["field"] not in fields:
        raise ScenarioError(f"reject: expected field {spec['field']} named, got {fields or 'none'}")
    if await _stored(context, request.record) != before:
        raise ScenarioError("reject: the refused record left something stored")


async def _request(context: Context, spec: dict[str, Any]) -> tuple[ingestion_pb2.SubmitRecordRequest, tuple]:
    """The request for a record as written; the suite's clock moved to noon (CST) of its receipt
    date, ``submitted_on``, or of ``decided_on`` where no receipt date is given."""
    decided = calendar_date(spec.get("decided_on"))
    received = calendar_date(spec.get("submitted_on")) or decided
    if received is not None:
        await context.suite.set_time(noon(received))
    ref = spec.get("ref", "")
    msg = ingestion_pb2.RecordInput(
        source_id=str(spec.get("source_id") or f"{context.scenario.name}/{ref}"),
        kind=enum_value(common_pb2.RecordKind, "RECORD_KIND_", spec.get("kind")),
        grade=str(spec.get("grade", "")),
        list=enum_value(common_pb2.DishonestyList, "DISHONESTY_LIST_", spec.get("list")),
        severity=enum_value(common_pb2.Severity, "SEVERITY_", spec.get("severity")),
    )
    for name, value in check_fields("subject", spec.get("subject") or {}, SUBJECT_KINDS).items():
        setattr(msg.subject, name, str(value))
    for name, value in (("decided_on", decided), ("valid_until", calendar_date(spec.get("valid_until")))):
        if value is not None:
            getattr(msg, name).CopyFrom(common_pb2.Date(year=value.year, month=value.month, day=value.day))
    for name in ("corrects", "withdraws"):
        if spec.get(name):
            target = spec[name]
            getattr(msg, name).record_id = context.refs.get(target, target)
    principal = (("x-secondline-principal", f"department/{spec['source']}"),)
    return ingestion_pb2.SubmitRecordRequest(record=msg), principal


async def _stored(context: Context, msg: ingestion_pb2.RecordInput) -> int:
    if not msg.subject.WhichOneof("id"):
        return 0
    request = ingestion_pb2.ListSubjectRecordsRequest(subject=msg.subject, page_size=1000)
    try:
        reply = await stub(context).ListSubjectRecords(request, metadata=OPERATOR)
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:  # an identifier nobody can file under
            return 0
        raise
    return len(reply.records)

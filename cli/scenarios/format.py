"""Acceptance scenarios (shared/spec/scenarios/README.md): loading, and the ingestion steps.

A scenario is a YAML story told to the running suite through its public gRPC contracts. This
module reads the files and carries out the steps that ingestion answers (``submit``,
``reject``); the scenario runner (``secondline scenarios``) adds the other step kinds as the
services that answer them exist, and refuses a step kind it does not know, by name.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

import grpc
import yaml
from grpc_status import rpc_status

from secondline.common.v1 import common_pb2
from secondline.dates import noon
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.rpc.status import field_violations

STEP_KINDS = ("submit", "reject", "expect", "gate", "gate_rate")


class ScenarioError(Exception):
    """A step did not behave as written: what was expected and what came back."""


@dataclass
class Scenario:
    name: str
    path: Path
    rules: list[str]
    steps: list[dict[str, Any]]

    def step_kind(self, step: dict[str, Any]) -> str:
        """A step's kind is its first key (``gate`` steps carry an ``expect`` beside it)."""
        kind = next(iter(step), None) if isinstance(step, dict) else None
        if kind not in STEP_KINDS:
            raise ScenarioError(f"{self.path.name}: unknown step kind {kind!r}; known: {', '.join(STEP_KINDS)}")
        return kind


def load(path: Path) -> Scenario:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        raise ScenarioError(f"{path}: a scenario is a mapping with a list of steps")
    return Scenario(name=str(data.get("scenario") or path.stem), path=path,
                    rules=list(data.get("rules") or []), steps=data["steps"])


def load_folders(folders: list[Path]) -> list[Scenario]:
    return [load(p) for folder in folders for p in sorted(Path(folder).glob("*.yaml"))]


@dataclass
class IngestionSteps:
    """Carries out ``submit`` and ``reject`` steps against an ingestion service.

    ``set_clock`` moves the suite's clock: a record is received at noon (CST) of its
    ``submitted_on``, or of its ``decided_on`` when no receipt date is given.
    """

    scenario: Scenario
    channel: grpc.aio.Channel
    set_clock: Callable[[Any], Any]
    refs: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.stub = ingestion_pb2_grpc.IngestionServiceStub(self.channel)

    async def submit(self, step: dict[str, Any]) -> ingestion_pb2.Record:
        spec = step["submit"]
        request, metadata = await self._request(spec)
        try:
            reply = await self.stub.SubmitRecord(request, metadata=metadata)
        except grpc.aio.AioRpcError as exc:
            raise ScenarioError(f"submit {spec.get('ref', '')}: expected it stored, got {exc.code().name}: {exc.details()}") from None
        if "late" in step and reply.record.late is not bool(step["late"]):
            raise ScenarioError(f"submit {spec.get('ref', '')}: expected late={step['late']}, got late={reply.record.late}")
        if spec.get("ref"):
            self.refs[spec["ref"]] = reply.record.record_id
        return reply.record

    async def reject(self, step: dict[str, Any]) -> None:
        spec = step["reject"]
        request, metadata = await self._request(spec["record"])
        before = await self._stored(request.record)
        try:
            reply = await self.stub.SubmitRecord(request, metadata=metadata)
        except grpc.aio.AioRpcError as exc:
            code, fields = exc.code().name, [v.field for v in field_violations(rpc_status.from_call(exc))]
        else:
            raise ScenarioError(f"reject: expected {spec['code']}, but the record was stored ({reply.record.record_id})")
        if code != spec["code"]:
            raise ScenarioError(f"reject: expected {spec['code']}, got {code}")
        if spec.get("field") and spec["field"] not in fields:
            raise ScenarioError(f"reject: expected field {spec['field']} named, got {fields or 'none'}")
        if await self._stored(request.record) != before:
            raise ScenarioError("reject: the refused record left something stored")

    async def _request(self, spec: dict[str, Any]) -> tuple[ingestion_pb2.SubmitRecordRequest, tuple]:
        decided = _date(spec.get("decided_on"))
        received = _date(spec.get("submitted_on")) or decided
        if received is not None:
            done = self.set_clock(noon(received))
            if inspect.isawaitable(done):
                await done
        ref = spec.get("ref", "")
        msg = ingestion_pb2.RecordInput(
            source_id=str(spec.get("source_id") or f"{self.scenario.name}/{ref}"),
            kind=_enum(common_pb2.RecordKind, "RECORD_KIND_", spec.get("kind")),
            grade=str(spec.get("grade", "")),
            list=_enum(common_pb2.DishonestyList, "DISHONESTY_LIST_", spec.get("list")),
            severity=_enum(common_pb2.Severity, "SEVERITY_", spec.get("severity")),
        )
        for name, value in (spec.get("subject") or {}).items():
            setattr(msg.subject, name, str(value))
        for name, value in (("decided_on", decided), ("valid_until", _date(spec.get("valid_until")))):
            if value is not None:
                getattr(msg, name).CopyFrom(common_pb2.Date(year=value.year, month=value.month, day=value.day))
        for name in ("corrects", "withdraws"):
            if spec.get(name):
                target = spec[name]
                getattr(msg, name).record_id = self.refs.get(target, target)
        principal = (("x-secondline-principal", f"department/{spec['source']}"),)
        return ingestion_pb2.SubmitRecordRequest(record=msg), principal

    async def _stored(self, msg: ingestion_pb2.RecordInput) -> int:
        if not msg.subject.WhichOneof("id"):
            return 0
        request = ingestion_pb2.ListSubjectRecordsRequest(subject=msg.subject, page_size=1000)
        try:
            reply = await self.stub.ListSubjectRecords(request, metadata=(("x-secondline-principal", "operator/scenarios"),))
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:  # an identifier nobody can file under
                return 0
            raise
        return len(reply.records)


def _enum(enum, prefix: str, name: Any) -> int:
    if not name:
        return 0
    try:
        return enum.Value(prefix + str(name))
    except ValueError:
        raise ScenarioError(f"unknown {prefix.rstrip('_').lower()} {name!r}") from None


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))

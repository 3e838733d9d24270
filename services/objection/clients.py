"""What the objection service asks of ingestion and classification, through their contracts.

Errors of the other services come back as this service's domain errors, with their field
violations (prefixed where the caller's request names the field differently).
"""

from __future__ import annotations

from datetime import date, datetime

import grpc
from grpc_status import rpc_status

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.classification.v1 import classification_pb2_grpc
from secondline.common.v1 import common_pb2
from secondline.errors import (AlreadyExists, DomainError, FailedPrecondition, FieldViolation, InvalidArgument, NotFound,
                               PermissionDenied, Unavailable)
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.rpc.convert import subject_to_proto, timestamp
from secondline.rpc.status import field_violations

from .domain import RecordView

PRINCIPAL = (("x-secondline-principal", "service/objection"),)
TIMEOUT = 10.0
PAGE = 1000
_ERRORS = {grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument, grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
           grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition, grpc.StatusCode.ALREADY_EXISTS: AlreadyExists,
           grpc.StatusCode.NOT_FOUND: NotFound}


def domain_error(error: grpc.aio.AioRpcError, *, service: str, prefix: str = "") -> DomainError:
    """The other service's refusal as ours; anything else is UNAVAILABLE (retry later)."""
    kind = _ERRORS.get(error.code())
    if kind is None:
        return Unavailable(message=f"{service} did not answer: {error.code().name} {error.details()}",
                           reason="DEPENDENCY_UNAVAILABLE", metadata={"service": service})
    status = rpc_status.from_call(error)
    violations = [FieldViolation(f"{prefix}{v.field}" if prefix else v.field, v.description) for v in field_violations(status)]
    return kind(message=f"{service}: {error.details()}", reason="REFUSED_BY_" + service.upper(), violations=violations)


def enum_name(enum, value: int, prefix: str) -> str:
    return enum.Name(value).removeprefix(prefix) if value else ""


def record_view(record: ingestion_pb2.Record) -> RecordView:
    body = record.input
    which = body.subject.WhichOneof("id")
    return RecordView(
        record_id=record.record_id, source=enum_name(common_pb2.Department, record.source, "DEPARTMENT_"),
        kind=enum_name(common_pb2.RecordKind, body.kind, "RECORD_KIND_"),
        content_kind=enum_name(common_pb2.RecordKind, record.content_kind, "RECORD_KIND_"),
        subject_key=getattr(body.subject, which) if which else "",
        decided_on=date(body.decided_on.year, body.decided_on.month, body.decided_on.day),
        list=enum_name(common_pb2.DishonestyList, body.list, "DISHONESTY_LIST_"),
        severity=enum_name(common_pb2.Severity, body.severity, "SEVERITY_"),
        superseded_by=record.superseded_by, cursor=int(record.cursor or 0))


class IngestionClient:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = ingestion_pb2_grpc.IngestionServiceStub(channel)

    @property
    def stub(self) -> ingestion_pb2_grpc.IngestionServiceStub:
        return self._stub

    async def history(self, subject_type: str, key: str) -> list[ingestion_pb2.Record]:
        """Every record of the subject, superseded ones included, in commit order."""
        found, token = [], ""
        try:
            while True:
                page = await self._stub.ListSubjectRecords(ingestion_pb2.ListSubjectRecordsRequest(
                    subject=subject_to_proto(subject_type, key), page_size=PAGE, page_token=token),
                    metadata=PRINCIPAL, timeout=TIMEOUT)
                found += page.records
                token = page.next_page_token
                if not token:
                    return found
        except grpc.aio.AioRpcError as error:
            raise domain_error(error, service="ingestion") from None

    async def record(self, record_id: str) -> ingestion_pb2.Record:
        """One record, with ``superseded_by`` where it applies."""
        try:
            response = await self._stub.GetRecord(ingestion_pb2.GetRecordRequest(record_id=record_id),
                                                  metadata=PRINCIPAL, timeout=TIMEOUT)
        except grpc.aio.AioRpcError as error:
            raise domain_error(error, service="ingestion") from None
        return response.record

    async def validate(self, record: ingestion_pb2.RecordInput, on_behalf_of: str, *, prefix: str) -> None:
        """Ingestion's answer to filing ``record`` for its owner, storing nothing (AIP-163)."""
        request = ingestion_pb2.SubmitRecordRequest(record=record, validate_only=True,
                                                    on_behalf_of=common_pb2.Department.Value("DEPARTMENT_" + on_behalf_of))
        try:
            await self._stub.SubmitRecord(request, metadata=PRINCIPAL, timeout=TIMEOUT)
        except grpc.aio.AioRpcError as error:
            raise domain_error(error, service="ingestion", prefix=prefix) from None


class ClassificationClient:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = classification_pb2_grpc.ClassificationServiceStub(channel)

    async def subject_class(self, subject_type: str, key: str, at: datetime, *, min_cursor: int = 0) -> cpb.SubjectClass:
        request = cpb.GetSubjectClassRequest(subject=subject_to_proto(subject_type, key), as_of=timestamp(at),
                                             min_record_cursor=str(min_cursor) if min_cursor else "")
        try:
            return (await self._stub.GetSubjectClass(request, metadata=PRINCIPAL, timeout=TIMEOUT)).subject_class
        except grpc.aio.AioRpcError as error:
            raise domain_error(error, service="classification") from None

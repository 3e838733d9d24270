"""The one mapping from domain errors to ``google.rpc.Status`` (AIP-193).

Every status carries one ``ErrorInfo`` (reason, domain, metadata) and, when the error names
fields, a ``BadRequest`` with one field violation per field.
"""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from secondline.errors import DomainError


def to_status_proto(error: DomainError, domain: str) -> status_pb2.Status:
    """The error as a ``google.rpc.Status`` message (also used per record in streams)."""
    details = []
    info = error_details_pb2.ErrorInfo(reason=error.reason, domain=domain, metadata=error.metadata)
    details.append(_pack(info))
    if error.violations:
        bad = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
                for v in error.violations
            ]
        )
        details.append(_pack(bad))
    return status_pb2.Status(
        code=code_pb2.Code.Value(error.code), message=error.message, details=details
    )


async def abort(context: grpc.aio.ServicerContext, error: DomainError, domain: str) -> None:
    """End the call with the error's status, details in the trailing metadata."""
    await context.abort_with_status(rpc_status.to_status(to_status_proto(error, domain)))


def _pack(message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def field_violations(status: status_pb2.Status | None) -> list[error_details_pb2.BadRequest.FieldViolation]:
    """The ``BadRequest`` field violations a status carries (none for other errors)."""
    found = []
    for detail in status.details if status is not None else ():
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            found += bad.field_violations
    return found

"""Domain errors, free of any transport (DESIGN: rules never see ``grpc`` types).

A use case raises one of these; the servicer edge maps it once to a ``google.rpc.Status``
(:mod:`secondline.rpc.status`). ``code`` names the gRPC canonical code the error maps to,
``reason`` is the ``ErrorInfo`` reason (UPPER_SNAKE_CASE, stable for clients to match on),
and ``violations`` become ``BadRequest`` field violations.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldViolation:
    field: str
    """Path of the offending field in the request, e.g. ``subject.enterprise``."""
    description: str
    """What was wrong and what was expected."""


@dataclass
class DomainError(Exception):
    message: str
    reason: str
    violations: list[FieldViolation] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)

    code = "UNKNOWN"

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class InvalidArgument(DomainError):
    code = "INVALID_ARGUMENT"

    @classmethod
    def of(cls, violations: list[FieldViolation], reason: str = "INVALID_RECORD") -> "InvalidArgument":
        summary = "; ".join(f"{v.field}: {v.description}" for v in violations)
        return cls(message=summary, reason=reason, violations=list(violations))


class PermissionDenied(DomainError):
    code = "PERMISSION_DENIED"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class AlreadyExists(DomainError):
    code = "ALREADY_EXISTS"


class NotFound(DomainError):
    code = "NOT_FOUND"


class FailedPrecondition(DomainError):
    code = "FAILED_PRECONDITION"


class Unavailable(DomainError):
    code = "UNAVAILABLE"

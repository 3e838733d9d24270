"""Conversions every servicer needs at its edge: dates, instants, subjects."""

from __future__ import annotations

from datetime import date, datetime, timezone

from google.protobuf.timestamp_pb2 import Timestamp

from secondline.common.v1 import common_pb2
from secondline.errors import FieldViolation, InvalidArgument
from secondline.identifiers import IdentifierError, parse_enterprise, parse_individual


def date_to_proto(day: date) -> common_pb2.Date:
    return common_pb2.Date(year=day.year, month=day.month, day=day.day)


def timestamp(instant: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(instant)
    return stamp


def instant(stamp: Timestamp) -> datetime:
    return stamp.ToDatetime(tzinfo=timezone.utc)


def subject_from_proto(subject: common_pb2.SubjectId, *, field: str = "subject",
                       exceptions: frozenset[str] = frozenset()) -> tuple[str, str]:
    """(``enterprise`` | ``individual``, canonical key) of a subject named in a query."""
    which = subject.WhichOneof("id")
    if which is None:
        raise InvalidArgument.of([FieldViolation(field, "is required: set enterprise or individual")])
    try:
        if which == "enterprise":
            return which, parse_enterprise(subject.enterprise, exceptions=exceptions)
        return which, parse_individual(subject.individual, today=date.max)
    except IdentifierError as exc:
        raise InvalidArgument.of([FieldViolation(f"{field}.{which}", str(exc))]) from None


def subject_to_proto(subject_type: str, key: str) -> common_pb2.SubjectId:
    return common_pb2.SubjectId(**{subject_type: key})

"""Conversions every servicer needs at its edge: dates, instants, subjects.

Instants from the wire are checked once, here: a ``google.protobuf.Timestamp`` outside its
documented range (0001-01-01 to 9999-12-31, nanos 0 to 999,999,999) is refused, and so is an
*empty* one (1970-01-01T00:00:00Z exactly), which is what a client sends when its own date
value was lost on the way (a JavaScript ``Date`` through proto-loader): no instant the suite
is asked about is the Unix epoch. :func:`within` checks an instant against a plausibility
window around the suite's clock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from google.protobuf.timestamp_pb2 import Timestamp

from secondline.common.v1 import common_pb2
from secondline.errors import FieldViolation, InvalidArgument
from secondline.foreign_codes import parse_foreign
from secondline.identifiers import IdentifierError, parse_enterprise, parse_individual


def date_to_proto(day: date) -> common_pb2.Date:
    return common_pb2.Date(year=day.year, month=day.month, day=day.day)


def timestamp(instant: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(instant)
    return stamp


TIMESTAMP_MIN, TIMESTAMP_MAX = -62135596800, 253402300799  # 0001-01-01T00:00:00Z, 9999-12-31T23:59:59Z


def instant(stamp: Timestamp) -> datetime:
    return stamp.ToDatetime(tzinfo=timezone.utc)


def instant_problem(stamp: Timestamp) -> str | None:
    """Why a Timestamp cannot be an instant of the suite's, or None when it can."""
    if not TIMESTAMP_MIN <= stamp.seconds <= TIMESTAMP_MAX or not 0 <= stamp.nanos <= 999_999_999:
        return (f"seconds {stamp.seconds}, nanos {stamp.nanos} is not a Timestamp: seconds from "
                f"0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z and nanos from 0 to 999999999")
    if stamp.seconds == 0 and stamp.nanos == 0:
        return "is empty (1970-01-01T00:00:00Z): set the instant's seconds since the Unix epoch"
    return None


def instant_field(message, name: str, *, field: str | None = None, required: bool) -> datetime | None:
    """``message.<name>`` as an aware instant, None when absent and not required; otherwise
    INVALID_ARGUMENT naming ``field`` (the path in the request, ``name`` by default)."""
    path = field or name
    if not message.HasField(name):
        if required:
            raise InvalidArgument.of([FieldViolation(path, "is required: an instant (google.protobuf.Timestamp)")])
        return None
    stamp = getattr(message, name)
    problem = instant_problem(stamp)
    if problem:
        raise InvalidArgument.of([FieldViolation(path, problem)])
    return instant(stamp)


def within(at: datetime, now: datetime, *, past: timedelta | None, future: timedelta | None) -> str | None:
    """Why ``at`` lies outside the window [now - past, now + future] (None for no bound), or None."""
    at, now = at.astimezone(timezone.utc), now.astimezone(timezone.utc)
    if past is not None and at < now - past:
        return (f"{at.isoformat()} is more than {_span(past)} before the suite's clock ({now.isoformat()}); "
                f"the earliest instant taken is {(now - past).isoformat()}")
    if future is not None and at > now + future:
        return (f"{at.isoformat()} is more than {_span(future)} after the suite's clock ({now.isoformat()}); "
                f"the latest instant taken is {(now + future).isoformat()}")
    return None


def _span(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    for unit, size, least in (("days", 86400, 2 * 86400), ("h", 3600, 3600), ("min", 60, 60)):
        if seconds >= least and seconds % size == 0:
            return f"{int(seconds // size)} {unit}"
    return f"{seconds:g} s"


def subject_from_proto(subject: common_pb2.SubjectId, *, field: str = "subject",
                       exceptions: frozenset[str] = frozenset()) -> tuple[str, str]:
    """(``enterprise`` | ``individual`` | ``foreign``, canonical key) of a subject named in a query."""
    which = subject.WhichOneof("id")
    if which is None:
        raise InvalidArgument.of([FieldViolation(field, "is required: set enterprise, individual or foreign")])
    if which == "pseudonym":
        raise InvalidArgument.of([FieldViolation(f"{field}.pseudonym", "names no subject in a request (I-3): "
                                                                       "set enterprise, individual or foreign")])
    try:
        if which == "enterprise":
            return which, parse_enterprise(subject.enterprise, exceptions=exceptions)
        if which == "foreign":
            return which, parse_foreign(subject.foreign)  # S-4
        return which, parse_individual(subject.individual, today=date.max)
    except IdentifierError as exc:
        raise InvalidArgument.of([FieldViolation(f"{field}.{which}", str(exc))]) from None


def subject_to_proto(subject_type: str, key: str) -> common_pb2.SubjectId:
    return common_pb2.SubjectId(**{subject_type: key})

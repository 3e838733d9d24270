"""The gRPC edge of the objection service: translate, delegate, translate back (the caller
checked by secondline.guard against the authorization table, its scope applied here)."""

from __future__ import annotations

from datetime import datetime

from secondline.access.v1 import access_pb2
from secondline.authorization import SUBJECT
from secondline.common.v1 import common_pb2
from secondline.errors import DomainError, FieldViolation, InvalidArgument, NotFound, PermissionDenied
from secondline.guard import Caller, caller
from secondline.objection.v1 import objection_pb2 as pb
from secondline.objection.v1 import objection_pb2_grpc
from secondline.rpc.convert import instant, subject_from_proto, timestamp
from secondline.rpc.status import abort

from . import convert
from .domain import MARK_KINDS
from .reads import ReadsGatherer
from .repairs import Application, Repairs
from .usecases import Objections
from .validation import Answer, Filing

ERROR_DOMAIN = "objection.secondline"
PAGE_DEFAULT, PAGE_MAX = 100, 1000


class ObjectionServicer(objection_pb2_grpc.ObjectionServiceServicer):
    def __init__(self, objections: Objections, repairs: Repairs, reads: ReadsGatherer) -> None:
        self._o, self._r, self._reads = objections, repairs, reads

    def _at(self, request) -> datetime:
        return instant(request.as_of) if request.HasField("as_of") else self._o.clock.now()

    def _department(self) -> str:
        return caller().principal.name

    async def FileObjection(self, request, context):
        try:
            principal = caller().principal
            subject_type, key = subject_from_proto(request.subject)
            found = await self._o.file(Filing(
                principal=str(principal), subject_type=subject_type, subject_key=key, record_ids=tuple(request.record_ids),
                against_class=request.against_class, statement=request.statement, evidence=tuple(request.evidence),
                request_id=request.request_id))
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.FileObjectionResponse(objection=convert.objection(found, self._o.clock.now()))

    async def GetObjection(self, request, context):
        try:
            who = caller()
            named = _portal_subject(who, request)
            found = await self._o.get(request.objection_id)
            if named is not None and named != (found.subject_type, found.subject_key):
                raise _not_found("objection", request.objection_id)  # another subject's: as if there were none (I-1)
            if who.principal.kind == "department" and who.principal.name not in {x.owner for x in found.records}:
                raise PermissionDenied(message=f"{who.principal} owns no record of objection {found.objection_id}",
                                       reason="NOT_YOURS", metadata={"objection_id": found.objection_id})
            self._reads.own.read(who, found.subject_key)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.GetObjectionResponse(objection=convert.objection(found, self._at(request)))

    async def ListObjections(self, request, context):
        try:
            principal = caller().principal
            department = convert_enum(common_pb2.Department, request.department, "DEPARTMENT_")
            if principal.kind == "department":
                if department and department != principal.name:
                    raise PermissionDenied(message=f"{principal} sees only objections to its own records",
                                           reason="NOT_YOURS", metadata={"department": department})
                department = principal.name
            status = convert_enum(pb.ObjectionStatus, request.status, "OBJECTION_STATUS_")
            size = request.page_size or PAGE_DEFAULT
            if not 0 < size <= PAGE_MAX:
                raise InvalidArgument.of([FieldViolation("page_size", f"must be between 1 and {PAGE_MAX}")])
            after = _token(request.page_token)
            due_before = instant(request.due_before) if request.HasField("due_before") else None
            rows = await self._o.listing(department=department, status=status, due_before=due_before, after=after, limit=size + 1)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        now = self._o.clock.now()
        page, more = rows[:size], len(rows) > size
        self._reads.own.read(caller(), *{o.subject_key for o, _ in page})
        token = f"{int(page[-1][1][0].timestamp())}.{page[-1][1][1]}" if more else ""
        return pb.ListObjectionsResponse(objections=[convert.objection(o, now) for o, _ in page], next_page_token=token)

    async def ExtendDeadline(self, request, context):
        try:
            department = self._department()
            found = await self._o.extend(department, request.objection_id, request.record_id, request.reason)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.ExtendDeadlineResponse(objection=convert.objection(found, self._o.clock.now()))

    async def AnswerObjection(self, request, context):
        try:
            department = self._department()
            found = await self._o.answer(Answer(
                department=department, objection_id=request.objection_id, record_id=request.record_id,
                outcome=convert_enum(pb.Outcome, request.outcome, "OUTCOME_"), reason=request.reason,
                remedy=convert.remedy(request)))
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.AnswerObjectionResponse(objection=convert.objection(found, self._o.clock.now()))

    async def ApplyForRepair(self, request, context):
        try:
            principal = caller().principal
            subject_type, key = subject_from_proto(request.subject)
            found = await self._r.apply(Application(
                principal=str(principal), subject_type=subject_type, subject_key=key,
                listing_record_id=request.listing_record_id, commitment=request.commitment,
                obligations_fulfilled=request.obligations_fulfilled, request_id=request.request_id))
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.ApplyForRepairResponse(repair=convert.repair(found, self._o.clock.now()))

    async def DecideRepair(self, request, context):
        try:
            department = self._department()
            found = await self._r.decide(department, request.repair_id,
                                         convert_enum(pb.RepairOutcome, request.outcome, "REPAIR_OUTCOME_"), request.reason)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.DecideRepairResponse(repair=convert.repair(found, self._o.clock.now()))

    async def GetRepair(self, request, context):
        try:
            who = caller()
            named = _portal_subject(who, request)
            found = await self._r.get(request.repair_id)
            if named is not None and named != (found.subject_type, found.subject_key):
                raise _not_found("repair application", request.repair_id)
            if who.principal.kind == "department" and who.principal.name != found.owner:
                raise PermissionDenied(message=f"{who.principal} does not keep the listing of application {found.repair_id}",
                                       reason="NOT_YOURS", metadata={"repair_id": found.repair_id})
            self._reads.own.read(who, found.subject_key)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.GetRepairResponse(repair=convert.repair(found, self._at(request)))

    async def GetSubjectFile(self, request, context):
        try:
            subject_type, key = subject_from_proto(request.subject)
            as_of = instant(request.as_of) if request.HasField("as_of") else None
            now, current, then, history, objections, repairs = await self._r.subject_file(subject_type, key, as_of)
            self._reads.own.read(caller(), key)  # I-4: this read is in the file it answers
            reads = await self._reads.of(request.subject, key)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        mark_kinds = {common_pb2.RecordKind.Value("RECORD_KIND_" + k) for k in MARK_KINDS}
        response = pb.GetSubjectFileResponse(
            now=convert.file_class(current),
            records=[convert.file_record(x) for x in history if x.input.kind not in mark_kinds],
            objections=[convert.objection(o, now) for o in objections], repairs=[convert.repair(x, now) for x in repairs],
            reads=[access_pb2.SubjectRead(principal=r.principal, read_at=timestamp(r.read_at), rpc=r.rpc) for r in reads])
        if then is not None:
            response.as_of.CopyFrom(convert.file_class(then))
        return response

    async def ReloadCalendar(self, request, context):
        try:
            calendar = self._o.calendar.load()
            self._o.calendar.current = calendar
            moved = await self._o.reproject(calendar) + await self._r.reproject(calendar)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.ReloadCalendarResponse(years=list(calendar.years), moved=moved)


def _portal_subject(who: Caller, request) -> tuple[str, str] | None:
    """The subject a portal acts for (required of it: it is answered about that subject only, I-1)."""
    if who.scope != SUBJECT:
        return None
    if not request.HasField("subject"):
        raise InvalidArgument.of([FieldViolation("subject", f"is required of {who.principal}: the subject it acts for (I-1)")],
                                 reason="INVALID_REQUEST")
    return subject_from_proto(request.subject)


def _not_found(what: str, ident: str) -> NotFound:
    return NotFound(message=f"no {what} {ident[:64]!r} of the subject named", reason=f"{what.upper().replace(' ', '_')}_NOT_FOUND")


def convert_enum(enum, value: int, prefix: str) -> str:
    if not value:
        return ""
    try:
        return enum.Name(value).removeprefix(prefix)
    except ValueError:
        return f"?{value}"


def _token(value: str) -> tuple[datetime, int] | None:
    from secondline.dates import CST
    if not value:
        return None
    epoch, _, seq = value.partition(".")
    if not (epoch.lstrip("-").isdigit() and seq.isdigit()):
        raise InvalidArgument.of([FieldViolation("page_token", "must be a next_page_token this service returned")])
    return datetime.fromtimestamp(int(epoch), CST), int(seq)

"""The gRPC edge of the objection service: authenticate, translate, delegate, translate back."""

from __future__ import annotations

from datetime import datetime

from secondline.auth import Authenticator, Principal
from secondline.common.v1 import common_pb2
from secondline.errors import DomainError, FieldViolation, InvalidArgument, PermissionDenied
from secondline.objection.v1 import objection_pb2 as pb
from secondline.objection.v1 import objection_pb2_grpc
from secondline.rpc.convert import instant, subject_from_proto
from secondline.rpc.status import abort

from . import convert
from .domain import MARK_KINDS
from .repairs import Application, Repairs
from .usecases import Objections
from .validation import Answer, Filing

ERROR_DOMAIN = "objection.secondline"
PAGE_DEFAULT, PAGE_MAX = 100, 1000


class ObjectionServicer(objection_pb2_grpc.ObjectionServiceServicer):
    def __init__(self, objections: Objections, repairs: Repairs, authenticator: Authenticator) -> None:
        self._o, self._r, self._auth = objections, repairs, authenticator

    def _at(self, request) -> datetime:
        return instant(request.as_of) if request.HasField("as_of") else self._o.clock.now()

    def _department(self, context, action: str) -> str:
        return self._auth.authenticate(context).require("department", action=action).name

    async def FileObjection(self, request, context):
        try:
            principal = self._auth.authenticate(context).require("portal", action="file objections for a subject (O-1)")
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
            principal = self._auth.authenticate(context)
            found = await self._o.get(request.objection_id)
            self._may_read(principal, found)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.GetObjectionResponse(objection=convert.objection(found, self._at(request)))

    def _may_read(self, principal: Principal, found) -> None:
        if principal.kind == "department" and principal.name not in {x.owner for x in found.records}:
            raise PermissionDenied(message=f"{principal} owns no record of objection {found.objection_id}",
                                   reason="NOT_YOURS", metadata={"objection_id": found.objection_id})
        principal.require("portal", "operator", "department", "service", action="read objections")

    async def ListObjections(self, request, context):
        try:
            principal = self._auth.authenticate(context).require("department", "operator", action="list objections (O-3)")
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
        token = f"{int(page[-1][1][0].timestamp())}.{page[-1][1][1]}" if more else ""
        return pb.ListObjectionsResponse(objections=[convert.objection(o, now) for o, _ in page], next_page_token=token)

    async def ExtendDeadline(self, request, context):
        try:
            department = self._department(context, "extend a deadline (O-3)")
            found = await self._o.extend(department, request.objection_id, request.record_id, request.reason)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.ExtendDeadlineResponse(objection=convert.objection(found, self._o.clock.now()))

    async def AnswerObjection(self, request, context):
        try:
            department = self._department(context, "answer objections (O-3)")
            found = await self._o.answer(Answer(
                department=department, objection_id=request.objection_id, record_id=request.record_id,
                outcome=convert_enum(pb.Outcome, request.outcome, "OUTCOME_"), reason=request.reason,
                remedy=convert.remedy(request)))
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.AnswerObjectionResponse(objection=convert.objection(found, self._o.clock.now()))

    async def ApplyForRepair(self, request, context):
        try:
            principal = self._auth.authenticate(context).require("portal", action="apply for repair for a subject (L-4)")
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
            department = self._department(context, "decide repairs (L-4)")
            found = await self._r.decide(department, request.repair_id,
                                         convert_enum(pb.RepairOutcome, request.outcome, "REPAIR_OUTCOME_"), request.reason)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.DecideRepairResponse(repair=convert.repair(found, self._o.clock.now()))

    async def GetRepair(self, request, context):
        try:
            principal = self._auth.authenticate(context)
            found = await self._r.get(request.repair_id)
            if principal.kind == "department" and principal.name != found.owner:
                raise PermissionDenied(message=f"{principal} does not keep the listing of application {found.repair_id}",
                                       reason="NOT_YOURS", metadata={"repair_id": found.repair_id})
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.GetRepairResponse(repair=convert.repair(found, self._at(request)))

    async def GetSubjectFile(self, request, context):
        try:
            self._auth.authenticate(context).require("portal", "operator", action="read a subject's file (I-1)")
            subject_type, key = subject_from_proto(request.subject)
            as_of = instant(request.as_of) if request.HasField("as_of") else None
            now, current, then, history, objections, repairs = await self._r.subject_file(subject_type, key, as_of)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        mark_kinds = {common_pb2.RecordKind.Value("RECORD_KIND_" + k) for k in MARK_KINDS}
        response = pb.GetSubjectFileResponse(
            now=convert.file_class(current),
            records=[convert.file_record(x) for x in history if x.input.kind not in mark_kinds],
            objections=[convert.objection(o, now) for o in objections], repairs=[convert.repair(x, now) for x in repairs])
        if then is not None:
            response.as_of.CopyFrom(convert.file_class(then))
        return response

    async def ReloadCalendar(self, request, context):
        try:
            self._auth.authenticate(context).require("operator", action="reload the working-day calendar")
            calendar = self._o.calendar.load()
            self._o.calendar.current = calendar
            moved = await self._o.reproject(calendar) + await self._r.reproject(calendar)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.ReloadCalendarResponse(years=list(calendar.years), moved=moved)


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

"""The gRPC edge of ingestion: translate, delegate, translate back (the caller checked by
secondline.guard against the authorization table, its scope applied here)."""

from __future__ import annotations

import asyncio
from datetime import date


from secondline.access_log import AccessLog
from secondline.authorization import OWN
from secondline.common.v1 import common_pb2
from secondline.feeds import by_bytes, field_bytes
from secondline.errors import DomainError, FieldViolation, InvalidArgument, NotFound
from secondline.guard import caller
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.rpc.convert import instant_field, subject_from_proto
from secondline.rpc.status import abort, to_status_proto
from secondline.telemetry import current_traceparent

from .domain import PARTNER_PREFIX
from .convert import enum_name, fill_record, input_from_proto, record_to_proto
from .store import Outcome
from .checks import ChecksUnavailable, EdgeChecks
from .usecases import Historical, Ingestion, items_as

ERROR_DOMAIN = "ingestion.secondline"
STREAM_WINDOW = 4  # request messages in flight per stream before reading pauses
PAGE_DEFAULT, PAGE_MAX = 100, 1000
FEED_BYTES = 1024 * 1024  # a feed message's size at most (settings feed.max_message_bytes)


class IngestionServicer(ingestion_pb2_grpc.IngestionServiceServicer):
    def __init__(self, ingestion: Ingestion, reads: AccessLog, *, feed_bytes: int = FEED_BYTES,
                 checks: EdgeChecks | None = None) -> None:
        self._ingestion = ingestion
        self._reads = reads
        self._feed_bytes = feed_bytes
        self._checks = checks

    async def SubmitRecord(self, request, context):
        try:
            principal = caller().principal
            raw = input_from_proto(request.record)
            if raw.partner is not None:  # a partner's record, filed by the recognition service
                [outcome] = await self._ingestion.submit_as(principal, [raw])
            else:
                on_behalf_of = enum_name(common_pb2.Department, request.on_behalf_of, "DEPARTMENT_")
                outcome = await self._ingestion.file(principal, raw, on_behalf_of=on_behalf_of,
                                                     validate_only=request.validate_only)
            if outcome.error is not None:
                raise outcome.error
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return ingestion_pb2.SubmitRecordResponse(record=record_to_proto(outcome.record), replayed=outcome.replayed)

    async def SubmitRecords(self, request_iterator, context):
        principal = caller().principal

        def start(request):
            if self._checks is not None and self._checks.takes(len(request.records)):
                return self._submit_checked_apart(principal, request)
            return self._ingestion.submit_as(principal, [input_from_proto(r) for r in request.records])

        async for response in _pipelined(request_iterator, start, ingestion_pb2.SubmitRecordsResponse):
            yield response

    async def _submit_checked_apart(self, principal, request) -> list[Outcome]:
        """``submit_as`` with the records checked in the worker process (.checks); a record it
        refused is checked again here for its error, and a dead worker refuses them all."""
        ingestion = self._ingestion
        now, traceparent = ingestion.clock.now(), current_traceparent()
        try:
            drafts = await self._checks.check(principal, request, now, traceparent)
        except ChecksUnavailable as error:
            return [Outcome(error=error)] * len(request.records)
        if drafts is None:  # no worker running: checked here
            return await ingestion.submit_as(principal, [input_from_proto(r) for r in request.records])
        checked = [draft if draft is not None else
                   ingestion.check(items_as(principal, [input_from_proto(request.records[i])], now)[0], traceparent)
                   for i, draft in enumerate(drafts)]
        return await ingestion.file_checked(checked)

    async def BackfillRecords(self, request_iterator, context):
        def start(request):
            return self._ingestion.backfill([_historical(h) for h in request.records])

        async for response in _pipelined(request_iterator, start, ingestion_pb2.BackfillRecordsResponse):
            yield response

    async def GetRecord(self, request, context):
        try:
            who = caller()
            record = await self._ingestion.get(request.record_id)
            if who.scope == OWN and record.source != who.principal.name:  # another's record: as if there were none (I-3)
                raise NotFound(message=f"no record {request.record_id[:64]!r} of {who.principal}", reason="RECORD_NOT_FOUND",
                               violations=[FieldViolation("record_id", "names no record of this department")])
            if record.content.subject is not None:
                self._reads.read(who, record.content.subject.key)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return ingestion_pb2.GetRecordResponse(record=record_to_proto(record))

    async def ListSubjectRecords(self, request, context):
        try:
            who = caller()
            _, key = subject_from_proto(request.subject)
            after = _token(request.page_token, "page_token")
            size = request.page_size or PAGE_DEFAULT
            if not 0 < size <= PAGE_MAX:
                raise InvalidArgument.of([FieldViolation("page_size", f"must be between 1 and {PAGE_MAX}")])
            # A department reads its own records only (I-3: another's may name an individual).
            records = await self._ingestion.history(key, after, size + 1, who.principal.name if who.scope == OWN else None)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        self._reads.read(who, key)
        page, more = records[:size], len(records) > size
        return ingestion_pb2.ListSubjectRecordsResponse(
            records=[record_to_proto(r) for r in page],
            next_page_token=str(page[-1].seq) if more else "",
        )

    async def GetTimelinessReport(self, request, context):
        try:
            principal = caller().principal
            first = _required_date(request, "received_from")
            last = _required_date(request, "received_through")
            department = enum_name(common_pb2.Department, request.department, "DEPARTMENT_") or None
            if principal.kind == "department":  # a department sees its own figures
                department = principal.name
            days, rows = await self._ingestion.timeliness(first, last, department)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        rows = [row for row in rows if not row[0].startswith(PARTNER_PREFIX)]  # R-5 is per department
        rows.sort(key=lambda row: common_pb2.Department.Value("DEPARTMENT_" + row[0]))
        return ingestion_pb2.GetTimelinessReportResponse(
            deadline_days=days,
            departments=[
                ingestion_pb2.DepartmentTimeliness(
                    department=common_pb2.Department.Value("DEPARTMENT_" + source),
                    records=records, late_records=late, max_delay_days=delay,
                )
                for source, records, late, delay in rows
            ],
        )

    async def StreamRecords(self, request, context):
        try:
            after = _token(request.after_cursor, "after_cursor")
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        async for page in self._ingestion.feed(after, follow=request.follow):
            # A page is bounded in count; its messages are bounded in bytes as well (one record alone always goes).
            for records in by_bytes(map(record_to_proto, page), budget=self._feed_bytes,
                                    size=lambda r: field_bytes(r.ByteSize())):
                yield ingestion_pb2.StreamRecordsResponse(records=records)


async def _pipelined(request_iterator, start, response_type):
    """Answer each request message in order while reading ahead a few messages."""
    window: asyncio.Queue = asyncio.Queue(maxsize=STREAM_WINDOW)

    async def pump() -> None:
        index = 0
        try:
            async for request in request_iterator:
                basic = request.view == ingestion_pb2.RECORD_VIEW_BASIC
                await window.put((index, basic, asyncio.ensure_future(start(request))))
                index += len(request.records)
        except Exception as exc:  # the request stream broke (e.g. a malformed message): end the call with it
            await window.put(exc)
            return
        await window.put(None)

    reader = asyncio.create_task(pump())
    try:
        while (item := await window.get()) is not None:
            if isinstance(item, Exception):
                raise item
            first, basic, task = item
            outcomes = await task
            response = response_type()
            add = response.results.add
            for i, outcome in enumerate(outcomes):
                _result(add(index=first + i), outcome, basic)
            yield response
        await reader
    finally:
        reader.cancel()


def _result(result: ingestion_pb2.RecordResult, outcome: Outcome, basic: bool) -> None:
    """Set a response's ``result`` (its index set) to a record's outcome, in place."""
    if outcome.error is not None:
        result.error.CopyFrom(to_status_proto(outcome.error, ERROR_DOMAIN))
        return
    fill_record(result.record, outcome.record, basic=basic)
    result.replayed = outcome.replayed


def _historical(h: ingestion_pb2.HistoricalRecord) -> Historical | InvalidArgument:
    """A record to migrate, or why its receipt instant is refused (the record's own result)."""
    try:
        submitted_at = instant_field(h, "submitted_at", required=True)
    except InvalidArgument as error:
        return error
    return Historical(source=enum_name(common_pb2.Department, h.source, "DEPARTMENT_") or "?",
                      record=input_from_proto(h.record), submitted_at=submitted_at)


def _token(value: str, name: str) -> int:
    if not value:
        return 0
    if not value.isdigit():
        raise InvalidArgument.of([FieldViolation(name, "must be a value this service returned")])
    return int(value)


def _required_date(request, name: str) -> date:
    if not request.HasField(name):
        raise InvalidArgument.of([FieldViolation(name, "is required")])
    msg = getattr(request, name)
    try:
        return date(msg.year, msg.month, msg.day)
    except ValueError:
        raise InvalidArgument.of([FieldViolation(name, "is not a calendar date")]) from None


__all__ = ["IngestionServicer", "ERROR_DOMAIN"]

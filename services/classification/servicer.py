"""The gRPC edge of classification: authenticate, translate, delegate, translate back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from secondline.auth import Authenticator
from secondline.classification.v1 import classification_pb2 as pb
from secondline.classification.v1 import classification_pb2_grpc
from secondline.common.v1 import common_pb2
from secondline.feeds import by_bytes, field_bytes
from secondline.errors import DomainError, FieldViolation, InvalidArgument
from secondline.rpc.convert import instant_field, subject_from_proto, subject_to_proto
from secondline.rpc.status import abort

from . import engine as rules_engine
from .convert import reason, state, subject_class
from .usecases import Classification

ERROR_DOMAIN = "classification.secondline"
BATCH_MAX = 1000
WAIT_DEFAULT_SECONDS = 10.0
HEARTBEAT_MIN_SECONDS = 0.1
FEED_BYTES = 1024 * 1024  # a page of notable subjects at most (settings feed_message_bytes)


class ClassificationServicer(classification_pb2_grpc.ClassificationServiceServicer):
    def __init__(self, classification: Classification, authenticator: Authenticator, *, feed_bytes: int = FEED_BYTES) -> None:
        self._c = classification
        self._auth = authenticator
        self._feed_bytes = feed_bytes

    async def _caught_up(self, cursor_text: str, context) -> None:
        if cursor_text:
            if not cursor_text.isdigit():
                raise InvalidArgument.of([FieldViolation("min_record_cursor", "must be a Record.cursor from ingestion")])
            remaining = context.time_remaining()
            await self._c.wait_for_cursor(int(cursor_text), remaining if remaining is not None else WAIT_DEFAULT_SECONDS)

    def _at(self, request):
        """``as_of``, any instant past or future (T-4); now when unset."""
        return instant_field(request, "as_of", required=False) or self._c.clock.now()

    async def GetSubjectClass(self, request, context):
        try:
            self._auth.authenticate(context, action="read a subject's class")
            subject_type, key = subject_from_proto(request.subject)
            await self._caught_up(request.min_record_cursor, context)
            at = self._at(request)
            answer, revision = await self._c.class_at(subject_type, key, at)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.GetSubjectClassResponse(subject_class=subject_class(subject_type, key, at, answer, revision))

    async def BatchGetSubjectClasses(self, request, context):
        try:
            self._auth.authenticate(context, action="read subjects' classes")
            if len(request.subjects) > BATCH_MAX:
                raise InvalidArgument.of([FieldViolation("subjects", f"at most {BATCH_MAX} subjects per call")])
            subjects = [subject_from_proto(s, field=f"subjects[{i}]") for i, s in enumerate(request.subjects)]
            await self._caught_up(request.min_record_cursor, context)
            at = self._at(request)
            answers = await self._c.classes_at(subjects, at)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.BatchGetSubjectClassesResponse(subject_classes=[
            subject_class(t, k, at, answer, revision) for (t, k), (answer, revision) in zip(subjects, answers)])

    async def GetSubjectTimeline(self, request, context):
        try:
            self._auth.authenticate(context, action="read a subject's timeline")
            subject_type, key = subject_from_proto(request.subject)
            await self._caught_up(request.min_record_cursor, context)
            segments, revision = await self._c.timeline(key)
            facts = await self._c.facts(key)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.GetSubjectTimelineResponse(state=state(subject_type, key, segments, revision),
                                             record_ids=[f.record_id for f in facts])

    async def GetRestriction(self, request, context):
        try:
            self._auth.authenticate(context, action="read a restriction")
            subject_type, key = subject_from_proto(request.subject)
            listings = await self._c.restriction(subject_type, key, self._at(request))
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.GetRestrictionResponse(restricted=bool(listings), reasons=[reason(c) for c in listings])

    async def ListCandidates(self, request, context):
        try:
            principal = self._auth.authenticate(context, "department", "operator", action="read candidates")
            if not request.list:
                raise InvalidArgument.of([FieldViolation("list", "is required: ANTI_SMUGGLING or MARITIME")])
            list_name = common_pb2.DishonestyList.Name(request.list).removeprefix("DISHONESTY_LIST_")
            size = request.page_size or 100
            if not 0 < size <= 1000:
                raise InvalidArgument.of([FieldViolation("page_size", "must be between 1 and 1000")])
            found, token = await self._c.candidates(list_name, self._at(request), request.page_token, size)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        del principal  # list keepers and operators read candidates (L-5)
        return pb.ListCandidatesResponse(next_page_token=token, candidates=[
            pb.Candidate(subject=subject_to_proto(c.subject_type, c.subject_key), record_ids=list(c.record_ids),
                         criterion=c.criterion) for c in found])

    async def ListNotableSubjects(self, request, context):
        try:
            self._auth.authenticate(context, "service", "operator", action="list notable subjects")
            size = request.page_size or 1000
            if not 0 < size <= 5000:
                raise InvalidArgument.of([FieldViolation("page_size", "must be between 1 and 5000")])
            since = instant_field(request, "since", required=False)
            revision, _, after = request.page_token.partition("/")
            revision = int(revision) if revision.isdigit() else await self._c.db.read(self._c.store.revision)
            rows = await self._c.db.read(self._c.store.notable, after, size, since)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        states = [state(t, k, segs, rev) for k, t, segs, rev in rows]
        # A page is bounded in bytes as well as in count: what does not fit starts the next page.
        fitting = next(by_bytes(states, budget=self._feed_bytes, size=lambda m: field_bytes(m.ByteSize())), [])
        more = len(fitting) < len(states) or len(rows) == size
        token = f"{revision}/{rows[len(fitting) - 1][0]}" if more and fitting else ""
        return pb.ListNotableSubjectsResponse(revision=revision, next_page_token=token, states=fitting)

    async def StreamChanges(self, request, context):
        try:
            self._auth.authenticate(context, action="follow the change feed")
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        interval = request.heartbeat_interval.ToTimedelta().total_seconds() if request.follow else 0.0
        if interval and interval < HEARTBEAT_MIN_SECONDS:
            await abort(context, InvalidArgument.of([FieldViolation(
                "heartbeat_interval", f"must be at least {HEARTBEAT_MIN_SECONDS} s, or unset for no heartbeats")]), ERROR_DOMAIN)
        changes = self._c.changes(request.after_revision, follow=request.follow)
        if interval:
            changes = with_heartbeats(changes, interval)
        last = request.after_revision
        async for change in changes:
            if change is None:
                yield pb.StreamChangesResponse(revision=last, heartbeat=True)
                continue
            last = change.revision
            answer = rules_engine.answer_at(change.timeline, change.effective_at, change.subject_type)
            yield pb.StreamChangesResponse(
                revision=change.revision,
                state=state(change.subject_type, change.subject_key, change.timeline, change.revision),
                current=subject_class(change.subject_type, change.subject_key, change.effective_at, answer, change.revision),
                record_id=change.record_id, traceparent=change.traceparent)

    async def GetStatus(self, request, context):
        try:
            self._auth.authenticate(context, action="read the status")
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.GetStatusResponse(record_cursor=str(self._c.progress.cursor), revision=self._c.progress.revision)


async def with_heartbeats(changes: AsyncIterator, interval: float) -> AsyncIterator:
    """The changes, with ``None`` whenever ``interval`` seconds pass without one.

    The changes are read by a task of their own into a small queue: timing out a wait on the
    queue is safe, where timing out the generator itself would close it. When the changes end
    (or fail), that shows at the next wait at the latest.
    """
    queue: asyncio.Queue = asyncio.Queue(maxsize=256)

    async def pump() -> None:
        async for change in changes:
            await queue.put(change)

    task = asyncio.create_task(pump())
    try:
        while True:
            if task.done() and queue.empty():
                task.result()  # raises what ended the changes, if anything did
                return
            try:
                item = await asyncio.wait_for(queue.get(), interval)
            except TimeoutError:
                yield None
                continue
            yield item
    finally:
        task.cancel()

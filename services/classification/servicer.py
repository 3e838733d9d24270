"""The gRPC edge of classification: translate, delegate, translate back (the caller checked by
secondline.guard against the authorization table, its scope applied by :mod:`.views`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from secondline.access_log import AccessLog
from secondline.classification.v1 import classification_pb2 as pb
from secondline.classification.v1 import classification_pb2_grpc
from secondline.common.v1 import common_pb2
from secondline.feeds import by_bytes, field_bytes
from secondline.errors import DomainError, FieldViolation, InvalidArgument, PermissionDenied
from secondline.guard import caller
from secondline.rpc.convert import instant_field, subject_from_proto, subject_to_proto, timestamp
from secondline.rpc.status import abort

from . import engine as rules_engine
from . import views
from .convert import class_value, department_change, exported_entity, reason, state, subject_class
from .sharing import Sharing
from .usecases import Classification

ERROR_DOMAIN = "classification.secondline"
BATCH_MAX = 1000
WAIT_DEFAULT_SECONDS = 10.0
HEARTBEAT_MIN_SECONDS = 0.1
FEED_BYTES = 1024 * 1024  # a page of notable subjects at most (settings feed_message_bytes)


class ClassificationServicer(classification_pb2_grpc.ClassificationServiceServicer):
    def __init__(self, classification: Classification, sharing: Sharing, reads: AccessLog, *,
                 feed_bytes: int = FEED_BYTES) -> None:
        self._c = classification
        self._sharing = sharing
        self._reads = reads
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

    async def _visible(self, who, subject_type: str, key: str, field: str = "subject") -> set[str] | None:
        """The record ids the caller may see named about the subject (None: all), or the refusal (I-3)."""
        facts = await self._c.facts(key) if views.needs_facts(who) else None
        return views.check_subject(who, subject_type, facts, field)

    async def GetSubjectClass(self, request, context):
        try:
            who = caller()
            subject_type, key = subject_from_proto(request.subject)
            await self._caught_up(request.min_record_cursor, context)
            visible = await self._visible(who, subject_type, key)
            at = self._at(request)
            answer, revision = await self._c.class_at(subject_type, key, at)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        self._reads.read(who, key)
        found = subject_class(subject_type, key, at, answer, revision)
        views.keep_in_class(found, visible)
        return pb.GetSubjectClassResponse(subject_class=found)

    async def BatchGetSubjectClasses(self, request, context):
        try:
            who = caller()
            if len(request.subjects) > BATCH_MAX:
                raise InvalidArgument.of([FieldViolation("subjects", f"at most {BATCH_MAX} subjects per call")])
            subjects = [subject_from_proto(s, field=f"subjects[{i}]") for i, s in enumerate(request.subjects)]
            await self._caught_up(request.min_record_cursor, context)
            visible = [await self._visible(who, t, k, f"subjects[{i}]") for i, (t, k) in enumerate(subjects)]
            at = self._at(request)
            answers = await self._c.classes_at(subjects, at)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        self._reads.read(who, *(k for _, k in subjects))
        found = [subject_class(t, k, at, answer, revision) for (t, k), (answer, revision) in zip(subjects, answers)]
        for one, seen in zip(found, visible):
            views.keep_in_class(one, seen)
        return pb.BatchGetSubjectClassesResponse(subject_classes=found)

    async def GetSubjectTimeline(self, request, context):
        try:
            who = caller()
            subject_type, key = subject_from_proto(request.subject)
            await self._caught_up(request.min_record_cursor, context)
            visible = await self._visible(who, subject_type, key)
            segments, revision = await self._c.timeline(key)
            facts = await self._c.facts(key)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        self._reads.read(who, key)
        found = state(subject_type, key, segments, revision)
        views.keep_in_state(found, visible)
        return pb.GetSubjectTimelineResponse(state=found, record_ids=[
            f.record_id for f in facts if visible is None or f.record_id in visible])

    async def GetRestriction(self, request, context):
        try:
            who = caller()
            subject_type, key = subject_from_proto(request.subject)
            visible = await self._visible(who, subject_type, key)
            listings = await self._c.restriction(subject_type, key, self._at(request))
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        self._reads.read(who, key)
        response = pb.GetRestrictionResponse(restricted=bool(listings), reasons=[reason(c) for c in listings])
        views.keep_records(response.reasons, visible)
        return response

    async def ListCandidates(self, request, context):
        try:
            principal = caller().principal
            if not request.list:
                raise InvalidArgument.of([FieldViolation("list", "is required: ANTI_SMUGGLING or MARITIME")])
            list_name = common_pb2.DishonestyList.Name(request.list).removeprefix("DISHONESTY_LIST_")
            if principal.kind == "department" and principal.name != list_name:
                raise PermissionDenied(
                    message=f"{principal} may read the candidates of the list it keeps only, not {list_name}'s (L-5)",
                    reason="NOT_YOUR_LIST", metadata={"principal": str(principal), "list": list_name},
                    violations=[FieldViolation("list", f"must be the list {principal} keeps")])
            size = request.page_size or 100
            if not 0 < size <= 1000:
                raise InvalidArgument.of([FieldViolation("page_size", "must be between 1 and 1000")])
            found, token = await self._c.candidates(list_name, self._at(request), request.page_token, size)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        # The list keeper reads candidates (L-5); an individual's number only where it filed one of
        # the records behind the candidacy, else the keeper's pseudonym of them (I-3).
        candidates = []
        for c in found:
            subject = subject_to_proto(c.subject_type, c.subject_key)
            ids = list(c.record_ids)
            if principal.kind == "department":
                own = {f.record_id for f in await self._c.facts(c.subject_key) if f.source == principal.name}
                ids = [i for i in ids if i in own]
                if c.subject_type == "individual" and not ids:
                    subject = common_pb2.SubjectId(pseudonym=self._sharing.pseudonyms.of(str(principal), c.subject_key))
            candidates.append(pb.Candidate(subject=subject, record_ids=ids, criterion=c.criterion))
        return pb.ListCandidatesResponse(next_page_token=token, candidates=candidates)

    async def ListNotableSubjects(self, request, context):
        try:
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
        interval = await _heartbeat_interval(request, context)
        changes = self._c.changes(request.after_revision, follow=request.follow)
        if interval:
            changes = with_heartbeats(changes, interval)
        last = request.after_revision
        async for change in changes:
            if change is None:
                yield pb.StreamChangesResponse(revision=last, heartbeat=True)
                continue
            last = change.revision
            yield _change_message(change)

    async def StreamChangeBatches(self, request, context):
        """StreamChanges' feed a page of changes a message (within the feed's message bytes)."""
        interval = await _heartbeat_interval(request, context)
        batches = self._c.change_pages(request.after_revision, follow=request.follow)
        if interval:
            batches = with_heartbeats(batches, interval, ahead=2)  # pages of up to FEED_PAGE changes
        last = request.after_revision
        async for page in batches:
            if page is None:
                yield pb.StreamChangeBatchesResponse(revision=last, heartbeat=True)
                continue
            for run in by_bytes(map(_change_message, page), budget=self._feed_bytes,
                                size=lambda m: field_bytes(m.ByteSize())):
                last = run[-1].revision
                yield pb.StreamChangeBatchesResponse(changes=run, revision=last)

    async def StreamDepartmentChanges(self, request, context):
        """I-2: the calling department's feed (sharing.Sharing.department_changes)."""
        who = caller()
        interval = request.heartbeat_interval.ToTimedelta().total_seconds() if request.follow else 0.0
        if interval and interval < HEARTBEAT_MIN_SECONDS:
            await abort(context, InvalidArgument.of([FieldViolation(
                "heartbeat_interval", f"must be at least {HEARTBEAT_MIN_SECONDS} s, or unset for no heartbeats")]), ERROR_DOMAIN)
        changes = self._sharing.department_changes(who.principal.name, request.after_revision, request.follow)
        if interval:
            changes = with_heartbeats(changes, interval)
        last = request.after_revision
        async for item in changes:
            if item is None:
                yield pb.StreamDepartmentChangesResponse(revision=last, heartbeat=True)
                continue
            last, shared = item
            if shared.subject_type != "pseudonym":
                self._reads.read(who, shared.subject_id)
            yield pb.StreamDepartmentChangesResponse(revision=last, change=department_change(shared))

    async def ExportClasses(self, request, context):
        """I-3: a desensitised snapshot, streamed in pages (sharing.Sharing.entities)."""
        try:
            who = caller()
            size = request.page_size or 1000
            if not 0 < size <= 5000:
                raise InvalidArgument.of([FieldViolation("page_size", "must be between 1 and 5000")])
            snapshot = await self._sharing.snapshot(instant_field(request, "as_of", required=False))
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        after = request.page_token

        def page(**fields):
            return pb.ExportClassesResponse(as_of=timestamp(snapshot.at), revision=snapshot.revision,
                                            rules_version=snapshot.rules_version,
                                            catalogue_version=snapshot.catalogue_version, **fields)

        while True:
            found = await self._sharing.entities(snapshot, after, size)
            if found:
                after = found[-1].subject_id
                self._reads.read(who, *(e.subject_id for e in found))
            if len(found) < size:
                counts = await self._sharing.individual_counts(snapshot)
                yield page(entities=[exported_entity(e) for e in found], resume_token=after, last=True, individuals=[
                    pb.IndividualCount(credit_class=class_value(k), individuals=n) for k, n in sorted(counts.items())])
                return
            yield page(entities=[exported_entity(e) for e in found], resume_token=after)

    async def GetStatus(self, request, context):
        return pb.GetStatusResponse(record_cursor=str(self._c.progress.cursor), revision=self._c.progress.revision)


async def _heartbeat_interval(request, context) -> float:
    """A following request's heartbeat interval in seconds (0: none); below the minimum, refused."""
    interval = request.heartbeat_interval.ToTimedelta().total_seconds() if request.follow else 0.0
    if interval and interval < HEARTBEAT_MIN_SECONDS:
        await abort(context, InvalidArgument.of([FieldViolation(
            "heartbeat_interval", f"must be at least {HEARTBEAT_MIN_SECONDS} s, or unset for no heartbeats")]), ERROR_DOMAIN)
    return interval


def _change_message(change) -> pb.StreamChangesResponse:
    """A change of the feed as StreamChanges (and, within a batch, StreamChangeBatches) sends it."""
    answer = rules_engine.answer_at(change.timeline, change.effective_at, change.subject_type)
    return pb.StreamChangesResponse(
        revision=change.revision,
        state=state(change.subject_type, change.subject_key, change.timeline, change.revision),
        current=subject_class(change.subject_type, change.subject_key, change.effective_at, answer, change.revision),
        record_id=change.record_id, traceparent=change.traceparent)


async def with_heartbeats(changes: AsyncIterator, interval: float, *, ahead: int = 256) -> AsyncIterator:
    """The changes (or pages of them), with ``None`` whenever ``interval`` seconds pass without one.

    The changes are read by a task of their own into a small queue of ``ahead`` items: timing
    out a wait on the queue is safe, where timing out the generator itself would close it. When
    the changes end (or fail), that shows at the next wait at the latest.
    """
    queue: asyncio.Queue = asyncio.Queue(maxsize=ahead)

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

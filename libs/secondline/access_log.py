"""The access log (RULES I-4): who read a subject's file or records, and when.

Every read by a department, a partner, a credit firm or the portal is offered to a
:class:`~secondline.queued_log.QueuedLog` (off the call's path: a list append) and written by
its thread into the answering service's own table, ``<service>_subject_reads``; reads by
operators and by the suite's own services are not logged. Each service serves them through
``secondline.access.v1.AccessLogService/ListSubjectReads``; the objection service gathers
them into the subject's file (I-1). Drops are counted and reported like the gate's decision
log's: ``dropped`` here, a metric and the service's log.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy import BigInteger, Column, Engine, Index, Integer, MetaData, String, Table, select

from secondline.access.v1 import access_pb2 as pb
from secondline.access.v1 import access_pb2_grpc
from secondline.clock import Clock
from secondline.errors import DomainError, FieldViolation, InvalidArgument
from secondline.queued_log import QueuedLog
from secondline.rpc.convert import subject_from_proto, timestamp
from secondline.rpc.status import abort
from secondline.storage import UtcDateTime

LOGGED_KINDS = frozenset({"department", "partner", "firm", "portal"})
SERVICE_NAME = pb.DESCRIPTOR.services_by_name["AccessLogService"].full_name
PAGE_DEFAULT, PAGE_MAX = 100, 1000
BIG = BigInteger().with_variant(Integer, "sqlite")


def reads_table(metadata: MetaData, service: str) -> Table:
    """The service's table of reads (its migration creates the same with :func:`create_reads_table`)."""
    name = f"{service}_subject_reads"
    return Table(name, metadata,
                 Column("seq", BIG, primary_key=True, autoincrement=True),
                 Column("subject_key", String(64), nullable=False),
                 Column("principal", String(140), nullable=False),
                 Column("rpc", String(160), nullable=False),
                 Column("read_at", UtcDateTime, nullable=False),
                 Index(f"ix_{name}_subject", "subject_key", "seq"))


def create_reads_table(op, service: str) -> None:
    """For a service's Alembic migration: the table :func:`reads_table` describes."""
    import sqlalchemy as sa

    name = f"{service}_subject_reads"
    op.create_table(name,
                    sa.Column("seq", BIG, primary_key=True, autoincrement=True),
                    sa.Column("subject_key", sa.String(64), nullable=False),
                    sa.Column("principal", sa.String(140), nullable=False),
                    sa.Column("rpc", sa.String(160), nullable=False),
                    sa.Column("read_at", sa.DateTime(timezone=True), nullable=False))
    op.create_index(f"ix_{name}_subject", name, ["subject_key", "seq"])


class AccessLog(QueuedLog):
    """The reads of one service, queued and written off the call's path."""

    def __init__(self, engine: Engine, table: Table, clock: Clock, *, capacity: int = 100_000,
                 flush_seconds: float = 0.05) -> None:
        super().__init__(engine, table, name=f"{table.name}-log", capacity=capacity, flush_seconds=flush_seconds)
        self._clock = clock

    def read(self, caller, *subject_keys: str) -> None:
        """Log that ``caller`` (secondline.guard.Caller) read these subjects, if it is of a logged kind."""
        principal = caller.principal
        if principal is None or principal.kind not in LOGGED_KINDS:
            return
        who, now = str(principal), self._clock.now()
        for key in subject_keys:
            self.offer({"subject_key": key, "principal": who, "rpc": caller.method, "read_at": now})

    def reads(self, subject_key: str, before: int | None, limit: int) -> list[tuple[int, str, datetime, str]]:
        """(seq, principal, read_at, rpc) of the subject's reads, newest first."""
        table = self._table
        query = select(table.c.seq, table.c.principal, table.c.read_at, table.c.rpc).where(table.c.subject_key == subject_key)
        if before is not None:
            query = query.where(table.c.seq < before)
        with self._engine.connect() as conn:
            return [tuple(row) for row in conn.execute(query.order_by(table.c.seq.desc()).limit(limit))]


class AccessLogServicer(access_pb2_grpc.AccessLogServiceServicer):
    def __init__(self, log: AccessLog, domain: str) -> None:
        self._log, self._domain = log, domain

    async def ListSubjectReads(self, request, context):
        try:
            _, key = subject_from_proto(request.subject)
            size = request.page_size or PAGE_DEFAULT
            if not 0 < size <= PAGE_MAX:
                raise InvalidArgument.of([FieldViolation("page_size", f"must be between 1 and {PAGE_MAX}")])
            token = request.page_token
            if token and not token.isdigit():
                raise InvalidArgument.of([FieldViolation("page_token", "must be a next_page_token this service returned")])
            await asyncio.to_thread(self._log.flush, 5.0)  # a read a moment ago may still be queued
            rows = await asyncio.to_thread(self._log.reads, key, int(token) if token else None, size + 1)
        except DomainError as error:
            await abort(context, error, self._domain)
        page = rows[:size]
        return pb.ListSubjectReadsResponse(
            reads=[pb.SubjectRead(principal=who, read_at=timestamp(at), rpc=rpc) for _, who, at, rpc in page],
            next_page_token=str(page[-1][0]) if len(rows) > size else "")


def observe(telemetry, log: AccessLog, service: str) -> None:
    """Metrics of the log: ``secondline.reads.logged``, ``.dropped``, ``.queued`` (by service)."""
    from opentelemetry.metrics import Observation

    meter = telemetry.meter(f"secondline.{service}")
    attributes = {"service": service}

    def reading(value):
        return lambda options: [Observation(value(), attributes)]

    meter.create_observable_counter("secondline.reads.logged", [reading(lambda: log.logged)],
                                    description="Reads of subjects' records written to the access log (I-4)")
    meter.create_observable_counter("secondline.reads.dropped", [reading(lambda: log.dropped)],
                                    description="Reads the access log could not take (I-4)")
    meter.create_observable_gauge("secondline.reads.queued", [reading(lambda: log.queued)],
                                  description="Reads waiting to be written to the access log")


def open_access_log(server, engine: Engine, table: Table, clock: Clock, telemetry, service: str) -> tuple[AccessLog, str]:
    """A service's access log, served beside it and observed; the log and the service name added."""
    log = AccessLog(engine, table, clock)
    observe(telemetry, log, service)
    return log, register(server, log, f"{service}.secondline")


def register(server, log: AccessLog, domain: str) -> str:
    """Serve the log's reads beside a service's own; the full name of the service added."""
    access_pb2_grpc.add_AccessLogServiceServicer_to_server(AccessLogServicer(log, domain), server)
    return SERVICE_NAME


__all__ = ["AccessLog", "AccessLogServicer", "LOGGED_KINDS", "reads_table", "create_reads_table", "register",
           "observe", "open_access_log"]

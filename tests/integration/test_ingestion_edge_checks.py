"""The checks at the edge of large SubmitRecords messages in a worker process (services/ingestion/checks.py):
the same answers as in the service, in order; small messages stay in the service; a dead worker
fails its message with nothing stored; the workers end with the service."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from datetime import date

import grpc
import pytest

from secondline.auth import Principal
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.rules_config import load_rules
from secondline.services.ingestion.app import IngestionSettings, build
from secondline.services.ingestion.check_worker import check_message
from secondline.services.ingestion.checks import EdgeChecks
from secondline.services.ingestion.validation import Limits
from secondline.telemetry import setup_telemetry
from tests.conftest import as_department
from tests.helpers import details, record
from tests.integration.test_ingestion_submit import history

ACME = "91460100MA5T0B5Q7U"
ANTI = as_department("ANTI_SMUGGLING")
RECORD_ID = re.compile(r"[0-9a-f]{32}")


class Service:
    def __init__(self, host, channel):
        self.host, self.channel = host, channel
        self.stub = ingestion_pb2_grpc.IngestionServiceStub(channel)
        self.checks = host.service.checks


async def start(url: str, clock, **edge) -> Service:
    settings = IngestionSettings.model_validate({"database": {"url": url}, "edge_checks": edge,
                                                 "server": {"listen": "127.0.0.1:0", "grace_seconds": 1}})
    host = build(settings, telemetry=setup_telemetry("ingestion"), clock=clock)
    port = await host.start()
    return Service(host, grpc.aio.insecure_channel(f"127.0.0.1:{port}"))


async def stop(service: Service) -> None:
    await service.channel.close()
    await service.host.stop()


def mixed() -> list[ingestion_pb2.SubmitRecordsRequest]:
    """Valid records, refusals of several kinds, a correction naming a record of the same
    message, a replay and a conflict (R-3), in two messages of six."""
    return [
        ingestion_pb2.SubmitRecordsRequest(records=[
            record(source_id="a0", enterprise=ACME),
            record(source_id="bad", enterprise="91110000600037341N"),  # check character (S-2)
            record(source_id="a1", enterprise=ACME, decided_on=date(2026, 3, 9)),  # after its receipt
            record(source_id="a2", kind="INDUSTRY_RATING", grade="A", enterprise=ACME),  # not ANTI_SMUGGLING's kind
            record(source_id="a3", enterprise=ACME, objection_id="x"),  # the objection service's field
            record(source_id="a4", enterprise=ACME, decided_on=date(2026, 1, 2)),  # late
        ]),
        ingestion_pb2.SubmitRecordsRequest(records=[
            record(source_id="c0", kind="CORRECTION", enterprise=ACME, decided_on=date(2026, 2, 1), corrects={"source_id": "a0"}),
            record(source_id="a0", enterprise=ACME),  # a replay
            record(source_id="a4", enterprise=ACME),  # the same source id, other content
            record(source_id="a5", kind="DISHONESTY_LISTED", enterprise=ACME, list="ANTI_SMUGGLING", severity="SERIOUS"),
            record(source_id="a6", individual="11010519491231002X", decided_on=date(2026, 2, 27)),
            record(source_id="", enterprise=ACME),
        ], view=ingestion_pb2.RECORD_VIEW_BASIC),
    ]


def comparable(results) -> list:
    """What a result says, without the record ids and instants that differ from run to run."""
    out = []
    for res in results:
        if res.WhichOneof("result") == "error":
            info, fields = details(res.error)
            out.append((res.index, "error", res.error.code, RECORD_ID.sub("<id>", res.error.message),
                        info.reason, RECORD_ID.sub("<id>", str(info.metadata)), fields))
        else:
            r = res.record
            out.append((res.index, r.input.source_id, r.late, r.content_kind, r.cursor, res.replayed,
                        bool(r.target_record_id), r.HasField("input")))
    return out


async def answers(service: Service, requests) -> list:
    return [res async for response in service.stub.SubmitRecords(iter(requests), metadata=ANTI) for res in response.results]


async def test_a_large_message_checked_in_the_worker_is_answered_as_in_the_service(database_url, tmp_path, clock):
    here = await start(f"sqlite:///{tmp_path}/here.sqlite", clock, processes=0)
    try:
        expected = comparable(await answers(here, mixed()))
        assert here.checks.sent == 0
    finally:
        await stop(here)
    apart = await start(database_url, clock, processes=1, min_records=4)
    try:
        await apart.checks.start()
        got = comparable(await answers(apart, mixed()))
        assert apart.checks.sent == 2  # both messages went to the worker
    finally:
        await stop(apart)
    assert [g[0] for g in got] == list(range(12))  # in request order
    assert [g[1] for g in got].count("error") == 6
    assert got == expected


async def test_records_checked_in_the_worker_are_stored(database_url, clock):
    service = await start(database_url, clock, processes=1, min_records=4)
    try:
        await service.checks.start()
        results = await answers(service, mixed())
        assert service.checks.sent == 2
        stored = [r.record.cursor for r in results if r.WhichOneof("result") == "record" and not r.replayed]
        assert stored == ["1", "2", "3", "4", "5"]  # a0, a4, c0, a5, a6 (the second message in the basic view)
        listed = await history(service, ACME)
        assert [(r.input.source_id, r.cursor) for r in listed] == [("a0", "1"), ("a4", "2"), ("c0", "3"), ("a5", "4")]
        assert listed[0].superseded_by == listed[2].record_id
    finally:
        await stop(service)


async def test_a_small_message_is_checked_in_the_service_and_starts_no_worker(database_url, clock):
    service = await start(database_url, clock, processes=1, min_records=4)
    try:
        results = await answers(service, [ingestion_pb2.SubmitRecordsRequest(records=[
            record(source_id=f"s{i}", enterprise=ACME) for i in range(3)])])
        assert [r.WhichOneof("result") for r in results] == ["record"] * 3
        assert service.checks.sent == 0 and service.checks.worker_pids() == []
    finally:
        await stop(service)


def die_at_marker(rules, limits, principal, data, received_at, traceparent):
    """The worker's checks, except that a message with a record ``die`` kills the worker in the middle."""
    if b"die" in data:
        os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(10)
    return check_message(rules, limits, principal, data, received_at, traceparent)


async def test_a_worker_dying_during_the_checks_fails_its_message_with_nothing_stored(database_url, clock):
    service = await start(database_url, clock, processes=1, min_records=4)
    try:
        service.checks.work = die_at_marker
        await service.checks.start()
        [pid] = service.checks.worker_pids()
        doomed = [record(source_id=f"k{i}", enterprise=ACME) for i in range(5)] + [record(source_id="die", enterprise=ACME)]
        results = await answers(service, [ingestion_pb2.SubmitRecordsRequest(records=doomed)])
        assert [r.index for r in results] == list(range(6))
        assert {r.WhichOneof("result") for r in results} == {"error"}
        assert {r.error.code for r in results} == {grpc.StatusCode.UNAVAILABLE.value[0]}
        assert {details(r.error)[0].reason for r in results} == {"EDGE_CHECKS_UNAVAILABLE"}
        assert "died" in results[0].error.message and "none of this message's records is stored" in results[0].error.message
        ingestion = service.host.service.ingestion
        assert await ingestion.db.read(ingestion.store.last_seq) == 0  # nothing stored
        await service.checks.start()  # another worker in its place
        assert service.checks.restarts == 1 and service.checks.worker_pids() not in ([], [pid])
        again = await answers(service, [ingestion_pb2.SubmitRecordsRequest(records=doomed[:5])])
        assert [r.WhichOneof("result") for r in again] == ["record"] * 5 and not any(r.replayed for r in again)
        assert service.checks.sent == 2  # the second message went to the new worker
    finally:
        await stop(service)


async def test_a_worker_killed_between_messages_is_replaced(database_url, clock):
    service = await start(database_url, clock, processes=1, min_records=4)
    try:
        await service.checks.start()
        [pid] = service.checks.worker_pids()
        os.kill(pid, signal.SIGKILL)
        for _ in range(500):
            if service.checks.restarts:
                break
            await asyncio.sleep(0.01)
        # Until the new worker is ready, nothing is sent: the service checks the message itself.
        assert not service.checks.takes(5)
        assert await service.checks.check(Principal("department", "ANTI_SMUGGLING"), ingestion_pb2.SubmitRecordsRequest(
            records=[record(source_id="x", enterprise=ACME)] * 5), None, "") is None
        await service.checks.start()
        assert service.checks.restarts == 1 and service.checks.worker_pids() not in ([], [pid])
        results = await answers(service, [ingestion_pb2.SubmitRecordsRequest(
            records=[record(source_id=f"k{i}", enterprise=ACME) for i in range(5)])])
        assert [r.WhichOneof("result") for r in results] == ["record"] * 5
        assert service.checks.sent == 1
    finally:
        await stop(service)


async def test_work_that_fails_in_the_worker_fails_the_call_as_in_the_service():
    checks = EdgeChecks(load_rules(), Limits(), processes=1, min_records=1, work=fail)
    try:
        await checks.start()
        request = ingestion_pb2.SubmitRecordsRequest(records=[record(source_id="d0", enterprise=ACME)])
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            await checks.check(Principal("department", "ANTI_SMUGGLING"), request, None, "")
        assert checks.restarts == 0 and len(checks.worker_pids()) == 1  # the worker itself is fine
    finally:
        await checks.close()


def fail(*_args):
    return 1 / 0


async def test_the_workers_end_with_the_service(database_url, clock):
    service = await start(database_url, clock, processes=1, min_records=4)
    await service.checks.start()
    pids = service.checks.worker_pids()
    assert pids
    await stop(service)
    assert service.checks.worker_pids() == []
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    await asyncio.sleep(0)

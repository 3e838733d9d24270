"""Exactly once into ingestion (issue 10, item 6): the objection service is killed (SIGKILL)
between committing an upheld answer and ingestion's acknowledgement of the WITHDRAWAL it files.

Ingestion runs in this process, the objection service in its own; a hook in ingestion's use case
kills the objection process at the chosen point: after ingestion stored the record (the
acknowledgement is lost with the process), or before ingestion sees it. After a restart the
outbox delivers again, and ingestion holds the withdrawal exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import date

import grpc
import pytest

from secondline.common.v1 import common_pb2
from secondline.errors import Unavailable
from secondline.ingestion.v1 import ingestion_pb2
from secondline.objection.v1 import objection_pb2 as opb
from secondline.objection.v1 import objection_pb2_grpc
from tests.conftest import OPERATOR, as_department
from tests.e2e.test_durability import free_port, wait_serving
from tests.helpers import record

PORTAL = (("x-secondline-principal", "portal/test"),)
COMPANY = "91460100MA5T0A1B6D"


def start_objection(tmp_path, port, ingestion_port, database_url):
    config = tmp_path / "objection.yaml"
    config.write_text(
        f"server: {{listen: '127.0.0.1:{port}'}}\n"
        f"database: {{url: '{database_url}'}}\n"
        f"ingestion_address: '127.0.0.1:{ingestion_port}'\n"
        f"classification_address: '127.0.0.1:{free_port()}'\n"
        "start_clock: '2026-03-01T12:00:00+08:00'\n"
        "delivery_poll_seconds: 0.2\n")
    log = open(tmp_path / "objection.log", "ab")
    return subprocess.Popen([sys.executable, "-m", "secondline.services.objection", "--config", str(config)],
                            stdout=log, stderr=subprocess.STDOUT)


@pytest.mark.parametrize("kill", ["after_ingestion_stored_it", "before_ingestion_saw_it"])
async def test_an_upheld_answer_files_its_withdrawal_exactly_once_across_a_sigkill(ingestion, database_url, tmp_path, kill):
    objection_url = database_url if database_url.startswith("postgresql") else f"sqlite:///{tmp_path}/objection.sqlite"
    port = free_port()
    address = f"127.0.0.1:{port}"
    process = start_objection(tmp_path, port, ingestion.port, objection_url)
    usecase = ingestion.host.service.ingestion
    original, calls = usecase.file, []

    async def file(principal, raw, **kw):
        if raw.kind != "WITHDRAWAL" or kw.get("validate_only") or calls:
            outcome = await original(principal, raw, **kw)
            if raw.kind == "WITHDRAWAL" and not kw.get("validate_only"):
                calls.append(outcome)
            return outcome
        calls.append(None)
        if kill == "after_ingestion_stored_it":
            outcome = await original(principal, raw, **kw)  # committed in ingestion
            calls[-1] = outcome
        os.kill(process.pid, signal.SIGKILL)  # the objection service dies before it reads the answer
        await asyncio.to_thread(process.wait, 10)
        if kill == "after_ingestion_stored_it":
            return outcome
        raise Unavailable(message="the caller is gone", reason="TEST")

    usecase.file = file
    try:
        await wait_serving(address, process)
        penalty = (await ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(
            record=record(source_id="AS-1", enterprise=COMPANY, decided_on=date(2026, 2, 26))),
            metadata=as_department("ANTI_SMUGGLING"))).record
        async with grpc.aio.insecure_channel(address) as channel:
            stub = objection_pb2_grpc.ObjectionServiceStub(channel)
            filed = (await stub.FileObjection(opb.FileObjectionRequest(
                subject=common_pb2.SubjectId(enterprise=COMPANY), record_ids=[penalty.record_id], statement="annulled"),
                metadata=PORTAL)).objection
            with pytest.raises(grpc.aio.AioRpcError) as cut:
                await stub.AnswerObjection(opb.AnswerObjectionRequest(
                    objection_id=filed.objection_id, record_id=penalty.record_id, outcome=opb.OUTCOME_UPHELD,
                    reason="revoked on review", withdraw=True), metadata=(("x-secondline-principal", "department/ANTI_SMUGGLING"),))
        await asyncio.to_thread(process.wait, 10)
        assert process.returncode == -signal.SIGKILL and cut.value.code() == grpc.StatusCode.UNAVAILABLE

        process = start_objection(tmp_path, port, ingestion.port, objection_url)
        await wait_serving(address, process)
        async with grpc.aio.insecure_channel(address) as channel:
            stub = objection_pb2_grpc.ObjectionServiceStub(channel)
            decided = await _acknowledged(stub, filed.objection_id)
        assert decided.status == opb.OBJECTION_STATUS_UPHELD  # the answer committed before the kill is not lost
        history = (await ingestion.stub.ListSubjectRecords(ingestion_pb2.ListSubjectRecordsRequest(
            subject=common_pb2.SubjectId(enterprise=COMPANY)), metadata=OPERATOR)).records
        withdrawals = [r for r in history if r.input.kind == common_pb2.RECORD_KIND_WITHDRAWAL]
        assert [w.record_id for w in withdrawals] == [decided.records[0].filed_record_id]  # exactly once
        assert withdrawals[0].input.objection_id == filed.objection_id
        if kill == "after_ingestion_stored_it":
            assert [c.replayed for c in calls] == [False, True]  # the redelivery was a replay
        else:
            assert [c is None or c.replayed for c in calls] == [True, False]
    finally:
        usecase.file = original
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(15)


async def _acknowledged(stub, objection_id: str) -> opb.Objection:
    """The objection once its outbox has delivered (the restarted service delivers at start)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = (await stub.GetObjection(opb.GetObjectionRequest(objection_id=objection_id), metadata=OPERATOR)).objection
        if found.records[0].filed_record_id:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError("the outbox never delivered the withdrawal after the restart")

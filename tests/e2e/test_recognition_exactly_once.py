"""Exactly once into ingestion (issue 11, item 3; RULES R-7, R-3): the recognition service is
killed (SIGKILL) between committing a partner's accepted envelope and ingestion's
acknowledgement of the record it files.

Ingestion runs in this process, the recognition service in its own; the test wraps ingestion's
use case for the partner's record and kills the recognition process at the chosen point: after
ingestion stored the record (the acknowledgement dies with the process), or before ingestion
stores it. Nothing in the recognition service knows of the test: the kill point is on
ingestion's side of the call, so no hook exists to be reached in production. After a restart
the outbox delivers again; ingestion holds the partner's record exactly once, the acceptance
and its log entry are still there, and the partner sending the envelope again is a replay.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import grpc
import pytest
import yaml

from secondline.common.v1 import common_pb2
from secondline.errors import Unavailable
from secondline.ingestion.v1 import ingestion_pb2
from secondline.recognition.v1 import recognition_pb2 as rpb
from secondline.recognition.v1 import recognition_pb2_grpc
from tests.conftest import OPERATOR
from tests.e2e.test_durability import free_port, wait_serving
from tests.recognition_helpers import PARTNERS, partner, rating

ACME = "91460100MA5T0A3D5P"
SOURCE_ID = "GBA-K1"


def start_recognition(tmp_path, port, ingestion_port, database_url):
    partners = tmp_path / "partners.yaml"
    partners.write_text(yaml.safe_dump(PARTNERS), encoding="utf-8")
    config = tmp_path / "recognition.yaml"
    config.write_text(yaml.safe_dump({
        "server": {"listen": f"127.0.0.1:{port}"}, "database": {"url": database_url},
        "ingestion_address": f"127.0.0.1:{ingestion_port}", "classification_address": f"127.0.0.1:{free_port()}",
        "partners_file": str(partners), "signing": {"keys_dir": str(tmp_path / "keys")},
        "start_clock": "2026-03-01T12:00:00+08:00"}), encoding="utf-8")
    log = open(tmp_path / "recognition.log", "ab")
    return subprocess.Popen([sys.executable, "-m", "secondline.services.recognition", "--config", str(config)],
                            stdout=log, stderr=subprocess.STDOUT)


@pytest.mark.parametrize("kill", ["after_ingestion_stored_it", "before_ingestion_saw_it"])
async def test_an_accepted_envelope_is_filed_exactly_once_across_a_sigkill(ingestion, database_url, tmp_path, clock, kill):
    recognition_url = database_url if database_url.startswith("postgresql") else f"sqlite:///{tmp_path}/recognition.sqlite"
    port = free_port()
    address = f"127.0.0.1:{port}"
    process = start_recognition(tmp_path, port, ingestion.port, recognition_url)
    usecase = ingestion.host.service.ingestion
    original, calls = usecase.submit_as, []

    async def submit_as(principal, inputs):
        ours = [raw for raw in inputs if raw.partner is not None and raw.source_id == SOURCE_ID]
        if not ours or calls:
            outcomes = await original(principal, inputs)
            if ours:
                calls.append(outcomes[0])
            return outcomes
        calls.append(None)
        if kill == "after_ingestion_stored_it":
            outcomes = await original(principal, inputs)  # committed in ingestion
            calls[-1] = outcomes[0]
        os.kill(process.pid, signal.SIGKILL)  # the recognition service dies before it reads the answer
        await asyncio.to_thread(process.wait, 10)
        if kill == "after_ingestion_stored_it":
            return outcomes
        raise Unavailable(message="the caller is gone", reason="TEST")

    usecase.submit_as = submit_as
    envelope = rating(SOURCE_ID, "D", {"enterprise": ACME}, "2026-02-01", clock.now())
    try:
        await wait_serving(address, process)
        async with grpc.aio.insecure_channel(address) as channel:
            stub = recognition_pb2_grpc.RecognitionServiceStub(channel)
            with pytest.raises(grpc.aio.AioRpcError) as cut:
                await stub.SubmitEnvelope(rpb.SubmitEnvelopeRequest(envelope=envelope), metadata=partner("GBA"), timeout=30)
        await asyncio.to_thread(process.wait, 10)
        assert process.returncode == -signal.SIGKILL and cut.value.code() == grpc.StatusCode.UNAVAILABLE
        assert len(calls) == 1, "killed at the partner record's filing, after the acceptance was committed"

        process = start_recognition(tmp_path, port, ingestion.port, recognition_url)
        await wait_serving(address, process)
        await _redelivered(calls)  # the restarted service's outbox delivers at start
        [stored] = await _partner_records(ingestion)
        async with grpc.aio.insecure_channel(address) as channel:
            stub = recognition_pb2_grpc.RecognitionServiceStub(channel)
            checkpoint = await stub.GetCheckpoint(rpb.GetCheckpointRequest(), metadata=OPERATOR, timeout=10)
            again = (await stub.SubmitEnvelope(rpb.SubmitEnvelopeRequest(envelope=envelope), metadata=partner("GBA"),
                                               timeout=30)).acceptance
        assert checkpoint.tree_size == 1  # the acceptance committed before the kill is not lost, nor logged twice
        assert again.replayed and again.log_index == 0 and again.record_id == stored.record_id
        assert stored.input.partner.partner == "GBA" and stored.input.partner.effect == common_pb2.PARTNER_EFFECT_LOWEST
        assert len(await _partner_records(ingestion)) == 1  # exactly once, after the replay too
        if kill == "after_ingestion_stored_it":
            assert [c.replayed for c in calls[:2]] == [False, True]  # the redelivery was a replay
        else:
            assert calls[0] is None and calls[1].replayed is False  # the redelivery stored it, once
        assert all(c.replayed for c in calls[2:])  # a later delivery (the partner's resend) is a replay too
    finally:
        usecase.submit_as = original
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(15)


async def _partner_records(ingestion) -> list[ingestion_pb2.Record]:
    history = (await ingestion.stub.ListSubjectRecords(ingestion_pb2.ListSubjectRecordsRequest(
        subject=common_pb2.SubjectId(enterprise=ACME)), metadata=OPERATOR)).records
    return [r for r in history if r.input.source_id == SOURCE_ID]


async def _redelivered(calls: list) -> None:
    """Wait until the restarted service's outbox has sent the partner's record again."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if len(calls) >= 2:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox never delivered the partner's record after the restart")

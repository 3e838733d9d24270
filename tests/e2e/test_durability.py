"""A killed process loses no acknowledged record (SIGKILL mid-stream, then restart)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import date

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from secondline.identifiers import uscc_check_character
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from tests.helpers import record

TAX = (("x-secondline-principal", "department/TAX"),)
FEED = (("x-secondline-principal", "service/classification"),)  # the record feed's follower


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(tmp_path, port, event_loop="uvloop"):
    config = tmp_path / "ingestion.yaml"
    config.write_text(f"server: {{listen: '127.0.0.1:{port}', event_loop: {event_loop}}}\n"
                      f"database: {{url: 'sqlite:///{tmp_path}/ingestion.sqlite'}}\n")
    log = open(tmp_path / "ingestion.log", "ab")
    return subprocess.Popen([sys.executable, "-m", "secondline.services.ingestion", "--config", str(config)],
                            stdout=log, stderr=subprocess.STDOUT)


async def wait_serving(address, process, timeout=30):
    deadline = time.monotonic() + timeout
    async with grpc.aio.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            assert process.poll() is None, "the service exited"
            try:
                reply = await stub.Check(health_pb2.HealthCheckRequest(), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.aio.AioRpcError:
                pass
            await asyncio.sleep(0.1)
    raise TimeoutError(address)


def uscc(n: int) -> str:
    body = f"91460100MA{n:07d}"
    return body + uscc_check_character(body)


def child_pids(pid: int) -> list[int]:
    return [int(p) for task in os.listdir(f"/proc/{pid}/task")
            for p in open(f"/proc/{pid}/task/{task}/children").read().split()]


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return "zombie" not in status.read()
    except FileNotFoundError:
        return False


def wait_gone(pids: list[int], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(alive(pid) for pid in pids):
            return True
        time.sleep(0.1)
    return False


def serving_loops(log_file) -> list[str]:
    """The event loop each start of the service served on, from its "serving" log lines."""
    lines = [json.loads(line) for line in log_file.read_text().splitlines() if line.startswith("{")]
    return [line["event_loop"] for line in lines if line.get("msg") == "serving"]


@pytest.mark.parametrize("event_loop", ["uvloop", "asyncio"])  # server.event_loop: the default and the other
async def test_records_acknowledged_before_a_sigkill_are_all_there_after_restart(tmp_path, event_loop):
    port = free_port()
    address = f"127.0.0.1:{port}"
    process = start(tmp_path, port, event_loop)
    acknowledged: set[str] = set()
    try:
        await wait_serving(address, process)

        async def requests():
            for chunk in range(10_000):  # messages of 100: large enough to be checked in the edge worker
                yield ingestion_pb2.SubmitRecordsRequest(records=[
                    record(source_id=f"k-{chunk}-{i}", kind="INDUSTRY_RATING", grade="B",
                           enterprise=uscc(chunk * 100 + i), decided_on=date(2026, 1, 5)) for i in range(100)])

        async with grpc.aio.insecure_channel(address) as channel:
            stub = ingestion_pb2_grpc.IngestionServiceStub(channel)
            try:
                async for response in stub.SubmitRecords(requests(), metadata=TAX):
                    acknowledged.update(r.record.record_id for r in response.results if r.HasField("record"))
                    if len(acknowledged) >= 2_000 and process.poll() is None:
                        children = child_pids(process.pid)  # the edge checks' worker among them
                        os.kill(process.pid, signal.SIGKILL)  # mid-stream, commits in flight
            except grpc.aio.AioRpcError:
                pass  # the server died under the stream: the code depends on where it was cut
        process.wait(10)
        assert process.returncode == -signal.SIGKILL and len(acknowledged) >= 2_000
        assert children and wait_gone(children, 10), "a child of the killed service lives on"

        process = start(tmp_path, port, event_loop)
        await wait_serving(address, process)
        async with grpc.aio.insecure_channel(address) as channel:
            stub = ingestion_pb2_grpc.IngestionServiceStub(channel)
            stored = {r.record_id async for m in stub.StreamRecords(ingestion_pb2.StreamRecordsRequest(), metadata=FEED)
                      for r in m.records}
        assert acknowledged <= stored
        assert serving_loops(tmp_path / "ingestion.log") == [event_loop, event_loop]
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(15)

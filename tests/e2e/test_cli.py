"""The ``secondline`` command end to end: the CLI and every service in separate processes."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import grpc
import pytest
import yaml
from grpc_health.v1 import health_pb2, health_pb2_grpc

from secondline.dates import cst_date
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.cli.up.suite import SERVICES, ServiceSpec, SuiteError, start_suite
from tests.helpers import record, kill_if_running

SECONDLINE = str(Path(sys.executable).parent / "secondline")  # the venv's console script
ACME = "91460100MA5T0A3D5P"


def test_demo_loads_a_population_replays_a_day_at_the_gate_and_writes_its_report(tmp_path):
    done = subprocess.run([SECONDLINE, "demo", "--data", str(tmp_path), "--subjects", "2000", "--crossings", "2000",
                           "--probes", "4"], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert re.search(r"records filed +\[#{30}\] 100%", out)  # off a terminal: the progress bar's lines
    assert re.search(r"Ingestion +[\d,]+ records in .*, 0 refused", out)
    assert re.search(r"business entities +800\n +AEO +\d+ .*E-A", out)  # two in five subjects; classes now
    assert re.search(r"WATCHLIST +\d+ .*E-W1", out)
    for category in ("AEO entity", "WHITELIST entity", "WATCHLIST entity", "WHITELIST individual"):
        assert re.search(rf"{category} .* (M-1|L-2|P-R) +ok$", out, re.M), category  # drawn like the configured rate
    assert re.search(r"one call at a time .* p50 [\d.]+ ms", out)
    assert re.search(r"Replay \(M-3\) +(\d+) logged decisions decided again: \1 match", out)
    assert re.search(r"reflected at the gate +p50 [\d.,]+ ms", out)
    assert "Looked wrong: none" in out, out[out.find("Looked wrong"):]  # the problems listed, if any
    assert "Suite stopped." in out
    report = tmp_path / "secondline-demo-report.html"
    assert f"Report written to {report}" in out
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and page.count("<svg") >= 6


def test_up_serves_over_grpc_until_ctrl_c_and_leaves_no_service_running(tmp_path):
    cli = subprocess.Popen([SECONDLINE, "up", "--data", str(tmp_path)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        lines = _lines_of(cli.stdout)
        # First start: development secrets generated in the data folder, and said so (never in the repository).
        _wait_for(lines, r"pseudonym-secret: classification's pseudonym secret")
        address, pid = _wait_for(lines, r"^\s+ingestion\s+(127\.0\.0\.1:\d+)\s+pid (\d+)")
        _wait_for(lines, r"Press Ctrl-C to stop")
        assert (tmp_path / "run" / "ingestion.pid").read_text().strip() == pid
        assert (tmp_path / "pseudonym-secret").exists() and (tmp_path / "recognition-keys" / "keys.yaml").exists()

        with grpc.insecure_channel(address) as channel:
            health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
            assert health.status == health_pb2.HealthCheckResponse.SERVING
            today = cst_date(datetime.now(timezone.utc))  # the suite runs on the real clock
            reply = ingestion_pb2_grpc.IngestionServiceStub(channel).SubmitRecord(
                ingestion_pb2.SubmitRecordRequest(record=record(source_id="ASB-1", enterprise=ACME, decided_on=today)),
                metadata=(("x-secondline-principal", "department/ANTI_SMUGGLING"),), timeout=10,
            )
            assert reply.record.record_id and not reply.replayed

        cli.send_signal(signal.SIGINT)
        assert cli.wait(timeout=30) == 0, cli.stderr.read()
    finally:
        kill_if_running(cli)
    assert not _alive(int(pid))
    assert not _accepts_connections(address)
    assert not (tmp_path / "run" / "ingestion.pid").exists()


def test_a_service_that_fails_to_start_stops_the_others_and_its_log_tail_is_reported(tmp_path):
    def bad_settings(name, layout):
        return {"server": {"listen": layout.addresses[name]}, "no_such_key": 1}

    broken = ServiceSpec("broken", "secondline.services.ingestion", bad_settings)
    with pytest.raises(SuiteError) as caught:
        start_suite(tmp_path, services=[*SERVICES, broken], ready_timeout=30)
    assert "service broken exited with code 2" in str(caught.value)
    assert "no_such_key: is not a known key" in str(caught.value)
    ingestion = yaml.safe_load((tmp_path / "config" / "ingestion.yaml").read_text())["server"]["listen"]
    assert not _accepts_connections(ingestion)


def _lines_of(stream) -> queue.Queue:
    """The stream's lines, read by a thread so that waiting for one can time out."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
    return lines


def _wait_for(lines: queue.Queue, pattern: str, timeout: float = 60.0) -> tuple[str, ...]:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            break
        seen.append(line)
        if match := re.search(pattern, line):
            return match.groups()
    raise AssertionError(f"no line matching {pattern!r} in time; got:\n{''.join(seen)}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _accepts_connections(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError:
        return False
    return True

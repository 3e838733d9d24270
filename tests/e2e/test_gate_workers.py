"""The gate as two worker processes sharing its port (``workers: 2``): both serve, each follows
classification's feed with a snapshot of its own, a replay finds a decision whichever worker
made it, a worker killed -9 is started again while the other answers every Decide, and SIGTERM
to the supervisor stops them all. SO_REUSEPORT spreads connections, not calls: each probe
below is a fresh channel with a subchannel pool of its own (gRPC would otherwise share one
connection between channels to the same address)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import grpc
import pytest

from secondline.cli.up.suite import SERVICES, ServiceSpec, running_suite
from secondline.dates import cst_date
from secondline.gate.v1 import gate_pb2, gate_pb2_grpc
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.rpc.convert import timestamp
from tests.conftest import BACKENDS
from tests.e2e.test_cli import ACME, SECONDLINE, _alive, _lines_of, _wait_for
from tests.helpers import record, kill_if_running

LANE = (("x-secondline-principal", "lane/HAIKOU"),)
OPERATOR = (("x-secondline-principal", "operator/ops"),)
SMUGGLING = (("x-secondline-principal", "department/ANTI_SMUGGLING"),)


@pytest.fixture(params=BACKENDS)
def shared_url(request):
    """None: the embedded default (the workers share the gate's SQLite file); else a PostgreSQL
    schema that every service of the suite shares."""
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("schema_url")


def _specs(url: str | None, workers: int = 2, hang_seconds: float | None = None) -> list[ServiceSpec]:
    def wrap(base):
        def settings(name, layout):
            values = base(name, layout)
            values["server"]["grace_seconds"] = 1
            if url is not None:
                values["database"] = {"url": url}
            if name == "gate":
                values.update(workers=workers, heartbeat_seconds=0.2)
                if hang_seconds is not None:
                    values["server"]["worker_hang_seconds"] = hang_seconds
            return values
        return settings
    return [ServiceSpec(s.name, s.module, wrap(s.settings)) for s in SERVICES if s.name in ("ingestion", "classification", "gate")]


def fresh(address: str) -> grpc.Channel:
    return grpc.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)])


def status(channel: grpc.Channel) -> gate_pb2.GetGateStatusResponse:
    return gate_pb2_grpc.GateServiceStub(channel).GetGateStatus(gate_pb2.GetGateStatusRequest(), metadata=OPERATOR, timeout=5)


def decide(channel: grpc.Channel, n: int) -> gate_pb2.Decision:
    crossing = gate_pb2.Crossing(crossing_id=f"W-{n}", port="HAIKOU", enterprise=ACME, at=timestamp(datetime.now(timezone.utc)))
    return gate_pb2_grpc.GateServiceStub(channel).Decide(gate_pb2.DecideRequest(crossing=crossing), metadata=LANE, timeout=5).decision


def worker_of(address: str) -> int | None:
    """The worker a fresh connection reaches; None while none listens."""
    with fresh(address) as channel:
        try:
            return status(channel).worker
        except grpc.RpcError:
            return None


def pinned(address: str, worker: int, timeout: float = 30.0) -> grpc.Channel:
    """A channel whose connection the kernel handed to ``worker`` (once it listens)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        channel = fresh(address)
        try:
            if status(channel).worker == worker:
                return channel
        except grpc.RpcError:
            pass
        channel.close()
    raise AssertionError(f"no fresh connection reached worker {worker} in {timeout:g} s")


def log_pids(log: Path) -> dict[int, int]:
    """Each worker's latest pid, as the supervisor's log says it started it."""
    pids = {}
    for line in log.read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("worker") == "supervisor" and "supervised" in entry and "started" in entry["msg"]:
            pids[entry["supervised"]] = entry["pid"]
    return pids


def wait_for(what, check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"not in {timeout:g} s: {what}"
        time.sleep(0.1)


def test_both_workers_serve_each_with_its_own_snapshot_and_replay_what_the_other_decided(tmp_path, shared_url):
    with running_suite(tmp_path, services=_specs(shared_url)) as suite:
        address = suite.address("gate")
        prefixes: dict[int, set[str]] = {1: set(), 2: set()}
        for n in range(40):
            with fresh(address) as channel:
                worker = status(channel).worker
                prefixes[worker].add(decide(channel, n).decision_id[:12])  # the process's random prefix
        assert all(len(seen) == 1 for seen in prefixes.values()), prefixes  # a connection stays with its worker
        assert prefixes[1] != prefixes[2]

        one, two = pinned(address, 1), pinned(address, 2)
        try:
            # Each worker follows classification's change feed itself: a record filed now
            # reaches both snapshots.
            before = {w: status(c).subjects for w, c in ((1, one), (2, two))}
            today = cst_date(datetime.now(timezone.utc))
            with grpc.insecure_channel(suite.address("ingestion")) as channel:
                ingestion_pb2_grpc.IngestionServiceStub(channel).SubmitRecord(ingestion_pb2.SubmitRecordRequest(
                    record=record(source_id="ASB-W1", enterprise=ACME, decided_on=today)), metadata=SMUGGLING, timeout=10)
            for worker, channel in ((1, one), (2, two)):
                wait_for(f"worker {worker}'s snapshot holds the subject",
                         lambda: status(channel).subjects > before[worker] and status(channel).loaded)
            # A decision is replayed at once through the other worker: its writer may not have
            # written it yet, and the replay waits for it (decision_log.replay_wait_seconds).
            for maker, replayer in ((one, two), (two, one)):
                made = decide(maker, 1000 + status(maker).worker)
                replay = gate_pb2_grpc.GateServiceStub(replayer).ReplayDecision(
                    gate_pb2.ReplayDecisionRequest(decision_id=made.decision_id), metadata=OPERATOR, timeout=10)
                assert status(replayer).worker != status(maker).worker
                assert replay.logged.decision_id == made.decision_id and replay.matches and replay.caller == "lane/HAIKOU"
            # An id no process made is answered at once (no wait for a write that will not come).
            started = time.monotonic()
            with pytest.raises(grpc.RpcError) as missing:
                gate_pb2_grpc.GateServiceStub(one).ReplayDecision(
                    gate_pb2.ReplayDecisionRequest(decision_id="no-such-decision"), metadata=OPERATOR, timeout=10)
            assert missing.value.code() == grpc.StatusCode.NOT_FOUND and time.monotonic() - started < 0.9
        finally:
            one.close()
            two.close()


class Decider(threading.Thread):
    """Decide back to back on one channel (one connection, one worker) until stopped."""

    def __init__(self, channel: grpc.Channel) -> None:
        super().__init__(daemon=True)
        self.channel, self.halt = channel, threading.Event()
        self.answered, self.failed, self.workers = 0, [], set()

    def run(self) -> None:
        n = 0
        while not self.halt.is_set():
            n += 1
            try:
                decide(self.channel, 5000 + n)
                self.answered += 1
            except grpc.RpcError as error:
                self.failed.append(error.code().name)
            time.sleep(0.005)


def test_a_worker_killed_is_started_again_while_the_other_answers_every_decide_and_sigterm_stops_all(tmp_path):
    with running_suite(tmp_path, services=_specs(None)) as suite:
        address, log = suite.address("gate"), suite.services["gate"].log_path
        supervisor = suite.services["gate"].process
        pids = wait_for("both workers' pids in the log", lambda: (p := log_pids(log)) and len(p) == 2 and p)
        survivor = pinned(address, 2)
        with pinned(address, 1) as victim:
            victim_prefix = decide(victim, 1).decision_id[:12]
        decider = Decider(survivor)
        decider.start()
        try:
            time.sleep(0.5)
            os.kill(pids[1], signal.SIGKILL)
            wait_for("the supervisor's note of the death and the restart",
                     lambda: f"worker 1 (pid {pids[1]}) exited with code -9" in log.read_text()
                     and "worker 1 restarted" in log.read_text())
            restarted = wait_for("worker 1's new pid", lambda: log_pids(log)[1] != pids[1] and log_pids(log)[1])
            with pinned(address, 1) as back:  # serving again: a new process, a new snapshot
                assert status(back).loaded and decide(back, 2).decision_id[:12] != victim_prefix
            time.sleep(0.3)
        finally:
            decider.halt.set()
            decider.join(10)
            survivor.close()
        assert decider.answered > 50 and decider.failed == [], decider.failed[:5]
        assert _alive(pids[2])  # the other worker was never restarted

        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0
        assert not _alive(restarted) and not _alive(pids[2])
        assert "stopping 2 workers" in log.read_text()


def test_a_worker_whose_loop_stops_is_killed_and_started_again_while_the_other_answers(tmp_path):
    with running_suite(tmp_path, services=_specs(None, hang_seconds=3.0)) as suite:
        address, log = suite.address("gate"), suite.services["gate"].log_path
        pids = wait_for("both workers' pids in the log", lambda: (p := log_pids(log)) and len(p) == 2 and p)
        survivor = pinned(address, 2)
        with pinned(address, 1) as victim:  # serving, so beating (a silent start is given longer)
            assert status(victim).loaded
        time.sleep(0.5)  # the supervisor has read a beat
        decider = Decider(survivor)
        decider.start()
        try:
            os.kill(pids[1], signal.SIGSTOP)  # alive, its port open, answering nothing: hung
            wait_for("the supervisor's kill of the silent worker",
                     lambda: f"worker 1 (pid {pids[1]}) has not beaten" in log.read_text(), timeout=30)
            wait_for("worker 1 started again", lambda: log_pids(log)[1] != pids[1], timeout=30)
            with pinned(address, 1) as back:
                assert status(back).loaded
        finally:
            decider.halt.set()
            decider.join(10)
            survivor.close()
        assert not _alive(pids[1])
        assert decider.answered > 50 and decider.failed == [], decider.failed[:5]
        assert _alive(pids[2])


def _gate(tmp_path: Path, settings: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    config = tmp_path / "gate.yaml"
    config.write_text(settings)
    return subprocess.Popen([sys.executable, "-m", "secondline.services.gate", "--config", str(config)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path, env={**os.environ, **(env or {})}, start_new_session=True)


@pytest.mark.parametrize("settings, env, expected", [
    ("workers: 0\n", {}, "gate.yaml: workers: Input should be greater than 0"),
    ("", {"SECONDLINE_GATE_WORKERS": "two"}, "environment variable SECONDLINE_GATE_WORKERS: workers: Input should be a valid integer"),
    ("start_clock: 2026-03-01T04:00:00Z\nworkers: 2\n", {}, "workers: Value error, must be 1 with start_clock"),
])
def test_a_bad_workers_value_is_refused_naming_the_key(tmp_path, settings, env, expected):
    gate = _gate(tmp_path, settings, env)
    _, err = gate.communicate(timeout=30)
    assert gate.returncode == 2 and expected in err, err


def test_port_zero_is_chosen_before_the_workers_start_and_they_end_when_the_supervisor_dies(tmp_path):
    gate = _gate(tmp_path, "server: {listen: '127.0.0.1:0', grace_seconds: 1}\nclassification_address: '127.0.0.1:1'\n"
                           "bootstrap_seconds: 0.5\nworkers: 2\n")
    try:
        lines: list[str] = []
        threading.Thread(target=lambda: [lines.append(line) for line in gate.stderr], daemon=True).start()
        supervising = wait_for("the supervisor's address", lambda: next(
            (json.loads(line)["msg"] for line in lines if "supervising 2 workers on" in line), None))
        address = supervising.rsplit(" ", 1)[1]
        assert not address.endswith(":0")
        seen = set()
        wait_for("both workers answering on the chosen port", lambda: seen.add(worker_of(address)) or {1, 2} <= seen)
        pids = [json.loads(line)["pid"] for line in list(lines) if '"supervised"' in line and "started" in line]
        gate.kill()  # the supervisor, by SIGKILL: no chance to stop them
        gate.wait()
        assert len(pids) == 2
        wait_for("the workers ending with their supervisor", lambda: not any(_alive(pid) for pid in pids), timeout=20)
    finally:
        kill_if_running(gate)


def test_workers_that_keep_failing_at_start_make_the_supervisor_exit_non_zero(tmp_path):
    missing = tmp_path / "missing"
    gate = _gate(tmp_path, f"server: {{listen: '127.0.0.1:0', tls: {{cert_file: {missing}.crt, key_file: {missing}.key, "
                           f"client_ca_file: {missing}-ca.crt}}}}\nclassification_address: '127.0.0.1:1'\nworkers: 2\n")
    try:
        _, err = gate.communicate(timeout=90)
    finally:
        kill_if_running(gate)
    assert gate.returncode == 1, err
    assert "restarting it in 0.5 s (failure 1 of 5 before giving up)" in err
    assert "giving up: worker" in err and "exited 5 times in a row" in err


def test_up_runs_the_gate_as_two_workers_when_asked(tmp_path):
    cli = subprocess.Popen([SECONDLINE, "up", "--data", str(tmp_path), "--gate-workers", "2"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        out = _lines_of(cli.stdout)
        address, _ = _wait_for(out, r"^\s+gate\s+(127\.0\.0\.1:\d+)\s+pid (\d+) \(supervising 2 workers\)")
        _wait_for(out, r"Press Ctrl-C to stop")
        seen: set = set()
        wait_for("both workers answering", lambda: seen.add(worker_of(address)) or {1, 2} <= seen)
        pids = log_pids(tmp_path / "logs" / "gate.log")
        cli.send_signal(signal.SIGINT)
        assert cli.wait(timeout=60) == 0
    finally:
        kill_if_running(cli)
    assert sorted(pids) == [1, 2] and not any(_alive(pid) for pid in pids.values())

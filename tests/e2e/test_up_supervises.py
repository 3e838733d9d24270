"""``secondline up`` supervises: kill -9 any service and the others keep serving, the gate keeps
answering every Decide, and the killed one is back on its address within seconds."""

from __future__ import annotations
from tests.helpers import kill_if_running

import os
import signal
import subprocess
import threading
import time
from datetime import datetime, timezone

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from secondline.gate.v1 import gate_pb2, gate_pb2_grpc
from secondline.rpc.convert import timestamp
from tests.e2e.test_cli import SECONDLINE, _lines_of, _wait_for

LANE = (("x-secondline-principal", "lane/HAIKOU"),)
ORDER = ("classification", "ingestion", "gate")


class Decider(threading.Thread):
    """Calls Decide back to back until stopped, counting answers and failures."""

    def __init__(self, address: str) -> None:
        super().__init__(daemon=True)
        self.channel = grpc.insecure_channel(address)
        self.stub = gate_pb2_grpc.GateServiceStub(self.channel)
        self.halt = threading.Event()
        self.answered, self.failed = 0, []

    def run(self) -> None:
        n = 0
        while not self.halt.is_set():
            n += 1
            crossing = gate_pb2.Crossing(crossing_id=f"SUP-{n}", port="HAIKOU", enterprise="91460100MA5T0A3D5P",
                                         at=timestamp(datetime.now(timezone.utc)))
            try:
                self.stub.Decide(gate_pb2.DecideRequest(crossing=crossing), metadata=LANE, timeout=2)
                self.answered += 1
            except grpc.RpcError as error:
                self.failed.append(error.code().name)
            time.sleep(0.005)

    def stop(self) -> None:
        self.halt.set()
        self.join(10)
        self.channel.close()


def _serving(address: str) -> bool:
    with grpc.insecure_channel(address) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1)
        except grpc.RpcError:
            return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


def _pid(tmp_path, name: str) -> int | None:
    try:
        return int((tmp_path / "run" / f"{name}.pid").read_text())
    except (OSError, ValueError):
        return None


def test_up_restarts_each_killed_service_while_the_others_and_the_gate_keep_answering(tmp_path):
    cli = subprocess.Popen([SECONDLINE, "up", "--data", str(tmp_path)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        out, err = _lines_of(cli.stdout), _lines_of(cli.stderr)
        addresses = {}
        for name in ("ingestion", "classification", "gate"):  # as the welcome lists them
            addresses[name] = _wait_for(out, rf"^\s+{name}\s+(127\.0\.0\.1:\d+)\s+pid \d+")[0]
        _wait_for(out, r"Press Ctrl-C to stop")
        for victim in ORDER:
            decider = Decider(addresses["gate"])
            decider.start()
            time.sleep(0.5)
            before = _pid(tmp_path, victim)
            os.kill(before, signal.SIGKILL)
            _wait_for(err, rf"service {victim} \(pid {before}\) exited with code -9")
            _wait_for(err, rf"service {victim} restarted, pid (\d+), at {addresses[victim]}")
            deadline = time.monotonic() + 30
            while not _serving(addresses[victim]):
                assert time.monotonic() < deadline, f"{victim} did not come back within 30 s"
                time.sleep(0.1)
            assert _pid(tmp_path, victim) not in (None, before)
            for other in ORDER:
                assert _serving(addresses[other]), f"{other} stopped serving after {victim} was killed"
            time.sleep(0.5)
            decider.stop()
            assert decider.answered > 0
            if victim != "gate":  # the gate answers from its snapshot throughout
                assert decider.failed == [], f"Decide failed while {victim} was down: {decider.failed[:5]}"
        cli.send_signal(signal.SIGINT)
        assert cli.wait(timeout=30) == 0
    finally:
        kill_if_running(cli)

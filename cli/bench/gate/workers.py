"""A gate of several worker processes as the benchmark sees it: each worker's status, all pids.

GetGateStatus answers for the worker holding the call's connection, so each worker is reached
through fresh connections (a channel with a subchannel pool of its own) until every one has
answered; the workers are the supervisor's children (Linux's ``/proc``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import grpc

from secondline.cli.bench.gate.load import OPERATOR
from secondline.cli.bench.gate.processes import BenchError, Worker
from secondline.gate.v1 import gate_pb2, gate_pb2_grpc


class ChannelsWorker:
    """The load client, each of its measurements spread over ``channels`` connections."""

    def __init__(self, worker: Worker, channels: int) -> None:
        self.worker, self.channels = worker, channels

    def measure(self, **cmd) -> dict:
        return self.worker.measure(**cmd, channels=self.channels)


class AllWorkers:
    def __init__(self, address: str, count: int) -> None:
        self.address, self.count = address, count

    def statuses(self, timeout: float = 30.0) -> dict[int, gate_pb2.GetGateStatusResponse]:
        """Each worker's status (by its number), over fresh connections until all have answered."""
        found: dict[int, gate_pb2.GetGateStatusResponse] = {}
        deadline = time.monotonic() + timeout
        while len(found) < self.count:
            if time.monotonic() > deadline:
                raise BenchError(f"only workers {sorted(found)} of {self.count} answered GetGateStatus within {timeout:g} s")
            with grpc.insecure_channel(self.address, options=[("grpc.use_local_subchannel_pool", 1)]) as channel:
                try:
                    status = gate_pb2_grpc.GateServiceStub(channel).GetGateStatus(
                        gate_pb2.GetGateStatusRequest(), metadata=OPERATOR, timeout=10)
                except grpc.RpcError:
                    time.sleep(0.05)  # a worker still starting does not listen yet
                    continue
            found[status.worker or 1] = status  # 0: one process, no supervisor
        return found

    def settle(self, timeout: float = 60.0) -> dict[int, gate_pb2.GetGateStatusResponse]:
        """Every worker's status once none has decisions queued (one run does not pay for the last)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.statuses()
            if all(s.decisions_queued == 0 for s in found.values()) or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def wait_loaded(self, subjects: int, timeout: float, alive: Callable[[], None]) -> None:
        deadline = time.monotonic() + timeout
        while True:
            alive()
            found = self.statuses(timeout=max(1.0, deadline - time.monotonic()))
            if all(s.loaded and s.subjects >= subjects for s in found.values()):
                return
            if time.monotonic() > deadline:
                raise BenchError(f"the gate's workers did not load {subjects} subjects within {timeout:.0f} s: "
                                 + ", ".join(f"worker {i}: {s.subjects}" for i, s in sorted(found.items())))
            time.sleep(0.1)


def gate_pids(pid: int) -> list[int]:
    """The gate's process and its children (the workers, when it supervises them)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [pid, *(int(child) for child in children.read().split())]
    except OSError:
        return [pid]


def machine_busy_seconds() -> float | None:
    """CPU seconds the whole machine has been busy (every process, every core); None off Linux.
    Beside the gate's and the client's own, it shows what other work took of the cores."""
    import os

    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except OSError:
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")  # guest time is counted in user already

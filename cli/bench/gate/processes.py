"""The gate benchmark's child processes, as the benchmark's own process drives them."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import grpc

from secondline.gate.v1 import gate_pb2, gate_pb2_grpc
from secondline.cli.bench.gate.load import OPERATOR


class BenchError(RuntimeError):
    """Something failed: a process, an RPC, an answer."""


class Child:
    """A helper process: ``python -m secondline.cli.bench.gate <role> ...``, ready once it prints READY."""

    def __init__(self, role: str, args: list[str], folder: Path, *, stdin: bool = False) -> None:
        self.role = role
        self.log_path = folder / f"{role}.log"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "secondline.cli.bench.gate", role, *args],
                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                text=True, start_new_session=True)
        self._lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True, name=f"bench-{role}-stdout").start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def line(self, timeout: float) -> str:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise BenchError(f"{self.role} did not answer within {timeout:.0f} s; {self.tail()}") from None
        if line is None:
            raise BenchError(f"{self.role} exited with code {self.process.wait()}; {self.tail()}")
        return line.strip()

    def ready(self, timeout: float) -> str:
        """The address (or name) the process printed after READY."""
        line = self.line(timeout)
        if not line.startswith("READY "):
            raise BenchError(f"{self.role} said {line!r}; {self.tail()}")
        return line.split(" ", 1)[1]

    def tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            text = []
        return f"the end of {self.log_path}:\n" + "\n".join(text) if text else f"{self.log_path} is empty"

    def stop(self, timeout: float = 15.0) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        if self.process.poll() is None:
            try:
                self.process.wait(1.0 if self.process.stdin else 0)
            except subprocess.TimeoutExpired:
                pass
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Worker:
    """The client process, driven one measurement at a time."""

    def __init__(self, child: Child) -> None:
        self.child = child

    def measure(self, **cmd) -> dict:
        self.child.process.stdin.write(json.dumps(cmd) + "\n")
        self.child.process.stdin.flush()
        budget = cmd.get("warmup", 0) + cmd.get("duration", 0) + 180
        result = json.loads(self.child.line(budget))
        if result["errors"] or result["invalid"]:  # shed calls are a finding, not a failure
            problems = result["first_errors"] + result["first_invalid"]
            raise BenchError(f"{cmd['target']} at {cmd.get('rate') or cmd['mode']}: {result['errors']} failed RPC(s), "
                             f"{result['invalid']} invalid answer(s); first: " + "; ".join(problems))
        return result


class GateStatus:
    def __init__(self, address: str) -> None:
        self.channel = grpc.insecure_channel(address)
        self.stub = gate_pb2_grpc.GateServiceStub(self.channel)

    def get(self) -> gate_pb2.GetGateStatusResponse:
        return self.stub.GetGateStatus(gate_pb2.GetGateStatusRequest(), metadata=OPERATOR, timeout=10)

    def settle(self, timeout: float = 60.0) -> gate_pb2.GetGateStatusResponse:
        """Wait until the decision log has written what it queued (so one run does not pay for the last)."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.get()
            if status.decisions_queued == 0 or time.monotonic() > deadline:
                return status
            time.sleep(0.05)


def run_with_options(args, quick: dict, name: str, body) -> int:
    """A gate benchmark's run: its defaults filled in (``quick``: option -> (normal, --quick)),
    the options checked (exit 2, named), then ``body(args, folder)`` in ``--data`` or a
    temporary folder, removed after."""
    import tempfile

    for option, (normal, short) in quick.items():
        if getattr(args, option) is None:
            setattr(args, option, short if args.quick else normal)
    if not 0.0 <= args.known_share <= 1.0:
        print(f"bench {name}: --known-share must be between 0 and 1", file=sys.stderr)
        return 2
    if args.data is not None:
        args.data.mkdir(parents=True, exist_ok=True)
        return body(args, args.data.resolve())
    with tempfile.TemporaryDirectory(prefix=f"secondline-bench-{name}-") as tmp:
        return body(args, Path(tmp))

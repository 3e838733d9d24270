"""The gate benchmark's run: its processes, one open-loop measurement, the highest sustained rate."""

from __future__ import annotations

import argparse
import math
import os
import time
from pathlib import Path

from secondline.gate.v1 import gate_pb2
from secondline.cli.up.suite import ServiceSpec, start_suite
from secondline.cli.bench.common import cpu_seconds, thread_cpu_seconds
from secondline.cli.bench.gate.processes import BenchError, Child, GateStatus, Worker
from secondline.cli.bench.gate.tables import MaxRate, run_line


def _split_by_thread(result: dict, pid: int, before: dict[int, float], used: float, elapsed: float) -> None:
    """Which of the server's threads used its CPU over ``elapsed``: its main thread, which runs
    the event loop (gRPC's calls and, in the gate, the decisions), and the others together
    (gRPC's own, the decision log's writer, the snapshot's follower)."""
    loop = thread_cpu_seconds(pid).get(pid, 0.0) - before.get(pid, 0.0)
    result["loop_thread_cpu"] = loop / elapsed
    result["other_threads_cpu"] = max(0.0, used - loop) / elapsed


class Bench:
    def __init__(self, args: argparse.Namespace, folder: Path) -> None:
        self.args, self.folder = args, folder
        self.children: list[Child] = []
        self.suite = None
        self.run_id = os.urandom(3).hex()
        self.gate_status: GateStatus | None = None
        self.serial = 0
        self.pids: dict[str, int] = {}

    def tag(self, target: str, what) -> str:
        self.serial += 1
        return f"BG{self.run_id}-{target[0].upper()}{what}-{self.serial}"

    # -- processes --

    def start_stub(self, now: int) -> str:
        stub = Child("stub", ["--subjects", str(self.args.subjects), "--seed", str(self.args.seed), "--now", str(now)],
                     self.folder)
        self.children.append(stub)
        return stub.ready(timeout=60 + self.args.subjects / 2000)

    def start_gate(self, classification: str) -> str:
        def settings(name, layout):
            return {"server": {"listen": layout.addresses[name], "event_loop": self.args.loop},
                    "database": {"url": f"sqlite:///{layout.data_dir / name}.sqlite"},
                    "classification_address": classification,
                    "telemetry": {"log_level": "WARNING"}}

        spec = ServiceSpec("gate", "secondline.services.gate", settings)
        self.suite = start_suite(self.folder / "suite", services=[spec], ready_timeout=120 + self.args.subjects / 2000)
        self.pids["gate"] = self.suite.pids()["gate"]
        return self.suite.address("gate")

    def wait_loaded(self, address: str, timeout: float) -> gate_pb2.GetGateStatusResponse:
        self.gate_status = GateStatus(address)
        deadline = time.monotonic() + timeout
        while True:
            status = self.gate_status.get()
            if status.loaded and status.subjects >= self.args.subjects:
                return status
            if time.monotonic() > deadline:
                raise BenchError(f"the gate did not load {self.args.subjects} subjects within {timeout:.0f} s "
                                 f"(loaded {status.loaded}, {status.subjects} subjects)")
            gone = self.suite.exited()
            if gone is not None:
                raise BenchError(f"the gate exited with code {gone.process.returncode}:\n{gone.log_tail()}")
            time.sleep(0.1)

    def start_echo(self, response_bytes: int, role: str = "echo") -> str:
        echo = Child("echo", ["--response-bytes", str(response_bytes), "--loop", self.args.loop], self.folder)
        self.children.append(echo)
        self.pids[role] = echo.process.pid
        return echo.ready(timeout=60)

    def start_client(self) -> Worker:
        child = Child("client", ["--subjects", str(self.args.subjects), "--seed", str(self.args.seed),
                                 "--known-share", str(self.args.known_share)], self.folder, stdin=True)
        self.children.append(child)
        child.ready(timeout=60 + self.args.subjects / 5000)
        return Worker(child)

    def stop(self) -> None:
        """The client first (the load), then the gate, then the echo and the stub it follows."""
        if self.gate_status is not None:
            self.gate_status.channel.close()
        for child in self.children:
            if child.role == "client":
                child.stop()
        if self.suite is not None:
            self.suite.stop()
        for child in reversed(self.children):
            if child.role != "client":
                child.stop()

    # -- measurements --

    def open_loop(self, worker: Worker, target: str, address: str, rate: float, warmup: float, duration: float,
                  response_bytes: int | None) -> tuple[dict, int]:
        """One open-loop run; for the gate also the decisions its log dropped meanwhile."""
        before = self.gate_status.settle() if target == "gate" else None
        pid = self.pids.get(target)
        cpu, wall = cpu_seconds(pid) if pid else None, time.perf_counter()
        threads = thread_cpu_seconds(pid) if pid else {}
        result = worker.measure(mode="open", target=target, address=address, rate=rate, warmup=warmup,
                                duration=duration, tag=self.tag(target, int(rate)), response_bytes=response_bytes)
        if cpu is not None:  # the server's CPU over the run, warm-up included, per request sent
            used, elapsed = cpu_seconds(pid) - cpu, time.perf_counter() - wall
            result["server_cpu"] = used / elapsed
            _split_by_thread(result, pid, threads, used, elapsed)
            result["server_us"] = used / result["requests"] * 1e6
        dropped = 0
        if before is not None:
            dropped = self.gate_status.settle().decisions_dropped - before.decisions_dropped
        return result, dropped

    def batch_runs(self, worker: Worker, gate: str, out) -> dict[str, dict]:
        """BatchDecide in closed loops, then an echo answering as many bytes, the same way."""
        args = self.args
        common = {"mode": "batch", "size": args.batch_size, "concurrency": args.batch_concurrency,
                  "crossings": 50_000}
        sizing = worker.measure(target="gate", address=gate, warmup=0.2, duration=1.0, tag=self.tag("gate", "bsize"),
                                **common)
        echo = self.start_echo(int(sizing["response_bytes"]), role="echo-batch")
        worker.measure(target="echo", address=echo, warmup=0.2, duration=1.0, tag=self.tag("echo", "bsize"),
                       response_bytes=int(sizing["response_bytes"]), **common)
        out(f"  BatchDecide request {sizing['request_bytes']:,.0f} bytes, response {sizing['response_bytes']:,.0f} bytes "
            f"(medians); the echo answers {sizing['response_bytes']:,.0f} bytes")
        found = {}
        for target, address in (("echo", echo), ("gate", gate)):
            before = self.gate_status.settle() if target == "gate" else None
            pid = self.pids.get("echo-batch" if target == "echo" else "gate")
            cpu, threads, wall = cpu_seconds(pid), thread_cpu_seconds(pid), time.perf_counter()
            result = worker.measure(target=target, address=address, warmup=args.warmup, duration=args.batch_duration,
                                    tag=self.tag(target, "batch"), response_bytes=int(sizing["response_bytes"])
                                    if target == "echo" else None, **common)
            used, elapsed = cpu_seconds(pid) - cpu, time.perf_counter() - wall
            result["server_cpu"] = used / elapsed
            _split_by_thread(result, pid, threads, used, elapsed)
            # The server's CPU over warm-up and run, per decision answered in the measured window
            # scaled to the whole run: an estimate, good to a few per cent.
            answered = result["decisions_per_s"] * (args.warmup + args.batch_duration)
            result["server_us_per_decision"] = used / answered * 1e6 if answered else 0.0
            if before is not None:
                dropped = self.gate_status.settle().decisions_dropped - before.decisions_dropped
                if dropped:
                    out(f"  gate: {dropped} decisions dropped by the decision log during BatchDecide")
                result["dropped"] = dropped
            out(f"  {target:<5}{result['decisions_per_s']:>9,.0f} decisions/s  batch p50 {result['p50']:7.2f} ms  "
                f"p99 {result['p99']:7.2f} ms  server CPU {result['server_cpu']:4.0%} (event-loop thread "
                f"{result['loop_thread_cpu']:4.0%}, other threads {result['other_threads_cpu']:4.0%})  "
                f"client CPU {result['client_cpu']:4.0%}")
            found[target] = result
        return found

    def max_rate(self, worker: Worker, target: str, address: str, response_bytes: int | None, out) -> MaxRate:
        """A closed-loop probe for the ceiling, then open-loop steps from 60% of it, up in tenths
        of it, until a step is not sustained: the highest sustained step is the answer."""
        args = self.args
        probe = worker.measure(mode="closed", target=target, address=address, concurrency=args.probe_concurrency,
                               warmup=min(1.0, args.probe_seconds / 2), duration=args.probe_seconds,
                               requests=(args.probe_seconds + 1) * 20000, tag=self.tag(target, "probe"),
                               response_bytes=response_bytes)
        ceiling = max(probe["achieved"], 100.0)
        step = max(50, round(ceiling * 0.1 / 50) * 50)
        rate = max(step, math.floor(ceiling * 0.4 / step) * step)
        out(f"  {target}: closed-loop probe {probe['achieved']:,.0f}/s with {args.probe_concurrency} in flight; "
            f"open-loop steps of {step}/s from {rate}/s")
        best, tried, direction = None, [], 0
        for _ in range(args.max_steps):
            result, dropped = self.open_loop(worker, target, address, rate, args.step_warmup, args.step_duration,
                                             response_bytes)
            problems = []
            if result["p99"] > args.sustain_p99_ms:
                problems.append(f"p99 {result['p99']:.1f} ms > {args.sustain_p99_ms:g}")
            if result["achieved"] < 0.95 * rate:
                problems.append(f"answered {result['achieved']:,.0f}/s < 95%")
            if result["shed"]:
                problems.append(f"{result['shed']} calls shed ({result['first_errors'][0].split(': ', 1)[1]})")
            if dropped:
                problems.append(f"{dropped} decisions dropped by the log")
            ok = not problems
            tried.append((result, ok, ", ".join(problems)))
            out(f"    {rate:>6,}/s  {run_line(result)}  {'sustained' if ok else 'NOT sustained: ' + ', '.join(problems)}")
            if ok:
                best = result
                if direction < 0:  # the first step down that holds
                    break
                direction, rate = 1, rate + step
            elif best is not None:
                break
            else:
                direction, rate = -1, rate - step
                if rate <= 0:
                    break
        capped = bool(tried) and all(ok for _, ok, _ in tried)
        return MaxRate(probe, best, tried, capped)


"""Benchmark: the lane gate's highest sustained Decide rate with 1 worker process and with more.

    secondline bench gate-scaling [--workers 1,2] [--channels 4] [--subjects 100000] [--quick]

The gate runs as ``workers`` processes sharing its port (SO_REUSEPORT), each with its own
snapshot. For each worker count, in turn and in the same run, it starts the gate exactly as a
deployment does (``python -m secondline.services.gate`` with ``workers: N``, its decision log in
SQLite) following the same stub classification as ``secondline bench gate``, waits until every
worker has loaded the snapshot, and searches the highest sustained rate with the same method
as that benchmark (a closed-loop probe, then open-loop steps; sustained = p99 within the bound,
>= 95% answered, nothing shed, no decision dropped by any worker's log). The load client is one
process opening ``--channels`` connections, which the kernel spreads over the workers (it
balances connections, not calls).

It reports each count's sustained rate, the ratio to the first count's, the CPU of all the
gate's processes and of the client, and what limited the rate on this machine: on a machine of
two cores the client takes a share of the cores the workers would use. A report, not a test:
the exit status is 1 only when something failed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import grpc

from secondline.cli.bench.common import cpu_seconds, machine
from secondline.cli.bench.gate import _positive, add_search_arguments
from secondline.cli.bench.gate.bench import Bench
from secondline.cli.bench.gate.processes import BenchError, run_with_options
from secondline.cli.bench.gate.tables import MaxRate, _ratio
from secondline.cli.bench.gate.workers import AllWorkers, ChannelsWorker, gate_pids, machine_busy_seconds
from secondline.cli.up.suite import ServiceSpec, SuiteError, start_suite

QUICK = {"subjects": (100_000, 20_000), "step_duration": (5.0, 2.0), "step_warmup": (1.0, 0.5),
         "probe_seconds": (3.0, 1.5), "max_steps": (8, 5)}


def _counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated worker counts, got {text!r}") from None
    if not counts or any(c < 1 for c in counts):
        raise argparse.ArgumentTypeError(f"expected positive worker counts, got {text!r}")
    return counts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    positive_int = _positive(int)
    parser.add_argument("--workers", metavar="LIST", type=_counts, default=[1, 2],
                        help="worker counts to measure, comma-separated; the ratio is to the first (default 1,2)")
    parser.add_argument("--channels", metavar="N", type=positive_int, default=8,
                        help="connections the load client opens, spread over the workers by the kernel (default 8)")
    parser.add_argument("--subjects", metavar="N", type=positive_int,
                        help="subjects in each worker's snapshot (default 100000; --quick 20000)")
    parser.add_argument("--known-share", metavar="F", type=float, default=0.3,
                        help="share of a crossing's parties that are in the snapshot (default 0.3)")
    add_search_arguments(parser)
    parser.add_argument("--quick", action="store_true", help="shorter steps and a smaller snapshot, for a first look")
    parser.add_argument("--data", metavar="DIR", type=Path, help="folder for settings, logs and databases (default: temporary)")


class ScalingBench(Bench):
    """The gate benchmark's processes and search, with a gate of several workers."""

    def __init__(self, args: argparse.Namespace, folder: Path) -> None:
        super().__init__(args, folder)
        self.workers: AllWorkers | None = None

    def start_workers(self, classification: str, count: int) -> str:
        def settings(name, layout):
            return {"server": {"listen": layout.addresses[name], "event_loop": self.args.loop},
                    "database": {"url": f"sqlite:///{layout.data_dir / name}.sqlite"},
                    "classification_address": classification, "workers": count,
                    "telemetry": {"log_level": "WARNING"}}

        spec = ServiceSpec("gate", "secondline.services.gate", settings)
        self.suite = start_suite(self.folder / f"gate-{count}", services=[spec],
                                 ready_timeout=120 + self.args.subjects / 2000)
        address = self.suite.address("gate")
        self.workers = AllWorkers(address, count)
        self.workers.wait_loaded(self.args.subjects, timeout=300, alive=self._alive)
        return address

    def _alive(self) -> None:
        gone = self.suite.exited()
        if gone is not None:
            raise BenchError(f"the gate exited with code {gone.process.returncode}:\n{gone.log_tail()}")

    def stop_workers(self) -> None:
        if self.suite is not None:
            self.suite.stop()
            self.suite = None

    def open_loop(self, worker, target, address, rate, warmup, duration, response_bytes):
        """One open-loop run against every worker: the CPU of all the gate's processes, the
        decisions any worker's log dropped meanwhile."""
        before = self.workers.settle()
        pids = gate_pids(self.suite.pids()["gate"])
        cpu, busy, wall = sum(cpu_seconds(pid) or 0.0 for pid in pids), machine_busy_seconds(), time.perf_counter()
        result = worker.measure(mode="open", target=target, address=address, rate=rate, warmup=warmup,
                                duration=duration, tag=self.tag(target, int(rate)), response_bytes=response_bytes)
        used, elapsed = sum(cpu_seconds(pid) or 0.0 for pid in pids) - cpu, time.perf_counter() - wall
        result["server_cpu"] = used / elapsed
        result["server_us"] = used / result["requests"] * 1e6
        if busy is not None:  # the whole machine's, this benchmark's processes and anyone else's
            result["machine_cpu"] = (machine_busy_seconds() - busy) / elapsed
        after = self.workers.settle()
        dropped = sum(after[i].decisions_dropped - before[i].decisions_dropped for i in after)
        return result, dropped


def run(args: argparse.Namespace) -> int:
    return run_with_options(args, QUICK, "gate-scaling", _run)


def _run(args: argparse.Namespace, folder: Path) -> int:
    def out(text: str = "") -> None:
        print(text, flush=True)

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    out(f"Secondline gate scaling: highest sustained Decide rate with {', '.join(map(str, args.workers))} worker "
        f"processes; {args.subjects:,} subjects in each worker's snapshot, seed {args.seed}")
    out(machine())
    out(f"one load client process with {args.channels} connections; it shares the machine's {cores} cores with the "
        f"gate's workers and the stub classification")
    bench = ScalingBench(args, folder)
    found: dict[int, MaxRate] = {}
    failure = None
    try:
        classification = bench.start_stub(int(time.time()))
        client = ChannelsWorker(bench.start_client(), args.channels)
        for count in args.workers:
            started = time.perf_counter()
            address = bench.start_workers(classification, count)
            out()
            out(f"{count} worker(s): every one loaded {args.subjects:,} subjects, {time.perf_counter() - started:.1f} s "
                f"after start; open loop, {args.step_duration:g} s per step after {args.step_warmup:g} s of warm-up")
            bench.open_loop(client, "gate", address, 200.0, 0.5, 1.0, None)  # warm every connection up
            found[count] = bench.max_rate(client, "gate", address, None, out)
            bench.stop_workers()
    except (BenchError, SuiteError, grpc.RpcError) as error:
        failure = f"{type(error).__name__}: {error}" if isinstance(error, grpc.RpcError) else str(error)
    finally:
        bench.stop()
    out()
    out("=" * 100)
    for line in scaling_table(found, args.sustain_p99_ms, cores):
        out(line)
    if failure is not None:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


def scaling_table(found: dict[int, MaxRate], p99_bound: float, cores: int) -> list[str]:
    """The sustained rate per worker count, the ratio to the first, the CPU, and the limit."""
    lines = [f"Highest sustained Decide rate (p99 <= {p99_bound:g} ms, >= 95% answered, nothing shed or dropped):",
             f"  {'workers':>7}  {'rate/s':>9}  {'ratio':>6}  {'p99 ms':>7}  {'gate CPU':>9}  {'per worker':>10}  "
             f"{'client CPU':>10}  {'machine':>8}  limit"]
    first = None
    for count, result in found.items():
        best = result.best
        if best is None:
            lines.append(f"  {count:>7}  {'none':>9}  no step sustained; first: {result.tried[0][2] if result.tried else '-'}")
            continue
        first = first or best["rate"]
        capped = ">= " if result.capped else ""
        lines.append(f"  {count:>7}  {capped}{best['rate']:>6,.0f}  {_ratio(best['rate'], first):>5.2f}x  "
                     f"{best['p99']:>7.2f}  {best['server_cpu']:>6.2f} c  {best['server_cpu'] / count:>8.2f} c  "
                     f"{best['client_cpu']:>8.0%}  {best.get('machine_cpu', float('nan')):>6.2f} c  "
                     f"{limit(result, count, cores)}")
    lines.append("  (c: cores of CPU, user + system, over the step; the client's CPU is of one core, its event loop's; "
                 "machine: every process's, the benchmark's and any other work's)")
    return lines


def limit(result: MaxRate, count: int, cores: int) -> str:
    """What stopped the rate from going higher, read from the highest sustained step's CPU and
    the first step that failed."""
    best = result.best
    if result.capped:
        return "not reached: every step sustained (a lower bound; more --max-steps goes higher)"
    failed = next(why for _, ok, why in result.tried if not ok)
    gate, client = best["server_cpu"], best["client_cpu"]
    others = max(0.0, best.get("machine_cpu", gate + client) - gate - client)
    if gate + client + others >= 0.85 * cores:
        what = (f"the machine's {cores} cores: gate {gate:.2f} + client {client:.2f}"
                + (f" + other work {others:.2f}" if others >= 0.05 else "") + f" of {cores}")
    elif client >= 0.85:
        what = f"the load client, one process near a core ({client:.0%})"
    elif gate / count >= 0.85:
        what = f"the workers, each near a core ({gate / count:.2f})"
    else:
        what = f"latency before CPU (gate {gate:.2f}, client {client:.2f} of {cores} cores)"
    return f"{what}; the step that failed: {failed}"

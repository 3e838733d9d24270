"""Benchmark: the lane gate's Decide latency and throughput beside a bare gRPC echo server.

    secondline bench gate [--rates 500,1000,2000] [--duration 10] [--subjects 100000] [--quick]
    make bench-gate

It starts, each as a process of its own on loopback:

- a stub classification service serving ``ListNotableSubjects`` and the change feed (heartbeats
  only, the feed is quiet) for ``--subjects`` synthetic subjects that are not plain whitelist;
- the gate, exactly as ``secondline up`` starts it (``python -m secondline.services.gate
  --config FILE``, its decision log in SQLite in a temporary folder), once it has loaded them;
- a bare ``grpc.aio`` echo server (no interceptors, no parsing): one unary method taking and
  answering bytes of the size of a Decide request and response;
- one client process, the load generator, open loop: requests go out on a fixed schedule
  whatever the answers, and latency is measured from each request's *scheduled* send time, so
  that a stalled server cannot hide its stall (no coordinated omission).

At each rate of ``--rates`` it measures the echo server, then the gate, with the same client
and requests of the same bytes; then, for each, the highest sustained rate; then, in this
process, the snapshot's memory per subject for ``--memory-subjects`` subjects and the cost of the
authorization check per Decide beside a no-op (``check.py``). It prints a table
with the ratios and the issue's goals. It is a report, not a test: the exit status is 0 whether
the goals are met or not, and 1 only if something failed (an RPC, an invalid answer, a process).
See bench/README.md for what exactly is measured and how to read it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import grpc

from secondline.cli.bench.common import machine
from secondline.cli.bench.gate.bench import Bench
from secondline.cli.bench.gate.check import check_cost
from secondline.cli.bench.gate.load import client
from secondline.cli.bench.gate.population import snapshot_memory
from secondline.cli.bench.gate.processes import BenchError, run_with_options
from secondline.cli.bench.gate.servers import serve_echo, serve_stub
from secondline.cli.bench.gate.tables import MaxRate, _ratio, goals_table, latency_table, median_run, run_line
from secondline.cli.bench.gate.work import decision_work
from secondline.cli.up.suite import SuiteError


ROLES = {"echo": serve_echo, "stub": serve_stub, "client": client}


def _positive(kind):
    def parse(text: str):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value
    parse.__name__ = kind.__name__
    return parse


def _rates(text: str) -> list[int]:
    try:
        rates = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated requests per second, got {text!r}") from None
    if not rates or any(r <= 0 for r in rates):
        raise argparse.ArgumentTypeError(f"expected positive requests per second, got {text!r}")
    return rates


QUICK = {"duration": (10.0, 3.0), "warmup": (2.0, 1.0), "subjects": (100_000, 20_000),
         "memory_subjects": (100_000, 100_000), "step_duration": (5.0, 2.0), "step_warmup": (1.0, 0.5),
         "batch_duration": (10.0, 3.0),
         "probe_seconds": (3.0, 1.5), "max_steps": (8, 5)}


def add_search_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the highest-sustained-rate search (``Bench.max_rate``) and the seed,
    shared by ``bench gate`` and ``bench gate-scaling``."""
    positive_int, positive_float = _positive(int), _positive(float)
    parser.add_argument("--sustain-p99-ms", metavar="MS", type=positive_float, default=20.0,
                        help="a rate is sustained when its p99 stays within this many ms, >= 95%% of it is answered, "
                             "no call is shed and no decision dropped (default 20)")
    parser.add_argument("--step-duration", metavar="S", type=positive_float,
                        help="seconds measured per step of the highest-rate search (default 5; --quick 2)")
    parser.add_argument("--step-warmup", metavar="S", type=positive_float, help="warm-up seconds per step (default 1; --quick 0.5)")
    parser.add_argument("--probe-seconds", metavar="S", type=positive_float,
                        help="seconds of the closed-loop probe that sets the search's steps (default 3; --quick 1.5)")
    parser.add_argument("--probe-concurrency", metavar="N", type=positive_int, default=32,
                        help="requests in flight during the probe (default 32)")
    parser.add_argument("--max-steps", metavar="N", type=positive_int, help="open-loop steps per search at most (default 8; --quick 5)")
    parser.add_argument("--seed", metavar="N", type=int, default=1, help="seed of the subjects and crossings (default 1)")
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop",
                        help="event loop of the gate (its setting server.event_loop) and of the echo beside it, "
                             "the same for both (default uvloop, the gate's default)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The benchmark's options (also those of ``secondline bench gate``)."""
    positive_int, positive_float = _positive(int), _positive(float)
    parser.add_argument("--rates", metavar="LIST", type=_rates, default=[500, 1000, 2000],
                        help="open-loop rates to measure, requests/s, comma-separated (default 500,1000,2000)")
    parser.add_argument("--duration", metavar="S", type=positive_float, help="seconds measured per rate (default 10; --quick 3)")
    parser.add_argument("--warmup", metavar="S", type=positive_float,
                        help="seconds of untimed load before each measured run, at its rate (default 2; --quick 1)")
    parser.add_argument("--subjects", metavar="N", type=positive_int,
                        help="subjects in the gate's snapshot, from the stub classification (default 100000; --quick 20000)")
    parser.add_argument("--memory-subjects", metavar="N", type=positive_int,
                        help="subjects put into the in-process Snapshot for the memory figure (default 100000)")
    parser.add_argument("--known-share", metavar="F", type=float, default=0.3,
                        help="share of a crossing's parties that are in the snapshot; the rest are plain whitelist (default 0.3)")
    parser.add_argument("--no-max", dest="max", action="store_false", help="skip the highest-sustained-rate search")
    parser.add_argument("--repeat", metavar="R", type=positive_int, default=1,
                        help="rounds of echo then gate at each rate; each figure is the median round's (default 1)")
    add_search_arguments(parser)
    parser.add_argument("--batch-size", metavar="N", type=positive_int, default=100,
                        help="crossings per BatchDecide call (default 100)")
    parser.add_argument("--batch-concurrency", metavar="N", type=positive_int, default=4,
                        help="BatchDecide calls in flight (default 4)")
    parser.add_argument("--batch-duration", metavar="S", type=positive_float,
                        help="seconds measured of BatchDecide, and of the echo beside it (default 10; --quick 3)")
    parser.add_argument("--no-batch", dest="batch", action="store_false", help="skip the BatchDecide measurement")
    parser.add_argument("--quick", action="store_true", help="shorter runs and a smaller snapshot, for a first look")
    parser.add_argument("--data", metavar="DIR", type=Path,
                        help="folder for the processes' settings, logs and the gate's database (default: a temporary one, removed)")


def run(args: argparse.Namespace) -> int:
    """Run the benchmark with parsed options (``add_arguments``); print the report; exit status."""
    return run_with_options(args, QUICK, "gate", _run)


def _run(args: argparse.Namespace, folder: Path) -> int:
    def out(text: str = "") -> None:
        print(text, flush=True)

    out(f"Secondline gate benchmark: Decide beside a bare gRPC echo server; {args.subjects:,} subjects in the "
        f"snapshot, {args.known_share:.0%} of parties known to it, seed {args.seed}")
    out(machine())
    out(f"processes on loopback, sharing the machine's {os.cpu_count()} cores: the client (open loop), the server "
        f"measured, the other one idle, the stub classification (heartbeats); the gate and the echo on {args.loop}")
    bench = Bench(args, folder)
    rows: list[tuple[int, dict, dict, int]] = []
    maxima: dict[str, MaxRate] = {}
    batched: dict[str, dict] = {}
    memory = None
    failure = None
    try:
        now = int(time.time())
        started = time.perf_counter()
        classification = bench.start_stub(now)
        gate = bench.start_gate(classification)
        status = bench.wait_loaded(gate, timeout=300)
        out(f"gate: {status.subjects:,} subjects loaded at revision {status.classification_revision:,}, "
            f"{time.perf_counter() - started:.1f} s after the stub started; decision log in SQLite under {folder}")
        worker = bench.start_client()
        # Warm the gate up (untimed) and learn the answers' size, for the echo to answer as many bytes.
        sizing, _ = bench.open_loop(worker, "gate", gate, 200.0, 0.5, 2.0, None)
        request_bytes, response_bytes = int(sizing["request_bytes"]), int(sizing["response_bytes"])
        echo = bench.start_echo(response_bytes)
        bench.open_loop(worker, "echo", echo, 200.0, 0.5, 2.0, response_bytes)  # the same warm-up
        out(f"Decide request {request_bytes} bytes, response {response_bytes} bytes (medians); the echo takes "
            f"the same requests and answers {response_bytes} bytes")
        out()
        rounds = f", {args.repeat} rounds (the median round is reported)" if args.repeat > 1 else ""
        out(f"Open loop, {args.duration:g} s per rate after {args.warmup:g} s of warm-up, echo then gate{rounds}; "
            f"latency in ms from each request's scheduled send time:")
        for rate in args.rates:
            echo_runs, gate_runs, dropped = [], [], 0
            for _ in range(args.repeat):
                echo_run, _ = bench.open_loop(worker, "echo", echo, rate, args.warmup, args.duration, response_bytes)
                gate_run, lost = bench.open_loop(worker, "gate", gate, rate, args.warmup, args.duration, None)
                echo_runs.append(echo_run)
                gate_runs.append(gate_run)
                dropped += lost
                for run_ in (echo_run, gate_run):
                    out(f"  {run_['target']} {rate:>6,}/s  {run_line(run_)}")
            if dropped:
                out(f"  gate {rate:>6,}/s: {dropped} decisions dropped by the decision log")
            rows.append((rate, median_run(echo_runs), median_run(gate_runs), dropped))
        if args.max:
            out()
            out(f"Highest sustained rate: open loop, {args.step_duration:g} s per step after {args.step_warmup:g} s "
                f"of warm-up; sustained = p99 <= {args.sustain_p99_ms:g} ms, >= 95% answered, nothing shed or dropped")
            for target, address, size in (("echo", echo, response_bytes), ("gate", gate, None)):
                maxima[target] = bench.max_rate(worker, target, address, size, out)
        if args.batch:
            out()
            out(f"BatchDecide: batches of {args.batch_size} crossings of one port, {args.batch_concurrency} calls in "
                f"flight, {args.batch_duration:g} s after {args.warmup:g} s of warm-up; the echo answers the same bytes")
            batched = bench.batch_runs(worker, gate, out)
        final = bench.gate_status.settle()
    except (BenchError, SuiteError, grpc.RpcError) as error:
        failure = f"{type(error).__name__}: {error}" if isinstance(error, grpc.RpcError) else str(error)
        final = None
    finally:
        bench.stop()
    # Independent of the processes: measured even when they failed.
    out()
    out(f"Snapshot memory: {args.memory_subjects:,} subjects put into a Snapshot in this process (tracemalloc) ...")
    memory = snapshot_memory(args.memory_subjects, args.seed, int(time.time()))
    out(f"The decision's own work: {args.subjects:,} subjects, the load's crossings, timed per call in this process ...")
    work = decision_work(args.subjects, args.seed, args.known_share)

    out()
    out("=" * 100)
    if rows:
        out(f"Decide latency, ms from the scheduled send, open loop, {args.duration:g} s per rate:")
        for line in latency_table(rows):
            out(line)
    if maxima:
        out()
        out(f"Highest sustained rate (p99 <= {args.sustain_p99_ms:g} ms, >= 95% answered, nothing shed or dropped):")
        for target, found in maxima.items():
            rate = found.best["rate"] if found.best else 0
            p99 = f"p99 {found.best['p99']:.2f} ms" if found.best else "no step sustained"
            out(f"  {target:<5}{'>= ' if found.capped else '':>3}{rate:>7,.0f}/s   ({p99}; closed-loop probe "
                f"{found.probe['achieved']:,.0f}/s with {args.probe_concurrency} in flight)")
        if "echo" in maxima and "gate" in maxima and maxima["echo"].best and maxima["gate"].best:
            out(f"  gate/echo {_ratio(maxima['gate'].best['rate'], maxima['echo'].best['rate']):.2f}")
    if batched:
        out()
        out(f"BatchDecide, batches of {args.batch_size}, {args.batch_concurrency} in flight:")
        for target, r in batched.items():
            cpu = f"; server CPU {r['server_us_per_decision']:.0f} us/decision" if "server_us_per_decision" in r else ""
            threads = (f"; event-loop thread {r['loop_thread_cpu']:.0%} of a core, other threads {r['other_threads_cpu']:.0%}"
                       if "loop_thread_cpu" in r else "")
            out(f"  {target:<5}{r['decisions_per_s']:>9,.0f} decisions/s   (batch p50 {r['p50']:.2f} ms, p99 {r['p99']:.2f} ms"
                f"{cpu}{threads}; client CPU {r['client_cpu']:.0%})")
        if len(batched) == 2:
            out(f"  gate/echo {_ratio(batched['gate']['decisions_per_s'], batched['echo']['decisions_per_s']):.2f}")
    out()
    out(f"The decision's own work (window, parse, states, policy, answer, queued for the log), {work['calls']:,} calls "
        f"in this process: p50 {work['p50']:.1f} us, p99 {work['p99']:.1f} us, mean {work['mean']:.1f} us")
    out("  and the log's writer, per decision (row, insert, commit; timed alone in this process, where it costs more "
        "than in the running gate: see the gate's other threads in BatchDecide): "
        + ", ".join(f"{cost:.1f} us in batches of {size}" for size, cost in work["writer"].items()))
    if memory is not None:
        out()
        out(f"Snapshot memory: {memory['subjects']:,} subjects hold {memory['bytes'] / 1e6:.1f} MB, "
            f"{memory['per_subject']:.0f} bytes per subject (key str {memory['keys']:.0f}, packed timeline "
            f"{memory['values']:.0f} for {memory['segments']:.1f} segments, dict tables {memory['tables']:.0f})")
    cost = check_cost()
    out(f"Authorization check per Decide (in this process, lane/HAIKOU, table lookup and port): "
        f"{cost['check_ns'] / 1000:.2f} us, beside a no-op call {cost['noop_ns'] / 1000:.3f} us "
        f"(ratio {cost['ratio']:.1f})" + (f"; {cost['check_ns'] / 10 / rows[0][2]['server_us']:.1f}% of the gate's "
                                          f"server CPU per request at {rows[0][0]:,}/s"
                                          if rows and rows[0][2].get("server_us") else ""))
    if final is not None:
        out(f"Gate's decision log: {final.decisions_logged:,} decisions logged, {final.decisions_queued:,} queued, "
            f"{final.decisions_dropped:,} dropped; snapshot degraded: {final.degraded}")
    out()
    for line in goals_table(rows, maxima if args.max else None, memory, work, batched or None):
        out(line)
    if failure is not None:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ROLES:  # a helper process of a running benchmark
        return ROLES[argv[0]](argv[1:])
    parser = argparse.ArgumentParser(prog="secondline bench gate", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    return run(parser.parse_args(argv))


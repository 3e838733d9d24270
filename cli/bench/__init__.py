"""``secondline bench BENCHMARK``: the benchmarks, each printing its figures beside a baseline.

One module a benchmark, each with ``add_arguments(parser)`` and ``run(args) -> exit status``
(imported only when that benchmark runs); what they share (the machine line, percentiles) is
in :mod:`secondline.cli.bench.common`. How to read the figures: bench/README.md.
"""

from __future__ import annotations

import argparse
import importlib
import signal

#: name -> (module, one-line help, description)
BENCHMARKS = {
    "gate": ("secondline.cli.bench.gate", "the lane gate's Decide latency and throughput beside a bare gRPC echo server",
             "Decide latency at fixed open-loop rates and the highest sustained rate, beside a bare gRPC echo "
             "server measured in the same run, and the snapshot's memory per subject (bench/README.md)."),
    "gate-scaling": ("secondline.cli.bench.gate.scaling", "the gate's highest sustained Decide rate with 1 and 2 worker processes",
                     "The highest sustained Decide rate of the gate as 1 and as 2 worker processes sharing its port "
                     "(SO_REUSEPORT), their ratio, the CPU of the workers and of the load client, and what limits the "
                     "rate on this machine (bench/README.md)."),
    "ingest": ("secondline.cli.bench.ingest", "ingestion throughput beside a raw SQLAlchemy insert, SQLite and PostgreSQL",
               "SubmitRecords through the ingestion service beside a raw SQLAlchemy insert of the same rows, on "
               "SQLite and PostgreSQL, with the ratio (bench/README.md)."),
    "classification": ("secondline.cli.bench.classification", "classification catching up with a large record log",
                       "How long a fresh classification takes to catch up with a large record log, with its peak "
                       "memory (bench/README.md)."),
    "objection": ("secondline.cli.bench.objection", "from an upheld objection to the gate, beside a department's own withdrawal",
                  "The time from an upheld answer (AnswerObjection) to the gate's decision changing, p50 and p99, beside "
                  "a department's own WITHDRAWAL to the gate in the same run; goal: at most 50 ms more at p99 "
                  "(bench/README.md)."),
    "recognition": ("secondline.cli.bench.recognition", "partners' envelopes in beside SubmitRecords; Merkle proofs and appends",
                    "Inbound envelopes a second (verified, mapped, filed) beside ingestion's own SubmitRecords of the same "
                    "records in the same run; inclusion and consistency proof times on a large log; append throughput "
                    "(bench/README.md)."),
    "freshness": ("secondline.cli.bench.freshness", "record filed -> visible in the gate's decisions, under Decide load",
                  "Records filed at a steady rate while the gate serves Decide at its own: how long from a record's "
                  "acknowledgement until the gate's decisions hold it, and the gate's latency with and without the "
                  "filing, measured in the same run (bench/README.md)."),
}


def add_parser(commands: argparse._SubParsersAction) -> None:
    bench = commands.add_parser(
        "bench", help="run a benchmark and print its report",
        description="Run a benchmark and print its report: " + "; ".join(f"{name}: {help_}" for name, (_, help_, _) in BENCHMARKS.items()),
        epilog="secondline bench BENCHMARK --help gives a benchmark's options.")
    bench.add_argument("benchmark", choices=list(BENCHMARKS), metavar="BENCHMARK", help=", ".join(BENCHMARKS))
    bench.add_argument("options", nargs=argparse.REMAINDER, help="the benchmark's options")
    bench.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Parse the benchmark's own options (its module is imported only now) and run it."""
    module_name, _, description = BENCHMARKS[args.benchmark]
    module = importlib.import_module(module_name)
    parser = argparse.ArgumentParser(prog=f"secondline bench {args.benchmark}", description=description)
    module.add_arguments(parser)
    options = parser.parse_args(args.options)
    # SIGTERM (a timeout, a CI job cancelled) as SystemExit: the benchmark's own clean-up runs
    # (its `finally`), so that the servers and the load client it started do not outlive it.
    signal.signal(signal.SIGTERM, _terminated)
    return module.run(options)


def _terminated(signum, frame) -> None:
    raise SystemExit(128 + signum)

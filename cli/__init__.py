"""The ``secondline`` command: run the suite on one machine, or take the demo tour.

    secondline up [--data DIR] [--otlp-endpoint URL]   serve until Ctrl-C
    secondline demo [--data DIR] [--subjects N] ...    a population, a day at the ports, a report
    secondline scenarios DIR...                        run acceptance scenarios, a fresh suite each

Each subcommand is a function ``(args) -> exit code`` registered in :func:`build_parser`.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from secondline.suite import Suite, SuiteError, start_suite

PRINCIPAL_HEADER = "x-secondline-principal"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except SuiteError as error:
        print(f"secondline: {error}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="secondline", description="Clearance credit for the Hainan Free Trade Port's second-line ports.")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    up = commands.add_parser("up", help="start the suite and serve until Ctrl-C")
    up.add_argument("--data", type=Path, default=Path("data"), help="data folder: databases, settings, logs (default ./data)")
    up.add_argument("--otlp-endpoint", metavar="URL", help="export traces by OTLP to this endpoint")
    up.set_defaults(run=cmd_up)

    demo = commands.add_parser(
        "demo", help="start the suite, load a synthetic population, replay a day of crossings, report",
        description="Start the suite, file a synthetic population's records, wait for the gate to catch up, replay a "
                    "day of crossings at the ten ports, time record-to-gate freshness, and report (text and HTML).")
    demo.add_argument("--data", type=Path, help="data folder (default: a fresh temporary one, removed at the end)")
    demo.add_argument("--subjects", type=_positive, default=50_000, metavar="N",
                      help="subjects in the population, two in five business entities (default 50000)")
    demo.add_argument("--crossings", type=_positive, default=50_000, metavar="N",
                      help="crossings in the day replayed at the gate (default 50000)")
    demo.add_argument("--lanes", type=_positive, default=8, metavar="N",
                      help="lane systems calling the gate at once during the replay (default 8)")
    demo.add_argument("--probes", type=_positive, default=20, metavar="N",
                      help="fresh records filed one at a time to time record-to-gate freshness (default 20)")
    demo.add_argument("--seed", type=int, default=1, help="seed of the population and the crossings (default 1)")
    demo.add_argument("--report", type=Path, metavar="FILE",
                      help="the HTML report (default: secondline-demo-report.html in --data, else in the current directory)")
    demo.set_defaults(run=cmd_demo)

    scenarios = commands.add_parser("scenarios", help="run acceptance scenario folders against a fresh suite each")
    scenarios.add_argument("folders", nargs="+", type=Path, metavar="DIR", help="folders of *.yaml scenarios")
    scenarios.set_defaults(run=cmd_scenarios)

    from secondline import bench_gate  # its options only; the benchmark's work is in run()

    bench = commands.add_parser("bench", help="run a benchmark and print its report")
    benchmarks = bench.add_subparsers(title="benchmarks", metavar="BENCHMARK", required=True)
    gate = benchmarks.add_parser(
        "gate", help="the lane gate's Decide latency and throughput beside a bare gRPC echo server",
        description="Decide latency at fixed open-loop rates and the highest sustained rate, beside a bare gRPC echo "
                    "server measured in the same run, and the snapshot's memory per subject (bench/README.md).")
    bench_gate.add_arguments(gate)
    gate.set_defaults(run=cmd_bench_gate)
    return parser


def cmd_bench_gate(args: argparse.Namespace) -> int:
    from secondline.bench_gate import run

    return run(args)


def cmd_scenarios(args: argparse.Namespace) -> int:
    from secondline.scenario_runner import main as run_scenarios

    return run_scenarios(args.folders)


def cmd_up(args: argparse.Namespace) -> int:
    # Both signals become a KeyboardInterrupt, so one path stops the suite. SIGINT is set
    # explicitly too: a shell starting `up &` without job control hands it down ignored.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in handlers:
        signal.signal(sig, _interrupt)
    suite: Suite | None = None
    try:
        suite = start_suite(args.data, otlp_endpoint=args.otlp_endpoint)
        _print_welcome(suite)
        while (gone := suite.exited()) is None:
            time.sleep(0.2)
        print(f"secondline: service {gone.name} exited with code {gone.process.returncode}; "
              f"the end of {gone.log_path}:\n{gone.log_tail()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
        return 0
    finally:
        # A second Ctrl-C must not cut the graceful stop short (stop() kills after a timeout).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if suite is not None:
            suite.stop()
            print("Stopped.", flush=True)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def cmd_demo(args: argparse.Namespace) -> int:
    from secondline.demo import DemoError, run_demo  # the demo's imports are only needed here

    try:
        run_demo(args.data, out=_print_flush, tty=sys.stdout.isatty(), subjects=args.subjects, crossings=args.crossings,
                 lanes=args.lanes, probes=args.probes, seed=args.seed, report=args.report)
    except KeyboardInterrupt:  # the suite is already stopped by its context manager
        return 130
    except DemoError as error:
        print(f"secondline demo: {error}", file=sys.stderr)
        return 1
    return 0


def _print_flush(line: str) -> None:
    print(line, flush=True)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _print_welcome(suite: Suite) -> None:
    data = suite.data_dir
    print(f"Secondline is running. Data in {data}, logs in {data / 'logs'}.\n", flush=True)
    for name, service in suite.services.items():
        print(f"  {name:<15}{service.address:<22}pid {service.process.pid}")
    print("\nThe services answer gRPC with server reflection, e.g. with buf curl (.venv/bin/buf):")
    for name, service in suite.services.items():
        print(f"  buf curl --protocol grpc --http2-prior-knowledge --list-methods http://{service.address}")
    if "ingestion" in suite.services:
        print("\nFile a record as a department (the principal header stands in for mutual TLS):")
        print(f"  {_submit_example(suite.address('ingestion'))}")
    print("\nPress Ctrl-C to stop.", flush=True)


def _submit_example(address: str) -> str:
    from secondline.identifiers import uscc_check_character
    from secondline.dates import cst_date

    today = cst_date(datetime.now(timezone.utc))  # the services run on the real clock
    enterprise = "91460100MA5T2K8L1" + uscc_check_character("91460100MA5T2K8L1")
    body = {"record": {
        "sourceId": "HKCUS-PEN-0001", "kind": "RECORD_KIND_SMUGGLING_PENALTY",
        "subject": {"enterprise": enterprise},
        "decidedOn": {"year": today.year, "month": today.month, "day": today.day},
    }}
    return (f"buf curl --protocol grpc --http2-prior-knowledge -H '{PRINCIPAL_HEADER}: department/CUSTOMS' "
            f"-d '{json.dumps(body)}' http://{address}/secondline.ingestion.v1.IngestionService/SubmitRecord")

"""``secondline up``: the suite on one machine, each service a process of its own, until Ctrl-C.

The processes and their supervision are in :mod:`secondline.cli.up.suite`; this module is the
command: its options, the welcome it prints, and the stop on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from secondline.cli.up.suite import Suite, start_suite
from secondline.cli.up.supervisor import Supervisor

PRINCIPAL_HEADER = "x-secondline-principal"
# What the services generate in the data folder on first start, when it is missing: development
# secrets only (a deployment gives each service its own, from files or the environment).
DEVELOPMENT_SECRETS = {"pseudonym-secret": "classification's pseudonym secret (I-2, I-3)",
                       "recognition-keys/keys.yaml": "recognition's signing keys (X-4)"}


def add_parser(commands: argparse._SubParsersAction) -> None:
    up = commands.add_parser("up", help="start the suite and serve until Ctrl-C")
    up.add_argument("--data", type=Path, default=Path("data"), help="data folder: databases, settings, logs (default ./data)")
    up.add_argument("--otlp-endpoint", metavar="URL", help="export traces by OTLP to this endpoint")
    up.add_argument("--gate-workers", metavar="N", type=_positive_int, default=1,
                    help="the gate as N worker processes sharing its port, one core each (default 1)")
    up.set_defaults(run=cmd_up)


def cmd_up(args: argparse.Namespace) -> int:
    # Both signals become a KeyboardInterrupt, so one path stops the suite. SIGINT is set
    # explicitly too: a shell starting `up &` without job control hands it down ignored.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in handlers:
        signal.signal(sig, _interrupt)
    suite: Suite | None = None
    try:
        missing = [name for name in DEVELOPMENT_SECRETS if not (args.data / name).exists()]
        suite = start_suite(args.data, otlp_endpoint=args.otlp_endpoint, gate_workers=args.gate_workers)
        _print_generated(args.data, missing)
        _print_welcome(suite)
        supervisor = Supervisor(suite, _print_stderr)
        while supervisor.running:
            time.sleep(0.2)
            supervisor.tick()
        print("secondline: every service has been given up; stopping.", file=sys.stderr)
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


def _print_generated(data: Path, missing: list[str]) -> None:
    """Say which development secrets the services generated on this first start."""
    generated = [name for name in missing if (data / name).exists()]
    if generated:
        print("Generated on first start, for development only (a deployment mounts its own from a Secret, "
              "or sets them in the environment):", flush=True)
        for name in generated:
            print(f"  {data / name}: {DEVELOPMENT_SECRETS[name]}", flush=True)
        print(flush=True)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def _print_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _print_welcome(suite: Suite) -> None:
    data = suite.data_dir
    print(f"Secondline is running. Data in {data}, logs in {data / 'logs'}.\n", flush=True)
    workers = suite.layout.gate_workers if suite.layout else 1
    for name, service in suite.services.items():
        more = f" (supervising {workers} workers)" if name == "gate" and workers > 1 else ""
        print(f"  {name:<15}{service.address:<22}pid {service.process.pid}{more}")
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

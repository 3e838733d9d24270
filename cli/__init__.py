"""The ``secondline`` command: the suite on one machine, the demo, the scenarios, the benchmarks.

    secondline up [--data DIR] [--otlp-endpoint URL]   serve until Ctrl-C
    secondline demo [--data DIR] [--subjects N] ...    a population, a day at the ports, a report
    secondline scenarios DIR...                        run acceptance scenarios, a fresh suite each
    secondline bench gate|ingest|classification ...    a benchmark's report
    secondline verify --keys FILE [--envelope ...]     check envelopes, checkpoints and proofs offline
    secondline export --firm NAME --out DIR ...        a credit firm's desensitised snapshot as CSV (I-3)

This package is the command-line application. It is a client of the suite like any other: the
shared runtime (``libs/secondline``) and the services never import it. One subpackage a
command, each with ``add_parser(commands)`` registering its options and a function
``(args) -> exit code``.
"""

from __future__ import annotations

import argparse
import sys

from secondline.cli import bench, demo, export, scenarios, up, verify
from secondline.cli.up.suite import SuiteError

COMMANDS = (up, demo, scenarios, bench, verify, export)


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
    for command in COMMANDS:
        command.add_parser(commands)
    return parser

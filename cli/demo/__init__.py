"""``secondline demo``: the suite on the embedded default, a synthetic population, a day at the ports, a report.

The tour is :mod:`secondline.cli.demo.tour`; the population :mod:`secondline.cli.demo.population`;
the report :mod:`secondline.cli.demo.report`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(commands: argparse._SubParsersAction) -> None:
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
    demo.add_argument("--objections", type=_positive, default=200, metavar="N",
                      help="objections filed over the past weeks, at most one per eligible record (default 200)")
    demo.add_argument("--partner-records", type=_positive, default=200, metavar="N",
                      help="records the partners (GBA, YRD, SG) send as signed envelopes (default 200)")
    demo.add_argument("--seed", type=int, default=1, help="seed of the population and the crossings (default 1)")
    demo.add_argument("--report", type=Path, metavar="FILE",
                      help="the HTML report (default: secondline-demo-report.html in --data, else in the current directory)")
    demo.set_defaults(run=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from secondline.cli.demo.tour import DemoError, run_demo  # the demo's imports are only needed here

    try:
        run_demo(args.data, out=_print_flush, tty=sys.stdout.isatty(), subjects=args.subjects, crossings=args.crossings,
                 lanes=args.lanes, probes=args.probes, objections=args.objections,
                 partner_records=args.partner_records, seed=args.seed, report=args.report)
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

"""``secondline scenarios DIR...``: acceptance scenarios (shared/spec/scenarios/README.md), a fresh suite each.

The format is :mod:`secondline.cli.scenarios.format`; each service's step kinds are a module of
:mod:`secondline.cli.scenarios.steps`; :mod:`secondline.cli.scenarios.runner` runs them.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(commands: argparse._SubParsersAction) -> None:
    scenarios = commands.add_parser("scenarios", help="run acceptance scenario folders against a fresh suite each")
    scenarios.add_argument("folders", nargs="+", type=Path, metavar="DIR", help="folders of *.yaml scenarios")
    scenarios.set_defaults(run=cmd_scenarios)



def cmd_scenarios(args: argparse.Namespace) -> int:
    from secondline.cli.scenarios.runner import main as run_scenarios

    return run_scenarios(args.folders)

"""The scenario runner: ``secondline scenarios DIR...`` (shared/spec/scenarios/README.md).

Each scenario runs against a suite of its own (:mod:`secondline.cli.scenarios.suite`), started
from an empty store on a manual clock, and is told only through the public gRPC APIs: the
clock is set with each service's ClockService, records are filed through ingestion, classes are
asked of classification, crossings are decided by the lane gate. The step kinds are the
modules of :mod:`secondline.cli.scenarios.steps`. It prints one line per scenario and last
``N passed, N failed``. A failing step ends its scenario: later steps build on it.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from secondline.cli.scenarios.format import Scenario, ScenarioError, load_folders
from secondline.cli.scenarios.partners import configure as configure_partners
from secondline.cli.scenarios.steps import Context, run_step
from secondline.cli.scenarios.suite import InProcessSuite


@dataclass
class StepFailure:
    index: int
    kind: str
    message: str


@dataclass
class Result:
    scenario: Scenario
    failures: list[StepFailure] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def line(self) -> str:
        if self.passed:
            return f"PASS {self.scenario.name}"
        first = self.failures[0]
        more = f" (and {len(self.failures) - 1} more failing steps)" if len(self.failures) > 1 else ""
        where = f"step {first.index + 1} ({first.kind})" if first.index >= 0 else "scenario"
        return f"FAIL {self.scenario.name}: {where}: {first.message}{more}"


async def run_scenario(scenario: Scenario) -> Result:
    result = Result(scenario)
    try:
        scenario.check_top_level()
    except ScenarioError as exc:
        result.failures.append(StepFailure(-1, "", str(exc)))
        return result
    with tempfile.TemporaryDirectory(prefix="secondline-scenario-") as tmp:
        overrides, keys = {}, {}
        if "partners" in scenario.top:  # RULES X-1: the suite configured with the scenario's partners
            try:
                path, keys = configure_partners(scenario.top["partners"], Path(tmp))
            except ScenarioError as exc:
                result.failures.append(StepFailure(-1, "", str(exc)))
                return result
            overrides["recognition"] = {"partners_file": str(path)}
        async with InProcessSuite(Path(tmp), settings=overrides) as suite:
            context = Context(scenario, suite)
            context.state["partner_keys"] = keys
            for index, step in enumerate(scenario.steps):
                kind = next(iter(step), "?") if isinstance(step, dict) else "?"
                try:
                    await run_step(context, step)
                except ScenarioError as exc:
                    result.failures.append(StepFailure(index, kind, str(exc)))
                    break  # later steps build on this one
                except grpc.aio.AioRpcError as exc:
                    result.failures.append(StepFailure(index, kind, f"{exc.code().name}: {exc.details()}"))
                    break
    return result


async def run_folders(folders: list[Path], out=print) -> list[Result]:
    results = []
    for scenario in load_folders(folders):
        result = await run_scenario(scenario)
        out(result.line())
        results.append(result)
    passed = sum(r.passed for r in results)
    out(f"{passed} passed, {len(results) - passed} failed")
    return results


def main(folders: list[Path]) -> int:
    missing = [str(f) for f in folders if not Path(f).is_dir()]
    if missing:
        print(f"secondline scenarios: no such folder: {', '.join(missing)}")
        return 2
    results = asyncio.run(run_folders([Path(f) for f in folders]))
    return 0 if all(r.passed for r in results) else 1

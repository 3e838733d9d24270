"""The submit and reject steps of every public scenario, through the gRPC API.

Each scenario runs from an empty store. ``expect`` and ``gate`` steps belong to the
classification service and the lane gate, and are counted here but not run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from secondline.cli.scenarios.format import load_folders
from secondline.cli.scenarios.steps import STEPS, Context

SCENARIOS = Path(__file__).resolve().parents[3] / "shared" / "spec" / "scenarios"
ALL = load_folders([SCENARIOS]) if SCENARIOS.is_dir() else []
WITH_INGESTION_STEPS = [s for s in ALL if any(next(iter(step)) in ("submit", "reject") for step in s.steps)]


@pytest.mark.skipif(not ALL, reason=f"no scenarios at {SCENARIOS}")
@pytest.mark.parametrize("scenario", WITH_INGESTION_STEPS, ids=lambda s: s.name)
async def test_scenario_submit_and_reject_steps_behave_as_written(scenario, ingestion):
    context = Context(scenario, IngestionOnly(ingestion))
    ran = 0
    for step in scenario.steps:
        kind = scenario.step_kind(step)
        if kind in ("submit", "reject"):
            STEPS[kind].check(step)
            await STEPS[kind].run(context, step)
            ran += 1
    assert ran == sum(1 for s in scenario.steps if next(iter(s)) in ("submit", "reject"))


class IngestionOnly:
    """The part of a scenario suite that ingestion's steps use: its channel and the clock."""

    def __init__(self, ingestion) -> None:
        self.channels = {"ingestion": ingestion.channel}
        self._clock = ingestion.clock

    async def set_time(self, now) -> None:
        self._clock.set(now)


def test_the_public_scenarios_are_present():
    assert len(ALL) >= 17 and len(WITH_INGESTION_STEPS) >= 16


def test_a_step_kind_nobody_knows_is_refused_by_name(tmp_path):
    from secondline.cli.scenarios.format import ScenarioError, load

    path = tmp_path / "x.yaml"
    path.write_text("scenario: x\nsteps:\n  - objection: {subject: {enterprise: X}}\n")
    scenario = load(path)
    with pytest.raises(ScenarioError, match="unknown step kind 'objection'"):
        scenario.step_kind(scenario.steps[0])

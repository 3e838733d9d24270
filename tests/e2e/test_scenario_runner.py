"""The scenario runner over the public scenarios, the project's own, and bad ones."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from secondline.cli.scenarios.runner import run_folders

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = ROOT.parent / "shared" / "spec" / "scenarios"
OWN = ROOT / "tests" / "scenarios"


@pytest.mark.skipif(not PUBLIC.is_dir(), reason=f"no public scenarios at {PUBLIC}")
async def test_every_step_of_the_public_scenarios_passes_gate_steps_included():
    lines: list[str] = []
    results = await run_folders([PUBLIC], out=lines.append)
    assert len(results) >= 17 and lines[-1] == f"{len(results)} passed, 0 failed", [r.line() for r in results if not r.passed]
    assert any(next(iter(step)) == "gate_rate" for r in results for step in r.scenario.steps)


@pytest.mark.skipif(not (PUBLIC / "objections").is_dir(), reason=f"no public objection scenarios at {PUBLIC / 'objections'}")
async def test_every_public_objection_and_repair_scenario_passes():
    lines: list[str] = []
    results = await run_folders([PUBLIC / "objections"], out=lines.append)
    assert len(results) >= 3 and lines[-1] == f"{len(results)} passed, 0 failed", [r.line() for r in results if not r.passed]


@pytest.mark.skipif(not (PUBLIC / "partners").is_dir(), reason=f"no partner scenarios at {PUBLIC / 'partners'}")
async def test_every_public_partner_scenario_passes():
    """RULES X: once the recognition service exists, CI runs the partners folder too."""
    lines: list[str] = []
    results = await run_folders([PUBLIC / "partners"], out=lines.append)
    assert results and lines[-1] == f"{len(results)} passed, 0 failed", [r.line() for r in results if not r.passed]
    assert any(next(iter(step)) == "partner_submit" for r in results for step in r.scenario.steps)


async def test_the_projects_own_scenarios_all_pass():
    results = await run_folders([OWN], out=lambda line: None)
    assert results and all(r.passed for r in results), [r.line() for r in results if not r.passed]


async def test_a_wrong_expectation_fails_with_what_was_expected_and_what_came_back(tmp_path):
    (tmp_path / "x.yaml").write_text("""scenario: wrong
steps:
  - submit: {ref: p1, source: ANTI_SMUGGLING, kind: SMUGGLING_PENALTY, subject: {enterprise: "91460100MA5T0A3D5P"}, decided_on: 2026-01-10}
  - expect: {at: 2026-01-10T00:00:00+08:00, subject: {enterprise: "91460100MA5T0A3D5P"}, class: AEO, until: none}
""")
    lines: list[str] = []
    [result] = await run_folders([tmp_path], out=lines.append)
    assert lines[0].startswith("FAIL wrong: step 2 (expect):")
    assert "class AEO, got WATCHLIST" in lines[0] and "until none, got 2029-01-10T16:00:00+00:00" in lines[0]
    assert lines[-1] == "0 passed, 1 failed"


def test_the_cli_refuses_an_unknown_step_kind_by_name_and_exits_non_zero(tmp_path):
    (tmp_path / "x.yaml").write_text("scenario: odd\nsteps:\n  - objection: {subject: {enterprise: X}}\n")
    done = subprocess.run([Path(sys.executable).parent / "secondline", "scenarios", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "unknown step kind 'objection'" in done.stdout and done.stdout.strip().endswith("0 passed, 1 failed")


async def test_a_wrong_gate_expectation_names_the_crossing_and_what_came_back(tmp_path):
    (tmp_path / "x.yaml").write_text("""scenario: wrong-gate
steps:
  - submit: {ref: l1, source: MARITIME, kind: DISHONESTY_LISTED, list: MARITIME, severity: SERIOUS, subject: {enterprise: "91460100MA5T0B7T40"}, decided_on: 2026-03-01}
  - gate:
      at: 2026-04-01T10:00:00+08:00
      crossing: c1
      parties: {enterprise: "91460100MA5T0B7T40"}
    expect: {lane: GREEN}
""")
    lines: list[str] = []
    [result] = await run_folders([tmp_path], out=lines.append)
    assert lines[0].startswith("FAIL wrong-gate: step 2 (gate): crossing c1 at 2026-04-01")
    assert "lane GREEN, got RED" in lines[0]


async def test_a_rate_outside_its_tolerance_fails_with_the_share_drawn(tmp_path):
    (tmp_path / "x.yaml").write_text("""scenario: wrong-rate
steps:
  - gate_rate:
      at: 2026-02-01T10:00:00+08:00
      parties: {enterprise: "91460100MA5T0C1X1Y"}
      crossings: 2000
      lane: RED
      rate: 0.5
      tolerance: 0.01
""")
    lines: list[str] = []
    await run_folders([tmp_path], out=lines.append)
    assert lines[0].startswith("FAIL wrong-rate: step 1 (gate_rate): 2000 crossings: share RED 0.0")
    assert "expected 0.5 ± 0.01" in lines[0]


async def test_a_field_the_format_does_not_know_fails_the_step_by_name(tmp_path):
    (tmp_path / "x.yaml").write_text("""scenario: misspelt
steps:
  - expect: {at: 2026-01-10T00:00:00+08:00, subject: {enterprise: "91460100MA5T0A3D5P"}, class: WHITELIST, without_flag: [RISK_ALERT]}
""")
    lines: list[str] = []
    await run_folders([tmp_path], out=lines.append)
    assert lines[0].startswith("FAIL misspelt: step 1 (expect): expect: unknown field without_flag; known: ")


async def test_a_field_beside_a_step_that_it_does_not_take_fails_by_name(tmp_path):
    (tmp_path / "x.yaml").write_text("""scenario: beside
steps:
  - submit: {ref: p1, source: TAX, kind: INDUSTRY_RATING, grade: A, subject: {enterprise: "91460100MA5T0A3D5P"}, decided_on: 2026-01-10}
    expect: {class: WHITELIST}
""")
    lines: list[str] = []
    await run_folders([tmp_path], out=lines.append)
    assert lines[0].startswith("FAIL beside: step 1 (submit): submit step: unknown field expect; known: submit, late")


async def test_an_unknown_top_level_field_fails_its_scenario_by_name_and_the_others_run(tmp_path):
    (tmp_path / "a.yaml").write_text("scenario: odd-top\nsetup: {}\nsteps: []\n")
    (tmp_path / "b.yaml").write_text("scenario: empty\nsteps: []\n")
    lines: list[str] = []
    await run_folders([tmp_path], out=lines.append)
    assert lines[0].startswith("FAIL odd-top: scenario: a.yaml: unknown field setup")
    assert lines[1:] == ["PASS empty", "1 passed, 1 failed"]


async def test_without_flags_fails_when_the_flag_is_set(tmp_path):
    (tmp_path / "x.yaml").write_text("""scenario: flagged
steps:
  - submit: {ref: a1, source: CUSTOMS, kind: RISK_ALERT, subject: {enterprise: "91460100MA5T0A3D5P"}, decided_on: 2026-01-10, valid_until: 2026-03-31}
  - expect: {at: 2026-02-01T10:00:00+08:00, subject: {enterprise: "91460100MA5T0A3D5P"}, class: WHITELIST, flags: [RISK_ALERT]}
  - expect: {at: 2026-02-01T10:00:00+08:00, subject: {enterprise: "91460100MA5T0A3D5P"}, class: WHITELIST, without_flags: [RISK_ALERT]}
""")
    lines: list[str] = []
    await run_folders([tmp_path], out=lines.append)
    assert lines[0].startswith("FAIL flagged: step 3 (expect):") and "flags without ['RISK_ALERT']" in lines[0]


def test_a_replayed_record_does_not_lower_the_cursor_reads_wait_for():
    # An R-3 replay answers with the original record's cursor, older than records filed in between:
    # reads must wait for the highest cursor filed so far, not the last answer's.
    from secondline.cli.scenarios.format import Scenario
    from secondline.cli.scenarios.steps import Context

    context = Context(Scenario("s", Path("s.yaml"), [], [], {}), suite=None)
    for cursor in ("3", "7", "3"):  # p1, p2, then p1 again (replayed)
        context.filed(cursor)
    assert context.min_cursor == "7"


async def test_an_expect_after_an_idempotent_resubmission_sees_every_record_filed_before_it(tmp_path):
    (tmp_path / "x.yaml").write_text("""scenario: replay-between
steps:
  - submit: {ref: p1, source: TAX, kind: INDUSTRY_RATING, grade: A, subject: {enterprise: "91460100MA5T0A3D5P"}, decided_on: 2026-01-10}
  - submit: {ref: p2, source: ANTI_SMUGGLING, kind: SMUGGLING_PENALTY, subject: {enterprise: "91460100MA5T0A3D5P"}, decided_on: 2026-01-10}
  - submit: {ref: p1, source: TAX, kind: INDUSTRY_RATING, grade: A, subject: {enterprise: "91460100MA5T0A3D5P"}, decided_on: 2026-01-10}
  - expect: {at: 2026-01-11T00:00:00+08:00, subject: {enterprise: "91460100MA5T0A3D5P"}, class: WATCHLIST, reasons: [E-W2]}
""")
    for _ in range(5):
        results = await run_folders([tmp_path], out=lambda line: None)
        assert results[0].passed, results[0].line()

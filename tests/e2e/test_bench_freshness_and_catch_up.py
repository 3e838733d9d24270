"""``secondline bench freshness`` and ``secondline bench classification`` end to end with tiny
parameters: each runs its real services and prints its report with the baseline beside.

Timings are not asserted (the benchmarks are reports, and a loaded CI machine is slow); only
that every process starts, records become visible in the gate's decisions, and the tables and
goals are printed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

SECONDLINE = str(Path(sys.executable).parent / "secondline")  # the venv's console script


def test_the_freshness_benchmark_sees_each_filed_record_in_the_gates_decisions(tmp_path):
    done = subprocess.run(
        [SECONDLINE, "bench", "freshness", "--rate", "100", "--records-rate", "10", "--duration", "2", "--warmup", "0.5",
         "--repeat", "1", "--population", "20", "--data", str(tmp_path)],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "population: 20 records filed and classified" in out
    round_line = re.search(r"round 1: gate alone p50 [\d.]+ p99 [\d.]+ ms; with filing p50 [\d.]+ p99 [\d.]+ ms; "
                           r"(\d+) records, freshness p50 \d+ p99 \d+ max \d+ ms", out)
    assert round_line and int(round_line.group(1)) > 0, out
    assert "not seen" not in out  # every record filed in the window was seen in a decision
    assert re.search(r"gate Decide p99\s+ms\s+[\d.]+\s+[\d.]+\s+[\d.]+x", out)
    # the rounds in both layouts (every process on every core; the gate and its load client apart
    # from the filing's services), each with its goals, where the machine can pin processes to cores
    layouts = 2 if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) >= 2 else 1
    assert out.count("gate p99 with filing / without") == layouts, out
    assert out.count("record acknowledged -> in the gate's decisions, p99") == layouts
    assert "layout shared: every process on cores" in out
    if layouts == 2:
        apart = re.search(r"layout apart: the gate and the load client on cores ([\d,]+); ingestion, classification and "
                          r"the filing on ([\d,]+)", out)
        assert apart, out
        # as read back from the processes: the two halves share no core
        assert not set(apart.group(1).split(",")) & set(apart.group(2).split(",")), apart.group(0)
        assert len(re.findall(r"round 1: gate alone", out)) == 2


def test_the_catch_up_benchmark_runs_the_baseline_and_the_sharded_mode(tmp_path):
    done = subprocess.run(
        [SECONDLINE, "bench", "classification", "--records", "300", "--subjects", "60", "--backends", "sqlite"],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    # Each round: classification's CPU by process (the service's, then its children's: none while batches
    # are under shard_from) and its event loop's.
    assert re.search(r"^  straightforward  round 1: +[\d.]+ s, CPU classification \d+ s \(0 workers; \d+, the service's "
                     r"event loop \d+\), ingestion \d+ s, peak \d+ MB \(\d+\)", out, re.M), out
    assert re.search(r"^  sharded +round 1: +[\d.]+ s, CPU classification \d+ s \(\d+ workers; \d+( \+ \d+)*, the service's "
                     r"event loop \d+\)", out, re.M), out
    for mode in ("straightforward", "sharded"):
        assert re.search(rf"^sqlite\s+{mode}\s+300\s+[\d.]+\s+[\d,]+\s+\d+\s+\d+\s+\d+\s+[\d,]+\s+[\d.]+x$", out, re.M), out
    assert "goal (issue)" in out

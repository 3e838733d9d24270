"""``secondline bench ingest`` end to end with tiny parameters, on each event loop: the service
stores every record (its checks in the edge worker for the larger messages) and the report
prints both paths, the ratio and the goal. Timings are not asserted (a report, not a test)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SECONDLINE = str(Path(sys.executable).parent / "secondline")


@pytest.mark.parametrize("loop", ["uvloop", "asyncio"])
def test_the_ingest_benchmark_stores_every_record_and_prints_the_ratio(loop):
    done = subprocess.run([SECONDLINE, "bench", "ingest", "--backends", "sqlite", "--records", "3000", "--chunk", "100",
                           "--warmup", "100", "--repeat", "1", "--loop", loop],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr  # non-zero when a record failed
    out = done.stdout
    assert f"seed 1, {loop} event loop" in out
    assert re.search(r"^sqlite +service +3000 +[\d.]+ +\d+ +[\d.]+ +\d+ +\d+", out, re.M), out
    assert re.search(r"^sqlite +raw +3000 +[\d.]+ +\d+ +[\d.]+ +30 +100", out, re.M), out
    # messages of 64 records or more go to the edge checks' worker; the smaller ones stay in the service
    sent, messages = map(int, re.search(r"(\d+) of (\d+) messages checked in the edge checks' worker", out).groups())
    assert 0 < sent < messages
    assert re.search(r"^sqlite +\d\.\d{3} +(met|NOT met) +\(service spends", out, re.M), out

"""``secondline bench objection`` and ``secondline bench recognition`` end to end with tiny
parameters: each runs against the suite's processes and prints its figures and goals.

Timings are not asserted (a benchmark is a report); what is asserted is that every timed call
was answered and counted (n in each row), that the proofs verified, and that each goal line
says met or not met.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SECONDLINE = str(Path(sys.executable).parent / "secondline")  # the venv's console script


def test_bench_objection_times_upheld_answers_and_own_withdrawals_to_the_gate(tmp_path):
    done = subprocess.run([SECONDLINE, "bench", "objection", "--objections", "4", "--data", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "8 companies on the watchlist at the gate (E-W2)" in out
    assert "4 objections filed through the portal and marked at the gate (O-1, O-2)" in out
    for path in ("objection path (AnswerObjection UPHELD)", "own path (SubmitRecord WITHDRAWAL)"):
        assert re.search(rf"^{re.escape(path)}\s+4(\s+\d+\.\d){{4}}\s+from sending the call$", out, re.M), out
    assert re.search(r"^the objection path adds [+-]\d+\.\d ms at p99 from sending the call \(\d+\.\d\d× the own path\)",
                     out, re.M)
    assert re.search(r"^goal: at most \+50 ms at p99 from sending: (met|NOT met)$", out, re.M)


def test_bench_recognition_files_envelopes_beside_submit_records_and_times_proofs(tmp_path):
    done = subprocess.run([SECONDLINE, "bench", "recognition", "--records", "30", "--chunk", "10", "--log-size", "5000",
                           "--proofs", "300", "--data", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert re.search(r"ingestion SubmitRecords \(baseline\)\s+30 in .*/s$", out, re.M), out
    assert re.search(r"recognition SubmitEnvelopes\s+30 in .*/s$", out, re.M)
    assert re.search(r"ratio \d+\.\d\d×   goal >= 0\.7×: (met|NOT met)$", out, re.M)
    assert "proofs on a log of 5,000 entries (300 of each, 400 verified)" in out
    for proof in ("inclusion", "consistency"):
        assert re.search(rf"^  {proof}(\s+\d+\.\d){{3}}\s+goal p99 <= 1 ms: (met|NOT met)$", out, re.M)
    assert re.search(r"goal: never the bottleneck \(at least 10× the inbound rate\): (met|NOT met)$", out, re.M)

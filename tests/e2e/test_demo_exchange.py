"""``secondline demo``'s objections, repairs and partners (issue 10 item 10, issue 11 item 10):
the report shows objections and repairs by status and how many answers met their deadline
(RULES O-1..O-4, L-4), partner-driven classes (X-2, X-3), the tampered envelopes refused (X-4),
and a checkpoint fetched from recognition that ``secondline verify`` passes (X-5, X-6)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from secondline.cli.verify import checks

SECONDLINE = str(Path(sys.executable).parent / "secondline")


def _counts(line: str) -> dict[str, int]:
    return {name: int(n.replace(",", "")) for name, n in re.findall(r"([A-Z_]+) ([\d,]+)", line)}


def test_demo_reports_objections_repairs_partners_and_a_verified_checkpoint(tmp_path):
    done = subprocess.run([SECONDLINE, "demo", "--data", str(tmp_path), "--subjects", "2000", "--crossings", "500",
                           "--probes", "2", "--partner-records", "60"],
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    filed = int(re.search(r"^Objections (\d+) filed through the portal over the 24 days", out, re.M).group(1))
    eligible = int(re.search(r"\(O-1; ([\d,]+) records could be disputed\)", out).group(1).replace(",", ""))
    assert 0 < filed == min(200, eligible)  # --objections 200 by default, one per eligible record at most
    status = _counts(re.search(r"^  by status   (.*)$", out, re.M).group(1))
    assert sum(status.values()) == filed  # every filed objection, read back from the service with its status
    assert status.get("UPHELD") and status.get("REJECTED") and status.get("OVERDUE"), status
    met, answered, late = map(int, re.search(r"(\d+) of (\d+) answers met their deadline \(\d+%\), (\d+) late", out).groups())
    assert answered > 0 and met + late == answered
    withdrawn, corrected, by_owners = map(int, re.search(
        r"upheld +(\d+) withdrawn, (\d+) corrected: (\d+) owner's records filed through ingestion \(O-4\)", out).groups())
    assert withdrawn + corrected == by_owners > 0
    assert re.search(r"^Repairs +\d+ applications \(L-4\): \d+ refused at receipt", out, re.M)

    partners = re.search(r"^Partners +(\d+) signed envelopes .*$", out, re.M).group(0)
    for partner in ("GBA", "YRD", "SG"):
        assert re.search(rf"{partner} [1-9]\d* accepted, 1 refused", partners), partners
    assert "UNAUTHENTICATED 3: tampered on the way" in partners  # one tampered envelope per partner
    assert re.search(r"^    GBA Greater Bay Area +WATCHLIST \d+ by X-3", out, re.M)
    assert re.search(r"^    SG  Singapore \(AEO MRA\) +AEO \d+ by X-2", out, re.M)
    assert re.search(r"^Checkpoint .*credit report on 9\w{17} .*checked offline by secondline verify: PASS$", out, re.M)
    assert "  5 passed, 0 failed" in out and "FAIL" not in out
    assert "Looked wrong: none" in out, out[out.find("Looked wrong"):]  # the problems listed, if any

    page = (tmp_path / "secondline-demo-report.html").read_text(encoding="utf-8")
    assert "<h2>Objections and repairs</h2>" in page and "<h2>Partners and the transparency log</h2>" in page
    assert "<span class='ok'>PASS</span>" in page

    # What the demo verified is on disk: the same files pass again here, and a changed report fails.
    folder, keys = tmp_path / "verify", checks.load_keys(tmp_path / "recognition-keys" / "public-keys.json")
    report = (folder / "credit-report.jws").read_text()
    assert checks.envelope_signature(report, keys)[0]
    head, payload, signature = report.split(".")
    tampered = ".".join((head, payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1], signature))
    assert not checks.envelope_signature(tampered, keys)[0]

"""``secondline export`` writes a credit firm's desensitised snapshot with its manifest (RULES I-3)."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import json

from secondline.cli import build_parser
from tests.integration.test_sharing import ENTITY, LISTED, PERSON, _file


async def test_the_export_writes_entities_and_counts_with_a_manifest_that_checks(suite, tmp_path):
    await _file(suite)
    out = tmp_path / "export"
    args = build_parser().parse_args(["export", "--classification", f"127.0.0.1:{suite.classification_port}",
                                      "--firm", "ratings", "--out", str(out), "--page-size", "1",
                                      "--as-of", "2026-03-01T12:00:00+08:00"])
    lines = []
    assert await asyncio.to_thread(args.run, args, lines.append) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["recipient"] == "firm/ratings" and manifest["as_of"] == "2026-03-01T04:00:00Z"
    assert manifest["rules_version"] and manifest["catalogue_version"] and manifest["classification_revision"] > 0
    for name, facts in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == facts["sha256"]
    rows = list(csv.DictReader((out / "entities.csv").open()))
    assert manifest["files"]["entities.csv"]["rows"] == len(rows) == 2
    assert {r["code"]: r["credit_class"] for r in rows} == {ENTITY: "WATCHLIST", LISTED: "WATCHLIST"}
    by_code = {r["code"]: r for r in rows}
    assert by_code[ENTITY]["records"] == "SMUGGLING_PENALTY@2026-02-20;SMUGGLING_PENALTY@2026-02-21"
    assert "KEY_INSPECTION" in by_code[LISTED]["measures"].split(";")
    assert list(csv.reader((out / "individuals.csv").open())) == [["credit_class", "individuals"], ["WATCHLIST", "1"]]
    written = b"".join(p.read_bytes() for p in out.iterdir())
    assert PERSON.encode() not in written and b"C-ENTITY" not in written  # I-3
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]


async def test_a_refused_export_writes_nothing(suite, tmp_path):
    args = build_parser().parse_args(["export", "--classification", f"127.0.0.1:{suite.classification_port}",
                                      "--firm", "Not A Name", "--out", str(tmp_path / "x")])
    assert await asyncio.to_thread(args.run, args, print) == 1  # refused: no such principal
    assert not (tmp_path / "x").exists()

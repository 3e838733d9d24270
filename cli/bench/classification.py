"""Benchmark: how long classification takes to catch up with a large record log.

    secondline bench classification [--records 1000000] [--subjects 200000] [--backends sqlite,postgres]
    make bench-classification

For each backend it fills ingestion's log with the records (through ingestion's own store,
untimed), then starts ingestion and a fresh classification as separate processes, exactly as
`secondline up` does, and times classification from its start until it has applied the last
record. It prints the catch-up time, records/s, the lag (records not yet applied) as it goes,
and the classification process's peak memory. Goal (issue): caught up within 60 s.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import grpc
from sqlalchemy import create_engine, text

from secondline.classification.v1 import classification_pb2, classification_pb2_grpc
from secondline.identifiers import resident_id_check_character, uscc_check_character
from secondline.rules_config import load_rules
from secondline.services.ingestion.domain import RecordInput
from secondline.services.ingestion.store import RecordStore
from secondline.services.ingestion.validation import check_at_edge
from secondline.storage import make_engine, migrate
from secondline.cli.up.suite import Layout, ServiceSpec, embedded_settings, start_suite

NOW = datetime(2026, 11, 1, 4, tzinfo=timezone.utc)
PRINCIPAL = (("x-secondline-principal", "operator/bench"),)
# Departments and kinds in rough proportion to what they file (ratings dominate).
MIX = [("TAX", "INDUSTRY_RATING")] * 30 + [("TRANSPORT", "INDUSTRY_RATING")] * 15 + \
      [("MARKET_REGULATION", "INDUSTRY_RATING")] * 10 + [("CUSTOMS", "AEO_GRANTED")] * 8 + \
      [("ANTI_SMUGGLING", "SMUGGLING_PENALTY")] * 12 + [("CUSTOMS", "RISK_ALERT")] * 10 + \
      [("COAST_GUARD", "SMUGGLING_PENALTY")] * 5 + [("MARKET_REGULATION", "OTHER_LEGAL_LISTING")] * 5 + \
      [("CUSTOMS", "AEO_REVOKED")] * 5


def subjects(count: int, rng: random.Random) -> list[tuple[str, str]]:
    found = []
    for i in range(count):
        if i % 4 == 3:  # a quarter are individuals: drivers, declarants, travellers
            born = date(1950, 1, 1) + timedelta(days=rng.randrange(18000))
            body = f"460100{born:%Y%m%d}{i % 1000:03d}"
            found.append(("individual", body + resident_id_check_character(body)))
        else:
            body = f"91460100MA{i:07d}"
            found.append(("enterprise", body + uscc_check_character(body)))
    return found


def records(count: int, people: list[tuple[str, str]], rng: random.Random):
    rules = load_rules()
    scales = {d: rules.versions[-1].scale(d) for d in ("TAX", "TRANSPORT", "MARKET_REGULATION")}
    for i in range(count):
        subject_type, key = rng.choice(people)
        department, kind = rng.choice(MIX)
        if subject_type == "individual":
            department, kind = rng.choice([("ANTI_SMUGGLING", "SMUGGLING_PENALTY"), ("CUSTOMS", "RISK_ALERT")])
        decided = date(2024, 1, 1) + timedelta(days=rng.randrange(1000))
        raw = RecordInput(
            source_id=f"B-{i}", kind=kind, subject_type=subject_type, subject_text=key,
            decided_on=(decided.year, decided.month, decided.day),
            grade=rng.choice(scales[department]) if kind == "INDUSTRY_RATING" else "",
            valid_until=_raw(decided + timedelta(days=90)) if kind == "RISK_ALERT" else None)
        yield check_at_edge(raw, source=department, received_at=NOW, rules=rules, backfilled=True)


def _raw(day: date):
    return (day.year, day.month, day.day)


def fill(url: str, count: int, subject_count: int) -> int:
    engine = make_engine(url)
    migrate(engine, "secondline.services.ingestion.migrations", version_table="alembic_version_ingestion")
    store = RecordStore(engine, load_rules())
    rng = random.Random(2026)
    batch, started = [], time.perf_counter()
    for draft in records(count, subjects(subject_count, rng), rng):
        batch.append(draft)
        if len(batch) == 5000:
            store.store_batch(batch)
            batch = []
    if batch:
        store.store_batch(batch)
    last = store.last_seq()
    engine.dispose()
    print(f"  filled ingestion with {last:,} records in {time.perf_counter() - started:.0f} s (untimed)")
    return last


def rss_peak_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def catch_up(data: Path, url_for, last: int) -> dict:
    def settings(name: str, layout: Layout) -> dict:
        found = embedded_settings(name, layout)
        found["database"] = {"url": url_for(name)}
        found["telemetry"] = {"log_level": "WARNING"}
        if name == "classification":
            found["ingestion_address"] = layout.addresses["ingestion"]
        return found

    specs = (ServiceSpec("ingestion", "secondline.services.ingestion", settings),
             ServiceSpec("classification", "secondline.services.classification", settings))
    suite = start_suite(data, services=specs, ready_timeout=120)
    started = time.perf_counter()
    lags = []
    try:
        with grpc.insecure_channel(suite.address("classification")) as channel:
            stub = classification_pb2_grpc.ClassificationServiceStub(channel)
            while True:
                status = stub.GetStatus(classification_pb2.GetStatusRequest(), metadata=PRINCIPAL)
                applied = int(status.record_cursor or 0)
                elapsed = time.perf_counter() - started
                lags.append((elapsed, last - applied))
                if applied >= last:
                    break
                if suite.exited():
                    raise RuntimeError(suite.exited().log_tail())
                time.sleep(0.25)
        peak = rss_peak_mb(suite.pids()["classification"])
    finally:
        suite.stop()
    return {"seconds": elapsed, "peak_mb": peak, "lags": lags, "revision": status.revision}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``secondline bench classification``."""
    parser.add_argument("--records", type=int, default=1_000_000, help="records in ingestion's log (default 1000000)")
    parser.add_argument("--subjects", type=int, default=200_000, help="subjects they are about (default 200000)")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "SECONDLINE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        help="SQLAlchemy URL of a PostgreSQL database the benchmark may create schemas in "
             "(default: $SECONDLINE_BENCH_POSTGRES_URL or %(default)s)")


def run(args: argparse.Namespace) -> int:
    """Run the benchmark with parsed options (``add_arguments``); print the report."""
    print(f"classification catch-up: {args.records:,} records for {args.subjects:,} subjects; {os.cpu_count()} cores")
    rows = []
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory(prefix="secondline-bench-") as tmp:
            data = Path(tmp)
            if backend == "sqlite":
                url_for = lambda name: f"sqlite:///{data / name}.sqlite"  # noqa: E731
                cleanup = None
            else:
                try:
                    admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
                    schema = f"bench_{uuid.uuid4().hex[:8]}"
                    with admin.connect() as conn:
                        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
                except Exception as exc:
                    print(f"  postgres: skipped ({type(exc).__name__}: no server at {args.postgres_url})")
                    continue
                sep = "&" if "?" in args.postgres_url else "?"
                url_for = lambda name: f"{args.postgres_url}{sep}options=-csearch_path%3D{schema}"  # noqa: E731

                def cleanup():
                    with admin.connect() as conn:
                        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            try:
                print(f"{backend}:")
                last = fill(url_for("ingestion"), args.records, args.subjects)
                result = catch_up(data, url_for, last)
            finally:
                if cleanup:
                    cleanup()
            for at, lag in result["lags"][:: max(1, len(result["lags"]) // 8)]:
                print(f"  at {at:6.1f} s  lag {lag:>9,} records")
            rows.append((backend, last, result))
    print()
    print(f"{'backend':<10}{'records':>11}{'catch-up s':>12}{'records/s':>11}{'peak MB':>9}{'changes':>10}   goal <= 60 s")
    for backend, last, r in rows:
        print(f"{backend:<10}{last:>11,}{r['seconds']:>12.1f}{last / r['seconds']:>11,.0f}{r['peak_mb']:>9.0f}"
              f"{r['revision']:>10,}   {'met' if r['seconds'] <= 60 else 'NOT met'}")
    return 0

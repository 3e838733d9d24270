"""Benchmark: how long classification takes to catch up with a large record log.

    secondline bench classification [--records 1000000] [--subjects 200000] [--backends sqlite,postgres]
    make bench-classification

For each backend it fills ingestion's log with the records (through ingestion's own store,
untimed), then, for each mode, starts ingestion and a fresh classification as separate
processes, exactly as `secondline up` does, and times classification from its start until it
has applied the last record. The modes: ``straightforward`` (the baseline: no timeline
workers, every timeline computed from all of its subject's facts) and ``sharded`` (the
default settings: timelines by subject shard in worker processes, incrementally where a record
only adds a fact). It prints the catch-up time, records/s, the lag as it goes, CPU seconds of
classification (with its workers) and of ingestion, peak memory (classification's processes'
VmHWM added up), and the ratio to the baseline. Goal (issue): caught up within 60 s, peak
memory within 1 GB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from secondline.cli.bench.common import machine

from .processes import catch_up
from .records import fill

MODES = {
    "straightforward": {"timeline_workers": 0, "incremental_timelines": False},
    "sharded": {},  # the service's defaults
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``secondline bench classification``."""
    parser.add_argument("--records", type=int, default=1_000_000, help="records in ingestion's log (default 1000000)")
    parser.add_argument("--subjects", type=int, default=200_000, help="subjects they are about (default 200000)")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "SECONDLINE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        help="SQLAlchemy URL of a PostgreSQL database the benchmark may create schemas in "
             "(default: $SECONDLINE_BENCH_POSTGRES_URL or %(default)s)")
    parser.add_argument("--modes", default="straightforward,sharded", help="comma-separated: " + ", ".join(MODES))
    parser.add_argument("--repeat", type=int, default=1, help="rounds of every mode (default 1); figures are the median round's")


def run(args: argparse.Namespace) -> int:
    """Run the benchmark with parsed options (``add_arguments``); print the report."""
    print(f"classification catch-up: {args.records:,} records for {args.subjects:,} subjects")
    print(machine())
    modes = args.modes.split(",")
    rows = []
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory(prefix="secondline-bench-") as tmp:
            data = Path(tmp)
            database = _database(backend, data, args.postgres_url)
            if database is None:
                continue
            url_for, fresh, cleanup = database
            try:
                print(f"{backend}:")
                last = fill(url_for("ingestion"), args.records, args.subjects)
                for round_ in range(args.repeat):
                    for mode in modes:
                        result = catch_up(data / f"{mode}-{round_}", fresh(f"{mode}_{round_}"), last, MODES[mode])
                        print(_round_line(backend, mode, round_, result))
                        for at, lag in result["lags"][:: max(1, len(result["lags"]) // 6)]:
                            print(f"      at {at:6.1f} s  lag {lag:>9,} records")
                        rows.append((backend, mode, last, result))
            finally:
                if cleanup:
                    cleanup()
    _report(rows, modes)
    return 0


def _database(backend: str, data: Path, postgres_url: str):
    """(url of a service's database, a fresh classification database per round, clean-up), or None."""
    if backend == "sqlite":
        def url_for(name: str) -> str:
            return f"sqlite:///{data / name}.sqlite"

        def fresh(label: str):
            return lambda name: url_for(name if name == "ingestion" else f"{name}-{label}")
        return url_for, fresh, None
    try:
        admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
        prefix = f"bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{prefix}"'))
    except Exception as exc:
        print(f"  postgres: skipped ({type(exc).__name__}: no server at {postgres_url})")
        return None
    sep = "&" if "?" in postgres_url else "?"
    schemas = [prefix]

    def in_schema(schema: str) -> str:
        return f"{postgres_url}{sep}options=-csearch_path%3D{schema}"

    def fresh(label: str):
        schema = f"{prefix}_{label}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        schemas.append(schema)
        return lambda name: in_schema(prefix if name == "ingestion" else schema)

    def cleanup():
        with admin.connect() as conn:
            for schema in schemas:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    return (lambda name: in_schema(prefix)), fresh, cleanup


def _round_line(backend: str, mode: str, round_: int, result: dict) -> str:
    """A round's time, the CPU of classification (by process: the service's, then its children's;
    and the service's event loop), of ingestion and of a local PostgreSQL server, and the peaks."""
    by_process = " + ".join(f"{c:.0f}" for c in result["cpus"])
    server = (f"PostgreSQL's server {result['postgres_cpu']:.0f} s, "
              if backend == "postgres" and result["postgres_cpu"] is not None else "")
    peaks = " + ".join(f"{mb:.0f}" for mb in result["peaks_mb"])
    return (f"  {mode:<16} round {round_ + 1}: {result['seconds']:6.1f} s, CPU classification {result['cpu']:.0f} s "
            f"({result['workers']} workers; {by_process}, the service's event loop {result['loop_cpu']:.0f}), "
            f"ingestion {result['ingestion_cpu']:.0f} s, {server}peak {result['peak_mb']:.0f} MB ({peaks}), "
            f"load average {os.getloadavg()[0]:.2f}")


def _report(rows, modes: list[str]) -> None:
    print()
    print(f"{'backend':<10}{'mode':<17}{'records':>11}{'catch-up s':>12}{'records/s':>11}{'CPU s':>8}{'ingest CPU s':>14}"
          f"{'peak MB':>9}{'changes':>10}{'vs baseline':>13}")
    medians = {}
    for backend in dict.fromkeys(r[0] for r in rows):
        for mode in modes:
            runs = sorted((r for r in rows if r[0] == backend and r[1] == mode), key=lambda r: r[3]["seconds"])
            if not runs:
                continue
            _, _, last, r = runs[(len(runs) - 1) // 2]
            medians[backend, mode] = r["seconds"]
            base = medians.get((backend, modes[0]))
            print(f"{backend:<10}{mode:<17}{last:>11,}{r['seconds']:>12.1f}{last / r['seconds']:>11,.0f}{r['cpu']:>8.0f}"
                  f"{r['ingestion_cpu']:>14.0f}{r['peak_mb']:>9.0f}{r['revision']:>10,}{base / r['seconds']:>12.2f}x")
    print()
    print("goal (issue): caught up within 60 s and within 1 GB; the baseline is the first mode, the ratio its time over the mode's")
    for (backend, mode), seconds in medians.items():
        peak = statistics.median(r[3]["peak_mb"] for r in rows if r[0] == backend and r[1] == mode)
        last = next(r[2] for r in rows if r[0] == backend)
        verdict = ("met" if seconds <= 60 and peak <= 1024 else "NOT met") if last >= 1_000_000 else "(the goal is for 1,000,000 records)"
        print(f"  {backend:<10}{mode:<17}{seconds:7.1f} s  {peak:6.0f} MB   {verdict}")

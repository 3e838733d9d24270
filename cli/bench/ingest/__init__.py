"""How fast the ingestion service stores records, beside a raw SQLAlchemy insert of the same rows.

    secondline bench ingest [--records N] [--chunk K] [--backends sqlite,postgres]
                            [--postgres-url URL] [--repeat R] [--profile]
    make bench

For each backend it

1. starts the ingestion service in-process as the tests do (``app.build`` + ``host.start()``)
   on a fresh database, streams N generated records through ``SubmitRecords`` over a real
   loopback gRPC channel (one stream per department, all at once, K records per message),
   checks every result is a newly stored record and times first send to last response;
2. on another fresh database with the same schema (the service's own migrations, on an
   engine from ``secondline.storage.make_engine``, so the pragmas are identical) inserts the
   very same rows with ``conn.execute(insert(table), rows)``, one transaction per K rows,
   and times only the inserts;

and prints records/s of both and their ratio (the goal: service/raw >= 0.50). It is a report,
not a test: it exits 0 whether the goal is met or not, and non-zero only when records failed.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import defaultdict

import sqlalchemy
from sqlalchemy.engine import make_url

from secondline import loops
from secondline.cli.bench.common import machine
from secondline.common.v1 import common_pb2
from secondline.ingestion.v1 import ingestion_pb2
from secondline.rules_config import load_rules
from secondline.cli.bench.ingest.records import by_department, generate, raw_rows
from secondline.cli.bench.ingest.backends import DEFAULT_POSTGRES_URL, Backend, PostgresBackend, SqliteBackend
from secondline.cli.bench.ingest.bench import Profiles, bench_backend, best


GOAL = 0.50


def table(results, repeat: int) -> str:
    which = f"best of {repeat} rounds" if repeat > 1 else "one round"
    lines = [f"{'backend':<9} {'path':<8} {'records':>8} {'seconds':>8} {'records/s':>10} {'us/record':>10} "
             f"{'commits':>8} {'rows/commit':>11}   ({which})"]
    for name, services, raws in results:
        for label, run in (("service", best(services)), ("raw", best(raws))):
            per = run.records / run.commits if run.commits else 0
            lines.append(f"{name:<9} {label:<8} {run.records:>8} {run.seconds:>8.3f} {run.rate:>10.0f} "
                         f"{1e6 / run.rate:>10.1f} {run.commits:>8} {per:>11.0f}")
    if repeat > 1:
        lines.append("")
        for name, services, raws in results:
            for label, runs in (("service", services), ("raw", raws)):
                lines.append(f"{name} {label} records/s by round: " + ", ".join(f"{r.rate:.0f}" for r in runs))
    lines.append("")
    for name, services, raws in results:
        run = best(services)
        lines.append(f"{name} service (best round): {run.apart} of {run.messages} messages checked in the edge "
                     f"checks' worker; CPU {run.cpu / run.records * 1e6:.1f} us/record in the service's process "
                     f"(service and client), {run.worker_cpu / run.records * 1e6:.1f} in the worker; "
                     f"{(run.cpu + run.worker_cpu) / run.seconds:.2f} cores busy")
    lines.append("")
    lines.append(f"{'backend':<9} {'service/raw':>11}   goal >= {GOAL:.2f}")
    for name, services, raws in results:
        service, raw = best(services), best(raws)
        ratio = service.rate / raw.rate if raw.rate else 0.0
        lines.append(f"{name:<9} {ratio:>11.3f}   {'met' if ratio >= GOAL else 'NOT met'}"
                     f"   (service spends {1e6 / service.rate - 1e6 / raw.rate:.1f} us/record more than the raw insert)")
    return "\n".join(lines)


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``secondline bench ingest``."""
    parser.add_argument("--records", type=int, default=50_000, help="records to file (default 50000)")
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop",
                        help="event loop of the service (its setting server.event_loop) and of the client beside it "
                             "in this process (default uvloop, the service's default)")
    parser.add_argument("--chunk", type=int, default=500,
                        help="records per stream message, and rows per raw transaction (default 500)")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--postgres-url",
                        default=os.environ.get("SECONDLINE_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
                        help="SQLAlchemy URL of a PostgreSQL database the benchmark may create schemas in "
                             "(default: $SECONDLINE_BENCH_POSTGRES_URL or %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated records (default 1)")
    parser.add_argument("--warmup", type=int, default=400, help="records of the untimed warm-up run (default 400)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed rounds per backend, each on fresh databases; the fastest of each path "
                             "is reported (default 3)")
    parser.add_argument("--view", choices=["basic", "full"], default="basic",
                        help="how much of each stored record the results carry (RECORD_VIEW_*; default basic, "
                             "the bulk path: the sender already has what it stated)")
    parser.add_argument("--edge-processes", type=int, default=None,
                        help="the service's edge_checks.processes: worker processes checking large messages' "
                             "records (default: the service's default, 1; 0: all in the service's process)")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the first timed service run and print the top entries "
                             "(profiling slows the service: its figures are then not comparable)")
    parser.add_argument("--profile-top", type=int, default=15, help="entries per profile (default 15)")


def run(args: argparse.Namespace) -> int:
    """Run the benchmark with parsed options (``add_arguments``); print the report; exit status."""
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(args.backends) - {"sqlite", "postgres"}
    if unknown:
        print(f"bench ingest: unknown backend(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    if args.records < 1 or args.chunk < 1 or args.repeat < 1 or args.warmup < 1:
        print("bench ingest: --records, --chunk, --repeat and --warmup must be positive", file=sys.stderr)
        return 2
    return loops.run(main_async(args), args.loop)


async def main_async(args) -> int:
    rules = load_rules()
    records = generate(args.records, args.seed)
    warm = generate(args.warmup, args.seed + 1, prefix="W")
    try:
        rows, warm_rows = raw_rows(records, rules), raw_rows(warm, rules)
    except ValueError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    view = ingestion_pb2.RecordView.Value(f"RECORD_VIEW_{args.view.upper()}")
    streams, warm_streams = by_department(records, args.chunk, view), by_department(warm, args.chunk, view)

    kinds = defaultdict(int)
    for _, msg in records:
        kinds[common_pb2.RecordKind.Name(msg.kind).removeprefix("RECORD_KIND_")] += 1
    individuals = sum(1 for _, msg in records if msg.subject.WhichOneof("id") == "individual")
    print(f"Secondline ingestion benchmark: {args.records} records, {args.chunk} per stream message, view {args.view}, "
          f"{len(streams)} concurrent streams (one per department), seed {args.seed}, {loops.current()} event loop")
    print(machine(f"SQLAlchemy {sqlalchemy.__version__}"))
    print("kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))
          + f"; {individuals} about individuals")

    results, failed = [], 0
    for name in args.backends:
        if name == "sqlite":
            import sqlite3

            backend: Backend = SqliteBackend()
            print(f"sqlite: SQLite {sqlite3.sqlite_version}, WAL, synchronous=FULL (secondline.storage), "
                  f"files in {tempfile.gettempdir()}")
        else:
            backend = PostgresBackend(args.postgres_url)
            version = backend.answers()
            if version is None:
                print(f"postgres: skipped, no answer at {_safe(args.postgres_url)} ({backend.error})")
                backend.close()
                continue
            print(f"postgres: PostgreSQL {version} at {_safe(args.postgres_url)}, a fresh schema per run")
        profiles = Profiles() if args.profile else None
        try:
            services, raws = await bench_backend(backend, args, records, streams, rows, warm_streams, warm_rows, profiles)
        finally:
            backend.close()
        problems = [e for run in services for e in run.errors]
        if problems:
            failed += len(problems)
            print(f"{name}: {len(problems)} problem(s); first ones:", file=sys.stderr)
            for line in problems[:10]:
                print(f"  {line}", file=sys.stderr)
            continue
        results.append((name, services, raws))
        if profiles is not None:
            print(f"\n===== {name}: profile of the first service round (cProfile slows it down) =====")
            print(profiles.report(args.records, args.profile_top))
        sys.stdout.flush()

    if results:
        print()
        print(table(results, args.repeat))
        if args.profile:
            print("(profiled: the service's first round ran under cProfile; with --repeat 1 its figures are slowed)")
    if failed:
        print(f"FAILED: {failed} record problem(s)", file=sys.stderr)
        return 1
    return 0

#!/usr/bin/env python
"""How fast the ingestion service stores records, beside a raw SQLAlchemy insert of the same rows.

    python bench/ingest.py [--records N] [--chunk K] [--backends sqlite,postgres]
                           [--postgres-url URL] [--repeat R] [--profile]

For each backend the script

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
import asyncio
import cProfile
import io
import os
import pstats
import random
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import grpc
import sqlalchemy
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from secondline.bench_gate import machine
from secondline.clock import ManualClock
from secondline.common.v1 import common_pb2
from secondline.errors import DomainError
from secondline.identifiers import USCC_ALPHABET, resident_id_check_character, uscc_check_character
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.rules_config import load_rules
from secondline.services.ingestion.app import IngestionSettings, build
from secondline.services.ingestion.convert import input_from_proto
from secondline.services.ingestion.domain import StoredRecord
from secondline.services.ingestion.store import _to_row
from secondline.services.ingestion.tables import RecordRow
from secondline.services.ingestion.validation import check_at_edge
from secondline.storage import make_engine, migrate
from secondline.telemetry import setup_telemetry

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MIGRATIONS = "secondline.services.ingestion.migrations"
VERSION_TABLE = "alembic_version_ingestion"
GOAL = 0.50
# The service's clock: 2026-03-01 12:00 CST. Every decision date is before it.
CLOCK_START = datetime(2026, 3, 1, 4, 0, tzinfo=timezone.utc)
TODAY_CST = date(2026, 3, 1)
RECORDS_TABLE = RecordRow.__table__

# --- records a real feed would carry ---------------------------------------------------------

# (weight, department, kind): mostly industry ratings, then penalties, AEO, alerts, ...
MIX = [
    (24, "TAX", "INDUSTRY_RATING"),
    (10, "TRANSPORT", "INDUSTRY_RATING"),
    (8, "MARKET_REGULATION", "INDUSTRY_RATING"),
    (4, "POSTAL", "INDUSTRY_RATING"),
    (5, "CUSTOMS", "INDUSTRY_RATING"),
    (3, "MARITIME", "INDUSTRY_RATING"),
    (2, "AGRICULTURE", "INDUSTRY_RATING"),
    (1, "FORESTRY", "INDUSTRY_RATING"),
    (8, "ANTI_SMUGGLING", "SMUGGLING_PENALTY"),
    (4, "CUSTOMS", "SMUGGLING_PENALTY"),
    (3, "COAST_GUARD", "SMUGGLING_PENALTY"),
    (7, "CUSTOMS", "AEO_GRANTED"),
    (4, "CUSTOMS", "RISK_ALERT"),
    (3, "ANTI_SMUGGLING", "RISK_ALERT"),
    (2, "COAST_GUARD", "RISK_ALERT"),
    (2, "ANTI_SMUGGLING", "DISHONESTY_LISTED"),
    (2, "TAX", "CREDIT_COMMITMENT"),
    (2, "MARKET_REGULATION", "CREDIT_COMMITMENT"),
    (1, "COURT", "OTHER_LEGAL_LISTING"),
]
# Grades on each department's scale (rules.yaml, R-6), best first; weights favour the middle.
SCALES = {
    "TAX": ["A", "B", "M", "C", "D"],
    "TRANSPORT": ["AA", "A", "B", "C", "D"],
    "CUSTOMS": ["ADVANCED_CERTIFIED", "CERTIFIED", "REGULAR", "DISHONEST", "SERIOUSLY_DISHONEST"],
    "MARKET_REGULATION": ["NORMAL", "ABNORMAL_OPERATION", "SERIOUS_VIOLATION"],
    "MARITIME": ["A", "B", "C", "D"],
    "POSTAL": ["A", "B", "C", "D"],
    "AGRICULTURE": ["A", "B", "C", "D"],
    "FORESTRY": ["A", "B", "C", "D"],
}
INDIVIDUAL_SHARE = {"SMUGGLING_PENALTY": 0.3, "RISK_ALERT": 0.2, "CREDIT_COMMITMENT": 0.1}
# Administrative divisions: Hainan first (the second-line ports), then a few mainland ones.
AREAS = ["460100", "460105", "460106", "460200", "460300", "469001", "469005",
         "440300", "440524", "110105", "310115", "330106", "350203"]


def _day(d: date) -> common_pb2.Date:
    return common_pb2.Date(year=d.year, month=d.month, day=d.day)


def _usccs(rng: random.Random, count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        # registration authority 9 (market regulation), category 1 (enterprise), area, 9 more
        body = "91" + rng.choice(AREAS) + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
        codes.add(body + uscc_check_character(body))
    return sorted(codes)


def _resident_ids(rng: random.Random, count: int) -> list[str]:
    ids: set[str] = set()
    first, span = date(1950, 1, 1), (date(2005, 12, 31) - date(1950, 1, 1)).days
    while len(ids) < count:
        born = first + timedelta(days=rng.randrange(span))
        body = f"{rng.choice(AREAS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
        ids.add(body + resident_id_check_character(body))
    return sorted(ids)


def _decided_on(rng: random.Random) -> date:
    # Most decisions are filed within the 15-day deadline; some arrive late.
    back = rng.randint(1, 14) if rng.random() < 0.9 else rng.randint(15, 400)
    return TODAY_CST - timedelta(days=back)


def generate(n: int, seed: int, prefix: str = "B") -> list[tuple[str, ingestion_pb2.RecordInput]]:
    """``n`` valid, distinct records as (department, RecordInput), deterministic in ``seed``."""
    rng = random.Random(seed)
    enterprises = _usccs(rng, max(50, n // 5))
    individuals = _resident_ids(rng, max(20, n // 50))
    weights = [w for w, _, _ in MIX]
    counters: dict[str, int] = defaultdict(int)
    out = []
    for (_, dept, kind) in rng.choices(MIX, weights=weights, k=n):
        counters[dept] += 1
        msg = ingestion_pb2.RecordInput(
            source_id=f"{dept[:3]}-{prefix}{seed}-{counters[dept]:08d}",
            kind=common_pb2.RecordKind.Value("RECORD_KIND_" + kind),
        )
        if rng.random() < INDIVIDUAL_SHARE.get(kind, 0.0):
            msg.subject.individual = rng.choice(individuals)
        else:
            msg.subject.enterprise = rng.choice(enterprises)
        decided = _decided_on(rng)
        msg.decided_on.CopyFrom(_day(decided))
        if kind == "INDUSTRY_RATING":
            scale = SCALES[dept]
            msg.grade = rng.choices(scale, weights=[2, 5, 3, 1, 1][:len(scale)])[0]
        elif kind == "AEO_GRANTED":
            if rng.random() < 0.5:
                msg.valid_until.CopyFrom(_day(decided + timedelta(days=3 * 365)))
        elif kind == "RISK_ALERT":
            msg.valid_until.CopyFrom(_day(decided + timedelta(days=rng.randint(30, 365))))
        elif kind == "DISHONESTY_LISTED":
            msg.list = common_pb2.DISHONESTY_LIST_ANTI_SMUGGLING
            msg.severity = rng.choice([common_pb2.SEVERITY_MINOR, common_pb2.SEVERITY_GENERAL, common_pb2.SEVERITY_SERIOUS])
        elif kind == "CREDIT_COMMITMENT":
            msg.commitment = rng.choice([0, common_pb2.COMMITMENT_STATUS_MADE, common_pb2.COMMITMENT_STATUS_FULFILLED])
        elif kind == "OTHER_LEGAL_LISTING":
            msg.legal_basis = "Regulations on the Hainan Free Trade Port, art. 32"
        out.append((dept, msg))
    return out


def by_department(records, chunk: int, view: int = 0) -> dict[str, list[ingestion_pb2.SubmitRecordsRequest]]:
    """The request messages of each department's stream, ``chunk`` records each, in order."""
    grouped: dict[str, list] = defaultdict(list)
    for dept, msg in records:
        grouped[dept].append(msg)
    return {
        dept: [ingestion_pb2.SubmitRecordsRequest(records=msgs[i:i + chunk], view=view)
               for i in range(0, len(msgs), chunk)]
        for dept, msgs in sorted(grouped.items())
    }


def raw_rows(records, rules) -> list[dict]:
    """The rows the service would write for ``records``, made by the service's own code:
    its proto conversion, its checks at the edge, and its store's row mapping.

    Raises ValueError when the service's checks refuse a generated record (a bug here)."""
    traceparents = {}  # one trace per stream, as a traced SubmitRecords call would store
    rows = []
    for i, (dept, msg) in enumerate(records):
        tp = traceparents.setdefault(dept, f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01")
        try:
            draft = check_at_edge(input_from_proto(msg), source=dept, received_at=CLOCK_START, rules=rules)
        except DomainError as error:
            raise ValueError(f"generated record #{i} ({dept} {msg.source_id}) is refused: {error}") from None
        record = StoredRecord(
            record_id=uuid.uuid4().hex, source=draft.source, source_id=draft.source_id, content=draft.content,
            content_kind=draft.content.kind, target_record_id="", submitted_at=draft.submitted_at,
            submitted_on=draft.submitted_on, late=draft.late, backfilled=False, traceparent=tp, seq=i + 1,
        )
        row = _to_row(record, draft.digest)
        row["seq"] = i + 1  # commit order, as the service's writer numbers its rows
        rows.append(row)
    return rows


# --- databases -----------------------------------------------------------------------------------


class Backend:
    """Fresh, empty databases of one kind, each dropped when the backend closes."""

    name = ""

    def fresh(self, label: str) -> str:
        raise NotImplementedError

    def discard(self, url: str) -> None:
        """Drop one database made by fresh()."""

    def close(self) -> None:
        pass


class SqliteBackend(Backend):
    name = "sqlite"

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="secondline-bench-")

    def fresh(self, label: str) -> str:
        return f"sqlite:///{self._dir.name}/{label}-{uuid.uuid4().hex[:8]}.sqlite"

    def discard(self, url: str) -> None:
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)

    def close(self) -> None:
        self._dir.cleanup()


class PostgresBackend(Backend):
    name = "postgres"

    def __init__(self, url: str) -> None:
        self.url = url
        self._admin = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
        self._schemas: list[str] = []

    def answers(self) -> str | None:
        """The server version, or None when it does not answer."""
        try:
            with self._admin.connect() as conn:
                return conn.execute(text("SHOW server_version")).scalar()
        except Exception as exc:  # noqa: BLE001 - any failure means "skip PostgreSQL"
            self.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            return None

    def fresh(self, label: str) -> str:
        schema = f"bench_{label}_{uuid.uuid4().hex[:10]}"
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        self._schemas.append(schema)
        sep = "&" if "?" in self.url else "?"
        return f"{self.url}{sep}options=-csearch_path%3D{schema}"

    def discard(self, url: str) -> None:
        schema = url.rsplit("%3D", 1)[1]
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self._schemas.remove(schema)

    def close(self) -> None:
        try:
            if self._schemas:
                with self._admin.connect() as conn:
                    for schema in self._schemas:
                        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        finally:
            self._schemas.clear()
            self._admin.dispose()


# --- the two measurements ------------------------------------------------------------------------


@dataclass
class Run:
    records: int
    seconds: float
    commits: int
    errors: list[str] = field(default_factory=list)
    failed: int = 0

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


async def run_service(url: str, streams: dict[str, list], *, profile: "Profiles | None" = None) -> Run:
    """Start the service on ``url``, send every stream at once, time first send to last answer."""
    settings = IngestionSettings.model_validate(
        {"database": {"url": url}, "server": {"listen": "127.0.0.1:0", "grace_seconds": 1}}
    )
    telemetry = setup_telemetry("ingestion")
    host = build(settings, telemetry=telemetry, clock=ManualClock(CLOCK_START))
    port = await host.start()
    big = 64 * 1024 * 1024
    channel = grpc.aio.insecure_channel(
        f"127.0.0.1:{port}",
        options=[("grpc.max_receive_message_length", big), ("grpc.max_send_message_length", big)],
    )
    try:
        await channel.channel_ready()
        stub = ingestion_pb2_grpc.IngestionServiceStub(channel)
        writer = host.service.ingestion.writer
        if profile is not None:
            profile.attach(host.service.ingestion.store)
        sent = sum(len(r.records) for reqs in streams.values() for r in reqs)
        commits_before = writer.commits
        errors: list[str] = []

        async def stream(dept: str, requests: list) -> int:
            call = stub.SubmitRecords(iter(requests), metadata=(("x-secondline-principal", f"department/{dept}"),))
            expected = 0
            async for response in call:
                for result in response.results:
                    if result.index != expected:
                        errors.append(f"{dept}: result index {result.index}, expected {expected}")
                    expected += 1
                    if result.WhichOneof("result") != "record":
                        errors.append(f"{dept} #{result.index}: {result.error.message or 'no result'}")
                    elif result.replayed:
                        errors.append(f"{dept} #{result.index}: replayed, not newly stored")
            return expected

        if profile is not None:
            profile.loop.enable()
        started = time.perf_counter()
        answered = await asyncio.gather(*(stream(d, reqs) for d, reqs in streams.items()))
        seconds = time.perf_counter() - started
        if profile is not None:
            profile.loop.disable()
        got = sum(answered)
        if got != sent:
            errors.append(f"{sent} records sent, {got} results received")
        run = Run(records=sent, seconds=seconds, commits=writer.commits - commits_before, errors=errors)
        run.failed = len(errors)
        return run
    finally:
        await channel.close()
        await host.stop()
        telemetry.shutdown()


def run_raw(url: str, rows: list[dict], batch: int) -> Run:
    """Insert ``rows`` into a fresh database with the service's schema, ``batch`` per transaction."""
    engine = make_engine(url)
    try:
        migrate(engine, MIGRATIONS, version_table=VERSION_TABLE)
        with engine.connect() as conn:  # a pooled connection ready, as the service has one
            conn.execute(text("SELECT 1"))
        statement = insert(RECORDS_TABLE)
        commits = 0
        started = time.perf_counter()
        for i in range(0, len(rows), batch):
            with engine.begin() as conn:
                conn.execute(statement, rows[i:i + batch])
            commits += 1
        seconds = time.perf_counter() - started
        return Run(records=len(rows), seconds=seconds, commits=commits)
    finally:
        engine.dispose()


def stored_keys(url: str) -> list[tuple]:
    """(source, source_id, digest, content) of every stored row: what two databases must share."""
    c = RECORDS_TABLE.c
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return sorted(conn.execute(select(c.source, c.source_id, c.digest, c.content)).all())
    finally:
        engine.dispose()


# --- profiling ------------------------------------------------------------------------------------


class Profiles:
    """cProfile of the event-loop thread (gRPC, conversion, checks; the client shares the loop)
    and of the writer thread (RecordStore.store_batch: the database transaction)."""

    def __init__(self) -> None:
        self.loop = cProfile.Profile()
        self.writer = cProfile.Profile()

    def attach(self, store) -> None:
        original = store.store_batch
        writer = self.writer

        def profiled(drafts):
            return writer.runcall(original, drafts)

        store.store_batch = profiled  # the writer looks the method up on the instance per batch

    def report(self, records: int, top: int) -> str:
        out = io.StringIO()
        for title, prof in (("event-loop thread (grpc + servicer + checks + client)", self.loop),
                            ("db-writer thread (RecordStore.store_batch)", self.writer)):
            stats = pstats.Stats(prof, stream=out)
            out.write(f"\n--- cProfile, {title}: {stats.total_tt:.2f}s profiled, "
                      f"{stats.total_tt / records * 1e6:.0f} us/record ---\n")
            stats.sort_stats("cumulative").print_stats(top)
        return out.getvalue()


# --- the report ----------------------------------------------------------------------------------


async def bench_backend(backend: Backend, args, records, streams, rows, warm_streams, warm_rows,
                        profiles: Profiles | None) -> tuple[list[Run], list[Run]]:
    """Every timed round of the service and of the raw insert (stops at the first failure)."""
    # Warm-up, untimed: imports, proto descriptors, SQLAlchemy's statement caches, the server.
    url = backend.fresh("warm")
    warm = await run_service(url, warm_streams)
    backend.discard(url)
    if warm.failed:
        return [warm], []
    url = backend.fresh("warmraw")
    run_raw(url, warm_rows, args.chunk)
    backend.discard(url)

    services: list[Run] = []
    raws: list[Run] = []
    for round_ in range(args.repeat):
        service_url, raw_url = backend.fresh("service"), backend.fresh("raw")
        try:
            service = await run_service(service_url, streams, profile=profiles if round_ == 0 else None)
            services.append(service)
            if service.failed:
                break
            raws.append(run_raw(raw_url, rows, args.chunk))
            if round_ == 0:  # the same rows on both sides: (source, source_id, digest, content)
                ours, theirs = stored_keys(service_url), stored_keys(raw_url)
                if len(ours) != len(records):
                    service.errors.append(f"the service stored {len(ours)} rows, not {len(records)}")
                elif ours != theirs:
                    service.errors.append("the service's rows differ from the raw rows")
                service.failed += bool(service.errors)
                if service.failed:
                    break
        finally:
            backend.discard(service_url)
            backend.discard(raw_url)
    return services, raws


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda run: run.seconds)


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
    lines.append(f"{'backend':<9} {'service/raw':>11}   goal >= {GOAL:.2f}")
    for name, services, raws in results:
        service, raw = best(services), best(raws)
        ratio = service.rate / raw.rate if raw.rate else 0.0
        lines.append(f"{name:<9} {ratio:>11.3f}   {'met' if ratio >= GOAL else 'NOT met'}"
                     f"   (service spends {1e6 / service.rate - 1e6 / raw.rate:.1f} us/record more than the raw insert)")
    return "\n".join(lines)


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=50_000, help="records to file (default 50000)")
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
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the first timed service run and print the top entries "
                             "(profiling slows the service: its figures are then not comparable)")
    parser.add_argument("--profile-top", type=int, default=15, help="entries per profile (default 15)")
    args = parser.parse_args(argv)
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(args.backends) - {"sqlite", "postgres"}
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    if args.records < 1 or args.chunk < 1 or args.repeat < 1 or args.warmup < 1:
        parser.error("--records, --chunk, --repeat and --warmup must be positive")
    return args


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
          f"{len(streams)} concurrent streams (one per department), seed {args.seed}")
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


def main(argv=None) -> int:
    return asyncio.run(main_async(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())

"""The ingestion benchmark's two measurements (the service, the raw insert) and the profile of a run."""

from __future__ import annotations

import asyncio
import cProfile
import io
import os
import pstats
import time
from dataclasses import dataclass, field

import grpc
from sqlalchemy import insert, select, text

from secondline.clock import ManualClock
from secondline.ingestion.v1 import ingestion_pb2_grpc
from secondline.services.ingestion.app import IngestionSettings, build
from secondline.storage import make_engine, migrate
from secondline.telemetry import setup_telemetry
from secondline.cli.bench.ingest.records import CLOCK_START
from secondline.cli.bench.ingest.backends import MIGRATIONS, RECORDS_TABLE, VERSION_TABLE, Backend


@dataclass
class Run:
    records: int
    seconds: float
    commits: int
    errors: list[str] = field(default_factory=list)
    failed: int = 0
    messages: int = 0
    apart: int = 0
    """Request messages whose records were checked in the edge checks' worker process."""
    cpu: float = 0.0
    """CPU seconds of this process (service and client) while timed."""
    worker_cpu: float = 0.0
    """CPU seconds of the edge checks' worker process while timed."""

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


async def run_service(url: str, streams: dict[str, list], *, profile: "Profiles | None" = None,
                      edge_processes: int | None = None) -> Run:
    """Start the service on ``url``, send every stream at once, time first send to last answer.
    ``edge_processes``: the service's ``edge_checks.processes`` (None: its default)."""
    edge = {} if edge_processes is None else {"processes": edge_processes}
    settings = IngestionSettings.model_validate(
        {"database": {"url": url}, "server": {"listen": "127.0.0.1:0", "grace_seconds": 1}, "edge_checks": edge}
    )
    telemetry = setup_telemetry("ingestion")
    host = build(settings, telemetry=telemetry, clock=ManualClock(CLOCK_START))
    port = await host.start()
    checks = host.service.checks
    if checks.processes:  # start-up, untimed: the pool a running service started at its first large message
        await checks.start()
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
        sent_before, workers = checks.sent, checks.worker_pids()
        cpu, worker_cpu = time.process_time(), _cpu_seconds(workers)
        started = time.perf_counter()
        answered = await asyncio.gather(*(stream(d, reqs) for d, reqs in streams.items()))
        seconds = time.perf_counter() - started
        cpu, worker_cpu = time.process_time() - cpu, _cpu_seconds(workers) - worker_cpu
        if profile is not None:
            profile.loop.disable()
        got = sum(answered)
        if got != sent:
            errors.append(f"{sent} records sent, {got} results received")
        run = Run(records=sent, seconds=seconds, commits=writer.commits - commits_before, errors=errors,
                  messages=sum(len(reqs) for reqs in streams.values()), apart=checks.sent - sent_before,
                  cpu=cpu, worker_cpu=worker_cpu)
        run.failed = len(errors)
        return run
    finally:
        await channel.close()
        await host.stop()
        telemetry.shutdown()


def _cpu_seconds(pids: list[int]) -> float:
    """User and system CPU seconds of these processes so far (Linux /proc; 0 elsewhere)."""
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


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


async def bench_backend(backend: Backend, args, records, streams, rows, warm_streams, warm_rows,
                        profiles: Profiles | None) -> tuple[list[Run], list[Run]]:
    """Every timed round of the service and of the raw insert (stops at the first failure)."""
    # Warm-up, untimed: imports, proto descriptors, SQLAlchemy's statement caches, the server.
    url = backend.fresh("warm")
    warm = await run_service(url, warm_streams, edge_processes=args.edge_processes)
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
            service = await run_service(service_url, streams, profile=profiles if round_ == 0 else None,
                                        edge_processes=args.edge_processes)
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

"""Benchmark: freshness under load. Records filed at a steady rate while the gate serves Decide at its own.

    secondline bench freshness [--rate 1000] [--records-rate 100] [--duration 10] [--repeat 3]

It starts ingestion, classification and the gate as ``secondline up`` does (separate processes,
SQLite, loopback), files ``--population`` records to give the gate a snapshot, and then, each
round, runs a load client (a process of its own, open loop: request *i* is sent at
``start + i / rate`` whatever the answers, latency from the scheduled instant) calling Decide at
``--rate``, twice: once alone (the baseline) and once while this process files
``--records-rate`` records a second through ``SubmitRecord`` (each a smuggling penalty for an
enterprise nobody has filed about, so each makes a change). For each record filed:

- *acknowledged*: the instant its ``SubmitRecord`` returned (ingestion answers only once the
  record is committed);
- its change's revision: ``GetSubjectClass`` with ``min_record_cursor`` (asked after the fact);
- *visible*: the first Decide answer, finished after the acknowledgement, whose
  ``classification_revision`` is at least that revision: the gate decided on a snapshot that
  holds the record's change.

Freshness is visible minus acknowledged (both on the machine's monotonic clock, which the
processes share). It prints the gate's latency with and without filing, their ratio, and the
freshness percentiles; goals (issue): freshness p99 <= 200 ms, gate p99 with filing <= 1.1x
without. It is a report, not a test: exit status 1 only if a call failed.

Where the processes run (``--layout``):

- ``shared``: every process on every core, as ``secondline up`` runs them on one machine. On a
  machine of two cores the filing's services then take cores the gate and its load client need,
  and the gate's p99 measures that contention as much as the gate;
- ``apart``: the gate and the load client on one half of the cores, ingestion, classification
  (its shard workers too) and this process, which files, on the other (``sched_setaffinity``,
  Linux), as a deployment runs the gate in pods of its own and the lanes on their own machines.
  What the filing then costs the gate is its own part of it: the change feed it follows and
  the snapshot updates it applies.

``both`` (the default) runs the rounds in each layout, one after the other.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import functools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import grpc

from secondline.classification.v1 import classification_pb2, classification_pb2_grpc
from secondline.cli.bench.common import cpu_seconds, machine, percentile
from secondline.cli.bench.gate.load import lane_caller
from secondline.cli.bench.gate.population import Pools, crossings, enterprise_key
from secondline.cli.bench.gate.servers import _loop
from secondline.cli.bench.layouts import Layout
from secondline.cli.up.suite import SERVICES, start_suite
from secondline.common.v1 import common_pb2
from secondline.gate.v1 import gate_pb2
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc

DEPARTMENT = (("x-secondline-principal", "department/ANTI_SMUGGLING"),)
READER = (("x-secondline-principal", "operator/bench"),)
DECIDE = "/secondline.gate.v1.GateService/Decide"
CST = timezone(timedelta(hours=8))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rate", type=float, default=1000, help="Decide calls per second (default 1000)")
    parser.add_argument("--records-rate", type=float, default=100, help="records filed per second (default 100)")
    parser.add_argument("--duration", type=float, default=10, help="seconds measured per run (default 10)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of untimed load before each run (default 2)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of (without, with) filing; medians reported (default 3)")
    parser.add_argument("--population", type=int, default=5000, help="records filed before the rounds (default 5000)")
    parser.add_argument("--data", type=Path, help="keep the suite's folder (logs, databases) here; default a temporary one")
    parser.add_argument("--layout", choices=("shared", "apart", "both"), default="both",
                        help="shared: every process on every core; apart: the gate and its load client on half the "
                             "cores, the filing's services on the other half (Linux, 2 cores or more); default both")


def run(args: argparse.Namespace) -> int:
    print(f"freshness under load: Decide at {args.rate:,.0f}/s, records filed at {args.records_rate:,.0f}/s, "
          f"{args.duration:g} s measured per run after {args.warmup:g} s, {args.repeat} rounds")
    print(machine())
    with tempfile.TemporaryDirectory(prefix="secondline-freshness-") as tmp:
        data = args.data or Path(tmp)
        suite = start_suite(data, services=[s for s in SERVICES if s.name in ("ingestion", "classification", "gate")],
                            ready_timeout=120)
        try:
            layouts = ("shared", "apart") if args.layout == "both" else (args.layout,)
            if "apart" in layouts and not Layout.possible():
                print("  layout apart: needs Linux's sched_setaffinity and 2 cores or more; shared only")
                layouts = ("shared",)
            return asyncio.run(_layouts(args, suite, [Layout(name, suite) for name in layouts]))
        finally:
            suite.stop()


async def _layouts(args, suite, layouts: list["Layout"]) -> int:
    """The population filed once, then each layout's rounds (one filer: its records go on
    being new ones, for subjects nobody has filed about)."""
    ingestion = grpc.aio.insecure_channel(suite.address("ingestion"))
    classification = grpc.aio.insecure_channel(suite.address("classification"))
    try:
        filer = Filer(ingestion_pb2_grpc.IngestionServiceStub(ingestion),
                      classification_pb2_grpc.ClassificationServiceStub(classification))
        started = time.perf_counter()
        await filer.population(args.population)
        print(f"  population: {args.population:,} records filed and classified in {time.perf_counter() - started:.1f} s")
        for layout in layouts:
            with layout:
                if await _rounds(args, suite, filer, layout):
                    return 1
        return 0
    finally:
        await ingestion.close()
        await classification.close()


async def _rounds(args, suite, filer: "Filer", layout: "Layout") -> int:
    print(f"  {layout.describe()}")
    load = functools.partial(_load, layout=layout)
    rounds: list[tuple[dict, dict, list[float]]] = []
    for round_ in range(args.repeat):
        with CpuShares(suite) as alone_cpu:
            alone = await load(suite.address("gate"), args, f"{layout.name[0]}a{round_}")
        stop = asyncio.Event()
        with CpuShares(suite) as loaded_cpu:
            filing = asyncio.create_task(filer.file(args.records_rate, stop))
            try:
                loaded = await load(suite.address("gate"), args, f"{layout.name[0]}b{round_}")
            finally:
                stop.set()
            filed = await filing
        # Records acknowledged in the measured window, up to a second before the load's last send.
        fresh, unseen = await filer.freshness(filed, loaded, window=(loaded["measured_from"], loaded["last_send"] - 1.0))
        rounds.append((alone, loaded, fresh))
        print(f"  round {round_ + 1}: gate alone p50 {alone['p50']:.2f} p99 {alone['p99']:.2f} ms; with filing p50 "
              f"{loaded['p50']:.2f} p99 {loaded['p99']:.2f} ms; {len(fresh)} records, freshness p50 "
              f"{percentile(fresh, 0.5):.0f} p99 {percentile(fresh, 0.99):.0f} max {fresh[-1] if fresh else 0:.0f} ms"
              f"{f', {unseen} not seen before the run ended' if unseen else ''}; load average {os.getloadavg()[0]:.2f}")
        print(f"    CPU, share of one core: alone {alone_cpu}; with filing {loaded_cpu}")
        if alone["errors"] or loaded["errors"]:
            print(f"  FAILED calls: {alone['errors'] or loaded['errors']}")
            return 1
    _report(rounds, layout)
    return 0


def _report(rounds, layout: Layout) -> None:
    def median(values):
        return statistics.median(values)
    alone_p99 = median([a["p99"] for a, _, _ in rounds])
    loaded_p99 = median([b["p99"] for _, b, _ in rounds])
    fresh_p99 = median([percentile(f, 0.99) for _, _, f in rounds])
    ratio = loaded_p99 / alone_p99 if alone_p99 else float("inf")
    print()
    print("medians of the rounds           without filing   with filing   ratio")
    for name in ("p50", "p99", "p999"):
        a, b = median([r[0][name] for r in rounds]), median([r[1][name] for r in rounds])
        print(f"  gate Decide {name:<5} ms          {a:10.2f}   {b:11.2f}   {b / a if a else float('inf'):5.2f}x")
    print(f"  freshness p50 / p99 / max ms                     {median([percentile(f, 0.5) for _, _, f in rounds]):.0f} / "
          f"{fresh_p99:.0f} / {median([f[-1] if f else 0 for _, _, f in rounds]):.0f}")
    print()
    print(f"goal (issue), {layout.describe()}")
    print("                                                  measured        goal")
    print(f"record acknowledged -> in the gate's decisions, p99 {fresh_p99:7.0f} ms   <= 200 ms   {'met' if fresh_p99 <= 200 else 'NOT met'}")
    print(f"gate p99 with filing / without                    {ratio:6.2f}x     <= 1.1x    {'met' if ratio <= 1.1 else 'NOT met'}")


class CpuShares:
    """CPU each process used during a run, as a share of one core: the suite's services, this
    process (the filing) and the load client (this process's waited-for children)."""

    def __init__(self, suite) -> None:
        self.pids = suite.pids()
        self.shares: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        found = {name: cpu_seconds(pid) or 0.0 for name, pid in self.pids.items()}
        mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        found["bench"] = mine.ru_utime + mine.ru_stime
        found["load client"] = children.ru_utime + children.ru_stime
        return found

    def __enter__(self) -> "CpuShares":
        self._started, self._wall = self._now(), time.perf_counter()
        return self

    def __exit__(self, *_exc) -> None:
        ended, wall = self._now(), time.perf_counter() - self._wall
        self.shares = {name: (ended[name] - self._started[name]) / wall for name in ended}

    def __str__(self) -> str:
        return ", ".join(f"{name} {share:.2f}" for name, share in self.shares.items())


class Filer:
    """Files records, and works out when each became visible in the gate's decisions."""

    def __init__(self, ingestion, classification) -> None:
        self.ingestion, self.classification = ingestion, classification
        self.next = 0

    def _record(self) -> tuple[str, ingestion_pb2.RecordInput]:
        self.next += 1
        key = enterprise_key(self.next, "460300")  # a region of its own: a subject nobody has filed about
        today = datetime.now(CST).date()
        return key, ingestion_pb2.RecordInput(
            source_id=f"F-{os.getpid()}-{self.next}", kind=common_pb2.RECORD_KIND_SMUGGLING_PENALTY,
            subject=common_pb2.SubjectId(enterprise=key),
            decided_on=common_pb2.Date(year=today.year, month=today.month, day=today.day))

    async def population(self, count: int) -> None:
        last = ""
        for _ in range(count // 500 + 1):
            records = [self._record()[1] for _ in range(min(500, count))]
            count -= len(records)
            if not records:
                break
            async for reply in self.ingestion.SubmitRecords(iter([ingestion_pb2.SubmitRecordsRequest(records=records)]),
                                                            metadata=DEPARTMENT):
                last = reply.results[-1].record.cursor
        if last:
            await self.classification.GetStatus(classification_pb2.GetStatusRequest(), metadata=READER)
            await self._revision(enterprise_key(self.next, "460300"), last)

    async def file(self, rate: float, stop: asyncio.Event) -> list[tuple[float, str, str]]:
        """(acknowledged, subject, cursor) of each record, filed open loop at ``rate`` until ``stop``."""
        found: list[tuple[float, str, str]] = []

        async def one(key, record) -> None:
            reply = await self.ingestion.SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=record), metadata=DEPARTMENT)
            found.append((time.perf_counter(), key, reply.record.cursor))

        start, tasks, i = time.perf_counter(), [], 0
        while not stop.is_set():
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(*self._record())))
            i += 1
        await asyncio.gather(*tasks)
        return found

    async def _revision(self, key: str, cursor: str) -> int:
        reply = await self.classification.GetSubjectClass(classification_pb2.GetSubjectClassRequest(
            subject=common_pb2.SubjectId(enterprise=key), min_record_cursor=cursor), metadata=READER, timeout=60)
        return reply.subject_class.revision

    async def freshness(self, filed, load: dict, *, window: tuple[float, float]) -> tuple[list[float], int]:
        """Milliseconds from acknowledged to visible, sorted, of the records acknowledged in
        ``window``; and how many of them were not visible before the run ended."""
        answers = sorted(load["answers"])  # (finished, revision)
        finished = [a[0] for a in answers]
        found, unseen = [], 0
        for acknowledged, key, cursor in filed:
            if not window[0] <= acknowledged <= window[1]:
                continue
            revision = await self._revision(key, cursor)
            i = bisect.bisect_left(finished, acknowledged)
            while i < len(answers) and answers[i][1] < revision:
                i += 1
            if i == len(answers):
                unseen += 1
            else:
                found.append((answers[i][0] - acknowledged) * 1000)
        return sorted(found), unseen


async def _load(address: str, args, tag: str, *, layout: Layout) -> dict:
    """Run the load client process for one run; its summary."""
    command = json.dumps({"address": address, "rate": args.rate, "warmup": args.warmup, "duration": args.duration, "tag": tag})
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "secondline.cli.bench.freshness", command,
                                                   stdout=subprocess.PIPE)
    layout.load_client(process.pid)
    out, _ = await process.communicate()
    if process.returncode:
        raise RuntimeError(f"the load client failed (exit status {process.returncode})")
    return json.loads(out)


# -- the load client, a process of its own ---------------------------------------------------------

async def _open_loop(cmd: dict) -> dict:
    count = round(cmd["rate"] * (cmd["warmup"] + cmd["duration"]))
    payloads, _ = crossings(count, cmd["tag"], 1, Pools.make(0), 0.0, int(time.time()))
    # Each crossing is decided by its own port's lane system (lane/<PORT>, M-0), as in the gate benchmark.
    by_port: dict[str, tuple] = {}
    callers = [by_port.setdefault(port, lane_caller(port))
               for port in (gate_pb2.DecideRequest.FromString(p).crossing.port for p in payloads)]
    scheduled, finished, replies, errors = [0.0] * count, [0.0] * count, [b""] * count, []
    async with grpc.aio.insecure_channel(cmd["address"]) as channel:
        call = channel.unary_unary(DECIDE)

        async def one(i: int) -> None:
            try:
                replies[i] = await call(payloads[i], metadata=callers[i], timeout=30)
            except grpc.RpcError as error:
                errors.append(f"{error.code().name}: {error.details()}")
            finished[i] = time.perf_counter()

        start, tasks = time.perf_counter() + 0.01, []
        for i in range(count):
            due = start + i / cmd["rate"]
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            scheduled[i] = due
            tasks.append(asyncio.create_task(one(i)))
        await asyncio.gather(*tasks)
    warm = round(cmd["rate"] * cmd["warmup"])
    latencies = sorted((finished[i] - scheduled[i]) * 1000 for i in range(warm, count) if replies[i])
    answers = [(finished[i], gate_pb2.DecideResponse.FromString(replies[i]).decision.classification_revision)
               for i in range(count) if replies[i]]
    return {"p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99), "p999": percentile(latencies, 0.999),
            "errors": errors[:5], "answers": answers, "measured_from": start + warm / cmd["rate"], "last_send": scheduled[-1]}


if __name__ == "__main__":
    print(json.dumps(_loop().run_until_complete(_open_loop(json.loads(sys.argv[1])))))

"""``secondline demo``: the suite at work on a realistic population, end to end, with a report.

1. Start the suite on the embedded default (ingestion, classification and the lane gate, each
   in its own process, SQLite files in the data folder).
2. Generate a synthetic population (``secondline.cli.demo.population``): business entities and
   individuals with valid identifiers, and the departments' records about them.
3. Ingest it over gRPC with a progress bar: the history through ``BackfillRecords`` with its
   original receipt instants (so that R-5 lateness is the records' own), today's records through
   ``SubmitRecords``, one stream per department, authenticated as that department (R-1).
4. Wait until classification has applied the last record and the gate's snapshot has caught up
   with classification's revision.
5. Read every filed subject's class now (E, P rules).
6. Replay a day of crossings at the ten ports through the gate's ``Decide``, several lanes
   calling at once, timing every call; replay a sample of logged decisions (M-3).
7. File fresh records one at a time and time until the gate's decisions reflect each.
8. Report: printed, and written as a self-contained HTML page with charts
   (``secondline.cli.demo.report``).

The services run on the real clock: every decision date is today (CST) or before, and the
crossings are today's.
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.classification.v1.classification_pb2_grpc import ClassificationServiceStub
from secondline.common.v1 import common_pb2
from secondline.dates import cst_date
from secondline.cli.demo.population import Population, Probe, generate_crossings, generate_population
from secondline.cli.demo.report import (
    ClassTally, Freshness, GateFigures, IngestFigures, Results, html_report, text_report,
)
from secondline.gate.v1 import gate_pb2
from secondline.gate.v1.gate_pb2_grpc import GateServiceStub
from secondline.ingestion.v1 import ingestion_pb2 as pb
from secondline.ingestion.v1.ingestion_pb2_grpc import IngestionServiceStub
from secondline.rules_config import load_rules
from secondline.services.gate.measures import load_measures
from secondline.cli.up.suite import Suite, running_suite

Out = Callable[[str], None]


class DemoError(RuntimeError):
    """The demo could not finish: a call failed or the suite did not catch up in time."""


HEADER = "x-secondline-principal"
LANE = ((HEADER, "service/lane"),)  # the ports' lane systems
OPERATOR = ((HEADER, "operator/demo"),)
CHUNK = 500  # records per stream message: the fast way to file in bulk
HISTORY_STREAMS = 3
REPORT_NAME = "secondline-demo-report.html"
DEFAULT_SUBJECTS = 50_000
DEFAULT_CROSSINGS = 50_000
DEFAULT_LANES = 8
DEFAULT_PROBES = 20
QUIET_CALLS = 2000  # crossings decided one call at a time, for latency without queueing
CATCH_UP_TIMEOUT = 300.0


def run_demo(data_dir: Path | None = None, out: Out = print, *, subjects: int = DEFAULT_SUBJECTS,
             crossings: int = DEFAULT_CROSSINGS, lanes: int = DEFAULT_LANES, probes: int = DEFAULT_PROBES,
             seed: int = 1, report: Path | None = None, tty: bool | None = None) -> Path:
    """Run the demo (in a fresh temporary folder unless ``data_dir``); return the HTML report's path.

    The report goes to ``report``, else into ``data_dir``, else to the current directory (a
    temporary data folder is removed at the end)."""
    if tty is None:
        tty = out is print and sys.stdout.isatty()
    if report is None:
        report = (data_dir if data_dir is not None else Path.cwd()) / REPORT_NAME
    demo = _Demo(out, tty, subjects=subjects, crossings=crossings, lanes=lanes, probes=probes, seed=seed,
                 keep=data_dir is not None)
    if data_dir is None:
        with tempfile.TemporaryDirectory(prefix="secondline-demo-") as tmp:
            results = demo.run(Path(tmp))
    else:
        results = demo.run(data_dir)
    report = report.resolve()
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(html_report(results), encoding="utf-8")
    out("")
    out(text_report(results))
    out(f"\nReport written to {report}")
    return report


class Progress:
    """A progress bar on a terminal; elsewhere (a log, a pipe) a line every few seconds."""

    def __init__(self, out: Out, tty: bool, label: str, total: int, unit: str, *, rate: bool = True,
                 every: float = 5.0) -> None:
        self.out, self.tty, self.label, self.total, self.unit = out, tty, label, max(total, 1), unit
        self.rate = rate  # whether a rate means anything (not for catching up with a moving target)
        self.every = every
        self.started = time.monotonic()
        self.shown = self.started if not tty else 0.0  # off a terminal, the first line after `every`
        self.done = 0

    def update(self, done: int) -> None:
        self.done = done
        now = time.monotonic()
        if now - self.shown >= (0.1 if self.tty else self.every):
            self.shown = now
            self._show(now)

    def finish(self, note: str = "") -> None:
        now = time.monotonic()
        line = self._line(now, final=True) + (f"  {note}" if note else "")
        if self.tty:
            sys.stdout.write("\r\x1b[2K" + line + "\n")
            sys.stdout.flush()
        else:
            self.out(line)

    def _show(self, now: float) -> None:
        if self.tty:
            sys.stdout.write("\r\x1b[2K" + self._line(now))
            sys.stdout.flush()
        else:
            self.out(self._line(now))

    def _line(self, now: float, final: bool = False) -> str:
        elapsed = now - self.started
        share = min(1.0, self.done / self.total)
        filled = int(share * 30)
        bar = "#" * filled + ("-" * (30 - filled))
        rate = self.done / elapsed if elapsed > 0 else 0.0
        if final:
            tail = f"{elapsed:.1f} s"
        elif self.rate and rate > 0 and elapsed > 1.0:
            tail = f"eta {(self.total - self.done) / rate:.0f} s"
        else:
            tail = f"{elapsed:.0f} s"
        speed = f"{rate:,.0f}/s  " if self.rate else ""
        return f"  {self.label:<22}[{bar}] {share:4.0%}  {self.done:,}/{self.total:,} {self.unit}  {speed}{tail}"


class _Demo:
    def __init__(self, out: Out, tty: bool, *, subjects: int, crossings: int, lanes: int, probes: int, seed: int,
                 keep: bool) -> None:
        self.out, self.tty = out, tty
        self.subjects, self.crossings, self.lanes, self.probes, self.seed = subjects, crossings, lanes, probes, seed
        self.keep = keep  # whether the data folder outlives the demo

    def progress(self, label: str, total: int, unit: str, *, rate: bool = True) -> Progress:
        return Progress(self.out, self.tty, label, total, unit, rate=rate)

    def run(self, data_dir: Path) -> Results:
        out = self.out
        now = datetime.now(timezone.utc)
        today = cst_date(now)
        rules = load_rules().in_force(today)
        out(f"Secondline demo, {today} (CST). Starting the suite in {data_dir} ...")
        started = time.monotonic()
        with running_suite(data_dir) as suite:
            out(f"  {len(suite.services)} services SERVING after {time.monotonic() - started:.1f} s: "
                + ", ".join(f"{name} {s.address}" for name, s in suite.services.items()))
            population = generate_population(self.subjects, seed=self.seed, now=now, rules=rules, probes=self.probes)
            out(_describe_population(population))
            try:
                results = asyncio.run(self._tour(suite, population))
            except (grpc.RpcError, TimeoutError) as error:
                what = (f"a call failed, {error.code().name}: {error.details()}" if isinstance(error, grpc.RpcError)
                        else str(error))
                gone = suite.exited()
                if gone is not None:
                    what += f"\nservice {gone.name} exited; the end of {gone.log_path}:\n{gone.log_tail()}"
                else:
                    what += f"\nthe services' logs are in {data_dir / 'logs'}" + (
                        "" if self.keep else " (removed with the temporary folder: pass --data DIR to keep them)")
                raise DemoError(what) from None
        out("Suite stopped.")
        return results

    async def _tour(self, suite: Suite, population: Population) -> Results:
        big = [("grpc.max_receive_message_length", 64 << 20), ("grpc.max_send_message_length", 64 << 20)]
        async with (grpc.aio.insecure_channel(suite.address("ingestion"), options=big) as ingestion_channel,
                    grpc.aio.insecure_channel(suite.address("classification"), options=big) as classification_channel,
                    grpc.aio.insecure_channel(suite.address("gate"), options=big) as gate_channel):
            ingestion = IngestionServiceStub(ingestion_channel)
            classification = ClassificationServiceStub(classification_channel)
            gate = GateServiceStub(gate_channel)
            results = Results(day=population.today, seed=self.seed, subjects=population.subjects,
                              enterprises=len(population.enterprises), individuals=len(population.individuals),
                              filed_subjects=len(population.filed_subjects()),
                              kinds=population.kinds())
            self.out("\nIngesting the population")
            results.ingest, last_cursor = await self._ingest(ingestion, population)
            self.out("\nWaiting until classification and the gate have caught up")
            await self._catch_up(classification, gate, last_cursor, results.ingest)
            self.out("\nReading every filed subject's class now")
            results.classes = await self._classes(classification, population)
            day_crossings = generate_crossings(population, self.crossings, day=population.today, seed=self.seed)
            self.out(f"\nReplaying a day of crossings: {len(day_crossings):,} at {len({c.port for c in day_crossings})} ports, "
                     f"{self.lanes} lanes calling the gate at once")
            results.gate = await self._replay(gate, day_crossings)
            self.out(f"\nRecord-to-gate freshness: {len(population.probes)} fresh records filed one at a time")
            results.freshness = await self._freshness(ingestion, classification, gate, population.probes)
            status = await gate.GetGateStatus(gate_pb2.GetGateStatusRequest(), metadata=LANE, timeout=10)
            results.gate.status = status
            results.gate.status_text = _status_text(status)
        return results

    # --- ingestion ------------------------------------------------------------------------------

    async def _ingest(self, stub: IngestionServiceStub, population: Population) -> tuple[IngestFigures, int]:
        history = [f for f in population.filings if f.received is not None]
        live: dict[str, list[pb.RecordInput]] = {}
        for f in population.filings:
            if f.received is None:
                live.setdefault(f.department, []).append(f.record)
        total = len(population.filings)
        bar = self.progress("records filed", total, "records")
        figures = IngestFigures(records=total, history=len(history), live=total - len(history),
                                live_departments=len(live))
        state = {"done": 0, "cursor": 0}
        errors: list[str] = []

        def take(results) -> None:
            for result in results:
                if result.WhichOneof("result") == "record":
                    state["cursor"] = max(state["cursor"], int(result.record.cursor))
                    figures.late += result.record.late
                    figures.replayed += result.replayed
                else:
                    figures.refused += 1
                    if len(errors) < 5:
                        errors.append(f"{result.error.message}")
            state["done"] += len(results)
            bar.update(state["done"])

        async def backfill(part: list) -> None:
            requests = []
            for i in range(0, len(part), CHUNK):
                message = pb.BackfillRecordsRequest(view=pb.RECORD_VIEW_BASIC)
                for f in part[i:i + CHUNK]:
                    message.records.add(source=common_pb2.Department.Value("DEPARTMENT_" + f.department),
                                        record=f.record, submitted_at=_timestamp(f.received))
                requests.append(message)
            async for response in stub.BackfillRecords(iter(requests), metadata=OPERATOR, timeout=CATCH_UP_TIMEOUT):
                take(response.results)

        async def submit(department: str, records: list[pb.RecordInput]) -> None:
            requests = [pb.SubmitRecordsRequest(records=records[i:i + CHUNK], view=pb.RECORD_VIEW_BASIC)
                        for i in range(0, len(records), CHUNK)]
            principal = ((HEADER, f"department/{department}"),)
            async for response in stub.SubmitRecords(iter(requests), metadata=principal, timeout=CATCH_UP_TIMEOUT):
                take(response.results)

        started = time.monotonic()
        parts = [history[i::HISTORY_STREAMS] for i in range(HISTORY_STREAMS)]
        await asyncio.gather(*(backfill(p) for p in parts if p), *(submit(d, r) for d, r in sorted(live.items())))
        figures.seconds = time.monotonic() - started
        bar.finish(f"{figures.late:,} late (R-5), {figures.refused:,} refused")
        if errors:
            figures.problems.append(f"{figures.refused} records refused, e.g. {errors[0]}")
        return figures, state["cursor"]

    async def _catch_up(self, classification: ClassificationServiceStub, gate: GateServiceStub, cursor: int,
                        figures: IngestFigures) -> None:
        started = time.monotonic()
        bar = self.progress("classification", cursor, "records", rate=False)
        deadline = started + CATCH_UP_TIMEOUT
        while True:
            status = await classification.GetStatus(cpb.GetStatusRequest(), metadata=OPERATOR, timeout=10)
            applied = int(status.record_cursor or 0)
            bar.update(applied)
            if applied >= cursor:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"classification applied {applied} of {cursor} records in {CATCH_UP_TIMEOUT:.0f} s")
            await asyncio.sleep(0.1)
        figures.classified_after = time.monotonic() - started
        figures.revision = status.revision
        bar.finish(f"revision {status.revision:,}")
        bar = self.progress("gate snapshot", status.revision, "revisions", rate=False)
        while True:
            gate_status = await gate.GetGateStatus(gate_pb2.GetGateStatusRequest(), metadata=LANE, timeout=10)
            bar.update(gate_status.classification_revision)
            if gate_status.loaded and gate_status.classification_revision >= status.revision:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"the gate reached revision {gate_status.classification_revision} "
                                   f"of {status.revision} in {CATCH_UP_TIMEOUT:.0f} s")
            await asyncio.sleep(0.05)
        figures.gate_after = time.monotonic() - started
        figures.gate_subjects = gate_status.subjects
        bar.finish(f"{gate_status.subjects:,} subjects held")

    async def _classes(self, stub: ClassificationServiceStub, population: Population) -> ClassTally:
        subjects = population.filed_subjects()
        tally = ClassTally(enterprises=len(population.enterprises), individuals=len(population.individuals))
        bar = self.progress("classes read", len(subjects), "subjects")
        now = _timestamp(datetime.now(timezone.utc))
        for i in range(0, len(subjects), 1000):
            reply = await stub.BatchGetSubjectClasses(
                cpb.BatchGetSubjectClassesRequest(subjects=subjects[i:i + 1000], as_of=now), metadata=OPERATOR, timeout=60)
            for answer in reply.subject_classes:
                tally.add(answer)
            bar.update(min(i + 1000, len(subjects)))
        bar.finish()
        return tally

    # --- the gate ---------------------------------------------------------------------------

    async def _replay(self, stub: GateServiceStub, crossings: list[gate_pb2.Crossing]) -> GateFigures:
        """Decide every crossing once: a sample one call at a time (latency without queueing), the rest
        from several lanes at once (throughput, and latency under load)."""
        measures = load_measures()
        figures = GateFigures(lanes=self.lanes, crossings=len(crossings))
        quiet_count = min(QUIET_CALLS, len(crossings) // 10)
        step = len(crossings) // quiet_count if quiet_count else 0
        quiet = set(range(0, step * quiet_count, step)) if quiet_count else set()
        busy = [i for i in range(len(crossings)) if i not in quiet]
        bar = self.progress("crossings decided", len(crossings), "crossings")
        latencies: list[int] = [0] * len(crossings)
        decisions: list[gate_pb2.Decision | None] = [None] * len(crossings)
        done = [0]

        async def decide(index: int) -> None:
            request = gate_pb2.DecideRequest(crossing=crossings[index])
            sent = time.perf_counter_ns()
            reply = await stub.Decide(request, metadata=LANE, timeout=10)
            latencies[index] = time.perf_counter_ns() - sent
            decisions[index] = reply.decision
            done[0] += 1
            if done[0] % 100 == 0:
                bar.update(done[0])

        async def lane(queue) -> None:
            for index in queue:
                await decide(index)

        # A short warm-up (connections, first-call costs), not counted: crossings of its own.
        for n, crossing in enumerate(crossings[:50]):
            warm = gate_pb2.Crossing()
            warm.CopyFrom(crossing)
            warm.crossing_id = f"WARMUP-{n:03d}"
            await stub.Decide(gate_pb2.DecideRequest(crossing=warm), metadata=LANE, timeout=10)
        for index in sorted(quiet):
            await decide(index)
        started = time.monotonic()
        queue = iter(busy)
        await asyncio.gather(*(lane(queue) for _ in range(self.lanes)))
        figures.seconds = time.monotonic() - started
        bar.update(done[0])
        bar.finish()
        figures.quiet_us = [latencies[i] / 1000 for i in sorted(quiet)]
        figures.busy_us = [latencies[i] / 1000 for i in busy]
        for crossing, decision in zip(crossings, decisions):
            figures.add(crossing, decision, measures)
        figures.replayed, figures.replay_matched, figures.replay_mismatches = await self._replay_sample(stub, decisions)
        return figures

    async def _replay_sample(self, stub: GateServiceStub, decisions) -> tuple[int, int, list[str]]:
        """M-3: a sample of logged decisions decided again from what they recorded."""
        rng = random.Random(self.seed)
        sample = rng.sample(decisions, min(100, len(decisions)))
        matched, mismatches = 0, []
        for decision in sample:
            reply = await stub.ReplayDecision(gate_pb2.ReplayDecisionRequest(decision_id=decision.decision_id),
                                              metadata=LANE, timeout=30)
            if reply.matches:
                matched += 1
            elif len(mismatches) < 5:
                mismatches.append(decision.crossing_id)
        return len(sample), matched, mismatches

    async def _freshness(self, ingestion: IngestionServiceStub, classification: ClassificationServiceStub,
                         gate: GateServiceStub, probes: list[Probe]) -> list[Freshness]:
        found = []
        bar = self.progress("fresh records", len(probes), "records")
        for n, probe in enumerate(probes, 1):
            found.append(await self._probe(ingestion, classification, gate, probe, n))
            bar.update(n)
        bar.finish()
        return found

    async def _probe(self, ingestion: IngestionServiceStub, classification: ClassificationServiceStub,
                     gate: GateServiceStub, probe: Probe, n: int) -> Freshness:
        principal = ((HEADER, f"department/{probe.department}"),)
        subject = common_pb2.SubjectId(**{probe.subject_type: probe.key})
        started = time.perf_counter()
        reply = await ingestion.SubmitRecord(pb.SubmitRecordRequest(record=probe.record), metadata=principal, timeout=10)
        acknowledged = time.perf_counter() - started

        async def classified() -> float:
            await classification.GetSubjectClass(
                cpb.GetSubjectClassRequest(subject=subject, min_record_cursor=reply.record.cursor),
                metadata=OPERATOR, timeout=30)
            return time.perf_counter() - started

        async def at_gate() -> float | None:
            deadline = started + 30.0
            polls = 0
            while time.perf_counter() < deadline:
                polls += 1
                crossing = gate_pb2.Crossing(crossing_id=f"PROBE-{n:03d}-{polls:05d}", port="HAIKOU_XINHAI")
                crossing.at.CopyFrom(_timestamp(datetime.now(timezone.utc)))
                if probe.subject_type == "enterprise":
                    crossing.enterprise = probe.key
                else:
                    crossing.individuals.add(id=probe.key, role=gate_pb2.ROLE_TRAVELLER)
                decision = (await gate.Decide(gate_pb2.DecideRequest(crossing=crossing), metadata=LANE, timeout=10)).decision
                party = decision.parties[0]
                if party.credit_class == probe.expect_class and (not probe.expect_flag or probe.expect_flag in party.flags):
                    return time.perf_counter() - started
                await asyncio.sleep(0.002)
            return None

        to_class, to_gate = await asyncio.gather(classified(), at_gate())
        return Freshness(probe.what, acknowledged, to_class, to_gate)


def _describe_population(population: Population) -> str:
    kinds = population.kinds()
    departments = len({d for d, _ in kinds})
    foreign = sum(":" in key for key in population.individuals)
    return (f"Population: {population.subjects:,} subjects ({len(population.enterprises):,} business entities, "
            f"{len(population.individuals):,} individuals of whom {foreign:,} travel on a passport or permit); "
            f"{len(population.filings):,} records from {departments} departments about "
            f"{len(population.filed_subjects()):,} of them")


def _status_text(status: gate_pb2.GetGateStatusResponse) -> str:
    age = status.snapshot_age.seconds + status.snapshot_age.nanos / 1e9
    return (f"revision {status.classification_revision:,}, {status.subjects:,} subjects held, snapshot heard "
            f"{age:.1f} s ago{', DEGRADED' if status.degraded else ''}; decisions logged {status.decisions_logged:,}, "
            f"queued {status.decisions_queued:,}, dropped {status.decisions_dropped:,}")


def _timestamp(instant: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(instant)
    return stamp


__all__ = ["DemoError", "Progress", "run_demo"]

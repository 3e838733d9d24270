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
   Meanwhile two partner regions and an AEO mutual-recognition partner send signed envelopes
   through recognition (``secondline.cli.demo.partners``), and the past weeks of objections and
   repair applications are replayed on the objection service (``secondline.cli.demo.objections``).
6. Replay a day of crossings at the ten ports through the gate's ``Decide``, several lanes
   calling at once, timing every call; replay a sample of logged decisions (M-3).
7. File fresh records one at a time and time until the gate's decisions reflect each.
8. Fetch a checkpoint, an inclusion and a consistency proof from recognition and check them with
   ``secondline verify``.
9. Report: printed, and written as a self-contained HTML page with charts
   (``secondline.cli.demo.report``).

The services run on the real clock: every decision date is today (CST) or before, and the
crossings are today's.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import grpc

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.classification.v1.classification_pb2_grpc import ClassificationServiceStub
from secondline.common.v1 import common_pb2
from secondline.dates import cst_date
from secondline.cli.demo.population import Population, describe, generate_crossings, generate_population
from secondline.cli.demo.report import (
    ClassTally, IngestFigures, Results, html_report, text_report,
)
from secondline.gate.v1 import gate_pb2
from secondline.gate.v1.gate_pb2_grpc import GateServiceStub
from secondline.ingestion.v1 import ingestion_pb2 as pb
from secondline.ingestion.v1.ingestion_pb2_grpc import IngestionServiceStub
from secondline.rpc.convert import timestamp
from secondline.rules_config import load_rules
from secondline.cli.up.suite import Suite, running_suite
from secondline.cli.demo.at_gate import OPERATOR, STATUS_READER, GateTour, status_text
from secondline.cli.demo.objections import ObjectionTour, replay_start
from secondline.cli.demo.partners import PartnerExchange, configure_partners, envelopes
from secondline.cli.demo.progress import Out, Progress
from secondline.cli.demo.services import demo_services
from secondline.recognition.v1.recognition_pb2_grpc import RecognitionServiceStub

class DemoError(RuntimeError):
    """The demo could not finish: a call failed or the suite did not catch up in time."""


HEADER = "x-secondline-principal"
CHUNK = 500  # records per stream message: the fast way to file in bulk
HISTORY_STREAMS = 3
REPORT_NAME = "secondline-demo-report.html"
DEFAULT_SUBJECTS = 50_000
DEFAULT_CROSSINGS = 50_000
DEFAULT_LANES = 8
DEFAULT_PROBES = 20
DEFAULT_OBJECTIONS = 200
DEFAULT_PARTNER_RECORDS = 200
CATCH_UP_TIMEOUT = 300.0


def run_demo(data_dir: Path | None = None, out: Out = print, *, subjects: int = DEFAULT_SUBJECTS,
             crossings: int = DEFAULT_CROSSINGS, lanes: int = DEFAULT_LANES, probes: int = DEFAULT_PROBES,
             objections: int = DEFAULT_OBJECTIONS, partner_records: int = DEFAULT_PARTNER_RECORDS,
             seed: int = 1, report: Path | None = None, tty: bool | None = None) -> Path:
    """Run the demo (in a fresh temporary folder unless ``data_dir``); return the HTML report's path.

    The report goes to ``report``, else into ``data_dir``, else to the current directory (a
    temporary data folder is removed at the end)."""
    if tty is None:
        tty = out is print and sys.stdout.isatty()
    if report is None:
        report = (data_dir if data_dir is not None else Path.cwd()) / REPORT_NAME
    demo = _Demo(out, tty, subjects=subjects, crossings=crossings, lanes=lanes, probes=probes, seed=seed,
                 keep=data_dir is not None, objections=objections, partner_records=partner_records)
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


class _Demo:
    def __init__(self, out: Out, tty: bool, *, subjects: int, crossings: int, lanes: int, probes: int, seed: int,
                 keep: bool, objections: int, partner_records: int) -> None:
        self.out, self.tty = out, tty
        self.subjects, self.crossings, self.lanes, self.probes, self.seed = subjects, crossings, lanes, probes, seed
        self.objections, self.partner_records = objections, partner_records
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
        partners_file, self.partner_keys = configure_partners(data_dir / "config")
        self.now = now
        with running_suite(data_dir, services=demo_services(partners_file, replay_start(now))) as suite:
            out(f"  {len(suite.services)} services SERVING after {time.monotonic() - started:.1f} s: "
                + ", ".join(f"{name} {s.address}" for name, s in suite.services.items()))
            population = generate_population(self.subjects, seed=self.seed, now=now, rules=rules, probes=self.probes)
            out(describe(population))
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
                    grpc.aio.insecure_channel(suite.address("gate"), options=big) as gate_channel,
                    grpc.aio.insecure_channel(suite.address("objection")) as objection_channel,
                    grpc.aio.insecure_channel(suite.address("recognition")) as recognition_channel):
            ingestion = IngestionServiceStub(ingestion_channel)
            classification = ClassificationServiceStub(classification_channel)
            gate = GateServiceStub(gate_channel)
            results = Results(day=population.today, seed=self.seed, subjects=population.subjects,
                              enterprises=len(population.enterprises), individuals=len(population.individuals),
                              filed_subjects=len(population.filed_subjects()),
                              kinds=population.kinds())
            self.out("\nIngesting the population")
            results.ingest, last_cursor = await self._ingest(ingestion, population)
            exchange = PartnerExchange(RecognitionServiceStub(recognition_channel), suite.data_dir / "verify",
                                       suite.data_dir / "recognition-keys" / "public-keys.json")
            sets = envelopes(self.partner_keys, population.enterprises, self.partner_records, seed=self.seed, now=self.now)
            self.out(f"\nPartners send {sum(map(len, sets.values()))} signed envelopes ({', '.join(sets)}) through recognition")
            results.partners = p = await exchange.send(sets)
            self.out(f"  {sum(p.accepted.values()):,} accepted, {sum(p.refused.values()):,} refused in {p.seconds:.1f} s")
            tour = ObjectionTour(population, load_rules().in_force(population.today), count=self.objections,
                                 seed=self.seed, now=self.now)
            self.out(f"\nReplaying the past {tour.days} days of objections and repair applications on the objection service")
            results.objections = o = await tour.run(objection_channel, ingestion)
            self.out(f"  {o.filed:,} objections and {o.applied:,} repair applications in {o.seconds:.1f} s")
            self.out("\nWaiting until classification and the gate have caught up")
            await self._catch_up(classification, gate, max(last_cursor, exchange.cursor, tour.cursor), results.ingest)
            self.out("\nReading every filed subject's class now")
            results.classes = await self._classes(classification, population)
            await exchange.classes(classification, datetime.now(timezone.utc))
            await exchange.verify()
            day_crossings = generate_crossings(population, self.crossings, day=population.today, seed=self.seed,
                                              until=datetime.now(timezone.utc))
            self.out(f"\nReplaying a day of crossings: {len(day_crossings):,} at {len({c.port for c in day_crossings})} ports, "
                     f"{self.lanes} lanes calling the gate at once")
            at_gate = GateTour(self.progress, lanes=self.lanes, seed=self.seed)
            results.gate = await at_gate.replay(gate, day_crossings)
            self.out(f"\nRecord-to-gate freshness: {len(population.probes)} fresh records filed one at a time")
            results.freshness = await at_gate.freshness(ingestion, classification, gate, population.probes)
            status = await gate.GetGateStatus(gate_pb2.GetGateStatusRequest(), metadata=STATUS_READER, timeout=10)
            results.gate.status = status
            results.gate.status_text = status_text(status)
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
                                        record=f.record, submitted_at=timestamp(f.received))
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
            gate_status = await gate.GetGateStatus(gate_pb2.GetGateStatusRequest(), metadata=STATUS_READER, timeout=10)
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
        now = timestamp(datetime.now(timezone.utc))
        for i in range(0, len(subjects), 1000):
            reply = await stub.BatchGetSubjectClasses(
                cpb.BatchGetSubjectClassesRequest(subjects=subjects[i:i + 1000], as_of=now), metadata=OPERATOR, timeout=60)
            for answer in reply.subject_classes:
                tally.add(answer)
            bar.update(min(i + 1000, len(subjects)))
        bar.finish()
        return tally

__all__ = ["DemoError", "run_demo"]

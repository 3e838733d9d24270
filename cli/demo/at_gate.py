"""The demo at the gate: a day of crossings decided, a sample of them replayed (M-3), and the time
from a fresh record to the gate's decisions (record-to-gate freshness)."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from datetime import datetime, timezone

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.classification.v1.classification_pb2_grpc import ClassificationServiceStub
from secondline.cli.demo.figures import Freshness, GateFigures
from secondline.cli.demo.population import Probe
from secondline.cli.demo.progress import Progress
from secondline.common.v1 import common_pb2
from secondline.gate.v1 import gate_pb2
from secondline.gate.v1.gate_pb2_grpc import GateServiceStub
from secondline.ingestion.v1 import ingestion_pb2 as pb
from secondline.ingestion.v1.ingestion_pb2_grpc import IngestionServiceStub
from secondline.rpc.convert import timestamp
from secondline.services.gate.measures import load_measures

HEADER = "x-secondline-principal"
LANES: dict[str, tuple] = {}  # the ports' lane systems, lane/<PORT>: each decides crossings at its own port
STATUS_READER = ((HEADER, "lane/HAIKOU"),)


def lane_of(port: str) -> tuple:
    """The metadata of the port's lane system (it decides crossings at its own port only, M-0)."""
    return LANES.get(port) or LANES.setdefault(port, ((HEADER, f"lane/{port}"),))
OPERATOR = ((HEADER, "operator/demo"),)
QUIET_CALLS = 2000  # crossings decided one call at a time, for latency without queueing


class GateTour:
    """The gate's part of the tour: ``lanes`` lane systems calling at once, drawn from ``seed``."""

    def __init__(self, progress: Callable[..., Progress], *, lanes: int, seed: int) -> None:
        self.progress, self.lanes, self.seed = progress, lanes, seed

    async def replay(self, stub: GateServiceStub, crossings: list[gate_pb2.Crossing]) -> GateFigures:
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
            reply = await stub.Decide(request, metadata=lane_of(crossings[index].port), timeout=10)
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
            await stub.Decide(gate_pb2.DecideRequest(crossing=warm), metadata=lane_of(warm.port), timeout=10)
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
                                              metadata=OPERATOR, timeout=30)
            if reply.matches:
                matched += 1
            elif len(mismatches) < 5:
                mismatches.append(decision.crossing_id)
        return len(sample), matched, mismatches

    async def freshness(self, ingestion: IngestionServiceStub, classification: ClassificationServiceStub,
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
                crossing.at.CopyFrom(timestamp(datetime.now(timezone.utc)))
                if probe.subject_type == "enterprise":
                    crossing.enterprise = probe.key
                else:
                    crossing.individuals.add(id=probe.key, role=gate_pb2.ROLE_TRAVELLER)
                decision = (await gate.Decide(gate_pb2.DecideRequest(crossing=crossing), metadata=lane_of(crossing.port), timeout=10)).decision
                party = decision.parties[0]
                if party.credit_class == probe.expect_class and (not probe.expect_flag or probe.expect_flag in party.flags):
                    return time.perf_counter() - started
                await asyncio.sleep(0.002)
            return None

        to_class, to_gate = await asyncio.gather(classified(), at_gate())
        return Freshness(probe.what, acknowledged, to_class, to_gate)


def status_text(status: gate_pb2.GetGateStatusResponse) -> str:
    age = status.snapshot_age.seconds + status.snapshot_age.nanos / 1e9
    return (f"revision {status.classification_revision:,}, {status.subjects:,} subjects held, snapshot heard "
            f"{age:.1f} s ago{', DEGRADED' if status.degraded else ''}; decisions logged {status.decisions_logged:,}, "
            f"queued {status.decisions_queued:,}, dropped {status.decisions_dropped:,}")

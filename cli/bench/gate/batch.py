"""The gate benchmark's BatchDecide load: closed loops of batches, beside the echo at the same bytes.

A lane system that clears a convoy, or a port's back office catching up after an outage, sends
crossings in batches (``BatchDecide``, at most 1,000 a call). Each batch here is ``size``
crossings of one port, sent by that port's lane principal (M-0: a lane decides only its own
port's crossings), built from the same crossings as the single-call runs. ``concurrency``
callers each send their next batch as soon as the last is answered; the figure is decisions
answered per second within the measured window. The echo takes the same request bytes and
answers as many bytes as the gate's median batch answer, so that the ratio is the gate's work
beside gRPC's own for the same traffic.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict

import grpc

from secondline.cli.bench.common import percentile
from secondline.gate.v1 import gate_pb2

BATCH_METHOD = "/secondline.gate.v1.GateService/BatchDecide"


def batches(payloads: list[bytes], size: int) -> list[tuple[str, bytes, list[str]]]:
    """``(port, BatchDecideRequest bytes, crossing ids)`` of ``size`` crossings of one port each,
    from serialized DecideRequests; a port's last, short batch is left out."""
    by_port: dict[str, list[gate_pb2.Crossing]] = defaultdict(list)
    out = []
    for payload in payloads:
        crossing = gate_pb2.DecideRequest.FromString(payload).crossing
        group = by_port[crossing.port]
        group.append(crossing)
        if len(group) == size:
            out.append((crossing.port, gate_pb2.BatchDecideRequest(crossings=group).SerializeToString(),
                        [c.crossing_id for c in group]))
            by_port[crossing.port] = []
    return out


async def closed_loop(call, requests: list[tuple[str, bytes, list[str]]], callers: dict[str, tuple],
                      concurrency: int, warmup: float, duration: float) -> dict:
    """``concurrency`` callers sending batches back to back; what was answered in the window."""
    clock = time.perf_counter
    begin = clock()
    measured_from, end = begin + warmup, begin + warmup + duration
    cursor = itertools.cycle(range(len(requests)))  # the pool again when spent: crossing ids may repeat
    done: list[tuple[int, float, float]] = []  # (index, sent, finished)
    replies: dict[int, bytes] = {}
    errors: list[tuple[int, str, str]] = []

    async def caller() -> None:
        for i in cursor:
            sent = clock()
            if sent >= end:
                return
            port, payload, _ = requests[i]
            try:
                replies[i] = await call(payload, metadata=callers[port], timeout=60)
            except grpc.RpcError as error:
                errors.append((i, error.code().name, error.details()))
                continue
            done.append((i, sent, clock()))

    await asyncio.gather(*(caller() for _ in range(concurrency)))
    measured = [(i, s, f) for i, s, f in done if s >= measured_from and f <= end]
    latencies = sorted(f - s for _, s, f in measured)
    size = len(requests[0][2]) if requests else 0
    return {"measured": measured, "replies": replies, "errors": errors,
            "decisions_per_s": len(measured) * size / duration, "batches": len(measured), "size": size,
            "p50": percentile(latencies, 0.5) * 1000, "p99": percentile(latencies, 0.99) * 1000,
            "request_bytes": percentile(sorted(len(r[1]) for r in requests), 0.5),
            "response_bytes": percentile(sorted(len(b) for b in replies.values()), 0.5)}


def check_replies(target: str, run: dict, requests, expected_bytes: int | None) -> list[str]:
    """What is wrong with the answers: a gate batch must answer each crossing, in order."""
    problems = []
    for i, reply in run["replies"].items():
        _, _, ids = requests[i]
        if target == "echo":
            if expected_bytes is not None and len(reply) != expected_bytes:
                problems.append(f"batch {i}: echo answered {len(reply)} bytes, not {expected_bytes}")
            continue
        decisions = gate_pb2.BatchDecideResponse.FromString(reply).decisions
        answered = [d.crossing_id for d in decisions]
        if answered != ids or any(not d.decision_id or d.lane not in (1, 2, 3) or d.degraded for d in decisions):
            problems.append(f"batch {i}: {len(decisions)} decisions for {len(ids)} crossings, or one invalid")
    return problems


__all__ = ["BATCH_METHOD", "batches", "closed_loop", "check_replies"]

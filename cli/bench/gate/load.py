"""The gate benchmark's load generator: open and closed loops, and the summary of a run.

It runs as ``python -m secondline.cli.bench.gate client ...``, one JSON command a line on stdin.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import time
from dataclasses import dataclass, field

import grpc

from secondline.gate.v1 import gate_pb2
from secondline.cli.bench.common import percentile
from secondline.cli.bench.gate import batch
from secondline.cli.bench.gate.population import Pools, crossings
from secondline.cli.bench.gate.servers import _loop


def lane_caller(port: str) -> tuple[tuple[str, str], ...]:
    """The metadata a port's lane system calls the gate with (``lane/<PORT>``, M-0)."""
    return (("x-secondline-principal", f"lane/{port}"),)

OPERATOR = (("x-secondline-principal", "operator/bench"),)
DECIDE_METHOD = "/secondline.gate.v1.GateService/Decide"
ECHO_METHOD = "/secondline.bench.v1.Echo/Echo"
# What a server does when it cannot keep up: gRPC's core cancels calls the application has not
# taken in time. Counted as shed (a run that sheds is not sustained); any other failure is an error.
OVERLOAD = frozenset({"CANCELLED", "RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED"})


class LoadClient:
    """The load generator's state: channels per server, the pools of subjects crossings name."""

    def __init__(self, subjects: int, seed: int, known_share: float) -> None:
        self.pools = Pools.make(subjects)
        self.seed, self.known_share = seed, known_share
        self.channels: dict[tuple[str, int], list[grpc.aio.Channel]] = {}

    def _calls(self, address: str, target: str, channels: int = 1) -> list:
        """One call object per channel; requests go round them in turn. Several channels are
        several connections (each its own subchannel pool: gRPC would otherwise share one),
        which SO_REUSEPORT spreads over a gate's worker processes."""
        pool = self.channels.get((address, channels))
        if pool is None:
            options = [("grpc.use_local_subchannel_pool", 1)] if channels > 1 else None
            pool = self.channels[(address, channels)] = [grpc.aio.insecure_channel(address, options=options)
                                                         for _ in range(channels)]
        # The same identity (de)serializers for both servers: the client's cost is the same
        # bytes out and in; the gate's answers are parsed and checked after the clock stops.
        return [channel.unary_unary(ECHO_METHOD if target == "echo" else DECIDE_METHOD) for channel in pool]

    async def run(self, cmd: dict) -> dict:
        if cmd["mode"] == "batch":
            return await self.run_batches(cmd)
        calls = self._calls(cmd["address"], cmd["target"], cmd.get("channels", 1))
        if cmd["mode"] == "open":
            count = max(1, round(cmd["rate"] * (cmd["warmup"] + cmd["duration"])))
            warm = min(count - 1, round(cmd["rate"] * cmd["warmup"]))
        else:
            count = max(1, round(cmd.get("requests", 0)))
            warm = 0
        payloads, ids = crossings(count, cmd["tag"], self.seed, self.pools, self.known_share, int(time.time()))
        # Each crossing from its own port's lane (the gate refuses another port's); both servers get the same.
        by_port = {}
        callers = [by_port.setdefault(port, lane_caller(port))
                   for port in (gate_pb2.DecideRequest.FromString(p).crossing.port for p in payloads)]
        gc.collect()
        gc.disable()  # no collector pauses in the client while the clock runs (both servers alike)
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            if cmd["mode"] == "open":
                timing = await _open_loop(calls, payloads, callers, cmd["rate"], warm)
            else:
                timing = await _closed_loop(calls, payloads, callers, cmd["concurrency"], cmd["warmup"], cmd["duration"])
        finally:
            gc.enable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        summary = _summarize(cmd, timing, payloads, ids, warm)
        summary["client_cpu"] = cpu / wall if wall > 0 else 0.0
        return summary


    async def run_batches(self, cmd: dict) -> dict:
        """BatchDecide in closed loops (secondline.cli.bench.gate.batch)."""
        size, concurrency = cmd["size"], cmd["concurrency"]
        # A pool of batches, sent round and round (a crossing id may come again: the gate does
        # not mind); ports' short remainders are left out.
        count = max(cmd["crossings"], 20 * size)
        payloads, _ = crossings(count, cmd["tag"], self.seed, self.pools, self.known_share, int(time.time()))
        requests = batch.batches(payloads, size)
        pool = self.channels.get((cmd["address"], 1))
        if pool is None:
            pool = self.channels[(cmd["address"], 1)] = [grpc.aio.insecure_channel(cmd["address"])]
        call = pool[0].unary_unary(ECHO_METHOD if cmd["target"] == "echo" else batch.BATCH_METHOD)
        callers = {port: lane_caller(port) for port, _, _ in requests}
        gc.collect()
        gc.disable()
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            run = await batch.closed_loop(call, requests, callers, concurrency, cmd["warmup"], cmd["duration"])
        finally:
            gc.enable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        invalid = batch.check_replies(cmd["target"], run, requests, cmd.get("response_bytes"))
        errors = [f"batch {i}: {code}: {details}" for i, code, details in run["errors"]]
        return {"target": cmd["target"], "mode": "batch", "size": size, "concurrency": concurrency,
                "batches": run["batches"], "decisions_per_s": run["decisions_per_s"], "p50": run["p50"],
                "p99": run["p99"], "request_bytes": run["request_bytes"], "response_bytes": run["response_bytes"],
                "errors": len(errors), "first_errors": errors[:5], "invalid": len(invalid),
                "first_invalid": invalid[:5], "client_cpu": cpu / wall if wall > 0 else 0.0,
                "requests": run["batches"]}


@dataclass
class Timing:
    scheduled: list[float]
    sent: list[float]
    finished: list[float]
    replies: list
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (index, status code, details)
    window: tuple[float, float] | None = None  # closed loop: the measured interval


async def _open_loop(calls: list, payloads: list[bytes], callers: list, rate: float, warm: int) -> Timing:
    """Send ``payloads[i]`` at ``start + i / rate`` whatever the answers, on the channels in
    turn; record the times."""
    n = len(payloads)
    ways = len(calls)
    timing = Timing([0.0] * n, [0.0] * n, [0.0] * n, [None] * n)
    clock = time.perf_counter
    loop = asyncio.get_running_loop()

    async def one(i: int) -> None:
        try:
            timing.replies[i] = await calls[i % ways](payloads[i], metadata=callers[i], timeout=30)
        except grpc.RpcError as error:
            timing.errors.append((i, error.code().name, error.details()))
        timing.finished[i] = clock()

    tasks = []
    interval = 1.0 / rate
    start = clock() + 0.005
    behind = 0
    for i in range(n):
        due = start + i * interval
        delay = due - clock()
        if delay > 0:
            await asyncio.sleep(delay)
            behind = 0
        elif behind >= 16:  # late: catch up in bursts, but let answers in between
            await asyncio.sleep(0)
            behind = 0
        else:
            behind += 1
        timing.scheduled[i] = due
        timing.sent[i] = clock()
        tasks.append(loop.create_task(one(i)))
    await asyncio.gather(*tasks)
    return timing


async def _closed_loop(calls: list, payloads: list[bytes], callers: list, concurrency: int, warmup: float,
                       duration: float) -> Timing:
    """``concurrency`` callers, each sending its next request as soon as the last is answered,
    each on a channel of ``calls`` in turn."""
    n = len(payloads)
    timing = Timing([0.0] * n, [0.0] * n, [0.0] * n, [None] * n)
    clock = time.perf_counter
    begin = clock()
    measured_from, end = begin + warmup, begin + warmup + duration
    cursor = iter(range(n))

    async def caller(call) -> None:
        for i in cursor:
            now = clock()
            if now >= end:
                return
            timing.scheduled[i] = timing.sent[i] = now
            try:
                timing.replies[i] = await call(payloads[i], metadata=callers[i], timeout=30)
            except grpc.RpcError as error:
                timing.errors.append((i, error.code().name, error.details()))
            timing.finished[i] = clock()

    await asyncio.gather(*(caller(calls[k % len(calls)]) for k in range(concurrency)))
    timing.window = (measured_from, end)
    return timing


def _summarize(cmd: dict, t: Timing, payloads: list[bytes], ids: list[str], warm: int) -> dict:
    failed = {i for i, _, _ in t.errors}
    shed = [(i, code, details) for i, code, details in t.errors if code in OVERLOAD]
    errors = [(i, code, details) for i, code, details in t.errors if code not in OVERLOAD]
    if t.window is None:
        measured = [i for i in range(warm, len(payloads)) if t.sent[i] and i not in failed]
    else:
        lo, hi = t.window
        measured = [i for i in range(len(payloads)) if t.sent[i] and lo <= t.sent[i] and t.finished[i] <= hi
                    and i not in failed]
    invalid = []
    expected = cmd.get("response_bytes")
    for i in range(len(payloads)):
        reply = t.replies[i]
        if reply is None:
            continue
        if cmd["target"] == "echo":
            if expected is not None and len(reply) != expected:
                invalid.append(f"{ids[i]}: echo answered {len(reply)} bytes, not {expected}")
            continue
        decision = gate_pb2.DecideResponse.FromString(reply).decision
        if decision.crossing_id != ids[i] or decision.lane not in (1, 2, 3) or not decision.decision_id \
                or decision.degraded:  # a stale snapshot would not be the path measured
            invalid.append(f"{ids[i]}: decision for {decision.crossing_id!r}, lane {decision.lane}, "
                           f"id {decision.decision_id!r}, degraded {decision.degraded}")
    from_schedule = sorted(t.finished[i] - t.scheduled[i] for i in measured)
    from_send = sorted(t.finished[i] - t.sent[i] for i in measured)
    lag = sorted(t.sent[i] - t.scheduled[i] for i in measured)
    if t.window is None and measured:
        span = max(t.finished[i] for i in measured) - t.scheduled[measured[0]]
    else:
        span = t.window[1] - t.window[0] if t.window else 0.0
    replies = sorted(len(r) for r in t.replies if r is not None)
    ms = 1000.0
    return {
        "target": cmd["target"], "mode": cmd["mode"], "rate": cmd.get("rate"), "requests": len(payloads),
        "measured": len(measured), "shed": len(shed), "errors": len(errors),
        "first_errors": [f"{ids[i]}: {code}: {details}" for i, code, details in (errors or shed)[:5]],
        "invalid": len(invalid), "first_invalid": invalid[:5],
        "achieved": len(measured) / span if span > 0 else 0.0,
        "p50": percentile(from_schedule, 0.50) * ms, "p99": percentile(from_schedule, 0.99) * ms,
        "p999": percentile(from_schedule, 0.999) * ms, "max": (from_schedule[-1] * ms if from_schedule else 0.0),
        "send_p50": percentile(from_send, 0.50) * ms, "send_p99": percentile(from_send, 0.99) * ms,
        "lag_p99": percentile(lag, 0.99) * ms,
        "request_bytes": percentile(sorted(len(p) for p in payloads), 0.5),
        "response_bytes": percentile(replies, 0.5),
    }


def client(argv: list[str]) -> int:
    """The load generator: one JSON command a line on stdin, one JSON result a line on stdout."""
    parser = argparse.ArgumentParser(prog="secondline.cli.bench.gate client")
    parser.add_argument("--subjects", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--known-share", type=float, required=True)
    args = parser.parse_args(argv)
    loop = _loop()
    asyncio.set_event_loop(loop)
    load = LoadClient(args.subjects, args.seed, args.known_share)
    gc.freeze()  # the pools are permanent: keep them out of the collector's walks
    print("READY client", flush=True)
    for line in sys.stdin:
        result = loop.run_until_complete(load.run(json.loads(line)))
        print(json.dumps(result), flush=True)
    for pool in load.channels.values():
        for channel in pool:
            loop.run_until_complete(channel.close())
    loop.close()
    return 0


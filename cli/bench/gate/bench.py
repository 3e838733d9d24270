"""Benchmark: the lane gate's Decide latency and throughput beside a bare gRPC echo server.

    secondline bench gate [--rates 500,1000,2000] [--duration 10] [--subjects 100000] [--quick]
    make bench-gate

It starts, each as a process of its own on loopback:

- a stub classification service serving ``ListNotableSubjects`` and ``StreamChanges`` (heartbeats
  only, the feed is quiet) for ``--subjects`` synthetic subjects that are not plain whitelist;
- the gate, exactly as ``secondline up`` starts it (``python -m secondline.services.gate
  --config FILE``, its decision log in SQLite in a temporary folder), once it has loaded them;
- a bare ``grpc.aio`` echo server (no interceptors, no parsing): one unary method taking and
  answering bytes of the size of a Decide request and response;
- one client process, the load generator, open loop: requests go out on a fixed schedule
  whatever the answers, and latency is measured from each request's *scheduled* send time, so
  that a stalled server cannot hide its stall (no coordinated omission).

At each rate of ``--rates`` it measures the echo server, then the gate, with the same client
and requests of the same bytes; then, for each, the highest sustained rate; then, in this
process, the snapshot's memory per subject for ``--memory-subjects`` subjects. It prints a table
with the ratios and the issue's goals. It is a report, not a test: the exit status is 0 whether
the goals are met or not, and 1 only if something failed (an RPC, an invalid answer, a process).
See bench/README.md for what exactly is measured and how to read it.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import platform
import queue
import random
import selectors
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.common.v1 import common_pb2
from secondline.gate.v1 import gate_pb2, gate_pb2_grpc
from secondline.identifiers import USCC_ALPHABET, resident_id_check_character, uscc_check_character
from secondline.suite import ServiceSpec, SuiteError, start_suite

# The goals.
GOAL_P50_RATIO = 1.2
GOAL_P99_RATIO = 1.5
GOAL_RATE = 3000
GOAL_BYTES = 300
GOAL_AT_RATE = 1000

# M-0: the second-line ports' codes (measures.yaml).
PORTS = ("HAIKOU", "YANGPU", "BASUO", "SANYA", "QINGLAN", "HAIKOU_MEILAN_AIRPORT", "SANYA_PHOENIX_AIRPORT",
         "BOAO_AIRPORT", "HAIKOU_XINHAI", "HAIKOU_SOUTH")
LANE_CALLER = (("x-secondline-principal", "service/lane"),)  # lane systems call the gate so
OPERATOR = (("x-secondline-principal", "operator/bench"),)
DECIDE_METHOD = "/secondline.gate.v1.GateService/Decide"
ECHO_METHOD = "/secondline.bench.v1.Echo/Echo"
DAY = 86400
HOST = "127.0.0.1"
# What a server does when it cannot keep up: gRPC's core cancels calls the application has not
# taken in time. Counted as shed (a run that sheds is not sustained); any other failure is an error.
OVERLOAD = frozenset({"CANCELLED", "RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED"})


# --- the synthetic population ----------------------------------------------------------------


def _base31(n: int, width: int) -> str:
    chars = []
    for _ in range(width):
        n, digit = divmod(n, 31)
        chars.append(USCC_ALPHABET[digit])
    return "".join(reversed(chars))


def enterprise_key(n: int, region: str) -> str:
    """A valid USCC (S-2): 9 (registered by market regulation), 1 (company), region, code, check."""
    body = f"91{region}MA{_base31(n, 7)}"
    return body + uscc_check_character(body)


def individual_key(n: int, region: str) -> str:
    """A valid resident identity number (S-3): region, birth date (1950-2004), sequence, check."""
    born = date(1950, 1, 1) + timedelta(days=n % 20000)
    body = f"{region}{born:%Y%m%d}{n // 20000 % 1000:03d}"
    return body + resident_id_check_character(body)


def known_subject(i: int) -> tuple[str, str]:
    """The i-th subject of the snapshot: three in five are enterprises (Haikou's region code)."""
    if i % 5 < 3:
        return "enterprise", enterprise_key(i, "460100")
    return "individual", individual_key(i, "460100")


def unknown_subject(kind: str, n: int) -> str:
    """A subject classification has never heard of (plain whitelist): another region's code."""
    return enterprise_key(n, "460200") if kind == "enterprise" else individual_key(n, "460200")


def _ts(epoch: int) -> Timestamp:
    return Timestamp(seconds=epoch)


def _record_ids(rng: random.Random) -> list[str]:
    return [f"{rng.getrandbits(128):032x}" for _ in range(rng.randint(1, 2))]


def _stretch(klass: int, start: int, end: int | None, reasons: list[tuple[str, str]], flags: list[int],
             rng: random.Random) -> list[cpb.Segment]:
    """Plain whitelist until ``start``, ``klass`` with ``reasons`` and ``flags`` until ``end``,
    plain whitelist again after: the timeline classification sends, covering all of time."""
    reason_msgs = []
    for rule, effect in reasons:
        reason = cpb.Reason(rule=rule, effect=effect, record_ids=_record_ids(rng), since=_ts(start))
        if end is not None:
            reason.until.CopyFrom(_ts(end))
        reason_msgs.append(reason)
    middle = cpb.Segment(start=_ts(start), credit_class=klass, reasons=reason_msgs, flags=flags)
    segments = [cpb.Segment(end=_ts(start), credit_class=common_pb2.CREDIT_CLASS_WHITELIST), middle]
    if end is not None:
        middle.end.CopyFrom(_ts(end))
        segments.append(cpb.Segment(start=_ts(end), credit_class=common_pb2.CREDIT_CLASS_WHITELIST))
    return segments


def subject_state(i: int, now: int, rng: random.Random) -> cpb.SubjectState:
    """The i-th subject's timeline, notable at ``now`` (2 or 3 segments):

    enterprises: 55% WATCHLIST by E-W2 for three years from a start in the last two years, 10%
    the same while on the maritime serious-dishonesty list (L-1), 35% AEO by E-A from a start on;
    individuals: half WATCHLIST by P-W for three years, half whitelist under a risk alert (P-R)
    valid for 90 days from a start in the last 60.
    """
    kind, key = known_subject(i)
    roll = rng.random()
    WHITE, AEO, WATCH = (common_pb2.CREDIT_CLASS_WHITELIST, common_pb2.CREDIT_CLASS_AEO,
                         common_pb2.CREDIT_CLASS_WATCHLIST)
    if kind == "enterprise":
        start = now - rng.randrange(1, 730) * DAY
        if roll < 0.55:
            timeline = _stretch(WATCH, start, start + 1096 * DAY, [("E-W2", "WATCHLIST")], [], rng)
        elif roll < 0.65:
            timeline = _stretch(WATCH, start, start + 1096 * DAY, [("E-W2", "WATCHLIST"), ("L-1", "DISHONESTY_MARITIME")],
                                [common_pb2.FLAG_RISK_ALERT, common_pb2.FLAG_DISHONESTY_MARITIME], rng)
        else:
            timeline = _stretch(AEO, start, None, [("E-A", "AEO")], [], rng)
    elif roll < 0.5:
        start = now - rng.randrange(1, 730) * DAY
        timeline = _stretch(WATCH, start, start + 1096 * DAY, [("P-W", "WATCHLIST")], [], rng)
    else:
        start = now - rng.randrange(1, 60) * DAY
        timeline = _stretch(WHITE, start, start + 90 * DAY, [("P-R", "RISK_ALERT")], [common_pb2.FLAG_RISK_ALERT], rng)
    return cpb.SubjectState(subject=common_pb2.SubjectId(**{kind: key}), timeline=timeline, revision=i + 1)


def population(count: int, seed: int, now: int):
    """The snapshot's subjects, the same for the stub and for the memory measurement."""
    rng = random.Random(seed)
    for i in range(count):
        yield subject_state(i, now, rng)


@dataclass
class Pools:
    """Subjects a crossing may name: the snapshot's (known) and others (plain whitelist)."""

    known_enterprises: list[str]
    known_individuals: list[str]
    unknown_enterprises: list[str]
    unknown_individuals: list[str]

    @classmethod
    def make(cls, subjects: int, unknown: int = 5000) -> "Pools":
        enterprises, individuals = [], []
        for i in range(subjects):
            kind, key = known_subject(i)
            (enterprises if kind == "enterprise" else individuals).append(key)
        return cls(enterprises, individuals, [unknown_subject("enterprise", n) for n in range(unknown)],
                   [unknown_subject("individual", n) for n in range(unknown)])


def crossings(count: int, tag: str, seed: int, pools: Pools, known_share: float, at: int) -> tuple[list[bytes], list[str]]:
    """``count`` serialized DecideRequests with unique crossing ids ``<tag>-<n>``, and the ids.

    A crossing names 1 to 3 parties: 20% an entity alone, 40% an entity and its driver, 20% an
    entity, its driver and a declarant, 20% one or two travellers; each party is one of the
    snapshot's subjects with probability ``known_share``, otherwise plain whitelist. The port is
    any of M-0's; 5% of the crossings with an entity are declared for batch exit (M-4).
    """
    rng = random.Random(f"{seed}/{tag}")
    stamp = Timestamp(seconds=at)

    def pick(known: list[str], unknown: list[str]) -> str:
        return rng.choice(known) if known and rng.random() < known_share else rng.choice(unknown)

    payloads, ids = [], []
    for n in range(count):
        crossing_id = f"{tag}-{n:07d}"
        roll = rng.random()
        crossing = gate_pb2.Crossing(crossing_id=crossing_id, at=stamp, port=rng.choice(PORTS))
        if roll < 0.8:
            crossing.enterprise = pick(pools.known_enterprises, pools.unknown_enterprises)
            crossing.batch = rng.random() < 0.05
            roles = [] if roll < 0.2 else [gate_pb2.ROLE_DRIVER] if roll < 0.6 else [gate_pb2.ROLE_DRIVER, gate_pb2.ROLE_DECLARANT]
        else:
            roles = [gate_pb2.ROLE_TRAVELLER] * rng.randint(1, 2)
        for role in roles:
            crossing.individuals.add(id=pick(pools.known_individuals, pools.unknown_individuals), role=role)
        payloads.append(gate_pb2.DecideRequest(crossing=crossing).SerializeToString())
        ids.append(crossing_id)
    return payloads, ids


# --- the helper processes (python -m secondline.bench_gate <role> ...) ----------------------------


def _loop() -> asyncio.AbstractEventLoop:
    """An event loop whose timers fire within ~0.1 ms: ``select()`` takes microseconds, where
    epoll's timeout is rounded up to whole milliseconds (as long as a sleep's lateness adds to
    the measured latency, a millisecond of it would swamp a sub-millisecond answer)."""
    return asyncio.SelectorEventLoop(selectors.SelectSelector())


async def _serve_until_signalled(server: grpc.aio.Server, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await server.start()
    print(f"READY {HOST}:{port}", flush=True)
    await stop.wait()
    await server.stop(0.5)


def serve_echo(argv: list[str]) -> int:
    """The baseline: a bare grpc.aio server whose one unary method answers fixed bytes."""
    parser = argparse.ArgumentParser(prog="bench_gate echo")
    parser.add_argument("--response-bytes", type=int, required=True)
    args = parser.parse_args(argv)
    answer = b"\x0a" * args.response_bytes

    async def echo(request: bytes, context) -> bytes:
        return answer

    async def serve() -> None:
        server = grpc.aio.server()
        handler = grpc.unary_unary_rpc_method_handler(echo)  # no (de)serializers: bytes in, bytes out
        server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler("secondline.bench.v1.Echo", {"Echo": handler})])
        port = server.add_insecure_port(f"{HOST}:0")
        await _serve_until_signalled(server, port)

    asyncio.run(serve())
    return 0


def serve_stub(argv: list[str]) -> int:
    """Classification as the gate sees it: the notable subjects, then a quiet change feed."""
    parser = argparse.ArgumentParser(prog="bench_gate stub")
    parser.add_argument("--subjects", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--now", type=int, required=True)
    args = parser.parse_args(argv)
    # Each state kept as the bytes of a one-state ListNotableSubjectsResponse: concatenating
    # them is the repeated field, so a page is a join, and 100,000 states take ~30 MB.
    encoded = [cpb.ListNotableSubjectsResponse(states=[state]).SerializeToString()
               for state in population(args.subjects, args.seed, args.now)]
    revision = args.subjects
    streams = {"pages": 0, "streams": 0}

    async def list_notable(request: cpb.ListNotableSubjectsRequest, context) -> bytes:
        size = request.page_size or 1000
        if not 0 < size <= 5000:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "page_size must be between 1 and 5000")
        start = int(request.page_token) if request.page_token else 0
        end = min(start + size, len(encoded))
        tail = cpb.ListNotableSubjectsResponse(revision=revision, next_page_token=str(end) if end < len(encoded) else "")
        streams["pages"] += 1
        return b"".join(encoded[start:end]) + tail.SerializeToString()

    async def stream_changes(request: cpb.StreamChangesRequest, context):
        streams["streams"] += 1
        if not request.follow:
            return
        interval = request.heartbeat_interval.ToTimedelta().total_seconds() if request.HasField("heartbeat_interval") else 0
        while True:  # nothing changes: heartbeats only (or silence), until the gate hangs up
            await asyncio.sleep(max(interval, 0.1) if interval else 3600)
            if interval:
                yield cpb.StreamChangesResponse(revision=revision, heartbeat=True)

    async def status(request, context):
        return cpb.GetStatusResponse(record_cursor=str(revision), revision=revision)

    async def serve() -> None:
        server = grpc.aio.server()
        handlers = {
            "ListNotableSubjects": grpc.unary_unary_rpc_method_handler(
                list_notable, request_deserializer=cpb.ListNotableSubjectsRequest.FromString),
            "StreamChanges": grpc.unary_stream_rpc_method_handler(
                stream_changes, request_deserializer=cpb.StreamChangesRequest.FromString,
                response_serializer=cpb.StreamChangesResponse.SerializeToString),
            "GetStatus": grpc.unary_unary_rpc_method_handler(
                status, request_deserializer=cpb.GetStatusRequest.FromString,
                response_serializer=cpb.GetStatusResponse.SerializeToString),
        }
        name = cpb.DESCRIPTOR.services_by_name["ClassificationService"].full_name
        server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(name, handlers)])
        port = server.add_insecure_port(f"{HOST}:0")
        await _serve_until_signalled(server, port)
        print(f"stub: {streams['pages']} pages served, {streams['streams']} change streams opened", file=sys.stderr)

    asyncio.run(serve())
    return 0


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


class LoadClient:
    """The load generator's state: a channel per server, the pools of subjects crossings name."""

    def __init__(self, subjects: int, seed: int, known_share: float) -> None:
        self.pools = Pools.make(subjects)
        self.seed, self.known_share = seed, known_share
        self.channels: dict[str, grpc.aio.Channel] = {}

    def _call(self, address: str, target: str):
        channel = self.channels.get(address)
        if channel is None:
            channel = self.channels[address] = grpc.aio.insecure_channel(address)
        # The same identity (de)serializers for both servers: the client's cost is the same
        # bytes out and in; the gate's answers are parsed and checked after the clock stops.
        return channel.unary_unary(ECHO_METHOD if target == "echo" else DECIDE_METHOD)

    async def run(self, cmd: dict) -> dict:
        call = self._call(cmd["address"], cmd["target"])
        if cmd["mode"] == "open":
            count = max(1, round(cmd["rate"] * (cmd["warmup"] + cmd["duration"])))
            warm = min(count - 1, round(cmd["rate"] * cmd["warmup"]))
        else:
            count = max(1, round(cmd.get("requests", 0)))
            warm = 0
        payloads, ids = crossings(count, cmd["tag"], self.seed, self.pools, self.known_share, int(time.time()))
        gc.collect()
        gc.disable()  # no collector pauses in the client while the clock runs (both servers alike)
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            if cmd["mode"] == "open":
                timing = await _open_loop(call, payloads, cmd["rate"], warm)
            else:
                timing = await _closed_loop(call, payloads, cmd["concurrency"], cmd["warmup"], cmd["duration"])
        finally:
            gc.enable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        summary = _summarize(cmd, timing, payloads, ids, warm)
        summary["client_cpu"] = cpu / wall if wall > 0 else 0.0
        return summary


@dataclass
class Timing:
    scheduled: list[float]
    sent: list[float]
    finished: list[float]
    replies: list
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (index, status code, details)
    window: tuple[float, float] | None = None  # closed loop: the measured interval


async def _open_loop(call, payloads: list[bytes], rate: float, warm: int) -> Timing:
    """Send ``payloads[i]`` at ``start + i / rate`` whatever the answers; record the times."""
    n = len(payloads)
    timing = Timing([0.0] * n, [0.0] * n, [0.0] * n, [None] * n)
    clock = time.perf_counter
    loop = asyncio.get_running_loop()

    async def one(i: int) -> None:
        try:
            timing.replies[i] = await call(payloads[i], metadata=LANE_CALLER, timeout=30)
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


async def _closed_loop(call, payloads: list[bytes], concurrency: int, warmup: float, duration: float) -> Timing:
    """``concurrency`` callers, each sending its next request as soon as the last is answered."""
    n = len(payloads)
    timing = Timing([0.0] * n, [0.0] * n, [0.0] * n, [None] * n)
    clock = time.perf_counter
    begin = clock()
    measured_from, end = begin + warmup, begin + warmup + duration
    cursor = iter(range(n))

    async def caller() -> None:
        for i in cursor:
            now = clock()
            if now >= end:
                return
            timing.scheduled[i] = timing.sent[i] = now
            try:
                timing.replies[i] = await call(payloads[i], metadata=LANE_CALLER, timeout=30)
            except grpc.RpcError as error:
                timing.errors.append((i, error.code().name, error.details()))
            timing.finished[i] = clock()

    await asyncio.gather(*(caller() for _ in range(concurrency)))
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
    parser = argparse.ArgumentParser(prog="bench_gate client")
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
    for channel in load.channels.values():
        loop.run_until_complete(channel.close())
    loop.close()
    return 0


ROLES = {"echo": serve_echo, "stub": serve_stub, "client": client}


# --- the benchmark's own process ----------------------------------------------------------------


class BenchError(RuntimeError):
    """Something failed: a process, an RPC, an answer."""


class Child:
    """A helper process: ``python -m secondline.bench_gate <role> ...``, ready once it prints READY."""

    def __init__(self, role: str, args: list[str], folder: Path, *, stdin: bool = False) -> None:
        self.role = role
        self.log_path = folder / f"{role}.log"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "secondline.bench_gate", role, *args],
                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                text=True, start_new_session=True)
        self._lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True, name=f"bench-{role}-stdout").start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def line(self, timeout: float) -> str:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise BenchError(f"{self.role} did not answer within {timeout:.0f} s; {self.tail()}") from None
        if line is None:
            raise BenchError(f"{self.role} exited with code {self.process.wait()}; {self.tail()}")
        return line.strip()

    def ready(self, timeout: float) -> str:
        """The address (or name) the process printed after READY."""
        line = self.line(timeout)
        if not line.startswith("READY "):
            raise BenchError(f"{self.role} said {line!r}; {self.tail()}")
        return line.split(" ", 1)[1]

    def tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            text = []
        return f"the end of {self.log_path}:\n" + "\n".join(text) if text else f"{self.log_path} is empty"

    def stop(self, timeout: float = 15.0) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        if self.process.poll() is None:
            try:
                self.process.wait(1.0 if self.process.stdin else 0)
            except subprocess.TimeoutExpired:
                pass
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system, every thread) a process has used so far; None off Linux."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Worker:
    """The client process, driven one measurement at a time."""

    def __init__(self, child: Child) -> None:
        self.child = child

    def measure(self, **cmd) -> dict:
        self.child.process.stdin.write(json.dumps(cmd) + "\n")
        self.child.process.stdin.flush()
        budget = cmd.get("warmup", 0) + cmd.get("duration", 0) + 180
        result = json.loads(self.child.line(budget))
        if result["errors"] or result["invalid"]:  # shed calls are a finding, not a failure
            problems = result["first_errors"] + result["first_invalid"]
            raise BenchError(f"{cmd['target']} at {cmd.get('rate') or cmd['mode']}: {result['errors']} failed RPC(s), "
                             f"{result['invalid']} invalid answer(s); first: " + "; ".join(problems))
        return result


class GateStatus:
    def __init__(self, address: str) -> None:
        self.channel = grpc.insecure_channel(address)
        self.stub = gate_pb2_grpc.GateServiceStub(self.channel)

    def get(self) -> gate_pb2.GetGateStatusResponse:
        return self.stub.GetGateStatus(gate_pb2.GetGateStatusRequest(), metadata=OPERATOR, timeout=10)

    def settle(self, timeout: float = 60.0) -> gate_pb2.GetGateStatusResponse:
        """Wait until the decision log has written what it queued (so one run does not pay for the last)."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.get()
            if status.decisions_queued == 0 or time.monotonic() > deadline:
                return status
            time.sleep(0.05)


@dataclass
class MaxRate:
    probe: dict
    best: dict | None
    tried: list[tuple[dict, bool, str]]
    capped: bool  # every step passed: the figure is a lower bound


class Bench:
    def __init__(self, args: argparse.Namespace, folder: Path) -> None:
        self.args, self.folder = args, folder
        self.children: list[Child] = []
        self.suite = None
        self.run_id = os.urandom(3).hex()
        self.gate_status: GateStatus | None = None
        self.serial = 0
        self.pids: dict[str, int] = {}

    def tag(self, target: str, what) -> str:
        self.serial += 1
        return f"BG{self.run_id}-{target[0].upper()}{what}-{self.serial}"

    # -- processes --

    def start_stub(self, now: int) -> str:
        stub = Child("stub", ["--subjects", str(self.args.subjects), "--seed", str(self.args.seed), "--now", str(now)],
                     self.folder)
        self.children.append(stub)
        return stub.ready(timeout=60 + self.args.subjects / 2000)

    def start_gate(self, classification: str) -> str:
        def settings(name, layout):
            return {"server": {"listen": layout.addresses[name]},
                    "database": {"url": f"sqlite:///{layout.data_dir / name}.sqlite"},
                    "classification_address": classification,
                    "telemetry": {"log_level": "WARNING"}}

        spec = ServiceSpec("gate", "secondline.services.gate", settings)
        self.suite = start_suite(self.folder / "suite", services=[spec], ready_timeout=120 + self.args.subjects / 2000)
        self.pids["gate"] = self.suite.pids()["gate"]
        return self.suite.address("gate")

    def wait_loaded(self, address: str, timeout: float) -> gate_pb2.GetGateStatusResponse:
        self.gate_status = GateStatus(address)
        deadline = time.monotonic() + timeout
        while True:
            status = self.gate_status.get()
            if status.loaded and status.subjects >= self.args.subjects:
                return status
            if time.monotonic() > deadline:
                raise BenchError(f"the gate did not load {self.args.subjects} subjects within {timeout:.0f} s "
                                 f"(loaded {status.loaded}, {status.subjects} subjects)")
            gone = self.suite.exited()
            if gone is not None:
                raise BenchError(f"the gate exited with code {gone.process.returncode}:\n{gone.log_tail()}")
            time.sleep(0.1)

    def start_echo(self, response_bytes: int) -> str:
        echo = Child("echo", ["--response-bytes", str(response_bytes)], self.folder)
        self.children.append(echo)
        self.pids["echo"] = echo.process.pid
        return echo.ready(timeout=60)

    def start_client(self) -> Worker:
        child = Child("client", ["--subjects", str(self.args.subjects), "--seed", str(self.args.seed),
                                 "--known-share", str(self.args.known_share)], self.folder, stdin=True)
        self.children.append(child)
        child.ready(timeout=60 + self.args.subjects / 5000)
        return Worker(child)

    def stop(self) -> None:
        """The client first (the load), then the gate, then the echo and the stub it follows."""
        if self.gate_status is not None:
            self.gate_status.channel.close()
        for child in self.children:
            if child.role == "client":
                child.stop()
        if self.suite is not None:
            self.suite.stop()
        for child in reversed(self.children):
            if child.role != "client":
                child.stop()

    # -- measurements --

    def open_loop(self, worker: Worker, target: str, address: str, rate: float, warmup: float, duration: float,
                  response_bytes: int | None) -> tuple[dict, int]:
        """One open-loop run; for the gate also the decisions its log dropped meanwhile."""
        before = self.gate_status.settle() if target == "gate" else None
        pid = self.pids.get(target)
        cpu, wall = cpu_seconds(pid) if pid else None, time.perf_counter()
        result = worker.measure(mode="open", target=target, address=address, rate=rate, warmup=warmup,
                                duration=duration, tag=self.tag(target, int(rate)), response_bytes=response_bytes)
        if cpu is not None:  # the server's CPU over the run, warm-up included, per request sent
            used = cpu_seconds(pid) - cpu
            result["server_cpu"] = used / (time.perf_counter() - wall)
            result["server_us"] = used / result["requests"] * 1e6
        dropped = 0
        if before is not None:
            dropped = self.gate_status.settle().decisions_dropped - before.decisions_dropped
        return result, dropped

    def max_rate(self, worker: Worker, target: str, address: str, response_bytes: int | None, out) -> MaxRate:
        """A closed-loop probe for the ceiling, then open-loop steps from 60% of it, up in tenths
        of it, until a step is not sustained: the highest sustained step is the answer."""
        args = self.args
        probe = worker.measure(mode="closed", target=target, address=address, concurrency=args.probe_concurrency,
                               warmup=min(1.0, args.probe_seconds / 2), duration=args.probe_seconds,
                               requests=(args.probe_seconds + 1) * 20000, tag=self.tag(target, "probe"),
                               response_bytes=response_bytes)
        ceiling = max(probe["achieved"], 100.0)
        step = max(50, round(ceiling * 0.1 / 50) * 50)
        rate = max(step, math.floor(ceiling * 0.4 / step) * step)
        out(f"  {target}: closed-loop probe {probe['achieved']:,.0f}/s with {args.probe_concurrency} in flight; "
            f"open-loop steps of {step}/s from {rate}/s")
        best, tried, direction = None, [], 0
        for _ in range(args.max_steps):
            result, dropped = self.open_loop(worker, target, address, rate, args.step_warmup, args.step_duration,
                                             response_bytes)
            problems = []
            if result["p99"] > args.sustain_p99_ms:
                problems.append(f"p99 {result['p99']:.1f} ms > {args.sustain_p99_ms:g}")
            if result["achieved"] < 0.95 * rate:
                problems.append(f"answered {result['achieved']:,.0f}/s < 95%")
            if result["shed"]:
                problems.append(f"{result['shed']} calls shed ({result['first_errors'][0].split(': ', 1)[1]})")
            if dropped:
                problems.append(f"{dropped} decisions dropped by the log")
            ok = not problems
            tried.append((result, ok, ", ".join(problems)))
            out(f"    {rate:>6,}/s  {run_line(result)}  {'sustained' if ok else 'NOT sustained: ' + ', '.join(problems)}")
            if ok:
                best = result
                if direction < 0:  # the first step down that holds
                    break
                direction, rate = 1, rate + step
            elif best is not None:
                break
            else:
                direction, rate = -1, rate - step
                if rate <= 0:
                    break
        capped = bool(tried) and all(ok for _, ok, _ in tried)
        return MaxRate(probe, best, tried, capped)


# --- memory --------------------------------------------------------------------------------------


def snapshot_memory(count: int, seed: int, now: int) -> dict:
    """Bytes the gate's Snapshot holds per subject after ``put`` of ``count`` states (tracemalloc).

    The states are built and serialized first (untraced); each is parsed and put while tracing,
    the parsed message freed right after, as the gate's follower does with a page. What stays
    allocated is the snapshot's: the dicts' tables, the key strings and the packed timelines.
    """
    from secondline.services.gate.snapshot import Snapshot

    encoded = [state.SerializeToString() for state in population(count, seed, now)]
    parse = cpb.SubjectState.FromString
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        snapshot = Snapshot()
        for blob in encoded:
            snapshot.put(parse(blob), now)
        gc.collect()
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    held = len(snapshot)
    dicts = (snapshot.enterprises, snapshot.individuals)
    per = max(held, 1)
    return {
        "subjects": held, "bytes": used, "per_subject": used / per,
        "keys": sum(sys.getsizeof(k) for d in dicts for k in d) / per,
        "values": sum(sys.getsizeof(v) for d in dicts for v in d.values()) / per,
        "tables": sum(sys.getsizeof(d) for d in dicts) / per,
        "segments": sum(len(v) for d in dicts for v in d.values()) / 12 / per,
    }


# --- the report ----------------------------------------------------------------------------------


def machine(*versions: str) -> str:
    """The machine and the versions that matter, for a benchmark's report (``versions`` adds more)."""
    cores = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    load = ", load average %.2f %.2f %.2f" % os.getloadavg() if hasattr(os, "getloadavg") else ""
    return (f"machine: {cores} cores ({usable} usable), {cpu}{load}; Python {platform.python_version()}, "
            f"grpcio {grpc.__version__}" + "".join(f", {v}" for v in versions))


def run_line(r: dict) -> str:
    """One measured run in a line: latency, throughput, and who used how much CPU."""
    server = (f"  server CPU {r['server_cpu']:4.0%} ({r['server_us']:4.0f} us/request)" if "server_cpu" in r else "")
    if r["shed"]:
        server += f"  SHED {r['shed']:,} calls ({r['first_errors'][0].split(': ', 1)[1]})"

    return (f"p50 {r['p50']:7.3f}  p99 {r['p99']:7.3f}  p99.9 {r['p999']:7.3f}  max {r['max']:7.2f} ms  "
            f"answered {r['achieved']:>7,.0f}/s  client lag p99 {r['lag_p99']:5.2f} ms, CPU {r['client_cpu']:4.0%}{server}")


def median_run(runs: list[dict]) -> dict:
    """Rounds of one server at one rate as one: each figure the median of the rounds'."""
    if len(runs) == 1:
        return runs[0]
    merged = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, float):
            merged[key] = statistics.median(r[key] for r in runs)
    for key in ("measured", "shed"):
        merged[key] = sum(r[key] for r in runs)
    return merged


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def latency_table(rows: list[tuple[int, dict, dict, int]]) -> list[str]:
    def group(title: str) -> str:
        return f"  {title:-^25}"

    lines = [f"{'':>7}" + group(" echo ") + group(" gate ") + group(" gate/echo ") + "  server CPU us/request",
             f"{'rate/s':>7}  {'p50':>7}{'p99':>9}{'p99.9':>9}" + f"{'p50':>9}{'p99':>9}{'p99.9':>9}" * 2
             + f"  {'echo':>6}{'gate':>6}"
             + "   requests (echo+gate)"]
    for rate, echo, gate, _dropped in rows:
        cpu = (f"{echo['server_us']:>6.0f}{gate['server_us']:>6.0f}" if "server_us" in echo and "server_us" in gate
               else f"{'-':>6}{'-':>6}")
        ratios = [f"{_ratio(gate[k], echo[k]):.2f}x" for k in ("p50", "p99", "p999")]
        lines.append(f"{rate:>7,}  {echo['p50']:>7.3f}{echo['p99']:>9.3f}{echo['p999']:>9.3f}"
                     f"{gate['p50']:>9.3f}{gate['p99']:>9.3f}{gate['p999']:>9.3f}"
                     f"{ratios[0]:>9}{ratios[1]:>9}{ratios[2]:>9}  {cpu}   {echo['measured']:,}+{gate['measured']:,}"
                     + "".join(f"  {r['target']} SHED {r['shed']:,}" for r in (echo, gate) if r["shed"]))
    return lines


def goals_table(rows, maxima: dict[str, MaxRate] | None, memory: dict | None) -> list[str]:
    lines = [f"{'goal (issue)':<46}{'measured':>12}  {'goal':>10}"]

    def line(what: str, measured: str, goal: str, met: bool | None) -> None:
        verdict = "not measured" if met is None else ("met" if met else "NOT met")
        lines.append(f"{what:<46}{measured:>12}  {goal:>10}   {verdict}")

    at = next((r for r in rows if r[0] == GOAL_AT_RATE), None)
    if at is None:
        line(f"gate p50 / echo p50 at {GOAL_AT_RATE:,}/s", "-", f"<= {GOAL_P50_RATIO}x", None)
        line(f"gate p99 / echo p99 at {GOAL_AT_RATE:,}/s", "-", f"<= {GOAL_P99_RATIO}x", None)
    else:
        p50, p99 = _ratio(at[2]["p50"], at[1]["p50"]), _ratio(at[2]["p99"], at[1]["p99"])
        line(f"gate p50 / echo p50 at {GOAL_AT_RATE:,}/s", f"{p50:.2f}x", f"<= {GOAL_P50_RATIO}x", p50 <= GOAL_P50_RATIO)
        line(f"gate p99 / echo p99 at {GOAL_AT_RATE:,}/s", f"{p99:.2f}x", f"<= {GOAL_P99_RATIO}x", p99 <= GOAL_P99_RATIO)
    gate_max = maxima.get("gate") if maxima else None
    if gate_max is None:
        line("decisions/s per process (highest sustained)", "-", f">= {GOAL_RATE:,}", None)
    else:
        rate = gate_max.best["rate"] if gate_max.best else 0
        shown = f"{'>= ' if gate_max.capped else ''}{rate:,.0f}"
        line("decisions/s per process (highest sustained)", shown, f">= {GOAL_RATE:,}", rate >= GOAL_RATE)
    if memory is None:
        line("snapshot bytes per subject", "-", f"<= {GOAL_BYTES}", None)
    else:
        line(f"snapshot bytes per subject ({memory['subjects']:,})", f"{memory['per_subject']:.0f}", f"<= {GOAL_BYTES}",
             memory["per_subject"] <= GOAL_BYTES)
    return lines


# --- options and the entry point -----------------------------------------------------------------


def _positive(kind):
    def parse(text: str):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value
    parse.__name__ = kind.__name__
    return parse


def _rates(text: str) -> list[int]:
    try:
        rates = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated requests per second, got {text!r}") from None
    if not rates or any(r <= 0 for r in rates):
        raise argparse.ArgumentTypeError(f"expected positive requests per second, got {text!r}")
    return rates


QUICK = {"duration": (10.0, 3.0), "warmup": (2.0, 1.0), "subjects": (100_000, 20_000),
         "memory_subjects": (100_000, 100_000), "step_duration": (5.0, 2.0), "step_warmup": (1.0, 0.5),
         "probe_seconds": (3.0, 1.5), "max_steps": (8, 5)}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The benchmark's options (also those of ``secondline bench gate``)."""
    positive_int, positive_float = _positive(int), _positive(float)
    parser.add_argument("--rates", metavar="LIST", type=_rates, default=[500, 1000, 2000],
                        help="open-loop rates to measure, requests/s, comma-separated (default 500,1000,2000)")
    parser.add_argument("--duration", metavar="S", type=positive_float, help="seconds measured per rate (default 10; --quick 3)")
    parser.add_argument("--warmup", metavar="S", type=positive_float,
                        help="seconds of untimed load before each measured run, at its rate (default 2; --quick 1)")
    parser.add_argument("--subjects", metavar="N", type=positive_int,
                        help="subjects in the gate's snapshot, from the stub classification (default 100000; --quick 20000)")
    parser.add_argument("--memory-subjects", metavar="N", type=positive_int,
                        help="subjects put into the in-process Snapshot for the memory figure (default 100000)")
    parser.add_argument("--known-share", metavar="F", type=float, default=0.3,
                        help="share of a crossing's parties that are in the snapshot; the rest are plain whitelist (default 0.3)")
    parser.add_argument("--no-max", dest="max", action="store_false", help="skip the highest-sustained-rate search")
    parser.add_argument("--repeat", metavar="R", type=positive_int, default=1,
                        help="rounds of echo then gate at each rate; each figure is the median round's (default 1)")
    parser.add_argument("--sustain-p99-ms", metavar="MS", type=positive_float, default=20.0,
                        help="a rate is sustained when its p99 stays within this many ms, >= 95%% of it is answered, "
                             "no call is shed and no decision dropped (default 20)")
    parser.add_argument("--step-duration", metavar="S", type=positive_float,
                        help="seconds measured per step of the highest-rate search (default 5; --quick 2)")
    parser.add_argument("--step-warmup", metavar="S", type=positive_float, help="warm-up seconds per step (default 1; --quick 0.5)")
    parser.add_argument("--probe-seconds", metavar="S", type=positive_float,
                        help="seconds of the closed-loop probe that sets the search's steps (default 3; --quick 1.5)")
    parser.add_argument("--probe-concurrency", metavar="N", type=positive_int, default=32,
                        help="requests in flight during the probe (default 32)")
    parser.add_argument("--max-steps", metavar="N", type=positive_int, help="open-loop steps per server at most (default 8; --quick 5)")
    parser.add_argument("--seed", metavar="N", type=int, default=1, help="seed of the subjects and crossings (default 1)")
    parser.add_argument("--quick", action="store_true", help="shorter runs and a smaller snapshot, for a first look")
    parser.add_argument("--data", metavar="DIR", type=Path,
                        help="folder for the processes' settings, logs and the gate's database (default: a temporary one, removed)")


def resolve(args: argparse.Namespace) -> argparse.Namespace:
    for name, (normal, quick) in QUICK.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else normal)
    if not 0.0 <= args.known_share <= 1.0:
        raise BenchError("--known-share must be between 0 and 1")
    return args


def run(args: argparse.Namespace) -> int:
    """Run the benchmark with parsed options (``add_arguments``); print the report; exit status."""
    try:
        args = resolve(args)
    except BenchError as error:
        print(f"bench gate: {error}", file=sys.stderr)
        return 2
    if args.data is not None:
        args.data.mkdir(parents=True, exist_ok=True)
        return _run(args, args.data.resolve())
    with tempfile.TemporaryDirectory(prefix="secondline-bench-gate-") as tmp:
        return _run(args, Path(tmp))


def _run(args: argparse.Namespace, folder: Path) -> int:
    def out(text: str = "") -> None:
        print(text, flush=True)

    out(f"Secondline gate benchmark: Decide beside a bare gRPC echo server; {args.subjects:,} subjects in the "
        f"snapshot, {args.known_share:.0%} of parties known to it, seed {args.seed}")
    out(machine())
    out(f"processes on loopback, sharing the machine's {os.cpu_count()} cores: the client (open loop), the server "
        f"measured, the other one idle, the stub classification (heartbeats)")
    bench = Bench(args, folder)
    rows: list[tuple[int, dict, dict, int]] = []
    maxima: dict[str, MaxRate] = {}
    memory = None
    failure = None
    try:
        now = int(time.time())
        started = time.perf_counter()
        classification = bench.start_stub(now)
        gate = bench.start_gate(classification)
        status = bench.wait_loaded(gate, timeout=300)
        out(f"gate: {status.subjects:,} subjects loaded at revision {status.classification_revision:,}, "
            f"{time.perf_counter() - started:.1f} s after the stub started; decision log in SQLite under {folder}")
        worker = bench.start_client()
        # Warm the gate up (untimed) and learn the answers' size, for the echo to answer as many bytes.
        sizing, _ = bench.open_loop(worker, "gate", gate, 200.0, 0.5, 2.0, None)
        request_bytes, response_bytes = int(sizing["request_bytes"]), int(sizing["response_bytes"])
        echo = bench.start_echo(response_bytes)
        bench.open_loop(worker, "echo", echo, 200.0, 0.5, 2.0, response_bytes)  # the same warm-up
        out(f"Decide request {request_bytes} bytes, response {response_bytes} bytes (medians); the echo takes "
            f"the same requests and answers {response_bytes} bytes")
        out()
        rounds = f", {args.repeat} rounds (the median round is reported)" if args.repeat > 1 else ""
        out(f"Open loop, {args.duration:g} s per rate after {args.warmup:g} s of warm-up, echo then gate{rounds}; "
            f"latency in ms from each request's scheduled send time:")
        for rate in args.rates:
            echo_runs, gate_runs, dropped = [], [], 0
            for _ in range(args.repeat):
                echo_run, _ = bench.open_loop(worker, "echo", echo, rate, args.warmup, args.duration, response_bytes)
                gate_run, lost = bench.open_loop(worker, "gate", gate, rate, args.warmup, args.duration, None)
                echo_runs.append(echo_run)
                gate_runs.append(gate_run)
                dropped += lost
                for run_ in (echo_run, gate_run):
                    out(f"  {run_['target']} {rate:>6,}/s  {run_line(run_)}")
            if dropped:
                out(f"  gate {rate:>6,}/s: {dropped} decisions dropped by the decision log")
            rows.append((rate, median_run(echo_runs), median_run(gate_runs), dropped))
        if args.max:
            out()
            out(f"Highest sustained rate: open loop, {args.step_duration:g} s per step after {args.step_warmup:g} s "
                f"of warm-up; sustained = p99 <= {args.sustain_p99_ms:g} ms, >= 95% answered, nothing shed or dropped")
            for target, address, size in (("echo", echo, response_bytes), ("gate", gate, None)):
                maxima[target] = bench.max_rate(worker, target, address, size, out)
        final = bench.gate_status.settle()
    except (BenchError, SuiteError, grpc.RpcError) as error:
        failure = f"{type(error).__name__}: {error}" if isinstance(error, grpc.RpcError) else str(error)
        final = None
    finally:
        bench.stop()
    # Independent of the processes: measured even when they failed.
    out()
    out(f"Snapshot memory: {args.memory_subjects:,} subjects put into a Snapshot in this process (tracemalloc) ...")
    memory = snapshot_memory(args.memory_subjects, args.seed, int(time.time()))

    out()
    out("=" * 100)
    if rows:
        out(f"Decide latency, ms from the scheduled send, open loop, {args.duration:g} s per rate:")
        for line in latency_table(rows):
            out(line)
    if maxima:
        out()
        out(f"Highest sustained rate (p99 <= {args.sustain_p99_ms:g} ms, >= 95% answered, nothing shed or dropped):")
        for target, found in maxima.items():
            rate = found.best["rate"] if found.best else 0
            p99 = f"p99 {found.best['p99']:.2f} ms" if found.best else "no step sustained"
            out(f"  {target:<5}{'>= ' if found.capped else '':>3}{rate:>7,.0f}/s   ({p99}; closed-loop probe "
                f"{found.probe['achieved']:,.0f}/s with {args.probe_concurrency} in flight)")
        if "echo" in maxima and "gate" in maxima and maxima["echo"].best and maxima["gate"].best:
            out(f"  gate/echo {_ratio(maxima['gate'].best['rate'], maxima['echo'].best['rate']):.2f}")
    if memory is not None:
        out()
        out(f"Snapshot memory: {memory['subjects']:,} subjects hold {memory['bytes'] / 1e6:.1f} MB, "
            f"{memory['per_subject']:.0f} bytes per subject (key str {memory['keys']:.0f}, packed timeline "
            f"{memory['values']:.0f} for {memory['segments']:.1f} segments, dict tables {memory['tables']:.0f})")
    if final is not None:
        out(f"Gate's decision log: {final.decisions_logged:,} decisions logged, {final.decisions_queued:,} queued, "
            f"{final.decisions_dropped:,} dropped; snapshot degraded: {final.degraded}")
    out()
    for line in goals_table(rows, maxima if args.max else None, memory):
        out(line)
    if failure is not None:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ROLES:  # a helper process of a running benchmark
        return ROLES[argv[0]](argv[1:])
    parser = argparse.ArgumentParser(prog="secondline bench gate", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())

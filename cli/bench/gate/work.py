"""The decision's own work, in this process: what the gate does for a Decide besides gRPC's part.

Timed per call, on the crossings the load generator sends and a snapshot like the gate's: the
window read from the clock, the crossing parsed and checked, the parties' states looked up,
the policy, the answer built as the ``DecideResponse``'s wire bytes gRPC sends as they are, and
the decision queued for the log (the gate's ``Decide`` less the authorization check, which
``check.py`` times). The collector
is set as the gate sets it (frozen start-up objects, a young generation of
``collector.PER_CALL``), the caches are warm, and the queue is emptied every
``FLUSHED_EVERY`` calls, untimed, as the log's writer empties it every 20 ms at 1,000/s.

Beside it, the writer's cost per decision (the row built, the batch inserted and committed in
SQLite) at the batch sizes a flush meets at 1,000/s and at 5,000/s: it runs on a thread of the
gate's own and takes the same interpreter lock, so it is part of the gate's CPU per decision
though not of a lane's wait. Timed alone here it reads several times what the gate's threads
other than the event loop's use together under load (bench/README, "which thread"): take it
as an upper bound, and the by-thread figures of a BatchDecide run as the writer's real share.
"""

from __future__ import annotations

import gc
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from secondline.cli.bench.common import percentile
from secondline.cli.bench.gate.population import Pools, crossings, population
from secondline.clock import SystemClock
from secondline.collector import PER_CALL
from secondline.gate.v1 import gate_pb2
from secondline.services.gate.answers import decide_response
from secondline.services.gate.core import Gate, parse_crossing
from secondline.services.gate.decision_log import DecisionLog
from secondline.services.gate.measures import load_measures
from secondline.services.gate.snapshot import Snapshot
from secondline.services.gate.tables import Base
from secondline.storage import insert_rows, make_engine, writer

FLUSHED_EVERY = 20
"""Decisions the log's writer takes per flush at 1,000/s (one every 20 ms)."""


def decision_work(subjects: int, seed: int, known_share: float, calls: int = 20_000, rounds: int = 3) -> dict:
    """µs per decision: p50, p99, mean over ``rounds`` x ``calls``; and the writer's µs per row."""
    now = int(time.time())
    snapshot = Snapshot(keep_past_seconds=86400)
    snapshot.load(population(subjects, seed, now), now)
    snapshot.loaded = True
    payloads, _ = crossings(calls, "work", seed, Pools.make(subjects), known_share, now)
    requests = [gate_pb2.DecideRequest.FromString(p) for p in payloads]
    with tempfile.TemporaryDirectory(prefix="secondline-bench-work-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'gate.sqlite'}")
        try:
            Base.metadata.create_all(engine)
            log = DecisionLog(engine, capacity=calls * 2)  # not started: the queue is read here
            gate = Gate(snapshot=snapshot, measures=load_measures(None), log=log, clock=SystemClock(),
                        past=timedelta(hours=24), future=timedelta(minutes=10))
            measures = gate.measures

            def one(request) -> None:
                window = gate.window()
                parsed = parse_crossing(request.crossing, measures, window=window)
                decide_response(gate.decide(request.crossing, parsed, "lane/HAIKOU", window=window))

            for request in requests:  # warm: caches, templates, verdicts
                one(request)
            entries = list(log._pending)
            log._pending.clear()
            gc.collect()
            gc.freeze()
            threshold = gc.get_threshold()
            gc.set_threshold(PER_CALL, 50, 100)
            samples: list[int] = []
            clock = time.perf_counter_ns
            try:
                for _ in range(rounds):
                    for index, request in enumerate(requests, 1):
                        started = clock()
                        one(request)
                        samples.append(clock() - started)
                        if index % FLUSHED_EVERY == 0:
                            log._pending.clear()
                    log._pending.clear()
            finally:
                gc.set_threshold(*threshold)
                gc.unfreeze()
            samples.sort()
            result = {"p50": percentile(samples, 0.5) / 1000, "p99": percentile(samples, 0.99) / 1000,
                      "mean": sum(samples) / len(samples) / 1000, "calls": len(samples)}
            result["writer"] = {size: _writer_cost(engine, entries, size) for size in (20, 100)}
            return result
        finally:
            engine.dispose()


def _writer_cost(engine, entries: list, size: int) -> float:
    """CPU µs per decision of writing ``entries`` in transactions of ``size`` rows, as the log does."""
    from sqlalchemy import delete, insert

    from secondline.services.gate.decision_log import COLUMNS, decisions

    statement, writes = insert(decisions), writer(engine)
    with writes.begin() as conn:
        conn.execute(delete(decisions))
    started = time.process_time()
    for start in range(0, len(entries), size):
        with writes.begin() as conn:
            insert_rows(conn, statement, COLUMNS, [entry.values() for entry in entries[start:start + size]])
    return (time.process_time() - started) / len(entries) * 1e6


__all__ = ["decision_work"]

"""ReplayDecision for a decision made by any process of the gate, not only the one asked.

The gate may run as several processes writing one decision log: worker processes sharing a
port (``workers``), replicas behind a Service. Each writes its decisions through a queue of its
own, every ``decision_log.flush_seconds``: a decision another process made a moment ago may not
be in the database yet when a replay of it reaches this process. So this process writes its
own queue first (a decision it made itself is then there), and when the id names a decision
made elsewhere (the shape of a decision id, another process's prefix) looks again, for up to
``decision_log.replay_wait_seconds``. An id that is not a decision id is answered at once.
"""

from __future__ import annotations

import asyncio
import time

from secondline.errors import NotFound

from .core import Gate

POLL_SECONDS = 0.02


async def replay_anywhere(gate: Gate, decision_id: str, wait: float):
    """``Gate.replay`` of ``decision_id``, waiting up to ``wait`` seconds for another process's write."""
    await asyncio.to_thread(gate.log.flush, 5.0)  # a decision made here a moment ago may still be queued
    deadline = time.monotonic() + wait
    while True:
        try:
            return await asyncio.to_thread(gate.replay, decision_id)
        except NotFound as missing:
            if (missing.reason != "DECISION_NOT_FOUND" or not gate.made_elsewhere(decision_id)
                    or time.monotonic() >= deadline):
                raise
        await asyncio.sleep(POLL_SECONDS)

"""The gate's crossing window (M-1; settings ``crossing_window``): the whole-second bounds it
compares a crossing's seconds with take exactly the instants ``within`` takes, at every
microsecond of the clock and around both bounds."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from secondline.clock import ManualClock
from secondline.rpc.convert import within
from secondline.services.gate.core import Gate


def test_the_window_s_bounds_take_what_within_takes():
    rng = random.Random(11)
    for _ in range(3000):
        now = datetime.fromtimestamp(1.7e9 + rng.random() * 1e7, timezone.utc).replace(
            microsecond=rng.choice([0, 1, 999_999, rng.randrange(10**6)]))
        past = timedelta(seconds=rng.choice([86400, 3600, 1]), microseconds=rng.choice([0, 5]))
        future = rng.choice([None, timedelta(minutes=10), timedelta(seconds=1, microseconds=3)])
        gate = Gate(snapshot=None, measures=None, log=None, clock=ManualClock(now), past=past, future=future)
        window = gate.window()
        base = int(now.timestamp())
        edges = [base - int(past.total_seconds())] + ([base + int(future.total_seconds())] if future else [])
        for edge in edges:
            for second in range(edge - 2, edge + 3):
                at = datetime.fromtimestamp(second, timezone.utc)
                taken = within(at, now, past=past, future=future) is None
                assert (window.outside(at, second) is None) == taken, (now, past, future, second)
        assert window.now_us == (now - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(microseconds=1)

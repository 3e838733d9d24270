"""One injectable clock (DESIGN "Time"; RULES T).

Nothing in the suite calls ``datetime.now()`` directly: every service receives a
:class:`Clock` from its composition root. Production uses :class:`SystemClock`; a suite
started for tests or scenarios uses :class:`ManualClock`, whose time is set from outside.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""


class SystemClock:
    """The real time. Production cannot set it."""

    settable = False

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class ManualClock:
    """A clock that stands still until told otherwise; for tests and scenario runs."""

    settable = True

    def __init__(self, start: datetime) -> None:
        self._lock = threading.Lock()
        self._now = _aware(start)

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, instant: datetime) -> None:
        with self._lock:
            self._now = _aware(instant)

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now = self._now + delta


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"instant {instant.isoformat()} has no UTC offset")
    return instant

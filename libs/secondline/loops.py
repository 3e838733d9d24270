"""Which event loop a service process runs on (the setting ``server.event_loop``).

``uvloop`` (the default) is libuv's loop: ``grpc.aio`` hands its completions to the loop
through a socket it watches (``loop.add_reader``), and every call then costs a few callbacks,
futures and tasks on the loop, which uvloop runs in C. ``secondline bench gate`` measured a
bare echo server's CPU per call about an eighth lower on it. ``asyncio`` is the standard
library's own loop, for a platform uvloop does not support or to rule the loop out when
chasing a problem.

One difference matters to code on the loop: uvloop's timers have millisecond resolution, so
a ``sleep`` shorter than a millisecond lasts one. No service sleeps for less.
"""

from __future__ import annotations

import asyncio
from typing import Awaitable, Literal, TypeVar

EventLoop = Literal["uvloop", "asyncio"]
T = TypeVar("T")


def run(main: Awaitable[T], kind: EventLoop = "uvloop") -> T:
    """``asyncio.run(main)`` on a new loop of ``kind``."""
    if kind == "uvloop":
        import uvloop

        return uvloop.run(main)
    if kind == "asyncio":
        return asyncio.run(main)
    raise ValueError(f"event loop must be 'uvloop' or 'asyncio', got {kind!r}")


def current() -> str:
    """The running loop's kind, as the setting names it (``uvloop`` or ``asyncio``)."""
    loop = asyncio.get_running_loop()
    return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"


__all__ = ["EventLoop", "current", "run"]

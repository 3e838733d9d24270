"""Which event loop a service process runs on (the setting ``server.event_loop``).

``uvloop`` (the default) is libuv's loop: ``grpc.aio`` hands its completions to the loop
through a socket it watches (``loop.add_reader``), and every call then costs a few callbacks,
futures and tasks on the loop, which uvloop runs in C. ``secondline bench gate`` measured a
bare echo server's CPU per call about an eighth lower on it. ``asyncio`` is the standard
library's own loop, for a platform uvloop does not support or to rule the loop out when
chasing a problem.

One difference matters to code on the loop: uvloop's timers have millisecond resolution, so
a ``sleep`` shorter than a millisecond lasts one. No service sleeps for less.

Another matters to a service starting a child process: uvloop's own subprocess support forks
the service, gRPC's threads and all, and runs the libraries' fork handlers in the child before
its exec; beside gRPC calls in flight, 3 of 150 children so started died of SIGSEGV before they
ran. :class:`Child` starts one with ``subprocess.Popen`` (vfork and exec in CPython: no fork
handlers) and puts its pipes on the running loop, on either loop.
"""

from __future__ import annotations

import asyncio
import subprocess
from typing import Awaitable, Literal, TypeVar

from secondline.pipes import size_pipes

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


class Child:
    """A child process started by ``subprocess.Popen``, with its stdin and stdout on the event
    loop (asyncio's streams over the loop's pipe transports); what the service uses of
    ``asyncio.subprocess.Process``."""

    def __init__(self, popen: subprocess.Popen, stdin: asyncio.StreamWriter, stdout: asyncio.StreamReader) -> None:
        self.popen, self.stdin, self.stdout, self.pid = popen, stdin, stdout, popen.pid

    @classmethod
    async def start(cls, args: list[str], env: dict[str, str], limit: int, pipe_bytes: int = 0) -> "Child":
        """Start it; ``pipe_bytes``: the capacity asked for its two pipes (Linux; 64 KiB when not
        given). A child answering a message larger than its pipe blocks until the loop has read
        the rest, and the loop reads only when it holds the GIL: a pipe that takes a whole answer
        lets the child go on to the next message meanwhile."""
        popen = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        loop = asyncio.get_running_loop()
        try:
            if pipe_bytes:
                size_pipes((popen.stdin, popen.stdout), pipe_bytes)
            reader = asyncio.StreamReader(limit=limit, loop=loop)
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader, loop=loop), popen.stdout)
            transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, popen.stdin)
        except BaseException:
            popen.kill()
            popen.wait()
            raise
        return cls(popen, asyncio.StreamWriter(transport, protocol, None, loop), reader)

    @property
    def returncode(self) -> int | None:
        return self.popen.poll()

    def kill(self) -> None:
        self.popen.kill()

    async def wait(self) -> int:
        """Its exit status, once it has ended (polled: a worker is waited for only as it ends)."""
        while self.popen.poll() is None:
            await asyncio.sleep(0.02)
        return self.popen.returncode


__all__ = ["Child", "EventLoop", "current", "run"]

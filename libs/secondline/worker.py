"""A worker's own side of :mod:`secondline.workers`: which worker it is, its heartbeat, and
ending with its supervisor.

A worker serves as the service does alone, beside two tasks on its event loop: one writes a
byte on its heartbeat pipe every second (the supervisor kills a worker that falls silent), the
other reads the supervisor's pipe on standard input and ends the worker at once when it ends.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import stat
import sys
from dataclasses import dataclass

__all__ = ["HEARTBEAT_FD", "HEARTBEAT_SECONDS", "Worker", "beat", "end_with_parent", "serve_as_worker"]

log = logging.getLogger(__name__)

HEARTBEAT_FD = "SECONDLINE_WORKER_HEARTBEAT_FD"
"""The environment variable naming the write end of a worker's heartbeat pipe."""
HEARTBEAT_SECONDS = 1.0


@dataclass(frozen=True)
class Worker:
    """Which worker a process is: ``index`` from 1 to ``count``."""

    index: int
    count: int

    def resource(self) -> dict[str, object]:
        """Telemetry resource attributes: each worker exports its own metrics, told apart."""
        return {"secondline.worker": self.index, "secondline.workers": self.count}


async def end_with_parent() -> None:
    """In a worker: end the process (SIGKILL) once standard input, the supervisor's pipe,
    reaches its end: the supervisor is gone. Does nothing when standard input is not a pipe."""
    try:
        if not stat.S_ISFIFO(os.fstat(0).st_mode):
            return
    except OSError:
        return
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    try:
        while await reader.read(4096):
            pass
    finally:
        transport.close()
    log.error("the supervisor is gone: this worker ends with it")
    os.kill(os.getpid(), signal.SIGKILL)


async def beat(fd: int | None = None, every: float = HEARTBEAT_SECONDS) -> None:
    """In a worker: a byte on the heartbeat pipe every ``every`` seconds, from the event loop,
    so that beats stop when the loop does. Does nothing without a pipe (not supervised)."""
    if fd is None:
        named = os.environ.get(HEARTBEAT_FD, "")
        if not named.isdigit():
            return
        fd = int(named)
    os.set_blocking(fd, False)
    while True:
        try:
            os.write(fd, b".")
        except BlockingIOError:
            pass  # the supervisor has not read for a while: it has beats enough
        except OSError:
            return  # the supervisor is gone: end_with_parent ends the worker
        await asyncio.sleep(every)


async def serve_as_worker(service_host) -> None:
    """A worker's life: serve until signalled, or until the supervisor is gone; beat meanwhile."""
    from secondline.server import cancel_all

    tasks = [asyncio.create_task(end_with_parent(), name="supervisor-watch"),
             asyncio.create_task(beat(), name="heartbeat")]
    try:
        await service_host.run_until_signalled()
    finally:
        await cancel_all(tasks)

"""The checks at the edge of a large ``SubmitRecords`` message, in a worker process.

The event loop and the writer thread share one GIL; the checks at the edge (proto conversion,
identifiers, dates, rules, the content digest) are half the service's CPU for a record and
need nothing but the record, the rules and the receipt instant. A message of at least
``min_records`` records is therefore sent, as its serialized bytes, to a worker process
(:mod:`.check_worker`), which parses it and checks each record exactly as the service would
(``usecases.items_as`` and ``usecases.check_item``). It answers each record's draft in the
message's order, or ``None`` for a record it refused: a refusal is checked again in the
service, which makes the same refusal (the checks are pure) with its own error objects.
Smaller messages, and unary calls, are checked in the service: sending costs more than it
saves on a few records.

The worker is a child process with its stdin and stdout as pipes, read and written by the event
loop itself (its pipe transports): a ``ProcessPoolExecutor`` hands each call and result through
two threads of the service's process, and each of them waits for the GIL the loop and the writer
hold, which left both processes idle half the time. A worker answers its messages in the order
sent. It is started by ``secondline.loops.Child``, not by the event loop's own subprocess
support, which under uvloop could leave it dead of SIGSEGV before it ran (see there).

The worker starts at the first message large enough (or at :meth:`EdgeChecks.start`); until
it is ready, messages are checked in the service. A worker that dies fails every message sent
to it and not yet answered: each of their records is answered UNAVAILABLE and none is stored
(nothing reached the writer); a new worker is started at once.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import pickle
import sys
from datetime import datetime
from typing import Callable

from secondline.auth import Principal
from secondline.errors import Unavailable
from secondline.loops import Child
from secondline.pipes import PIPE_BYTES
from secondline.ingestion.v1 import ingestion_pb2
from secondline.rules_config import RulesConfig

from .check_worker import HEADER, check_message, decode, frame
from .domain import Draft
from .validation import Limits

log = logging.getLogger(__name__)

MIN_RECORDS = 64
"""Records a message needs for its checks to go to the worker process (settings edge_checks)."""
STOP_SECONDS = 5.0
RETRY_SECONDS = 30.0
"""How soon after a worker failed to start another is tried (messages are checked in the service meanwhile)."""


class ChecksUnavailable(Unavailable):
    pass


def _unavailable(why: str) -> ChecksUnavailable:
    return ChecksUnavailable(message=f"the worker process checking the records {why}; none of this message's "
                                     "records is stored: send them again", reason="EDGE_CHECKS_UNAVAILABLE")


class _Worker:
    """One worker process, the messages sent to it and not yet answered, and its reader."""

    def __init__(self, process: Child) -> None:
        self.process = process
        self.pending: collections.deque[asyncio.Future] = collections.deque()
        self.ready: asyncio.Future = asyncio.get_running_loop().create_future()
        self.reader: asyncio.Task | None = None
        self.dead = False


class EdgeChecks:
    """Worker processes that check large messages' records at the edge."""

    def __init__(self, rules: RulesConfig, limits: Limits, *, processes: int = 1, min_records: int = MIN_RECORDS,
                 work: Callable = check_message) -> None:
        self.processes = processes
        self.min_records = min_records
        self.work = work
        """What a worker runs on each message (tests give one of their own, importable by name)."""
        self._rules, self._limits = rules, limits
        self._workers: list[_Worker] = []
        self._starting: asyncio.Task | None = None
        self._closed = False
        self._failed_at = -RETRY_SECONDS
        self.restarts = 0
        self.sent = 0
        """Messages sent to a worker (tests, the benchmark)."""

    def takes(self, records: int) -> bool:
        """Whether a message of ``records`` records is checked in a worker; starts the workers
        at the first one large enough (that message is checked in the service meanwhile)."""
        if self.processes < 1 or records < self.min_records or self._closed:
            return False
        if not self._workers:
            self.start()
        return any(w.ready.done() and not w.dead for w in self._workers)

    def start(self) -> asyncio.Task:
        """Start the workers (if not started); a task done once each has answered it is ready."""
        loop = asyncio.get_running_loop()
        if self._starting is None or (self._starting.done() and not self._workers
                                      and loop.time() - self._failed_at >= RETRY_SECONDS):
            self._starting = asyncio.create_task(self._start(self.processes), name="edge-checks-start")
        return self._starting

    async def _start(self, count: int) -> None:
        started = [await self._spawn() for _ in range(count)]
        await asyncio.gather(*(w.ready for w in started), return_exceptions=True)

    async def _spawn(self) -> _Worker:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        process = await Child.start([sys.executable, "-m", "secondline.services.ingestion.check_worker"],
                                    env, limit=2 ** 24, pipe_bytes=PIPE_BYTES)  # an answer of 500 records (~200 KB) at once
        worker = _Worker(process)
        worker.ready.add_done_callback(lambda f: f.cancelled() or f.exception())  # seen by takes()
        worker.reader = asyncio.create_task(self._read(worker), name="edge-checks-reader")
        self._workers.append(worker)
        process.stdin.write(frame((self._rules, self._limits, self.work)))
        return worker

    async def check(self, principal: Principal, request: ingestion_pb2.SubmitRecordsRequest, received_at: datetime,
                    traceparent: str) -> list[Draft | None] | None:
        """Each record's draft, in order, or ``None`` where the worker refused it; raises
        :class:`ChecksUnavailable` when the worker died before answering. ``None`` when no worker
        is running (one died since :meth:`takes`): nothing was sent, the service checks them."""
        live = [w for w in self._workers if w.ready.done() and not w.dead]
        if not live:
            return None
        worker = min(live, key=lambda w: len(w.pending))
        future = asyncio.get_running_loop().create_future()
        worker.pending.append(future)
        self.sent += 1
        try:
            worker.process.stdin.write(frame((principal, request.SerializeToString(), received_at, traceparent)))
            await worker.process.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the worker is gone: its reader fails what it was sent
        ok, answer = await future
        if not ok:  # the work raised in the worker: as the same error in the service would, it fails the call
            raise RuntimeError(f"the edge checks failed in the worker process:\n{answer}")
        answer = decode(answer, received_at)
        if len(answer) != len(request.records):  # never misfile: refuse rather than pair wrongly
            raise _unavailable(f"answered {len(answer)} of {len(request.records)} records")
        return answer

    async def _read(self, worker: _Worker) -> None:
        out = worker.process.stdout
        try:
            (size,) = HEADER.unpack(await out.readexactly(HEADER.size))
            worker.ready.set_result(pickle.loads(await out.readexactly(size)))
            while True:
                (size,) = HEADER.unpack(await out.readexactly(HEADER.size))
                answer = pickle.loads(await out.readexactly(size))
                future = worker.pending.popleft()
                if not future.done():
                    future.set_result(answer)
        except (asyncio.IncompleteReadError, ConnectionResetError):
            pass  # the worker ended (closed, or died)
        finally:
            try:  # its exit status, for the log and the answers
                await asyncio.wait_for(asyncio.shield(worker.process.wait()), STOP_SECONDS)
            except asyncio.TimeoutError:
                worker.process.kill()
            self._ended(worker)

    def _ended(self, worker: _Worker) -> None:
        worker.dead = True
        if not worker.ready.done():
            worker.ready.set_exception(_unavailable("did not start"))
        code = worker.process.returncode
        if worker.pending or not self._closed:
            log.error("an edge checks worker process ended (exit status %s); %d messages refused as unavailable",
                      code, len(worker.pending))
        while worker.pending:
            future = worker.pending.popleft()
            if not future.done():
                future.set_exception(_unavailable(f"died (exit status {code})"))
        if worker in self._workers:
            self._workers.remove(worker)
        if worker.ready.exception() is not None:  # it never started: try again later, not in a loop
            self._failed_at = asyncio.get_running_loop().time()
        elif not self._closed:  # another worker in its place, for the next messages
            self.restarts += 1
            self._starting = asyncio.create_task(self._start(1), name="edge-checks-restart")

    def worker_pids(self) -> list[int]:
        """The worker processes running (tests, the benchmark)."""
        return [w.process.pid for w in self._workers if not w.dead]

    async def close(self) -> None:
        """Stop the workers: each finishes what it was sent, then ends (killed if it does not)."""
        self._closed = True
        if self._starting is not None:
            await asyncio.gather(self._starting, return_exceptions=True)
        for worker in list(self._workers):
            worker.process.stdin.close()
            try:
                await asyncio.wait_for(worker.process.wait(), STOP_SECONDS)
            except asyncio.TimeoutError:
                worker.process.kill()
                await worker.process.wait()
            await asyncio.gather(worker.reader, return_exceptions=True)
        self._workers = []

"""The checks at the edge of a large ``SubmitRecords`` message, in a worker process.

The event loop and the writer thread share one GIL; the checks at the edge (proto conversion,
identifiers, dates, rules, the content digest) are most of the loop's work on a record and
need nothing but the record, the rules and the receipt instant. A message of at least
``min_records`` records is therefore sent, as its serialized bytes, to a worker process
(a ``ProcessPoolExecutor`` of ``processes``, started with ``spawn``: the service runs gRPC
and threads, which ``fork`` does not carry safely), which parses it and checks each record
exactly as the service would (``usecases.items_as`` and ``usecases.check_item``). It answers
each record's draft in the message's order, or ``None`` for a record it refused: a refusal is
checked again in the service, which makes the same refusal (the checks are pure) with its
own error objects. Smaller messages, and unary calls, are checked in the service: sending
costs more than it saves on a few records.

The pool starts at the first message large enough (or at :meth:`EdgeChecks.start`); until
its worker has answered once, messages are checked in the service. A worker that dies fails
the message it was checking, and any sent meanwhile: each of their records is answered
UNAVAILABLE and none is stored (nothing reaches the writer), and a new pool is started for
the next message.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import Callable

from secondline.auth import Principal
from secondline.errors import DomainError, Unavailable
from secondline.ingestion.v1 import ingestion_pb2
from secondline.rules_config import RulesConfig

from .convert import input_from_proto
from .domain import Draft
from .usecases import check_item, items_as
from .validation import Limits

log = logging.getLogger(__name__)

MIN_RECORDS = 64
"""Records a message needs for its checks to go to the worker process (settings edge_checks)."""


class ChecksUnavailable(Unavailable):
    pass


class EdgeChecks:
    """A pool of worker processes that check large messages' records at the edge."""

    def __init__(self, rules: RulesConfig, limits: Limits, *, processes: int = 1, min_records: int = MIN_RECORDS,
                 work: Callable | None = None) -> None:
        self.processes = processes
        self.min_records = min_records
        self._args = (rules, limits)
        self._work = work or _check_message  # tests pass a worker function of their own
        self._pool: ProcessPoolExecutor | None = None
        self._ready: asyncio.Future | None = None
        self.restarts = 0
        self.sent = 0
        """Messages sent to the worker (tests, the benchmark)."""

    def takes(self, records: int) -> bool:
        """Whether a message of ``records`` records is checked in the worker; starts the pool
        at the first one large enough (that message is checked in the service meanwhile)."""
        if self.processes < 1 or records < self.min_records:
            return False
        if self._pool is None:
            self.start()
        ready = self._ready
        return ready.done() and not ready.cancelled() and ready.exception() is None

    def start(self) -> asyncio.Future:
        """Start the pool (if not started); a future done once its worker has answered."""
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.processes, mp_context=context, initializer=_init, initargs=self._args)
            self._ready = asyncio.wrap_future(self._pool.submit(_ready))
            self._ready.add_done_callback(_quiet)
        return self._ready

    async def check(self, principal: Principal, request: ingestion_pb2.SubmitRecordsRequest, received_at: datetime,
                    traceparent: str) -> list[Draft | None]:
        """Each record's draft, in order, or ``None`` where the worker refused it; raises
        :class:`ChecksUnavailable` when the worker died (the pool is started again)."""
        pool = self._pool
        if pool is None:
            raise ChecksUnavailable(message="the service is stopping", reason="EDGE_CHECKS_UNAVAILABLE")
        self.sent += 1
        try:
            future = pool.submit(self._work, principal, request.SerializeToString(), received_at, traceparent)
            drafts = await asyncio.wrap_future(future)
        except BrokenProcessPool as exc:
            log.error("the edge checks' worker process died; %d records refused as unavailable, pool restarted",
                      len(request.records))
            self._restart(pool)
            raise ChecksUnavailable(
                message=f"the worker process checking the records died ({exc}); none of this message's records "
                        "is stored: send them again", reason="EDGE_CHECKS_UNAVAILABLE") from None
        if len(drafts) != len(request.records):  # a worker function that lost records: refuse rather than misfile
            raise ChecksUnavailable(message=f"the edge checks answered {len(drafts)} of {len(request.records)} records",
                                    reason="EDGE_CHECKS_UNAVAILABLE")
        return drafts

    def _restart(self, broken: ProcessPoolExecutor) -> None:
        if self._pool is not broken:  # another message's failure restarted it already
            return
        broken.shutdown(wait=False, cancel_futures=True)
        self._pool = None
        self.restarts += 1
        self.start()

    def worker_pids(self) -> list[int]:
        """The pool's worker processes (tests, the benchmark)."""
        return list(self._pool._processes) if self._pool is not None else []  # noqa: SLF001

    async def close(self) -> None:
        """Stop the workers (what they were checking is answered or cancelled first)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.get_running_loop().run_in_executor(None, lambda: pool.shutdown(wait=True, cancel_futures=True))


def _quiet(future: asyncio.Future) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("the edge checks' worker process did not start: %s", future.exception())


# -- in the worker process -----------------------------------------------------------------------

_rules: RulesConfig | None = None
_limits = Limits()


def _init(rules: RulesConfig, limits: Limits) -> None:
    global _rules, _limits
    _rules, _limits = rules, limits


def _ready() -> bool:
    return True


def _check_message(principal: Principal, data: bytes, received_at: datetime, traceparent: str) -> list[Draft | None]:
    """The drafts of a serialized ``SubmitRecordsRequest``'s records, ``None`` for each refused."""
    request = ingestion_pb2.SubmitRecordsRequest.FromString(data)
    items = items_as(principal, [input_from_proto(r) for r in request.records], received_at)
    checked = (check_item(item, traceparent=traceparent, rules=_rules, limits=_limits) for item in items)
    return [None if isinstance(draft, DomainError) else draft for draft in checked]

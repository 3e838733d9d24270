"""Feeds: serving them in pages, in messages of bounded size, and following them.

Every feed of the suite (ingestion's records, classification's changes) is read the same way:
page through what is stored after the consumer's position; once caught up, either end, or wait
until the producer says it committed more, or a short poll passes (for what another process
committed). A feed's messages are bounded in bytes as well as in count (:func:`by_bytes`),
whatever the records hold, so that a consumer with gRPC's default 4 MiB limit always takes
them. A consumer watches its feed with :class:`FeedWatch`: a failure is logged with its status
code and details, and a feed that cannot go on is a metric and a health status, not a silent
retry loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import TypeVar

import grpc
from opentelemetry.metrics import Observation

T = TypeVar("T")


async def pages(
    read: Callable[[int, int], Awaitable[list[T]]],
    *,
    after: int,
    position: Callable[[T], int],
    follow: bool,
    page_size: int,
    committed: asyncio.Condition,
    version: Callable[[], int],
    poll_seconds: float,
    linger_seconds: float = 0.0,
) -> AsyncIterator[list[T]]:
    """Pages of ``read(after, page_size)``; with ``follow``, for as long as the caller reads.

    ``linger_seconds``: once caught up, how long to wait after the producer's next commit
    before reading, so that the commits of a trickle (records filed one at a time) go out as
    one page, and the consumer applies them in one transaction rather than one each. It delays
    a record by at most that much; catching up (full pages) never waits."""
    while True:
        seen = version()  # before reading, so a commit in between is not missed
        page = await read(after, page_size)
        if page:
            yield page
            after = position(page[-1])
        if len(page) == page_size:
            continue
        if not follow:
            return
        async with committed:
            try:
                await asyncio.wait_for(committed.wait_for(lambda: version() != seen), poll_seconds)
            except TimeoutError:
                continue  # nothing committed here: read what another process may have
        if linger_seconds > 0:
            await asyncio.sleep(linger_seconds)


# -- bounded messages ------------------------------------------------------------------------

def field_bytes(size: int) -> int:
    """What one element of a repeated message field (number < 16) costs on the wire: tag, length, body."""
    length = 1
    while size >= 0x80 << (7 * (length - 1)):
        length += 1
    return 1 + length + size


def by_bytes(items: Iterable[T], *, budget: int, size: Callable[[T], int]) -> Iterator[list[T]]:
    """``items`` in runs whose sizes add up to at most ``budget``; an item larger than the
    budget alone is a run of its own, so that every item is delivered."""
    run: list[T] = []
    used = 0
    for item in items:
        cost = size(item)
        if run and used + cost > budget:
            yield run
            run, used = [], 0
        run.append(item)
        used += cost
    if run:
        yield run


# -- following a feed ------------------------------------------------------------------------

# Codes a retry can cure by itself; any other error repeats until someone acts (a message
# larger than the consumer takes, a principal refused, a bad request), and stalls the feed.
TRANSIENT = frozenset({"UNAVAILABLE", "DEADLINE_EXCEEDED", "CANCELLED", "ABORTED"})
STALLED_AFTER = 5  # transient failures in a row without progress that count as stalled too


class FeedWatch:
    """How a consumer's feed is faring: each failure logged with its status code and details,
    counted in the metric ``secondline.feed.errors`` (attributes ``feed``, ``code``), and a
    stalled feed (a permanent error, or failures in a row) shown as the gauge
    ``secondline.feed.stalled`` and, through :func:`keep_health`, a health name NOT_SERVING."""

    def __init__(self, feed: str, *, meter, logger: logging.Logger) -> None:
        self.feed = feed
        self.stalled = False
        self.failures = 0
        self.last_error = ""
        self._log = logger
        self._errors = meter.create_counter("secondline.feed.errors", description="Failures following a feed, by status code")
        meter.create_observable_gauge("secondline.feed.stalled", [lambda options: [Observation(int(self.stalled), {"feed": feed})]],
                                      description="1 while a feed this service follows is stalled")

    def failed(self, exc: BaseException, retry_in: float) -> None:
        code, details = describe(exc)
        self.failures += 1
        permanent = code not in TRANSIENT
        self.stalled = permanent or self.failures >= STALLED_AFTER
        self.last_error = f"{code}: {details}"
        self._errors.add(1, {"feed": self.feed, "code": code})
        level = logging.ERROR if self.stalled else logging.WARNING
        self._log.log(level, "%s feed interrupted: %s: %s; %sretrying in %.1fs", self.feed, code, details,
                      "stalled, needs attention; " if permanent else "", retry_in,
                      extra={"feed": self.feed, "code": code, "details": details, "stalled": self.stalled})

    def progressed(self) -> None:
        if self.stalled:
            self._log.info("%s feed flowing again", self.feed, extra={"feed": self.feed})
        self.stalled, self.failures = False, 0


def describe(exc: BaseException) -> tuple[str, str]:
    """(status code name, details) of a failed call; other errors by their type and text."""
    if isinstance(exc, grpc.aio.AioRpcError):
        return exc.code().name, exc.details() or ""
    return type(exc).__name__, str(exc)[:500]


async def keep_health(health, name: str, healthy: Callable[[], bool], *, every: float = 1.0) -> None:
    """Keep the health service's ``name`` at SERVING while ``healthy()``, NOT_SERVING otherwise."""
    from secondline.server import NOT_SERVING, SERVING

    status = None
    while True:
        now = healthy()
        if now != status:
            await health.set(name, SERVING if now else NOT_SERVING)
            status = now
        await asyncio.sleep(every)

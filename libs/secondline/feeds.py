"""Serving a feed: pages after a position, then, when following, what is committed later.

Every feed of the suite (ingestion's records, classification's changes) is read the same way:
page through what is stored after the consumer's position; once caught up, either end, or wait
until the producer says it committed more, or a short poll passes (for what another process
committed).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

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
) -> AsyncIterator[list[T]]:
    """Pages of ``read(after, page_size)``; with ``follow``, for as long as the caller reads."""
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
                pass

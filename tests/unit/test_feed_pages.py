"""feeds.pages: a follower's pages, and the linger that gathers a trickle of commits into one."""

from __future__ import annotations

import asyncio


from secondline.feeds import pages


class Producer:
    """A feed in memory: commits append and tell the followers, as a service's writer does."""

    def __init__(self) -> None:
        self.items: list[int] = []
        self.commits = 0
        self.committed = asyncio.Condition()
        self.reads = 0

    async def read(self, after: int, size: int) -> list[int]:
        self.reads += 1
        return [i for i in self.items if i > after][:size]

    async def commit(self, *items: int) -> None:
        self.items.extend(items)
        self.commits += 1
        async with self.committed:
            self.committed.notify_all()

    def follow(self, *, linger: float, page_size: int = 10, after: int = 0):
        return pages(self.read, after=after, position=lambda i: i, follow=True, page_size=page_size,
                     committed=self.committed, version=lambda: self.commits, poll_seconds=30, linger_seconds=linger)


async def _trickle(linger: float) -> list[list[int]]:
    """Three records committed one at a time, 50 ms apart, to a caught-up follower."""
    producer = Producer()
    feed = producer.follow(linger=linger)
    got: list[list[int]] = []

    async def consume() -> None:
        async for page in feed:
            got.append(page)
            if page[-1] == 3:
                return

    consumer = asyncio.create_task(consume())
    await asyncio.sleep(0.05)  # the follower has read the empty feed and waits
    for item in (1, 2, 3):
        await producer.commit(item)
        await asyncio.sleep(0.05)
    await asyncio.wait_for(consumer, 10)
    return got


async def test_a_caught_up_follower_gets_a_trickle_of_commits_as_one_page_when_the_feed_lingers():
    assert await _trickle(linger=0.5) == [[1, 2, 3]]


async def test_without_a_linger_each_commit_of_a_trickle_is_a_page_of_its_own():
    assert await _trickle(linger=0.0) == [[1], [2], [3]]


async def test_catching_up_never_lingers():
    producer = Producer()
    producer.items = list(range(1, 31))  # three full pages stored before the follower came
    producer.commits = 1
    feed = producer.follow(linger=60, page_size=10)
    got = [await asyncio.wait_for(anext(feed), 5) for _ in range(3)]
    assert got == [list(range(1, 11)), list(range(11, 21)), list(range(21, 31))]
    await feed.aclose()


async def test_what_another_process_committed_is_read_at_the_next_poll_without_lingering():
    producer = Producer()
    feed = pages(producer.read, after=0, position=lambda i: i, follow=True, page_size=10, committed=producer.committed,
                 version=lambda: producer.commits, poll_seconds=0.05, linger_seconds=60)
    waiting = asyncio.ensure_future(anext(feed))
    await asyncio.sleep(0.01)  # the first read found nothing; the follower polls
    producer.items.append(1)  # committed by another process: nothing is told here
    assert await asyncio.wait_for(waiting, 5) == [1]
    await feed.aclose()

"""StreamChangeBatches (classification's servicer): a page of the change feed goes as few
messages as the feed's message bytes allow, each change as StreamChanges sends it, in order,
each message naming its last change's revision; a change larger than the budget goes alone."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from secondline.classification.v1 import classification_pb2 as pb
from secondline.feeds import field_bytes
from secondline.services.classification.domain import Segment
from secondline.services.classification.reads import Change
from secondline.services.classification.servicer import ClassificationServicer, _change_message

PLAIN = [Segment(None, None, "WHITELIST", (), frozenset())]


class Pages:
    """The feed as the servicer reads it: given pages, then the end (not following)."""

    def __init__(self, pages: list[list[Change]]) -> None:
        self.pages, self.asked = pages, []

    def change_pages(self, after: int, *, follow: bool):
        self.asked.append((after, follow))

        async def read():
            for page in self.pages:
                yield page
        return read()


def _change(revision: int, key_length: int = 18) -> Change:
    return Change(revision, "enterprise", "9" * key_length, datetime(2026, 1, 1, tzinfo=timezone.utc), PLAIN,
                  f"r{revision}", "")


def _batches(pages, budget: int, after: int = 10) -> tuple[list[pb.StreamChangeBatchesResponse], Pages]:
    feed = Pages(pages)
    servicer = ClassificationServicer(feed, None, None, feed_bytes=budget)

    async def take():
        return [m async for m in servicer.StreamChangeBatches(pb.StreamChangeBatchesRequest(after_revision=after), None)]
    return asyncio.run(take()), feed


def test_a_page_goes_as_one_message_when_it_fits():
    page = [_change(r) for r in range(11, 16)]
    batches, feed = _batches([page], budget=1 << 20)
    assert feed.asked == [(10, False)]
    assert [[c.revision for c in b.changes] for b in batches] == [[11, 12, 13, 14, 15]]
    assert batches[0].revision == 15 and not batches[0].heartbeat
    assert list(batches[0].changes) == [_change_message(c) for c in page]  # as StreamChanges sends each


def test_the_feeds_message_bytes_split_a_page_in_order_and_a_large_change_goes_alone():
    page = [_change(r) for r in range(11, 16)] + [_change(16, key_length=400)] + [_change(17)]
    one = field_bytes(_change_message(page[0]).ByteSize())
    batches, _ = _batches([page, [_change(18)]], budget=2 * one)
    assert [[c.revision for c in b.changes] for b in batches] == [[11, 12], [13, 14], [15], [16], [17], [18]]
    assert [b.revision for b in batches] == [12, 14, 15, 16, 17, 18]
    for b in batches:  # within the budget, but for the change that alone exceeds it
        assert sum(field_bytes(c.ByteSize()) for c in b.changes) <= 2 * one or len(b.changes) == 1

"""The follower's batches while catching up (settings ``catch_up_batch``): records are taken
message by message until the batch holds the limit, and the end of the stream is left for the
next read."""

from __future__ import annotations

import asyncio

from secondline.common.v1 import common_pb2
from secondline.ingestion.v1 import ingestion_pb2
from secondline.services.classification.app import ClassificationSettings
from secondline.services.classification.background import MAX_BATCH, _take, incoming


def _message(first: int, count: int) -> ingestion_pb2.StreamRecordsResponse:
    return ingestion_pb2.StreamRecordsResponse(records=[ingestion_pb2.Record(
        record_id=f"id{n}", cursor=str(n), source=common_pb2.DEPARTMENT_TAX, content_kind=common_pb2.RECORD_KIND_INDUSTRY_RATING,
        input=ingestion_pb2.RecordInput(source_id=f"S-{n}", kind=common_pb2.RECORD_KIND_INDUSTRY_RATING,
                                        subject=common_pb2.SubjectId(enterprise=f"key{n}"), grade="A",
                                        decided_on=common_pb2.Date(year=2026, month=5, day=2)))
        for n in range(first, first + count)])


def test_a_batch_takes_messages_until_it_holds_the_limit_and_leaves_the_end_of_the_stream():
    queue: asyncio.Queue = asyncio.Queue()
    for i in range(4):
        queue.put_nowait(_message(1 + 5 * i, 5))
    queue.put_nowait(None)
    first = _take(queue, incoming(_message(100, 2)), 8)  # 2 pending + two messages of 5: 12 >= 8
    assert [r.cursor for r in first] == [100, 101, *range(1, 11)]
    assert [r.cursor for r in _take(queue, [], 8)] == list(range(11, 21))
    assert _take(queue, [], 8) == []  # only the end of the stream is left
    assert queue.get_nowait() is None and queue.empty()  # and it stays for the follower to see


def test_the_batch_limit_is_a_setting_with_the_measured_default():
    assert ClassificationSettings().catch_up_batch == MAX_BATCH == 20_000
    assert ClassificationSettings(catch_up_batch=5_000).catch_up_batch == 5_000

"""The gate's follower against a classification too old to serve StreamChangeBatches (a rolling
upgrade that reached the gate first): it follows StreamChanges, one change a message, and its
snapshot takes each change as before. Against one that serves batches it takes those."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import grpc
import pytest

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.clock import SystemClock
from secondline.services.gate.follower import SnapshotFollower
from secondline.services.gate.snapshot import Snapshot
from secondline.telemetry import setup_telemetry

KEY = "91460100MA5T0A3D5P"
NAME = cpb.DESCRIPTOR.services_by_name["ClassificationService"].full_name


def _change(revision: int) -> cpb.StreamChangesResponse:
    change = cpb.StreamChangesResponse(revision=revision, record_id=f"r{revision}")
    change.state.subject.enterprise = KEY
    change.state.revision = revision
    segment = change.state.timeline.add()  # watchlisted from the epoch on, no end: held by the snapshot
    segment.credit_class = 3  # CREDIT_CLASS_WATCHLIST
    return change


async def _classification(batches: bool) -> tuple[grpc.aio.Server, int, list[str]]:
    """A classification serving the bootstrap (nothing notable, revision 1) and the change feed:
    revisions 2 and 3, then silence; with ``batches``, StreamChangeBatches too."""
    called: list[str] = []

    async def notable(request, context):
        return cpb.ListNotableSubjectsResponse(revision=1)

    async def changes(request, context):
        called.append("StreamChanges")
        for revision in (2, 3):
            if revision > request.after_revision:
                yield _change(revision)
        await asyncio.sleep(3600)

    async def change_batches(request, context):
        called.append("StreamChangeBatches")
        yield cpb.StreamChangeBatchesResponse(changes=[_change(2), _change(3)], revision=3)
        await asyncio.sleep(3600)

    handlers = {
        "ListNotableSubjects": grpc.unary_unary_rpc_method_handler(
            notable, request_deserializer=cpb.ListNotableSubjectsRequest.FromString,
            response_serializer=cpb.ListNotableSubjectsResponse.SerializeToString),
        "StreamChanges": grpc.unary_stream_rpc_method_handler(
            changes, request_deserializer=cpb.StreamChangesRequest.FromString,
            response_serializer=cpb.StreamChangesResponse.SerializeToString),
    }
    if batches:
        handlers["StreamChangeBatches"] = grpc.unary_stream_rpc_method_handler(
            change_batches, request_deserializer=cpb.StreamChangeBatchesRequest.FromString,
            response_serializer=cpb.StreamChangeBatchesResponse.SerializeToString)
    server = grpc.aio.server()
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(NAME, handlers)])
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    return server, port, called


@pytest.mark.parametrize("batches", [False, True], ids=["older classification", "batches served"])
async def test_the_follower_takes_the_feed_either_way(batches, caplog):
    server, port, called = await _classification(batches)
    telemetry = setup_telemetry("gate")
    snapshot = Snapshot(keep_past_seconds=86400)
    follower = SnapshotFollower(address=f"127.0.0.1:{port}", snapshot=snapshot, clock=SystemClock(), telemetry=telemetry,
                                history=timedelta(hours=24))
    task = asyncio.create_task(follower.run())
    try:
        for _ in range(200):
            if snapshot.revision == 3:
                break
            await asyncio.sleep(0.025)
        assert snapshot.revision == 3 and len(snapshot) == 1
        assert follower.batched is batches
        # the older one answered the batched call UNIMPLEMENTED without a handler running
        assert called == (["StreamChangeBatches"] if batches else ["StreamChanges"])
        fell_back = [r for r in caplog.records if "does not serve StreamChangeBatches" in r.getMessage()]
        assert len(fell_back) == (0 if batches else 1)
        assert not follower.watch.stalled
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await server.stop(0)
        telemetry.shutdown()

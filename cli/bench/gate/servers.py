"""The gate benchmark's helper servers: the bare echo (the baseline) and the stub classification.

Each runs as ``python -m secondline.cli.bench.gate echo|stub ...`` and prints ``READY host:port``.
"""

from __future__ import annotations

import argparse
import asyncio
import selectors
import signal
import sys

import grpc

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.cli.bench.gate.population import population
from secondline.loops import run


HOST = "127.0.0.1"


def _loop() -> asyncio.AbstractEventLoop:
    """An event loop whose timers fire within ~0.1 ms: ``select()`` takes microseconds, where
    epoll's timeout is rounded up to whole milliseconds (as long as a sleep's lateness adds to
    the measured latency, a millisecond of it would swamp a sub-millisecond answer)."""
    return asyncio.SelectorEventLoop(selectors.SelectSelector())


async def _serve_until_signalled(server: grpc.aio.Server, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await server.start()
    print(f"READY {HOST}:{port}", flush=True)
    await stop.wait()
    await server.stop(0.5)


def serve_echo(argv: list[str]) -> int:
    """The baseline: a bare grpc.aio server whose one unary method answers fixed bytes."""
    parser = argparse.ArgumentParser(prog="secondline.cli.bench.gate echo")
    parser.add_argument("--response-bytes", type=int, required=True)
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop")
    args = parser.parse_args(argv)
    answer = b"\x0a" * args.response_bytes

    async def echo(request: bytes, context) -> bytes:
        return answer

    async def serve() -> None:
        server = grpc.aio.server()
        handler = grpc.unary_unary_rpc_method_handler(echo)  # no (de)serializers: bytes in, bytes out
        server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler("secondline.bench.v1.Echo", {"Echo": handler})])
        port = server.add_insecure_port(f"{HOST}:0")
        await _serve_until_signalled(server, port)

    run(serve(), args.loop)
    return 0


def serve_stub(argv: list[str]) -> int:
    """Classification as the gate sees it: the notable subjects, then a quiet change feed."""
    parser = argparse.ArgumentParser(prog="secondline.cli.bench.gate stub")
    parser.add_argument("--subjects", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--now", type=int, required=True)
    args = parser.parse_args(argv)
    # Each state kept as the bytes of a one-state ListNotableSubjectsResponse: concatenating
    # them is the repeated field, so a page is a join, and 100,000 states take ~30 MB.
    encoded = [cpb.ListNotableSubjectsResponse(states=[state]).SerializeToString()
               for state in population(args.subjects, args.seed, args.now)]
    revision = args.subjects
    streams = {"pages": 0, "streams": 0}

    async def list_notable(request: cpb.ListNotableSubjectsRequest, context) -> bytes:
        size = request.page_size or 1000
        if not 0 < size <= 5000:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "page_size must be between 1 and 5000")
        start = int(request.page_token) if request.page_token else 0
        end = min(start + size, len(encoded))
        tail = cpb.ListNotableSubjectsResponse(revision=revision, next_page_token=str(end) if end < len(encoded) else "")
        streams["pages"] += 1
        return b"".join(encoded[start:end]) + tail.SerializeToString()

    def heartbeats(response_type):
        """Either change feed (StreamChanges, StreamChangeBatches): nothing changes, so
        heartbeats only (or silence), until the gate hangs up."""
        async def stream(request, context):
            streams["streams"] += 1
            if not request.follow:
                return
            interval = request.heartbeat_interval.ToTimedelta().total_seconds() if request.HasField("heartbeat_interval") else 0
            while True:
                await asyncio.sleep(max(interval, 0.1) if interval else 3600)
                if interval:
                    yield response_type(revision=revision, heartbeat=True)
        return stream

    async def status(request, context):
        return cpb.GetStatusResponse(record_cursor=str(revision), revision=revision)

    async def serve() -> None:
        server = grpc.aio.server()
        handlers = {
            "ListNotableSubjects": grpc.unary_unary_rpc_method_handler(
                list_notable, request_deserializer=cpb.ListNotableSubjectsRequest.FromString),
            "StreamChanges": grpc.unary_stream_rpc_method_handler(
                heartbeats(cpb.StreamChangesResponse), request_deserializer=cpb.StreamChangesRequest.FromString,
                response_serializer=cpb.StreamChangesResponse.SerializeToString),
            "StreamChangeBatches": grpc.unary_stream_rpc_method_handler(
                heartbeats(cpb.StreamChangeBatchesResponse),
                request_deserializer=cpb.StreamChangeBatchesRequest.FromString,
                response_serializer=cpb.StreamChangeBatchesResponse.SerializeToString),
            "GetStatus": grpc.unary_unary_rpc_method_handler(
                status, request_deserializer=cpb.GetStatusRequest.FromString,
                response_serializer=cpb.GetStatusResponse.SerializeToString),
        }
        name = cpb.DESCRIPTOR.services_by_name["ClassificationService"].full_name
        server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(name, handlers)])
        port = server.add_insecure_port(f"{HOST}:0")
        await _serve_until_signalled(server, port)
        print(f"stub: {streams['pages']} pages served, {streams['streams']} change streams opened", file=sys.stderr)

    asyncio.run(serve())
    return 0

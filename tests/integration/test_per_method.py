"""Interceptors applied once per method at registration (secondline.per_method), on a real server."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from secondline.per_method import PerMethodServer, apply_once


class Counting(grpc.aio.ServerInterceptor):
    """Wraps each handler so that its answers carry a mark; counts how often it is asked to."""

    def __init__(self, mark: bytes) -> None:
        self.mark, self.wrapped = mark, 0

    async def intercept_service(self, continuation, details):
        handler = await continuation(details)
        self.wrapped += 1
        inner = handler.unary_unary

        async def behaviour(request, context):
            return self.mark + await inner(request, context)
        return handler._replace(unary_unary=behaviour)


class Suspending(grpc.aio.ServerInterceptor):
    async def intercept_service(self, continuation, details):
        await asyncio.sleep(0)  # decides per call: not for PerMethodServer
        return await continuation(details)


async def _echo(request: bytes, context) -> bytes:
    return request


def test_each_method_is_wrapped_once_in_the_chain_s_order_whatever_the_calls():
    async def scenario():
        outer, inner = Counting(b"o"), Counting(b"i")
        real = grpc.aio.server()
        server = PerMethodServer(real, [outer, inner])
        handlers = {"A": grpc.unary_unary_rpc_method_handler(_echo), "B": grpc.unary_unary_rpc_method_handler(_echo)}
        server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler("t.Generic", handlers)])
        server.add_registered_method_handlers("t.Registered", handlers)
        port = server.add_insecure_port("127.0.0.1:0")  # the real server's own, through the proxy
        await server.start()
        try:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                for method in ("/t.Generic/A", "/t.Generic/B", "/t.Registered/A"):
                    for _ in range(5):
                        assert await channel.unary_unary(method)(b"x") == b"oix"  # outer's mark outermost
        finally:
            await real.stop(0)
        # Registered: both methods at registration; generic: each on its first call.
        return outer.wrapped, inner.wrapped

    assert asyncio.run(scenario()) == (4, 4)


def test_an_interceptor_that_suspends_is_refused_by_name():
    handler = grpc.unary_unary_rpc_method_handler(_echo)
    with pytest.raises(TypeError, match="suspended while wrapping /t.S/M: it decides per call"):
        apply_once([Suspending()], handler, "/t.S/M")

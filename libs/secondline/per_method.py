"""Server interceptors applied once per method, when the servicers register, not on every call.

``grpc.aio.server(interceptors=...)`` runs the whole chain of ``intercept_service`` coroutines
for every call: each awaits the next, then wraps the handler it gets back in a new handler,
before the call's own code starts. Every interceptor of the suite (wire errors, tracing, the
authorization table) decides by the method alone, so the handler it builds is the same for
every call of a method: :class:`PerMethodServer` builds it once. A service registers on it as
on the server; each method handler it is given (generic or registered) is passed through the
chain at once, and the server only ever sees the finished handlers. A call then costs what the
wrappers themselves cost (on the gate's Decide, two coroutine frames) and nothing more.

What an interceptor may do here: read ``handler_call_details.method``, wrap the handler, and
return without suspending. One that reads the call's metadata in ``intercept_service``, or
awaits something there, belongs on the server's own chain; :func:`apply_once` refuses it,
at registration, by name.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import grpc


class _Details(NamedTuple):
    """The handler call details an interceptor sees at registration: the method, no metadata."""

    method: str
    invocation_metadata: tuple = ()


def apply_once(interceptors: Sequence[grpc.aio.ServerInterceptor], handler: grpc.RpcMethodHandler,
               method: str) -> grpc.RpcMethodHandler:
    """``handler`` as the chain would hand it to the server for a call of ``method``
    (``/package.Service/Method``): ``interceptors[0]`` outermost, as on the server."""
    async def terminal(details):
        return handler

    continuation = terminal
    for interceptor in reversed(interceptors):
        continuation = _link(interceptor, continuation)
    coroutine = continuation(_Details(method))
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise TypeError(f"an interceptor suspended while wrapping {method}: it decides per call, "
                    f"not per method, and belongs on the server's own interceptor chain")


def _link(interceptor, continuation):
    def call(details):
        return interceptor.intercept_service(continuation, details)
    return call


class _PerMethodGenericHandler(grpc.GenericRpcHandler):
    """A generic handler whose method handlers are wrapped once each, on first use."""

    def __init__(self, inner: grpc.GenericRpcHandler, interceptors: Sequence[Any]) -> None:
        self._inner, self._interceptors = inner, tuple(interceptors)
        self._wrapped: dict[str, tuple[grpc.RpcMethodHandler, grpc.RpcMethodHandler]] = {}

    def service(self, handler_call_details):
        handler = self._inner.service(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method
        cached = self._wrapped.get(method)
        if cached is not None and cached[0] is handler:
            return cached[1]
        wrapped = apply_once(self._interceptors, handler, method)
        self._wrapped[method] = (handler, wrapped)
        return wrapped


class PerMethodServer:
    """What services register on: a ``grpc.aio.Server`` whose handlers pass ``interceptors``
    once each (:func:`apply_once`); anything else is the server's own."""

    def __init__(self, server: grpc.aio.Server, interceptors: Sequence[grpc.aio.ServerInterceptor]) -> None:
        self.server, self._interceptors = server, tuple(interceptors)

    def add_generic_rpc_handlers(self, generic_rpc_handlers: Sequence[grpc.GenericRpcHandler]) -> None:
        self.server.add_generic_rpc_handlers(
            [_PerMethodGenericHandler(handler, self._interceptors) for handler in generic_rpc_handlers])

    def add_registered_method_handlers(self, service_name: str, method_handlers: dict) -> None:
        self.server.add_registered_method_handlers(service_name, {
            name: apply_once(self._interceptors, handler, f"/{service_name}/{name}")
            for name, handler in method_handlers.items()})

    def __getattr__(self, name: str):
        return getattr(self.server, name)


__all__ = ["PerMethodServer", "apply_once"]

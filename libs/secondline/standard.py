"""The standard gRPC services every Secondline service serves, and what no servicer sees.

- Health (``grpc.health.v1.Health``) with ``Check``, ``Watch`` and ``List``: the packaged
  servicer leaves ``List`` unimplemented although ``health.proto`` declares it.
- Server reflection as ``grpc.reflection.v1.ServerReflection`` and the older
  ``grpc.reflection.v1alpha.ServerReflection``: grpcio-reflection implements only v1alpha,
  and v1 is the same protocol under another package (the messages are wire-identical), so the
  v1 service is v1alpha's servicer behind v1's method name, and v1's file descriptor, derived
  from v1alpha's, is added to the pool so that reflection can describe itself.
- Malformed wire bytes: grpc calls a method's request deserializer before any servicer code
  runs, and a ``DecodeError`` there answers UNKNOWN with the exception's text and logs a
  traceback. :class:`WireErrors` swaps in a deserializer that never raises and ends such a call
  with INVALID_ARGUMENT, a plain message, an ``ErrorInfo`` and a ``BadRequest``.
"""

from __future__ import annotations

import inspect

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.message import DecodeError
from grpc_health.v1 import health, health_pb2
from grpc_reflection.v1alpha import reflection_pb2 as v1alpha_pb2
from grpc_reflection.v1alpha._async import ReflectionServicer

from secondline.errors import FieldViolation, InvalidArgument
from secondline.rpc.status import abort

REFLECTION_V1 = "grpc.reflection.v1.ServerReflection"
REFLECTION_V1ALPHA = v1alpha_pb2.DESCRIPTOR.services_by_name["ServerReflection"].full_name
HEALTH = health.SERVICE_NAME
HEALTH_LIST_MAX = 100  # health.proto: a List of more services answers RESOURCE_EXHAUSTED


class HealthServicer(health.aio.HealthServicer):
    """The packaged asyncio health servicer, with ``List`` as health.proto describes it."""

    async def List(self, request, context):
        statuses = dict(self._server_status)
        if len(statuses) > HEALTH_LIST_MAX:
            await context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED,
                                f"{len(statuses)} health names; List answers at most {HEALTH_LIST_MAX}")
        return health_pb2.HealthListResponse(
            statuses={name: health_pb2.HealthCheckResponse(status=status) for name, status in statuses.items()})


def enable_reflection(service_names: list[str], server: grpc.aio.Server) -> None:
    """Reflection v1 and v1alpha over ``service_names`` (both reflection services are added)."""
    _add_v1_descriptor(descriptor_pool.Default())
    names = [*service_names, REFLECTION_V1, REFLECTION_V1ALPHA]
    servicer = ReflectionServicer(names)
    for service in (REFLECTION_V1, REFLECTION_V1ALPHA):
        handler = grpc.stream_stream_rpc_method_handler(
            servicer.ServerReflectionInfo,
            request_deserializer=v1alpha_pb2.ServerReflectionRequest.FromString,
            response_serializer=v1alpha_pb2.ServerReflectionResponse.SerializeToString,
        )
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service, {"ServerReflectionInfo": handler}),))


def _add_v1_descriptor(pool: descriptor_pool.DescriptorPool) -> None:
    """grpc/reflection/v1/reflection.proto: v1alpha's file under the v1 package."""
    name = "grpc/reflection/v1/reflection.proto"
    try:
        pool.FindFileByName(name)
        return
    except KeyError:
        pass
    v1 = descriptor_pb2.FileDescriptorProto.FromString(v1alpha_pb2.DESCRIPTOR.serialized_pb)
    v1.name, v1.package = name, "grpc.reflection.v1"
    old, new = ".grpc.reflection.v1alpha.", ".grpc.reflection.v1."
    for message in v1.message_type:
        for message_field in message.field:
            if message_field.HasField("type_name"):
                message_field.type_name = message_field.type_name.replace(old, new)
    for service in v1.service:
        for rpc in service.method:
            rpc.input_type, rpc.output_type = rpc.input_type.replace(old, new), rpc.output_type.replace(old, new)
    v1.options.Clear()
    v1.options.go_package = "google.golang.org/grpc/reflection/grpc_reflection_v1"
    v1.options.java_multiple_files = True
    v1.options.java_package = "io.grpc.reflection.v1"
    v1.options.java_outer_classname = "ServerReflectionProto"
    pool.AddSerializedFile(v1.SerializeToString())


class _Malformed:
    """What the safe deserializer returns for bytes that are not the request message."""

    __slots__ = ("problem",)

    def __init__(self, problem: str) -> None:
        self.problem = problem


def _safe(deserialize, type_name: str):
    def parse(data: bytes):
        try:
            return deserialize(data)
        except DecodeError as exc:
            problem = "a string field is not valid UTF-8" if "UTF-8" in str(exc) else "is not valid protobuf wire format"
            return _Malformed(f"the request is not a valid {type_name}: {problem}")
    return parse


def _refusal(malformed: _Malformed) -> InvalidArgument:
    return InvalidArgument.of([FieldViolation("request", malformed.problem)], reason="MALFORMED_REQUEST")


class WireErrors(grpc.aio.ServerInterceptor):
    """INVALID_ARGUMENT, not UNKNOWN and a traceback, for request bytes that do not parse."""

    def __init__(self, domain: str) -> None:
        self._domain = domain

    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        if handler is None or handler.request_deserializer is None:
            return handler
        message = getattr(getattr(handler.request_deserializer, "__self__", None), "DESCRIPTOR", None)
        type_name = message.full_name if message is not None else f"request of {handler_call_details.method}"
        kind = ("stream_" if handler.request_streaming else "unary_") + ("stream" if handler.response_streaming else "unary")
        inner = getattr(handler, kind)
        wrap = _streamed if handler.request_streaming else _single
        behaviour = wrap(inner, self._domain, generator=inspect.isasyncgenfunction(inner))
        return handler._replace(request_deserializer=_safe(handler.request_deserializer, type_name), **{kind: behaviour})


def _single(inner, domain: str, *, generator: bool):
    """A unary-request behaviour that refuses a malformed request before the servicer sees it."""
    if generator:
        async def behaviour(request, context):
            if isinstance(request, _Malformed):
                await abort(context, _refusal(request), domain)
            async for response in inner(request, context):
                yield response
    else:
        async def behaviour(request, context):
            if isinstance(request, _Malformed):
                await abort(context, _refusal(request), domain)
            return await inner(request, context)
    return behaviour


class _MalformedMessage(Exception):
    def __init__(self, malformed: _Malformed) -> None:
        super().__init__(malformed.problem)
        self.malformed = malformed


def _streamed(inner, domain: str, *, generator: bool):
    """A streaming-request behaviour whose stream ends the call at the first malformed message."""
    async def checked(requests):
        async for request in requests:
            if isinstance(request, _Malformed):
                raise _MalformedMessage(request)
            yield request

    if generator:
        async def behaviour(requests, context):
            try:
                async for response in inner(checked(requests), context):
                    yield response
            except _MalformedMessage as exc:
                await abort(context, _refusal(exc.malformed), domain)
    else:
        async def behaviour(requests, context):
            try:
                return await inner(checked(requests), context)
            except _MalformedMessage as exc:
                await abort(context, _refusal(exc.malformed), domain)
    return behaviour


__all__ = ["HealthServicer", "WireErrors", "enable_reflection", "REFLECTION_V1", "REFLECTION_V1ALPHA", "HEALTH"]

"""`secondline.telemetry` against a real grpc.aio server, a real channel and real SQLite.

Spans land in an `InMemorySpanExporter` on the service's own provider, never a global one."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator

import grpc
import pytest
import sqlalchemy
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection, reflection_pb2, reflection_pb2_grpc
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from secondline.logs import configure_logging
from secondline.telemetry import (
    Telemetry,
    context_from_traceparent,
    current_traceparent,
    sampled,
    setup_telemetry,
)

ECHO_SERVICE = "secondline.test.Echo"
ECHO_METHOD = f"/{ECHO_SERVICE}/Echo"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def telemetry(exporter: InMemorySpanExporter) -> Iterator[Telemetry]:
    yield (telemetry := setup_telemetry("telemetry-test", span_exporter=exporter))
    telemetry.shutdown()


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    configure_logging("telemetry-test", stream=(stream := io.StringIO()))
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)


async def echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    logging.getLogger("secondline.test.echo").info("echoing", extra={"size": len(request)})
    return request


@pytest.fixture
async def channel(telemetry: Telemetry) -> AsyncIterator[grpc.aio.Channel]:
    """A server with health, reflection and a bytes echo, and a traced channel to it."""
    server = grpc.aio.server(interceptors=telemetry.server_interceptors())
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection([ECHO_SERVICE, reflection.SERVICE_NAME], server)
    # No (de)serializers: requests and responses stay raw bytes.
    handler = grpc.unary_unary_rpc_method_handler(echo)
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(ECHO_SERVICE, {"Echo": handler}),))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    async with grpc.aio.insecure_channel(
        f"127.0.0.1:{port}", interceptors=telemetry.client_interceptors()
    ) as channel:
        yield channel
    await server.stop(grace=None)


async def spans_when_settled(exporter: InMemorySpanExporter) -> tuple[ReadableSpan, ...]:
    """Finished spans once none arrived for a moment: the aio client ends its span in a
    done-callback that may run a loop turn after the awaited response."""
    seen, deadline = -1, time.monotonic() + 2.0
    while time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        spans = exporter.get_finished_spans()
        if len(spans) == seen:
            return spans
        seen = len(spans)
    return exporter.get_finished_spans()


async def test_an_echo_call_makes_a_client_span_and_a_server_span_in_one_trace(
    channel: grpc.aio.Channel, exporter: InMemorySpanExporter
) -> None:
    assert await channel.unary_unary(ECHO_METHOD)(b"ping") == b"ping"

    spans = await spans_when_settled(exporter)
    [client] = [s for s in spans if s.kind is SpanKind.CLIENT and s.name == ECHO_METHOD]
    [server] = [s for s in spans if s.kind is SpanKind.SERVER and s.name == ECHO_METHOD]
    assert server.context.trace_id == client.context.trace_id
    assert server.parent is not None and server.parent.span_id == client.context.span_id
    assert server.resource.attributes["service.name"] == "telemetry-test"


async def test_a_log_line_in_a_handler_carries_the_server_spans_trace_id(
    channel: grpc.aio.Channel, exporter: InMemorySpanExporter, log_stream: io.StringIO
) -> None:
    await channel.unary_unary(ECHO_METHOD)(b"ping")

    spans = await spans_when_settled(exporter)
    [server] = [s for s in spans if s.kind is SpanKind.SERVER]
    [line] = [json.loads(x) for x in log_stream.getvalue().splitlines() if "echoing" in x]
    assert line["trace_id"] == trace.format_trace_id(server.context.trace_id)
    assert line["span_id"] == trace.format_span_id(server.context.span_id)
    assert line["size"] == 4


async def test_a_health_check_is_answered_but_not_traced(
    channel: grpc.aio.Channel, exporter: InMemorySpanExporter
) -> None:
    response = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())

    assert response.status == health_pb2.HealthCheckResponse.SERVING
    assert await spans_when_settled(exporter) == ()


async def test_a_reflection_query_is_answered_but_not_traced(
    channel: grpc.aio.Channel, exporter: InMemorySpanExporter
) -> None:
    call = reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")])
    )
    responses = [response async for response in call]

    names = {s.name for s in responses[0].list_services_response.service}
    assert ECHO_SERVICE in names
    assert await spans_when_settled(exporter) == ()


def test_an_instrumented_engine_makes_one_span_per_query_under_the_current_span(
    telemetry: Telemetry, exporter: InMemorySpanExporter
) -> None:
    engine = sqlalchemy.create_engine("sqlite://")
    telemetry.instrument_engine(engine)

    with telemetry.tracer("test").start_as_current_span("unit of work") as parent:
        with engine.connect() as connection:
            for _ in range(3):
                assert connection.execute(sqlalchemy.text("SELECT 1")).scalar() == 1

    queries = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.CLIENT]
    assert len(queries) == 3
    assert all(s.attributes.get("db.statement") == "SELECT 1" for s in queries)
    assert all(s.parent.span_id == parent.get_span_context().span_id for s in queries)
    engine.dispose()


def test_without_an_exporter_no_statement_listener_is_attached() -> None:
    engine = sqlalchemy.create_engine("sqlite://")
    exported = sqlalchemy.create_engine("sqlite://")
    assert setup_telemetry("telemetry-test").instrument_engine(engine) is None
    tracer = setup_telemetry("telemetry-test", span_exporter=InMemorySpanExporter()).instrument_engine(exported)
    assert tracer is not None
    for name in ("before_cursor_execute", "after_cursor_execute"):
        assert not getattr(engine.dispatch, name)  # nothing runs beside each statement
        assert getattr(exported.dispatch, name)  # the control: an exported service's engine has them
    engine.dispose()
    exported.dispose()


def test_a_traceparent_carried_in_a_message_continues_the_same_trace(
    telemetry: Telemetry, exporter: InMemorySpanExporter
) -> None:
    tracer = telemetry.tracer("test")
    with tracer.start_as_current_span("submit") as producer:
        traceparent = current_traceparent()

    # The consumer runs later, under an unrelated span, as a feed consumer would.
    with tracer.start_as_current_span("unrelated"):
        with tracer.start_as_current_span(
            "classify", context=context_from_traceparent(traceparent)
        ) as consumer:
            pass

    produced = producer.get_span_context()
    # Flags are not asserted as "01": this SDK also sets W3C level 2's "random" bit (03).
    assert traceparent.startswith(
        f"00-{trace.format_trace_id(produced.trace_id)}-{trace.format_span_id(produced.span_id)}-"
    )
    assert consumer.get_span_context().trace_id == produced.trace_id
    assert consumer.parent is not None and consumer.parent.span_id == produced.span_id


def test_without_a_current_span_the_traceparent_is_empty_and_starts_a_new_trace(
    telemetry: Telemetry,
) -> None:
    assert current_traceparent() == ""

    with telemetry.tracer("test").start_as_current_span("new", context=context_from_traceparent("")) as span:
        pass
    assert span.parent is None


def test_telemetry_with_an_otlp_endpoint_and_no_spans_shuts_down_promptly() -> None:
    telemetry = setup_telemetry("telemetry-test", otlp_endpoint="http://127.0.0.1:1")
    started = time.monotonic()
    telemetry.shutdown()
    assert time.monotonic() - started < 5


def test_without_an_exporter_no_new_trace_is_recorded_but_spans_keep_ids_and_a_sampled_caller_is_followed() -> None:
    tracer = setup_telemetry("telemetry-test").tracer("test")
    with tracer.start_as_current_span("root") as root:
        traceparent = current_traceparent()
        assert not root.is_recording()
    assert root.get_span_context().is_valid  # the logs still carry a trace id
    assert traceparent and not sampled(traceparent)  # downstream services record nothing either
    asked = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    with tracer.start_as_current_span("consumer", context=context_from_traceparent(asked)) as consumer:
        assert consumer.is_recording()
    assert consumer.get_span_context().trace_id == 0x0AF7651916CD43DD8448EB211C80319C


def test_the_sample_ratio_decides_new_traces_and_never_a_sampled_callers() -> None:
    exporter = InMemorySpanExporter()
    tracer = setup_telemetry("telemetry-test", span_exporter=exporter, sample_ratio=0.0).tracer("test")
    with tracer.start_as_current_span("new"):
        pass
    asked = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    with tracer.start_as_current_span("asked", context=context_from_traceparent(asked)):
        pass
    assert [s.name for s in exporter.get_finished_spans()] == ["asked"]
    everything = InMemorySpanExporter()
    tracer = setup_telemetry("telemetry-test", span_exporter=everything).tracer("test")
    with tracer.start_as_current_span("new"):
        pass
    assert [s.name for s in everything.get_finished_spans()] == ["new"]


@pytest.mark.parametrize("value, expected", [
    ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", True),
    ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03", True),  # W3C level 2's random bit beside it
    ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", False),
    ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-02", False),
    ("", False),
    ("garbage-01", False),
])
def test_sampled_reads_the_flags_of_a_stored_traceparent(value: str, expected: bool) -> None:
    assert sampled(value) is expected

"""OpenTelemetry tracing for one service process.

Nothing here touches OpenTelemetry's global providers: each service builds its own
`Telemetry` and hands its provider explicitly to every instrumentation, so several
services (and tests) can share one process without stealing each other's spans.

Trace context also travels inside feed messages (DESIGN.md, "Telemetry"): a producer
stores `current_traceparent()` in the message, and the consumer parents its span on
`context_from_traceparent(...)`, so one trace shows a record's whole path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from opentelemetry import metrics, trace
from opentelemetry.context import Context
from opentelemetry.instrumentation.grpc import aio_client_interceptors, aio_server_interceptor
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.instrumentation.sqlalchemy.version import __version__ as _sqlalchemy_instr_version
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased, TraceIdRatioBased
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

__all__ = [
    "UNTRACED_SERVICES",
    "Telemetry",
    "context_from_traceparent",
    "current_traceparent",
    "sampled",
    "span_traceparent",
    "setup_telemetry",
]

# Infrastructure RPCs that would only drown the real traces: orchestrators probe health
# every few seconds, and reflection is a debugging aid.
UNTRACED_SERVICES: tuple[str, ...] = (
    "grpc.health.v1.Health",
    "grpc.reflection.v1alpha.ServerReflection",
    "grpc.reflection.v1.ServerReflection",
)

_PROPAGATOR = TraceContextTextMapPropagator()


def _rpc_filter(untraced_methods: tuple[str, ...] = ()) -> Callable[[Any], bool]:
    """A grpc instrumentation filter: True means "trace this call".

    Health, reflection and ``untraced_methods`` (``/package.Service/Method``) are left out,
    matched exactly: ``filters.health_check()`` would be a prefix match, which would also
    silence any service whose name merely starts the same way. One attribute read and two set
    lookups per call: the library's composed filters split the method name once per
    condition, through slow isinstance checks, which a hot method pays on every call.
    """
    services = frozenset(UNTRACED_SERVICES)
    methods = frozenset(untraced_methods)

    def traced(details: Any) -> bool:
        name = getattr(details, "method", "") or getattr(details, "full_method", "")
        if isinstance(name, bytes):  # grpc.aio client call details carry bytes
            name = name.decode()
        if name in methods:
            return False
        return name.lstrip("/").rpartition("/")[0] not in services

    return traced


@dataclass
class Telemetry:
    """The tracing state of one service: its own provider, never the global one."""

    tracer_provider: TracerProvider
    service_name: str
    meter_provider: MeterProvider | None = None
    exported: bool = True
    """Whether spans go anywhere (an OTLP endpoint or an exporter): without, no statement is
    traced (:meth:`instrument_engine`)."""

    def meter(self, name: str) -> metrics.Meter:
        """A meter from this service's provider (a no-op one when the service has none)."""
        if self.meter_provider is None:
            return metrics.NoOpMeter(name)
        return self.meter_provider.get_meter(name)

    def tracer(self, name: str) -> trace.Tracer:
        """A tracer from this service's provider (not `trace.get_tracer`, which is global)."""
        return self.tracer_provider.get_tracer(name)

    def server_interceptors(self, untraced_methods: tuple[str, ...] = ()) -> list[Any]:
        """Interceptors for `grpc.aio.server(interceptors=...)`: one server span per RPC, but
        for health, reflection and `untraced_methods` (full names, `/package.Service/Method`)."""
        return [aio_server_interceptor(tracer_provider=self.tracer_provider, filter_=_rpc_filter(untraced_methods))]

    def client_interceptors(self) -> list[Any]:
        """Interceptors for an aio channel: one client span per RPC, context sent in metadata.

        One interceptor per call shape (unary/stream x unary/stream); pass them all.
        """
        return aio_client_interceptors(tracer_provider=self.tracer_provider, filter_=_rpc_filter())

    def instrument_engine(self, engine: Any) -> EngineTracer | None:
        """Trace every statement run on one sync SQLAlchemy `Engine` with this provider; with
        nothing exported, attach nothing and return None: a statement's span could only be
        dropped, and its listeners cost every statement (a record filed alone runs several)
        whether or not the span records.

        `SQLAlchemyInstrumentor().instrument(engine=...)` is a process-wide singleton that
        also patches `create_engine` globally and refuses a second call, so two services
        in one process could not both instrument. `EngineTracer` is what it builds per
        engine; using it directly attaches only event listeners to this engine.
        For an `AsyncEngine`, pass `async_engine.sync_engine`.
        """
        if not self.exported:
            return None
        tracer = self.tracer_provider.get_tracer(
            "opentelemetry.instrumentation.sqlalchemy", _sqlalchemy_instr_version
        )
        # EngineTracer insists on a connection-usage counter; metrics are out of scope
        # here, and the global meter provider is exactly what we avoid, so use a no-op.
        usage = metrics.NoOpMeter("secondline.telemetry").create_up_down_counter(
            "db.client.connections.usage"
        )
        return EngineTracer(tracer, engine, usage)

    def shutdown(self) -> None:
        """Flush pending spans (the batch processor holds some) and stop exporting."""
        self.tracer_provider.force_flush()
        self.tracer_provider.shutdown()
        if self.meter_provider is not None:
            self.meter_provider.shutdown()


def setup_telemetry(
    service_name: str,
    *,
    otlp_endpoint: str | None = None,
    span_exporter: SpanExporter | None = None,
    metric_reader: MetricReader | None = None,
    attributes: dict[str, Any] | None = None,
    sample_ratio: float = 1.0,
) -> Telemetry:
    """Build one service's tracing.

    - `otlp_endpoint`: export by OTLP/gRPC in batches; plaintext when the endpoint is
      `http://...` or has no scheme (the usual in-cluster collector), TLS for `https://`.
    - `span_exporter`: export each span synchronously as it ends (tests read them at once).
    - neither: no span goes anywhere, so none is recorded unless the caller's own trace
      context says it is sampled (parent-based); spans still get ids, so logs carry trace ids.
    - `sample_ratio`: with an exporter, the share of new traces (those no caller started)
      that are recorded; a trace a caller started and sampled is always followed.
    - `metric_reader`: read the service's metrics (tests); with `otlp_endpoint`, metrics are
      also exported by OTLP every 15 s.
    - `attributes`: more resource attributes (a worker process's number, so that the workers
      of one pod export metrics of their own rather than overwrite each other's).
    """
    resource = Resource.create({SERVICE_NAME: service_name, **(attributes or {})})
    exported = bool(otlp_endpoint) or span_exporter is not None
    root = (ALWAYS_ON if sample_ratio >= 1 else TraceIdRatioBased(sample_ratio)) if exported else ALWAYS_OFF
    provider = TracerProvider(resource=resource, sampler=ParentBased(root))
    readers: list[MetricReader] = [metric_reader] if metric_reader is not None else []
    if otlp_endpoint:
        # Imported lazily: the exporter pulls in protobuf stubs a test run does not need.
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        insecure = otlp_endpoint.startswith("http://") or "://" not in otlp_endpoint
        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint, insecure=insecure))
        )
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

        readers.append(PeriodicExportingMetricReader(OTLPMetricExporter(endpoint=otlp_endpoint, insecure=insecure),
                                                     export_interval_millis=15_000))
    if span_exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(span_exporter))
    meters = MeterProvider(resource=resource, metric_readers=readers) if readers else None
    return Telemetry(tracer_provider=provider, service_name=service_name, meter_provider=meters, exported=exported)


def current_traceparent() -> str:
    """The W3C `traceparent` of the current span, to store in an outgoing message; "" if none."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)  # injects nothing when the current span is invalid
    return carrier.get("traceparent", "")


def span_traceparent(span: trace.Span) -> str:
    """The W3C `traceparent` of a given span (not the current one), to store in a message."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier, context=trace.set_span_in_context(span, Context()))
    return carrier.get("traceparent", "")


def sampled(traceparent: str) -> bool:
    """Whether a stored W3C ``traceparent`` (version 00: 55 characters) asks for its trace to
    be recorded: a consumer skips its span, and parsing the value, when it does not."""
    return len(traceparent) == 55 and traceparent[-1] in "13579bdf"


def context_from_traceparent(value: str) -> Context:
    """An OpenTelemetry `Context` to pass as `context=` when starting a consumer span.

    Starts from an empty context, not the current one, so the message's trace wins over
    whatever span happens to be active in the consumer; "" (or garbage) gives an empty
    context, i.e. the consumer's span becomes a new root.
    """
    if not value:
        return Context()
    return _PROPAGATOR.extract({"traceparent": value}, context=Context())

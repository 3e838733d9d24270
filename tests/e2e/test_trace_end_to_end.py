"""One trace end to end: a record filed at ingestion shows in one trace through classification
to the gate's snapshot update, as exported by OTLP from the suite's own processes to a real
OTLP/gRPC receiver."""

from __future__ import annotations

import time
from concurrent import futures
from datetime import date

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from secondline.gate.v1 import gate_pb2, gate_pb2_grpc
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.cli.up.suite import running_suite
from tests.conftest import LANE, as_department
from tests.helpers import record


class Receiver(trace_service_pb2_grpc.TraceServiceServicer):
    """An OTLP trace receiver: keeps every span it is sent, with its service's name."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, object]] = []

    def Export(self, request, context):
        for resource_spans in request.resource_spans:
            service = next(a.value.string_value for a in resource_spans.resource.attributes if a.key == "service.name")
            for scope in resource_spans.scope_spans:
                self.spans.extend((service, span) for span in scope.spans)
        return trace_service_pb2.ExportTraceServiceResponse()


def test_a_record_is_one_trace_from_ingestion_through_classification_to_the_gate(tmp_path):
    receiver = Receiver()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(receiver, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with running_suite(tmp_path / "suite", otlp_endpoint=f"http://127.0.0.1:{port}") as suite:
            with grpc.insecure_channel(suite.address("ingestion")) as channel:
                stored = ingestion_pb2_grpc.IngestionServiceStub(channel).SubmitRecord(
                    ingestion_pb2.SubmitRecordRequest(record=record(
                        enterprise="91460100MA5T0A3D5P", decided_on=date(2026, 1, 10))),
                    metadata=as_department("ANTI_SMUGGLING"), timeout=10).record
            with grpc.insecure_channel(suite.address("gate")) as channel:
                gate = gate_pb2_grpc.GateServiceStub(channel)
                deadline = time.monotonic() + 30
                while gate.GetGateStatus(gate_pb2.GetGateStatusRequest(), metadata=LANE).classification_revision < 1:
                    assert time.monotonic() < deadline, "the gate did not take the change in"
                    time.sleep(0.05)
        # The services have stopped, and flushed their spans to the receiver on the way out.
    finally:
        server.stop(grace=1)

    trace_id = bytes.fromhex(stored.traceparent.split("-")[1])
    trace = [(service, span) for service, span in receiver.spans if span.trace_id == trace_id]
    names = {(service, span.name) for service, span in trace}
    assert ("ingestion", "/secondline.ingestion.v1.IngestionService/SubmitRecord") in names
    assert ("classification", "classification.change") in names
    assert ("gate", "gate.snapshot_update") in names
    # Parent links hold the path together: the gate's update is a child of classification's change.
    by_id = {span.span_id: (service, span) for service, span in trace}
    [(_, update)] = [(s, span) for s, span in trace if span.name == "gate.snapshot_update"]
    parent_service, parent = by_id[update.parent_span_id]
    assert (parent_service, parent.name) == ("classification", "classification.change")
    assert parent.parent_span_id in by_id  # and the change hangs under ingestion's spans

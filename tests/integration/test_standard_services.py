"""What every service serves beside its own contract: health with List, reflection v1 and
v1alpha, and INVALID_ARGUMENT (not UNKNOWN and a traceback) for bytes that do not parse."""

from __future__ import annotations

import logging

import grpc
import pytest
from google.protobuf import descriptor_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2
from grpc_status import rpc_status

from secondline.rpc.status import field_violations
from tests.conftest import LANE
from tests.helpers import details

MALFORMED = [b"\xff\xff\xff", b"\x0a\x05\xff\xfe\xfd\xfc\xfb", b"\x12\x80"]


@pytest.fixture
async def channels(gate):
    async with grpc.aio.insecure_channel(f"127.0.0.1:{gate.classification_port}") as classification:
        yield {"ingestion": gate.channel, "classification": classification, "gate": gate.gate_channel}


async def test_every_service_lists_its_health_names_and_reflects_in_v1_and_v1alpha(gate, channels):
    for name, channel in channels.items():
        listed = await health_pb2_grpc.HealthStub(channel).List(health_pb2.HealthListRequest())
        assert listed.statuses[""].status == health_pb2.HealthCheckResponse.SERVING, name
        service = next(n for n in listed.statuses if n.startswith(f"secondline.{name}.v1.") and "/" not in n)
        for version in ("v1", "v1alpha"):
            call = channel.stream_stream(f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo",
                                         request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
                                         response_deserializer=reflection_pb2.ServerReflectionResponse.FromString)
            asks = [reflection_pb2.ServerReflectionRequest(list_services=""),
                    reflection_pb2.ServerReflectionRequest(file_containing_symbol=service),
                    reflection_pb2.ServerReflectionRequest(file_containing_symbol="grpc.reflection.v1.ServerReflection"),
                    reflection_pb2.ServerReflectionRequest(file_containing_symbol="google.rpc.BadRequest")]
            listing, own, reflection, bad_request = [r async for r in call(iter(asks))]
            names = {s.name for s in listing.list_services_response.service}
            assert {service, "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                    "grpc.reflection.v1alpha.ServerReflection"} <= names, (name, version)
            files = [descriptor_pb2.FileDescriptorProto.FromString(b)
                     for r in (own, reflection, bad_request) for b in r.file_descriptor_response.file_descriptor_proto]
            assert {"grpc/reflection/v1/reflection.proto", "google/rpc/error_details.proto"} <= {f.name for f in files}
            assert any(s.name == service.rpartition(".")[2] for f in files for s in f.service), (name, version)
    listed = await health_pb2_grpc.HealthStub(gate.gate_channel).List(health_pb2.HealthListRequest())
    assert {"secondline.gate.v1.GateService/snapshot", "secondline.gate.v1.GateService/change_feed"} <= set(listed.statuses)


METHODS = {
    "ingestion": ["/secondline.ingestion.v1.IngestionService/SubmitRecord",
                  "/secondline.ingestion.v1.IngestionService/GetRecord"],
    "classification": ["/secondline.classification.v1.ClassificationService/GetSubjectClass"],
    "gate": ["/secondline.gate.v1.GateService/Decide", "/secondline.gate.v1.GateService/BatchDecide"],
}


async def test_malformed_bytes_are_invalid_argument_with_a_bad_request_and_no_traceback_on_every_service(channels, caplog):
    caplog.set_level(logging.ERROR)
    for name, channel in channels.items():
        for method in [*METHODS[name], "/grpc.health.v1.Health/Check"]:
            for payload in MALFORMED:
                with pytest.raises(grpc.aio.AioRpcError) as caught:
                    await channel.unary_unary(method)(payload, metadata=LANE)
                assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT, (method, payload)
                status = rpc_status.from_call(caught.value)
                info, fields = details(status)
                assert info.reason == "MALFORMED_REQUEST" and fields == ["request"]
                assert "Error" not in status.message and "Traceback" not in status.message
                assert field_violations(status)[0].description.startswith("the request is not a valid ")
        streams = {"ingestion": "/secondline.ingestion.v1.IngestionService/SubmitRecords",
                   "classification": "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                   "gate": "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"}
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            async for _ in channel.stream_stream(streams[name])(iter([b"\xff\xff"]), metadata=(("x-secondline-principal", "department/TAX"),)):
                pass
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []

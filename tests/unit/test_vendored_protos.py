"""protos/vendor holds the third-party contracts a client needs beside the suite's own: each
must describe exactly what the pinned packages serve."""

from __future__ import annotations

from pathlib import Path

import google.rpc
from google.protobuf import descriptor_pb2
from grpc_health.v1 import health_pb2
from grpc_tools import protoc

VENDOR = Path(__file__).resolve().parents[2] / "protos" / "vendor"


def compiled(tmp_path: Path, name: str) -> descriptor_pb2.FileDescriptorProto:
    out = tmp_path / "set.binpb"
    assert protoc.main(["protoc", f"-I{VENDOR}", f"--descriptor_set_out={out}", name]) == 0
    [found] = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file
    for message in found.message_type:  # protoc fills json_name in; compiled-in descriptors leave it out
        for part in (message, *message.nested_type):
            for field in part.field:
                field.ClearField("json_name")
    return found


def test_the_vendored_health_proto_is_what_grpcio_health_checking_serves(tmp_path):
    mine = compiled(tmp_path, "grpc/health/v1/health.proto")
    served = descriptor_pb2.FileDescriptorProto.FromString(health_pb2.DESCRIPTOR.serialized_pb)
    mine.name = served.name
    assert mine == served
    assert [m.name for m in mine.service[0].method] == ["Check", "List", "Watch"]


def test_the_vendored_google_rpc_protos_are_googleapis_common_protos_own_files():
    package = Path(google.rpc.__path__[0])
    for name in ("status.proto", "error_details.proto"):
        assert (VENDOR / "google" / "rpc" / name).read_text() == (package / name).read_text(), name

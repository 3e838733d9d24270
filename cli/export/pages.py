"""The pages of ``ExportClasses``, resumed after the last one received when the stream breaks."""

from __future__ import annotations

from datetime import datetime

import grpc

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.classification.v1 import classification_pb2_grpc
from secondline.rpc.convert import timestamp

RETRIES = 3
RETRIED = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def fetch_pages(address: str, principal: str, as_of: datetime | None, page_size: int) -> list[cpb.ExportClassesResponse]:
    """Every page of one snapshot; a retried stream asks again for the same instant after the last page."""
    metadata = (("x-secondline-principal", principal),)
    request = cpb.ExportClassesRequest(page_size=page_size)
    if as_of is not None:
        request.as_of.CopyFrom(timestamp(as_of))
    pages: list[cpb.ExportClassesResponse] = []
    with grpc.insecure_channel(address) as channel:
        stub = classification_pb2_grpc.ClassificationServiceStub(channel)
        attempts = 0
        while True:
            try:
                for page in stub.ExportClasses(request, metadata=metadata, timeout=600):
                    pages.append(page)
                    if page.last:
                        return pages
                    if not request.HasField("as_of"):
                        request.as_of.CopyFrom(page.as_of)  # the same instant on a resumed stream
                    request.page_token = page.resume_token
            except grpc.RpcError as error:
                attempts += 1
                if error.code() not in RETRIED or attempts > RETRIES:
                    raise

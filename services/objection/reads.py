"""Who has read a subject's file (RULES I-4, I-1): this service's own access log and the
access logs of the services it reads them from, newest first."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

import grpc

from secondline.access.v1 import access_pb2, access_pb2_grpc
from secondline.access_log import AccessLog
from secondline.common.v1 import common_pb2
from secondline.errors import Unavailable
from secondline.rpc.convert import instant

log = logging.getLogger(__name__)
PRINCIPAL = (("x-secondline-principal", "service/objection"),)
READS_SHOWN = 1000  # a subject's file shows its newest reads, at most this many
TIMEOUT = 10.0


@dataclass(frozen=True)
class Read:
    principal: str
    read_at: datetime
    rpc: str


class ReadsGatherer:
    def __init__(self, own: AccessLog, channels: list[grpc.aio.Channel]) -> None:
        self.own = own
        self._stubs = [access_pb2_grpc.AccessLogServiceStub(c) for c in channels]

    async def of(self, subject: common_pb2.SubjectId, key: str) -> list[Read]:
        """Every service's reads of the subject, newest first (at most READS_SHOWN)."""
        await asyncio.to_thread(self.own.flush, 5.0)
        found = [Read(who, at, rpc) for _, who, at, rpc in await asyncio.to_thread(self.own.reads, key, None, READS_SHOWN)]
        request = access_pb2.ListSubjectReadsRequest(subject=subject, page_size=READS_SHOWN)
        try:
            answers = await asyncio.gather(*(s.ListSubjectReads(request, metadata=PRINCIPAL, timeout=TIMEOUT)
                                             for s in self._stubs))
        except grpc.aio.AioRpcError as exc:
            raise Unavailable(message=f"who read the file cannot be told now: {exc.details()}",
                              reason="UPSTREAM_UNAVAILABLE") from None
        for answer in answers:
            found += [Read(r.principal, instant(r.read_at), r.rpc) for r in answer.reads]
        found.sort(key=lambda r: r.read_at, reverse=True)
        return found[:READS_SHOWN]

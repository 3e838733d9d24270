"""The ClockService of a suite started on a manual clock (tests, scenario runs)."""

from __future__ import annotations

import grpc

from secondline.clock import Clock, ManualClock
from secondline.errors import InvalidArgument
from secondline.rpc.convert import instant_field, timestamp
from secondline.rpc.status import abort
from secondline.testing.v1 import clock_pb2, clock_pb2_grpc


class ClockServicer(clock_pb2_grpc.ClockServiceServicer):
    def __init__(self, clock: ManualClock) -> None:
        self._clock = clock

    async def SetTime(self, request, context):
        try:
            now = instant_field(request, "now", required=True)
        except InvalidArgument as error:
            await abort(context, error, "testing.secondline")
        self._clock.set(now)
        return clock_pb2.SetTimeResponse(now=timestamp(self._clock.now()))

    async def GetTime(self, request, context):
        return clock_pb2.GetTimeResponse(now=timestamp(self._clock.now()))


def register_if_manual(server: grpc.aio.Server, clock: Clock) -> list[str]:
    """Add the ClockService when ``clock`` can be set; the real clock gets none."""
    if not isinstance(clock, ManualClock):
        return []
    clock_pb2_grpc.add_ClockServiceServicer_to_server(ClockServicer(clock), server)
    return [clock_pb2.DESCRIPTOR.services_by_name["ClockService"].full_name]

"""The gRPC edge of the gate: authenticate, parse, decide, answer."""

from __future__ import annotations

import asyncio

from secondline.auth import Authenticator
from secondline.errors import DomainError, FieldViolation, InvalidArgument
from secondline.gate.v1 import gate_pb2 as pb
from secondline.gate.v1 import gate_pb2_grpc
from secondline.rpc.status import abort

from .core import Gate, parse_crossing, same_answer

ERROR_DOMAIN = "gate.secondline"
BATCH_MAX = 1000


class GateServicer(gate_pb2_grpc.GateServiceServicer):
    def __init__(self, gate: Gate, authenticator: Authenticator) -> None:
        self._gate = gate
        self._auth = authenticator

    async def Decide(self, request, context):
        try:
            self._auth.authenticate(context, "service", "operator", action="decide crossings")
            parsed = parse_crossing(request.crossing, self._gate.measures, window=self._gate.window())
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.DecideResponse(decision=self._gate.decide(request.crossing, parsed))

    async def BatchDecide(self, request, context):
        try:
            self._auth.authenticate(context, "service", "operator", action="decide crossings")
            if len(request.crossings) > BATCH_MAX:
                raise InvalidArgument.of([FieldViolation("crossings", f"at most {BATCH_MAX} crossings per call")],
                                         reason="INVALID_CROSSING")
            parsed, problems, window = [], [], self._gate.window()
            for index, crossing in enumerate(request.crossings):
                try:
                    parsed.append(parse_crossing(crossing, self._gate.measures, field=f"crossings[{index}]", window=window))
                except InvalidArgument as error:
                    problems += error.violations
            if problems:
                raise InvalidArgument.of(problems, reason="INVALID_CROSSING")
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.BatchDecideResponse(decisions=[self._gate.decide(c, p) for c, p in zip(request.crossings, parsed)])

    async def ReplayDecision(self, request, context):
        try:
            self._auth.authenticate(context, "operator", "service", action="replay decisions")
            if not request.decision_id:
                raise InvalidArgument.of([FieldViolation("decision_id", "is required: a Decision.decision_id")],
                                         reason="INVALID_REQUEST")
            log = self._gate.log
            await asyncio.to_thread(log.flush, 5.0)  # a decision made a moment ago may still be queued
            crossing, logged, replayed = await asyncio.to_thread(self._gate.replay, request.decision_id)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.ReplayDecisionResponse(crossing=crossing, logged=logged, replayed=replayed,
                                         matches=same_answer(logged, replayed))

    async def GetGateStatus(self, request, context):
        try:
            self._auth.authenticate(context, action="read the gate's status")
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        gate, snapshot = self._gate, self._gate.snapshot
        age = snapshot.age()
        now = int(gate.clock.now().timestamp())
        status = pb.GetGateStatusResponse(
            classification_revision=snapshot.revision, subjects=len(snapshot), loaded=snapshot.loaded,
            degraded=gate.degraded(now), decisions_logged=gate.log.logged, decisions_queued=gate.log.queued,
            decisions_dropped=gate.log.dropped, config_versions=[v.version for v in gate.measures.versions])
        status.snapshot_age.FromNanoseconds(int(age * 1e9))
        return status

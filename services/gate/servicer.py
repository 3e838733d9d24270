"""The gRPC edge of the gate: parse, decide, answer (the caller checked by secondline.guard).

Decide and BatchDecide answer with their responses' wire bytes, built around the decisions'
own (answers.decide_bytes): :func:`add_to_server` registers the service with those two methods'
response serializer removed, so that gRPC sends the bytes as they are. The other methods answer
messages, serialized by gRPC as generated.
"""

from __future__ import annotations

import grpc

from secondline.authorization import PORT, at_own_port
from secondline.errors import DomainError, FieldViolation, InvalidArgument
from secondline.guard import caller
from secondline.gate.v1 import gate_pb2 as pb
from secondline.gate.v1 import gate_pb2_grpc
from secondline.rpc.status import abort

from .answers import batch_decision, decide_response
from .core import Gate, parse_crossing, same_answer
from .replay import replay_anywhere

ERROR_DOMAIN = "gate.secondline"
BATCH_MAX = 1000
SERVICE_NAME = pb.DESCRIPTOR.services_by_name["GateService"].full_name


class GateServicer(gate_pb2_grpc.GateServiceServicer):
    def __init__(self, gate: Gate, *, worker: int = 0, replay_wait: float = 1.0) -> None:
        self._gate, self._worker, self._replay_wait = gate, worker, replay_wait

    async def Decide(self, request, context):
        try:
            principal, scope, _ = caller()
            if scope == PORT:
                at_own_port(principal.name, request.crossing.port, "crossing.port")
            window = self._gate.window()
            parsed = parse_crossing(request.crossing, self._gate.measures, window=window)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return decide_response(self._gate.decide(request.crossing, parsed, principal.text, window=window))

    async def BatchDecide(self, request, context):
        try:
            principal, scope, _ = caller()
            if len(request.crossings) > BATCH_MAX:
                raise InvalidArgument.of([FieldViolation("crossings", f"at most {BATCH_MAX} crossings per call")],
                                         reason="INVALID_CROSSING")
            parsed, problems, window = [], [], self._gate.window()
            for index, crossing in enumerate(request.crossings):
                if scope == PORT:
                    at_own_port(principal.name, crossing.port, f"crossings[{index}].port")
                try:
                    parsed.append(parse_crossing(crossing, self._gate.measures, field=f"crossings[{index}]", window=window))
                except InvalidArgument as error:
                    problems += error.violations
            if problems:
                raise InvalidArgument.of(problems, reason="INVALID_CROSSING")
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        who, gate = principal.text, self._gate
        # Batches faster than the decision log can write: the batch waits for the log, rather
        # than decisions being dropped from it (a lane's Decide never waits). No await between
        # this and the decisions below, so that batches waiting together cannot overfill it.
        await gate.log.room_for(len(parsed))
        window = gate.window()  # decided now, after any wait (the crossings were taken before it)
        decide = gate.decide
        return b"".join([batch_decision(decide(crossing, one, who, window=window))
                         for crossing, one in zip(request.crossings, parsed)])

    async def ReplayDecision(self, request, context):
        try:
            if not request.decision_id:
                raise InvalidArgument.of([FieldViolation("decision_id", "is required: a Decision.decision_id")],
                                         reason="INVALID_REQUEST")
            crossing, logged, replayed, decided_by = await replay_anywhere(self._gate, request.decision_id,
                                                                          self._replay_wait)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.ReplayDecisionResponse(crossing=crossing, logged=logged, replayed=replayed,
                                         matches=same_answer(logged, replayed), caller=decided_by)

    async def GetGateStatus(self, request, context):
        gate, snapshot = self._gate, self._gate.snapshot
        age = snapshot.age()
        now = int(gate.clock.now().timestamp())
        status = pb.GetGateStatusResponse(
            classification_revision=snapshot.revision, subjects=len(snapshot), loaded=snapshot.loaded,
            degraded=gate.degraded(now), decisions_logged=gate.log.logged, decisions_queued=gate.log.queued,
            decisions_dropped=gate.log.dropped, config_versions=[v.version for v in gate.measures.versions],
            worker=self._worker)
        status.snapshot_age.FromNanoseconds(int(age * 1e9))
        return status


def add_to_server(servicer: GateServicer, server) -> None:
    """What ``gate_pb2_grpc.add_GateServiceServicer_to_server`` registers, but Decide's and
    BatchDecide's responses are sent as the servicer's bytes (no response serializer: gRPC
    sends bytes as given). Requests are parsed by protobuf as generated, and the interceptors
    wrap these handlers as any other (``handler._replace``)."""
    handlers = {
        "Decide": grpc.unary_unary_rpc_method_handler(
            servicer.Decide, request_deserializer=pb.DecideRequest.FromString),
        "BatchDecide": grpc.unary_unary_rpc_method_handler(
            servicer.BatchDecide, request_deserializer=pb.BatchDecideRequest.FromString),
        "ReplayDecision": grpc.unary_unary_rpc_method_handler(
            servicer.ReplayDecision, request_deserializer=pb.ReplayDecisionRequest.FromString,
            response_serializer=pb.ReplayDecisionResponse.SerializeToString),
        "GetGateStatus": grpc.unary_unary_rpc_method_handler(
            servicer.GetGateStatus, request_deserializer=pb.GetGateStatusRequest.FromString,
            response_serializer=pb.GetGateStatusResponse.SerializeToString),
    }
    declared = {method.name for method in pb.DESCRIPTOR.services_by_name["GateService"].methods}
    if set(handlers) != declared:  # a method added to the .proto must be registered here too
        raise RuntimeError(f"GateService declares {sorted(declared)}, registered {sorted(handlers)}")
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE_NAME, handlers),))
    server.add_registered_method_handlers(SERVICE_NAME, handlers)

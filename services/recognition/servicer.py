"""The gRPC edge of recognition: translate, delegate, translate back (the caller checked by
secondline.guard against the authorization table, its scope applied here)."""

from __future__ import annotations

from secondline.access_log import AccessLog
from secondline.errors import DomainError, FieldViolation, InvalidArgument, NotFound
from secondline.guard import caller
from secondline.recognition.v1 import recognition_pb2 as pb, recognition_pb2_grpc
from secondline.rpc.convert import instant, subject_from_proto, timestamp
from secondline.rpc.status import abort, to_status_proto
from secondline.common.v1 import common_pb2

from .keys import KeyRing
from .store import Filed
from .usecases import Recognition

ERROR_DOMAIN = "recognition.secondline"
MAX_PER_MESSAGE = 1000


def acceptance(filed: Filed) -> pb.Acceptance:
    return pb.Acceptance(envelope_hash=filed.envelope_hash, log_index=filed.log_index, source_id=filed.source_id,
                         effect=common_pb2.PartnerEffect.Value("PARTNER_EFFECT_" + filed.effect),
                         table_version=filed.table_version, replayed=filed.replayed, record_id=filed.record_id,
                         record_cursor=filed.record_cursor)


def public_keys(keys: KeyRing, now) -> pb.ListPublicKeysResponse:
    import json

    current = keys.current(now).key_id
    msg = pb.ListPublicKeysResponse(log_verifier_key=keys.log_signer.verifier.vkey(), log_origin=keys.log_signer.name,
                                    keys_file=json.dumps(keys.published(), indent=2))
    for key in keys.keys:
        entry = msg.keys.add(key_id=key.key_id, public_key=key.public_key, valid_from=timestamp(key.valid_from),
                             current=key.key_id == current)
        if key.valid_until is not None:
            entry.valid_until.CopyFrom(timestamp(key.valid_until))
    return msg


class RecognitionServicer(recognition_pb2_grpc.RecognitionServiceServicer):
    def __init__(self, recognition: Recognition, reads: AccessLog) -> None:
        self._r = recognition
        self._reads = reads

    def _partner(self) -> str:
        return caller().principal.name

    async def SubmitEnvelope(self, request, context):
        try:
            partner = self._partner()
            [result] = await self._r.receive(partner, [request.envelope])
            if isinstance(result, DomainError):
                raise result
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.SubmitEnvelopeResponse(acceptance=acceptance(result))

    async def SubmitEnvelopes(self, request_iterator, context):
        partner = self._partner()
        index = 0
        async for request in request_iterator:
            if len(request.envelopes) > MAX_PER_MESSAGE:
                error = InvalidArgument.of([FieldViolation("envelopes", f"at most {MAX_PER_MESSAGE} per message")])
                await abort(context, error, ERROR_DOMAIN)
            results = await self._r.receive(partner, list(request.envelopes))
            response = pb.SubmitEnvelopesResponse()
            for result in results:
                if isinstance(result, DomainError):
                    response.results.add(index=index, error=to_status_proto(result, ERROR_DOMAIN))
                else:
                    response.results.add(index=index, acceptance=acceptance(result))
                index += 1
            yield response

    async def GetCreditReport(self, request, context):
        try:
            partner = self._partner()
            subject_type, key = subject_from_proto(request.subject)
            as_of = instant(request.as_of) if request.HasField("as_of") else None
            envelope, key_id, index = await self._r.credit_report(partner, request.subject, subject_type, key, as_of)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        self._reads.read(caller(), key)
        return pb.GetCreditReportResponse(envelope=envelope, key_id=key_id, log_index=index)

    async def StreamClassChanges(self, request, context):
        try:
            who = caller()
            partner = who.principal.name
            after = request.after_cursor
            if after and not after.isdigit():
                raise InvalidArgument.of([FieldViolation("after_cursor", "must be a cursor this service returned")])
            changes = self._r.class_changes(partner, int(after or 0), request.follow)
            async for revision, envelope, index, key in changes:
                self._reads.read(who, key)
                yield pb.StreamClassChangesResponse(changes=[pb.SignedChange(cursor=str(revision), envelope=envelope,
                                                                             log_index=index)])
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)

    async def ListPublicKeys(self, request, context):
        return public_keys(self._r.keys, self._r.clock.now())

    async def GetCheckpoint(self, request, context):
        note, size, root = self._r.checkpoint()
        return pb.GetCheckpointResponse(checkpoint=note, tree_size=size, root_hash=root)

    async def GetLogEntry(self, request, context):
        try:
            who = caller()
            row = await self._r.entry(request.index)
            if who.principal.kind == "partner" and row["partner"] != who.principal.name:  # its own exchange only
                raise NotFound(message=f"the log has no entry {request.index} of {who.principal}", reason="NO_SUCH_ENTRY")
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.GetLogEntryResponse(entry=pb.LogEntry(
            index=row["index"], envelope=row["envelope"], envelope_hash=bytes(row["envelope_hash"]),
            direction=pb.Direction.Value("DIRECTION_" + row["direction"]), partner=row["partner"],
            logged_at=timestamp(row["logged_at"])))

    async def GetInclusionProof(self, request, context):
        try:
            which = request.WhichOneof("entry")
            if which is None:
                raise InvalidArgument.of([FieldViolation("entry", "set index or envelope_hash")])
            if which == "envelope_hash" and len(request.envelope_hash) != 32:
                raise InvalidArgument.of([FieldViolation("envelope_hash", "is a SHA-256: 32 bytes")])
            index, size, proof, note = await self._r.inclusion(
                request.index if which == "index" else None, request.envelope_hash if which == "envelope_hash" else None,
                request.tree_size)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.GetInclusionProofResponse(index=index, tree_size=size, proof=proof, checkpoint=note)

    async def GetConsistencyProof(self, request, context):
        try:
            old, new, proof, old_note, new_note = self._r.consistency(request.old_size, request.new_size)
        except DomainError as error:
            await abort(context, error, ERROR_DOMAIN)
        return pb.GetConsistencyProofResponse(old_size=old, new_size=new, proof=proof, old_checkpoint=old_note,
                                              new_checkpoint=new_note)

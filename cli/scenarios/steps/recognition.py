"""Recognition's step kind: ``partner_submit``, a partner's signed record (RULES X-3, X-4, R-7).

The envelope is signed with the partner's key that the runner made (``signature: valid``), or
changed after signing (``tampered``), or signed with a key the suite does not know
(``unknown_key``). It is received at noon (CST) of ``submitted_on``, else of ``decided_on``.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import grpc
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from grpc_status import rpc_status

from secondline.cli.scenarios.format import SUBJECT_KINDS, ScenarioError, calendar_date, check_fields
from secondline.cli.scenarios.steps import Context, step
from secondline.dates import noon
from secondline.envelope import sign_envelope
from secondline.recognition.v1 import recognition_pb2, recognition_pb2_grpc
from secondline.rpc.status import field_violations

FIELDS = {"ref", "partner", "source_id", "kind", "subject", "decided_on", "submitted_on", "grade", "valid_until", "score",
          "signature"}
SIGNATURES = ("valid", "tampered", "unknown_key")


def stub(context: Context) -> recognition_pb2_grpc.RecognitionServiceStub:
    return recognition_pb2_grpc.RecognitionServiceStub(context.suite.channels["recognition"])


def tamper(envelope: str) -> str:
    """The envelope with its payload changed after signing (the signature left as it was)."""
    header, payload, signature = envelope.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["source_id"] = data.get("source_id", "") + "-altered"
    forged = base64.urlsafe_b64encode(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).rstrip(b"=")
    return ".".join([header, forged.decode(), signature])


@step("partner_submit", fields=FIELDS, beside={"reject": {"code", "field"}})
async def partner_submit(context: Context, step: dict[str, Any]) -> None:
    spec, reject = step["partner_submit"], step.get("reject")
    partner = str(spec.get("partner") or "")
    keys = context.state.get("partner_keys") or {}
    if partner not in keys:
        raise ScenarioError(f"partner_submit: partner {partner!r} is not declared in the scenario's partners")
    signature = str(spec.get("signature") or "valid")
    if signature not in SIGNATURES:
        raise ScenarioError(f"partner_submit: signature must be one of {', '.join(SIGNATURES)}, got {signature!r}")
    decided = calendar_date(spec.get("decided_on"))
    received = calendar_date(spec.get("submitted_on")) or decided
    if received is not None:
        await context.suite.set_time(noon(received))
    ref = spec.get("ref", "")
    payload: dict[str, Any] = {
        "partner": partner,
        "source_id": str(spec.get("source_id") or f"{context.scenario.name}/{ref or context.state.setdefault('n', 0)}"),
        "kind": str(spec.get("kind") or ""),
        "subject": {str(k): str(v) for k, v in check_fields("subject", spec.get("subject") or {}, SUBJECT_KINDS).items()},
        "signed_at": noon(received).isoformat() if received else "",
    }
    if not ref:
        context.state["n"] = context.state.get("n", 0) + 1
    if decided is not None:
        payload["decided_on"] = decided.isoformat()
    for name in ("grade", "score"):
        if name in spec:
            payload[name] = str(spec[name])
    if spec.get("valid_until") is not None:
        payload["valid_until"] = calendar_date(spec["valid_until"]).isoformat()
    key = keys[partner]
    if signature == "unknown_key":
        envelope = sign_envelope(payload, Ed25519PrivateKey.generate(), key.key_id + "-unknown")
    else:
        envelope = sign_envelope(payload, key.private_key, key.key_id)
        if signature == "tampered":
            envelope = tamper(envelope)
    metadata = (("x-secondline-principal", f"partner/{partner}"),)
    before = await _log_size(context)
    try:
        reply = await stub(context).SubmitEnvelope(recognition_pb2.SubmitEnvelopeRequest(envelope=envelope),
                                                   metadata=metadata, timeout=30)
    except grpc.aio.AioRpcError as exc:
        if reject is None:
            raise ScenarioError(f"partner_submit {ref}: expected it accepted, got {exc.code().name}: {exc.details()}") from None
        fields = [v.field for v in field_violations(rpc_status.from_call(exc))]
        if exc.code().name != reject["code"]:
            raise ScenarioError(f"partner_submit {ref}: expected {reject['code']}, got {exc.code().name}: {exc.details()}") from None
        if reject.get("field") and reject["field"] not in fields:
            raise ScenarioError(f"partner_submit {ref}: expected field {reject['field']} named, got {fields or 'none'}") from None
        if await _log_size(context) != before:
            raise ScenarioError(f"partner_submit {ref}: the refused envelope was appended to the log")
        return
    acceptance = reply.acceptance
    if reject is not None:
        raise ScenarioError(f"partner_submit {ref}: expected {reject['code']}, but it was accepted "
                            f"(log entry {acceptance.log_index})")
    if not acceptance.record_cursor:
        raise ScenarioError(f"partner_submit {ref}: accepted but not yet filed into ingestion")
    context.filed(acceptance.record_cursor)
    if ref:
        context.refs[ref] = acceptance.record_id


async def _log_size(context: Context) -> int:
    reply = await stub(context).GetCheckpoint(recognition_pb2.GetCheckpointRequest(),
                                              metadata=(("x-secondline-principal", "operator/scenarios"),), timeout=30)
    return reply.tree_size

"""Signed envelopes: JWS compact, Ed25519 via joserfc, RFC 8785 payloads (RULES X-4)."""

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from secondline.envelope import EnvelopeError, open_envelope, read_header, sign_envelope

KEY = Ed25519PrivateKey.from_private_bytes(b"\x01" * 32)
PUBLIC = KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
PAYLOAD = {"source_id": "GBA-1", "kind": "INDUSTRY_RATING", "grade": "D", "score": 1.5, "subject": {"enterprise": "X"}}


def part(envelope, i):
    text = envelope.split(".")[i]
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_an_envelope_opens_with_its_key_and_its_payload_is_canonical():
    envelope = sign_envelope(PAYLOAD, KEY, "gba-2026")
    assert read_header(envelope) == {"alg": "Ed25519", "kid": "gba-2026", "typ": "secondline-envelope+jws"}
    assert part(envelope, 1) == b'{"grade":"D","kind":"INDUSTRY_RATING","score":1.5,"source_id":"GBA-1","subject":{"enterprise":"X"}}'
    assert open_envelope(envelope, PUBLIC) == PAYLOAD


def test_a_tampered_payload_or_another_key_fails_the_signature():
    envelope = sign_envelope(PAYLOAD, KEY, "k")
    header, payload, signature = envelope.split(".")
    forged = json.loads(part(envelope, 1))
    forged["grade"] = "A"
    tampered = ".".join([header, base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode(), signature])
    with pytest.raises(EnvelopeError) as bad:
        open_envelope(tampered, PUBLIC)
    assert bad.value.reason == "BAD_SIGNATURE"
    other = Ed25519PrivateKey.from_private_bytes(b"\x02" * 32).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    with pytest.raises(EnvelopeError, match="does not verify"):
        open_envelope(envelope, other)


@pytest.mark.parametrize("envelope,reason", [
    ("not-a-jws", "MALFORMED_ENVELOPE"),
    (base64.urlsafe_b64encode(b'{"alg":"none","kid":"k"}').decode() + ".e30.", "UNSUPPORTED_ALGORITHM"),
    (base64.urlsafe_b64encode(b'{"alg":"Ed25519"}').decode() + ".e30.", "NO_KEY_ID"),
])
def test_malformed_envelopes_are_refused_with_a_reason(envelope, reason):
    with pytest.raises(EnvelopeError) as bad:
        open_envelope(envelope, PUBLIC)
    assert bad.value.reason == reason

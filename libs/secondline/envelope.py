"""Signed envelopes: JWS compact serialization, Ed25519, RFC 8785 payloads (RULES X-4).

An envelope is ``BASE64URL(header) . BASE64URL(payload) . BASE64URL(signature)`` (RFC 7515)
with the protected header ``{"alg": "Ed25519", "kid": ..., "typ": "secondline-envelope+jws"}``
(``Ed25519`` is the fully specified name of EdDSA over Ed25519, RFC 9864) and a payload that
is a JSON object in its RFC 8785 canonical form: whoever re-encodes the object gets the same
bytes back, so the signature can be checked against a re-encoded copy. The signing and
verification are ``joserfc``'s; this module only frames them and names what went wrong.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

ALG = "Ed25519"
TYP = "secondline-envelope+jws"
MAX_ENVELOPE = 64 * 1024


class EnvelopeError(ValueError):
    """An envelope that does not read, or whose signature does not verify."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(public_key: bytes, key_id: str = "") -> dict[str, str]:
    """The JWK (RFC 8037) of a raw 32-byte Ed25519 public key."""
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": _b64url(public_key)}
    return {**jwk, "kid": key_id} if key_id else jwk


def canonical(payload: dict[str, Any]) -> bytes:
    return rfc8785.dumps(payload)


def sign_envelope(payload: dict[str, Any], private_key: Ed25519PrivateKey, key_id: str) -> str:
    pem = private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    key = OKPKey.import_key(pem)
    header = {"alg": ALG, "kid": key_id, "typ": TYP}
    return jws.serialize_compact(header, canonical(payload), key, algorithms=[ALG])


def envelope_hash(envelope: str) -> bytes:
    """SHA-256 of the envelope as sent: its name in the transparency log."""
    return hashlib.sha256(envelope.encode("ascii", errors="replace")).digest()


def read_header(envelope: str) -> dict[str, Any]:
    """The protected header, unverified: which key to verify with."""
    if len(envelope) > MAX_ENVELOPE:
        raise EnvelopeError(f"an envelope is at most {MAX_ENVELOPE} bytes", reason="ENVELOPE_TOO_LARGE")
    parts = envelope.split(".")
    if len(parts) != 3:
        raise EnvelopeError("not a JWS compact serialization (three dot-separated parts)", reason="MALFORMED_ENVELOPE")
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except (binascii.Error, ValueError):
        raise EnvelopeError("the envelope's header is not base64url JSON", reason="MALFORMED_ENVELOPE") from None
    if not isinstance(header, dict):
        raise EnvelopeError("the envelope's header is not a JSON object", reason="MALFORMED_ENVELOPE")
    if header.get("alg") != ALG:
        raise EnvelopeError(f"the envelope's alg is {header.get('alg')!r}; expected {ALG!r}", reason="UNSUPPORTED_ALGORITHM")
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        raise EnvelopeError("the envelope's header names no key (kid)", reason="NO_KEY_ID")
    return header


def open_envelope(envelope: str, public_key: bytes) -> dict[str, Any]:
    """The payload of an envelope whose signature verifies under ``public_key``."""
    read_header(envelope)
    key = OKPKey.import_key(public_jwk(public_key))
    try:
        payload = jws.deserialize_compact(envelope, key, algorithms=[ALG]).payload
    except JoseError:
        raise EnvelopeError("the envelope's signature does not verify", reason="BAD_SIGNATURE") from None
    try:
        data = json.loads(payload)
    except ValueError:
        raise EnvelopeError("the envelope's payload is not JSON", reason="MALFORMED_PAYLOAD") from None
    if not isinstance(data, dict) or canonical(data) != payload:
        raise EnvelopeError("the envelope's payload is not a JSON object in RFC 8785 canonical form",
                            reason="MALFORMED_PAYLOAD")
    return data


__all__ = ["ALG", "EnvelopeError", "canonical", "envelope_hash", "open_envelope", "public_jwk", "read_header",
           "sign_envelope"]

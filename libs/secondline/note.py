"""C2SP signed notes with Ed25519 signatures, and tlog checkpoints (RULES X-6).

signed-note: a text ending in a newline, a blank line, then one line per signature,
``— <key name> base64(key ID || signature)``; the key ID is the first four bytes of
``SHA-256(key name || 0x0A || 0x01 || public key)`` (0x01: Ed25519), and a verifier key is
written ``<name>+<key ID in hex>+base64(0x01 || public key)``.

tlog-checkpoint: the note text is the log's origin, the tree size in decimal and the base64
root hash, one a line, then optional extension lines. The signing is the ``cryptography``
package's Ed25519; only the framing is here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = b"\x01"
DASH = "\u2014"
MAX_SIGNATURES = 16


class NoteError(ValueError):
    """A note, a key or a checkpoint that does not read or does not verify."""


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:4]


def _check_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() for c in name):
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")


@dataclass(frozen=True)
class NoteVerifier:
    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        if len(self.public_key) != 32:
            raise NoteError("an Ed25519 public key is 32 bytes")

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    def vkey(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(ED25519 + self.public_key).decode()}"

    @classmethod
    def from_vkey(cls, text: str) -> "NoteVerifier":
        parts = text.strip().split("+", 2)  # the key name has no "+"; the base64 key may
        if len(parts) != 3:
            raise NoteError("a verifier key is <name>+<key id hex>+<base64 key>")
        name, hex_id, encoded = parts
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise NoteError("the verifier key's key is not base64") from None
        if raw[:1] != ED25519 or len(raw) != 33:
            raise NoteError("the verifier key is not an Ed25519 key (type 0x01, 32 bytes)")
        verifier = cls(name, raw[1:])
        if verifier.key_id.hex() != hex_id.lower():
            raise NoteError(f"the verifier key's id {hex_id} does not match its name and key")
        return verifier

    def verify(self, text: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, text)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class NoteSigner:
    name: str
    private_key: Ed25519PrivateKey

    def __post_init__(self) -> None:
        _check_name(self.name)

    @property
    def verifier(self) -> NoteVerifier:
        return NoteVerifier(self.name, _raw_public(self.private_key.public_key()))

    def signature_line(self, text: str) -> str:
        signature = self.private_key.sign(text.encode())
        return f"{DASH} {self.name} {base64.b64encode(self.verifier.key_id + signature).decode()}\n"


def sign_note(text: str, signers: list[NoteSigner]) -> str:
    if not text.endswith("\n"):
        raise NoteError("a note's text ends with a newline")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("a note's text has no control characters but newlines")
    return text + "\n" + "".join(s.signature_line(text) for s in signers)


def open_note(note: str, verifiers: list[NoteVerifier]) -> tuple[str, list[str]]:
    """The note's text and the names of the known keys that signed it.

    Unknown signatures are ignored (signed-note); a known key whose signature fails rejects
    the whole note, and so does a note that no known key signed.
    """
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise NoteError("not a signed note: no blank line before the signatures")
    text, lines = note[:split + 1], note[split + 2:].splitlines()
    if not lines or len(lines) > MAX_SIGNATURES:
        raise NoteError(f"a signed note has 1 to {MAX_SIGNATURES} signature lines")
    known = {(v.name, v.key_id): v for v in verifiers}
    signed = []
    for line in lines:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH:
            raise NoteError(f"malformed signature line {line!r}")
        try:
            raw = base64.b64decode(parts[2], validate=True)
        except binascii.Error:
            raise NoteError(f"signature of {parts[1]} is not base64") from None
        verifier = known.get((parts[1], raw[:4]))
        if verifier is None:
            continue
        if not verifier.verify(text.encode(), raw[4:]):
            raise NoteError(f"the signature of {verifier.name} does not verify")
        signed.append(verifier.name)
    if not signed:
        raise NoteError("no signature from a known key")
    return text, signed


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode(), *self.extensions]
        return "\n".join(lines) + "\n"

    def sign(self, signers: list[NoteSigner]) -> str:
        return sign_note(self.text(), signers)

    @classmethod
    def parse(cls, text: str) -> "Checkpoint":
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "" or any(not line for line in lines[:-1]):
            raise NoteError("a checkpoint is at least three non-empty lines: origin, size, root hash")
        origin, size, root, *extensions = lines[:-1]
        if not size.isdigit() or (size != "0" and size.startswith("0")):
            raise NoteError(f"tree size {size!r} is not a decimal without leading zeros")
        try:
            root_hash = base64.b64decode(root, validate=True)
        except binascii.Error:
            raise NoteError("the root hash is not base64") from None
        if len(root_hash) != 32:
            raise NoteError("the root hash is not 32 bytes")
        return cls(origin, int(size), root_hash, tuple(extensions))

    @classmethod
    def open(cls, note: str, verifiers: list[NoteVerifier]) -> "Checkpoint":
        """A signed checkpoint, verified; its origin must be the name of a key that signed it."""
        text, signed = open_note(note, verifiers)
        checkpoint = cls.parse(text)
        if checkpoint.origin not in signed:
            raise NoteError(f"the checkpoint of {checkpoint.origin} is not signed by its origin's key")
        return checkpoint


__all__ = ["Checkpoint", "NoteError", "NoteSigner", "NoteVerifier", "key_id", "open_note", "sign_note"]

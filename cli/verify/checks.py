"""The offline checks of ``secondline verify`` (RULES X-4, X-6), each a (passed, message) pair.

Inputs are what a partner keeps: the published keys file (``public-keys.json``: JWKs with key
ids and validity, and the log's checkpoint verifier key), envelopes (JWS compact), signed
checkpoints (C2SP notes) and proofs as JSON (``{"index", "tree_size", "proof": [hex]}``,
``{"old_size", "new_size", "proof": [hex]}``), as the recognition service's RPCs return them.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from secondline.envelope import EnvelopeError, open_envelope, read_header
from secondline.merkle import leaf_hash, verify_consistency, verify_inclusion
from secondline.note import Checkpoint, NoteError, NoteVerifier

Check = tuple[bool, str]


class InputError(Exception):
    """A file that cannot be read as what it should be."""


@dataclass(frozen=True)
class Keys:
    envelope_keys: dict[str, dict]
    log_verifier: NoteVerifier | None


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_keys(path: Path) -> Keys:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = {k["kid"]: k for k in data.get("keys", [])}
        log = data.get("log")
        return Keys(keys, NoteVerifier.from_vkey(log["verifier_key"]) if log else None)
    except (OSError, ValueError, KeyError, TypeError, NoteError) as exc:
        raise InputError(f"{path}: not a public keys file: {exc}") from None


def load_proof(path: Path, fields: tuple[str, ...]) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {**{f: int(data[f]) for f in fields}, "proof": [bytes.fromhex(h) for h in data["proof"]]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a proof with {', '.join(fields)} and proof: {exc}") from None


def envelope_signature(envelope: str, keys: Keys) -> Check:
    try:
        kid = read_header(envelope)["kid"]
    except EnvelopeError as exc:
        return False, f"envelope: {exc}"
    key = keys.envelope_keys.get(kid)
    if key is None:
        return False, f"envelope: signed by key {kid!r}, which the keys file does not publish"
    try:
        payload = open_envelope(envelope, _b64url(key["x"]))
    except EnvelopeError as exc:
        return False, f"envelope: {exc} with key {kid}"
    signed = payload.get("signed_at") or payload.get("issued_at")
    if signed and (key.get("valid_from") or key.get("valid_until")):
        at = datetime.fromisoformat(str(signed))
        start = key.get("valid_from")
        end = key.get("valid_until")
        if (start and at < _instant(start)) or (end and at >= _instant(end)):
            return False, f"envelope: key {kid} was not valid at {signed}, when the envelope says it was signed"
    return True, f"envelope: signature verifies with key {kid} ({payload.get('type') or payload.get('kind') or 'record'})"


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:  # a date: its start in China Standard Time
        moment = datetime.fromisoformat(text + "T00:00:00+08:00")
    return moment


def open_checkpoint(note: str, keys: Keys, name: str = "checkpoint") -> tuple[Checkpoint | None, Check]:
    if keys.log_verifier is None:
        return None, (False, f"{name}: the keys file has no log verifier key")
    try:
        checkpoint = Checkpoint.open(note, [keys.log_verifier])
    except NoteError as exc:
        return None, (False, f"{name}: {exc}")
    return checkpoint, (True, f"{name}: signed by {checkpoint.origin}, tree size {checkpoint.size}")


def inclusion(envelope: str, checkpoint: Checkpoint, proof: dict) -> Check:
    if proof["tree_size"] != checkpoint.size:
        return False, f"inclusion: the proof is for tree size {proof['tree_size']}, the checkpoint's is {checkpoint.size}"
    if verify_inclusion(leaf_hash(envelope.encode()), proof["index"], checkpoint.size, proof["proof"], checkpoint.root_hash):
        return True, f"inclusion: the envelope is entry {proof['index']} of the checkpoint's tree"
    return False, f"inclusion: the envelope is not entry {proof['index']} of the checkpoint's tree"


def consistency(old: Checkpoint, new: Checkpoint, proof: dict) -> Check:
    if (proof["old_size"], proof["new_size"]) != (old.size, new.size):
        return False, (f"consistency: the proof is for sizes {proof['old_size']} -> {proof['new_size']}, "
                       f"the checkpoints' are {old.size} -> {new.size}")
    if verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof["proof"]):
        return True, f"consistency: the tree of size {new.size} extends the tree of size {old.size}"
    return False, f"consistency: the checkpoints of sizes {old.size} and {new.size} are not consistent"

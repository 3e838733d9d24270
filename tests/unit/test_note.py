"""C2SP signed notes and tlog checkpoints (RULES X-6)."""

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from secondline.note import Checkpoint, NoteError, NoteSigner, NoteVerifier, open_note, sign_note


def signer(name="secondline.example/log", seed=b"\x07" * 32):
    return NoteSigner(name, Ed25519PrivateKey.from_private_bytes(seed))


def test_key_id_is_the_spec_hash_of_name_newline_type_and_key():
    v = signer().verifier
    assert v.key_id == hashlib.sha256(b"secondline.example/log\n\x01" + v.public_key).digest()[:4]


def test_a_verifier_key_round_trips_and_a_wrong_id_is_refused():
    v = signer().verifier
    assert NoteVerifier.from_vkey(v.vkey()) == v
    name, _, key = v.vkey().split("+")
    with pytest.raises(NoteError, match="does not match"):
        NoteVerifier.from_vkey(f"{name}+00000000+{key}")


def test_a_signed_note_has_the_spec_layout_and_opens_with_its_key():
    s = signer()
    note = sign_note("hello\n", [s])
    text, sig_line = note.split("\n\n")
    assert text == "hello"
    assert sig_line.startswith("\u2014 secondline.example/log ")
    raw = base64.b64decode(sig_line.split(" ")[2])
    assert raw[:4] == s.verifier.key_id and len(raw) == 68
    assert open_note(note, [s.verifier]) == ("hello\n", ["secondline.example/log"])


def test_a_changed_text_or_an_unknown_key_fails():
    s, other = signer(), signer(seed=b"\x08" * 32)
    note = sign_note("size 3\n", [s])
    with pytest.raises(NoteError, match="does not verify"):
        open_note(note.replace("size 3", "size 4"), [s.verifier])
    with pytest.raises(NoteError, match="no signature from a known key"):
        open_note(note, [other.verifier])


def test_unknown_signatures_are_ignored_beside_a_known_one():
    s, witness = signer(), signer("witness.example", b"\x09" * 32)
    note = sign_note("x\n", [witness, s])
    assert open_note(note, [s.verifier])[1] == ["secondline.example/log"]


def test_a_checkpoint_is_origin_size_and_base64_root():
    s = signer()
    cp = Checkpoint("secondline.example/log", 20852163, b"\x01" * 32)
    assert cp.text() == "secondline.example/log\n20852163\n" + base64.b64encode(b"\x01" * 32).decode() + "\n"
    assert Checkpoint.open(cp.sign([s]), [s.verifier]) == cp


def test_a_checkpoint_signed_by_another_origin_is_refused():
    other = signer("other.example", b"\x0a" * 32)
    note = Checkpoint("secondline.example/log", 1, b"\x01" * 32).sign([other])
    with pytest.raises(NoteError, match="not signed by its origin"):
        Checkpoint.open(note, [other.verifier])


@pytest.mark.parametrize("text,problem", [
    ("origin\n012\n" + base64.b64encode(b"\x00" * 32).decode() + "\n", "leading zeros"),
    ("origin\n12\n" + base64.b64encode(b"\x00" * 31).decode() + "\n", "32 bytes"),
    ("origin\n12\n", "three non-empty lines"),
])
def test_malformed_checkpoints_are_refused_with_the_problem(text, problem):
    with pytest.raises(NoteError, match=problem):
        Checkpoint.parse(text)

"""secondline verify, offline (RULES X-4, X-6): passes what the log published, fails a tampered
envelope and an inconsistent checkpoint, with exit status 1."""

import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from secondline.cli import main
from secondline.envelope import public_jwk, sign_envelope
from secondline.merkle import MerkleLog, leaf_hash
from secondline.note import Checkpoint, NoteSigner

SUITE = Ed25519PrivateKey.from_private_bytes(b"\x05" * 32)
LOG = NoteSigner("secondline.test/log", Ed25519PrivateKey.from_private_bytes(b"\x06" * 32))


def published(tmp_path):
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = SUITE.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    path = tmp_path / "public-keys.json"
    path.write_text(json.dumps({"keys": [{**public_jwk(raw, "suite-1"), "valid_from": "2026-01-01T00:00:00+08:00",
                                          "valid_until": None}],
                                "log": {"origin": LOG.name, "verifier_key": LOG.verifier.vkey()}}))
    return path


def exchange(tmp_path, n=6):
    envelopes = [sign_envelope({"type": "class-change", "n": i, "issued_at": "2026-03-01T10:00:00+08:00"}, SUITE, "suite-1")
                 for i in range(n)]
    log = MerkleLog(leaf_hash(e.encode()) for e in envelopes)
    files = {}
    for name, text in {"envelope.jws": envelopes[2],
                       "old.txt": Checkpoint(LOG.name, 3, log.root(3)).sign([LOG]),
                       "new.txt": Checkpoint(LOG.name, n, log.root(n)).sign([LOG]),
                       "inclusion.json": json.dumps({"index": 2, "tree_size": n, "proof": [h.hex() for h in log.inclusion_proof(2, n)]}),
                       "consistency.json": json.dumps({"old_size": 3, "new_size": n,
                                                       "proof": [h.hex() for h in log.consistency_proof(3, n)]})}.items():
        (tmp_path / name).write_text(text)
        files[name] = tmp_path / name
    return files


def run(tmp_path, files, capsys, **overrides):
    args = ["verify", "--keys", str(published(tmp_path)), "--envelope", str(files["envelope.jws"]),
            "--checkpoint", str(files["new.txt"]), "--inclusion", str(files["inclusion.json"]),
            "--old-checkpoint", str(files["old.txt"]), "--consistency", str(files["consistency.json"])]
    status = main(args)
    return status, capsys.readouterr().out


def test_what_the_log_published_verifies(tmp_path, capsys):
    status, out = run(tmp_path, exchange(tmp_path), capsys)
    assert status == 0, out
    assert out.count("PASS") == 5 and "5 passed, 0 failed" in out


def test_a_tampered_envelope_fails_its_signature_and_its_inclusion(tmp_path, capsys):
    files = exchange(tmp_path)
    header, payload, signature = files["envelope.jws"].read_text().split(".")
    other = sign_envelope({"type": "class-change", "n": 99, "issued_at": "2026-03-01T10:00:00+08:00"}, SUITE, "suite-1")
    files["envelope.jws"].write_text(".".join([header, other.split(".")[1], signature]))
    status, out = run(tmp_path, files, capsys)
    assert status == 1
    assert "FAIL envelope: the envelope's signature does not verify" in out
    assert "FAIL inclusion: the envelope is not entry 2" in out


def test_an_inconsistent_checkpoint_fails(tmp_path, capsys):
    files = exchange(tmp_path)
    forked = [b"rewritten history"] + [b"x%d" % i for i in range(5)]
    log = MerkleLog(leaf_hash(e) for e in forked)
    files["new.txt"].write_text(Checkpoint(LOG.name, 6, log.root(6)).sign([LOG]))
    status, out = run(tmp_path, files, capsys)
    assert status == 1
    assert "FAIL consistency: the checkpoints of sizes 3 and 6 are not consistent" in out


def test_a_checkpoint_not_signed_by_the_log_fails(tmp_path, capsys):
    files = exchange(tmp_path)
    impostor = NoteSigner(LOG.name, Ed25519PrivateKey.from_private_bytes(b"\x07" * 32))
    files["new.txt"].write_text(Checkpoint(LOG.name, 6, b"\x00" * 32).sign([impostor]))
    status, out = run(tmp_path, files, capsys)
    assert status == 1 and "FAIL checkpoint: no signature from a known key" in out


def test_unreadable_input_is_exit_status_2(tmp_path, capsys):
    assert main(["verify", "--keys", str(tmp_path / "missing.json"), "--checkpoint", str(tmp_path / "x")]) == 2

"""The suite's signing keys (RULES X-4): key ids, validity, rotation, the published key file.

Keys come from files (``signing.keys_dir``: a ``keys.yaml`` naming each key's PEM file, its id
and validity, and the log's checkpoint key) or from the environment (``signing.private_key``,
``SECONDLINE_RECOGNITION_SIGNING__PRIVATE_KEY``, a PEM), never from the repository. Rotation
is a new entry in ``keys.yaml``: the newest key valid at an instant signs, and every key stays
published so that what an older one signed still verifies. On the embedded default, with
``signing.generate_development_keys``, a folder without keys gets freshly generated ones on
first start, and the service says so.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (Encoding, NoEncryption, PrivateFormat, PublicFormat,
                                                          load_pem_private_key)
from pydantic import Field, SecretStr

from secondline.config import ConfigError, Strict, read_yaml, validate
from secondline.envelope import public_jwk
from secondline.note import NoteSigner

log = logging.getLogger(__name__)
DEVELOPMENT_FROM = datetime(2000, 1, 1, tzinfo=timezone.utc)  # development keys sign at any test clock


class SigningSettings(Strict):
    keys_dir: Path = Path("data/recognition-keys")
    """A folder with keys.yaml and the PEM files it names."""
    generate_development_keys: bool = True
    """The embedded default: generate keys in ``keys_dir`` when it has none (never in production)."""
    private_key: SecretStr | None = None
    """A PKCS#8 PEM Ed25519 key from the environment; it signs envelopes and checkpoints, as ``key_id``."""
    key_id: str = "suite"
    public_keys_file: Path | None = None
    """Where the public keys are written for verifiers; ``keys_dir``/public-keys.json by default."""
    log_origin: str = "secondline.hainan/recognition-log"
    """The checkpoints' origin line and the log key's name (C2SP tlog-checkpoint)."""


class KeyEntry(Strict):
    key_id: str = Field(min_length=1, max_length=64)
    file: str
    valid_from: datetime
    valid_until: datetime | None = None


class KeysFile(Strict):
    keys: list[KeyEntry] = Field(min_length=1)
    log_key: str


@dataclass(frozen=True)
class SuiteKey:
    key_id: str
    private_key: Ed25519PrivateKey
    valid_from: datetime
    valid_until: datetime | None

    @property
    def public_key(self) -> bytes:
        return self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def valid_at(self, instant: datetime) -> bool:
        return self.valid_from <= instant and (self.valid_until is None or instant < self.valid_until)


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[SuiteKey, ...]
    log_signer: NoteSigner

    def current(self, now: datetime) -> SuiteKey:
        valid = [k for k in self.keys if k.valid_at(now)]
        if not valid:
            raise LookupError(f"no signing key is valid at {now.isoformat()}")
        return max(valid, key=lambda k: k.valid_from)

    def published(self) -> dict:
        """The public keys file (what ``secondline verify --keys`` reads)."""
        return {
            "keys": [{**public_jwk(k.public_key, k.key_id), "owner": "secondline", "valid_from": k.valid_from.isoformat(),
                      "valid_until": k.valid_until.isoformat() if k.valid_until else None} for k in self.keys],
            "log": {"origin": self.log_signer.name, "verifier_key": self.log_signer.verifier.vkey()},
        }


def load_keys(settings: SigningSettings) -> KeyRing:
    """The key ring, generating development keys where allowed; ConfigError naming what is wrong."""
    if settings.private_key is not None:
        key = _pem(settings.private_key.get_secret_value().encode(), "signing.private_key")
        return KeyRing((SuiteKey(settings.key_id, key, DEVELOPMENT_FROM, None),), NoteSigner(settings.log_origin, key))
    index = settings.keys_dir / "keys.yaml"
    if not index.exists():
        if not settings.generate_development_keys:
            raise ConfigError(f"{index}: signing: keys_dir: has no keys.yaml, and generate_development_keys is off")
        _generate(settings.keys_dir)
        log.warning("generated development signing keys in %s: for a deployment, give the service its own keys "
                    "(signing.keys_dir or SECONDLINE_RECOGNITION_SIGNING__PRIVATE_KEY)", settings.keys_dir)
    spec = validate(KeysFile, read_yaml(index), source=str(index))
    keys = tuple(SuiteKey(e.key_id, _read(settings.keys_dir / e.file, index, f"keys[{i}].file"), e.valid_from, e.valid_until)
                 for i, e in enumerate(spec.keys))
    if len({k.key_id for k in keys}) != len(keys):
        raise ConfigError(f"{index}: keys: key ids must be distinct")
    return KeyRing(keys, NoteSigner(settings.log_origin, _read(settings.keys_dir / spec.log_key, index, "log_key")))


def write_public_keys(ring: KeyRing, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(ring.published(), indent=2) + "\n", encoding="utf-8")


def new_private_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


def _generate(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("suite-dev.pem", "log-dev.pem"):
        target = folder / name
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(new_private_key_pem())
    (folder / "keys.yaml").write_text(
        "# Development keys, generated on first start; never use them in a deployment.\n"
        f"keys:\n  - key_id: suite-dev\n    file: suite-dev.pem\n    valid_from: {DEVELOPMENT_FROM.isoformat()}\n"
        "log_key: log-dev.pem\n", encoding="utf-8")


def _read(path: Path, index: Path, key: str) -> Ed25519PrivateKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{index}: {key}: {path} cannot be read: {exc.strerror}") from None
    return _pem(data, f"{index}: {key}")


def _pem(data: bytes, where: str) -> Ed25519PrivateKey:
    try:
        key = load_pem_private_key(data, password=None)
    except ValueError:
        raise ConfigError(f"{where}: is not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{where}: is not an Ed25519 key")
    return key


__all__ = ["KeyRing", "SigningSettings", "SuiteKey", "load_keys", "write_public_keys", "new_private_key_pem"]

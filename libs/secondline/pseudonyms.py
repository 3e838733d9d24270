"""Keyed pseudonyms of individuals (RULES I-2, I-3): stable for one recipient, different
between recipients, unlinkable without the suite's secret.

The pseudonym of an individual for a recipient (``department/TAX``) is HMAC-SHA-256 of the
individual's canonical document number under a key of that recipient's own, derived from
the suite's secret with HKDF-SHA-256 (RFC 5869; ``info`` names the recipient). Knowing one
recipient's pseudonyms tells nothing about another's.

The secret comes from configuration, never from the repository: ``pseudonym.secret``
(``SECONDLINE_CLASSIFICATION_PSEUDONYM__SECRET``, at least 32 bytes) or
``pseudonym.secret_file`` (a Kubernetes Secret mounted as a file). On the embedded default,
with ``generate_development_secret``, a missing file is created on first start (``secondline
up`` keeps it in its data folder), and the service says so.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import SecretStr

from secondline.config import ConfigError, Strict

log = logging.getLogger(__name__)
SECRET_BYTES_MIN = 32
PREFIX = "PSN1-"  # a pseudonym's form, versioned: PSN1- and 32 hexadecimal characters (128 bits)


class PseudonymSettings(Strict):
    secret: SecretStr | None = None
    """The secret itself (base64, at least 32 bytes), e.g. from the environment."""
    secret_file: Path | None = None
    """A file holding the secret (base64); used when ``secret`` is unset."""
    generate_development_secret: bool = True
    """The embedded default: create ``secret_file`` when it does not exist, or with neither
    ``secret`` nor ``secret_file``, use one for this process only (tests); never in production."""


class Pseudonyms:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < SECRET_BYTES_MIN:
            raise ValueError(f"the pseudonym secret must be at least {SECRET_BYTES_MIN} bytes")
        self._secret = secret
        self._key = lru_cache(maxsize=1024)(self._derive)

    def _derive(self, recipient: str) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=b"secondline pseudonym v1 " + recipient.encode()).derive(self._secret)

    def of(self, recipient: str, individual: str) -> str:
        """The pseudonym of ``individual`` (canonical document number) for ``recipient``."""
        digest = hmac.new(self._key(recipient), individual.encode(), hashlib.sha256).hexdigest()
        return PREFIX + digest[:32]


def load_pseudonyms(settings: PseudonymSettings, *, where: str = "pseudonym") -> Pseudonyms:
    """The pseudonyms from the configured secret, generating a development one where allowed;
    ConfigError naming the key and the problem."""
    if settings.secret is not None:
        return Pseudonyms(_decode(settings.secret.get_secret_value(), f"{where}.secret"))
    path = settings.secret_file
    if path is None:
        if not settings.generate_development_secret:
            raise ConfigError(f"{where}: set secret or secret_file (generate_development_secret is off)")
        log.warning("no pseudonym secret configured: using one for this process only, so pseudonyms change at "
                    "a restart; set %s.secret_file or %s.secret", where, where)
        return Pseudonyms(os.urandom(SECRET_BYTES_MIN))
    if not path.exists():
        if not settings.generate_development_secret:
            raise ConfigError(f"{where}.secret_file: {path} does not exist, and generate_development_secret is off")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(base64.b64encode(os.urandom(SECRET_BYTES_MIN)).decode() + "\n")
        log.warning("generated a development pseudonym secret in %s: for a deployment, give the service its own "
                    "(%s.secret_file from a Secret, or %s.secret)", path, where, where)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{where}.secret_file: {path} cannot be read: {exc.strerror}") from None
    return Pseudonyms(_decode(text, f"{where}.secret_file ({path})"))


def _decode(text: str, where: str) -> bytes:
    try:
        secret = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise ConfigError(f"{where}: is not base64") from None
    if len(secret) < SECRET_BYTES_MIN:
        raise ConfigError(f"{where}: must be at least {SECRET_BYTES_MIN} bytes, got {len(secret)}")
    return secret


__all__ = ["Pseudonyms", "PseudonymSettings", "load_pseudonyms", "PREFIX"]

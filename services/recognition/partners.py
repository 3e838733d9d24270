"""Partners and their agreements as versioned configuration (RULES X-1, X-3, S-4).

A partners file names each partner by its id (``GBA``, ``YRD``, ``SHFTZ``, ``JINYE``, an ISO
3166 alpha-2 code, ``EU``) with its Ed25519 signing keys (each with a key id and validity
dates), its agreements (what it may send: record kinds, subject types, the economies of the S-4
codes; and what it may see) and its grade tables (X-3), each versioned with validity dates
that follow one another without a gap. An agreement is judged on the day an envelope is
received; a grade table on the record's decision date, as R-6 judges ratings.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from secondline.auth import PARTNER_ID
from secondline.config import Strict, read_yaml, validate
from secondline.identifiers import ISO_3166_ALPHA2

PARTNER_KINDS = ("AEO_GRANTED", "AEO_REVOKED", "INDUSTRY_RATING")
SUBJECT_TYPES = ("enterprise", "foreign", "individual")
Effect = Literal["AEO", "LOWEST", "SERIOUS_DISHONESTY", "NONE"]


class Dated(Strict):
    valid_from: date | None = None
    """First day in force; none for the first version."""
    valid_until: date | None = None
    """Last day in force; none for the current version."""

    def holds_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_until is None or day <= self.valid_until)


class SigningKey(Dated):
    key_id: str = Field(min_length=1, max_length=64)
    public_key: str
    """The raw 32-byte Ed25519 public key, base64."""

    @field_validator("public_key")
    @classmethod
    def _ed25519(cls, value: str) -> str:
        try:
            raw = base64.b64decode(value, validate=True)
        except binascii.Error:
            raise ValueError("must be base64") from None
        if len(raw) != 32:
            raise ValueError(f"an Ed25519 public key is 32 bytes, got {len(raw)}")
        return value

    @property
    def raw(self) -> bytes:
        return base64.b64decode(self.public_key)


class Sees(Strict):
    """What a partner may see (X-1, X-5): reports and class changes, for business entities it
    names here or has sent records about."""

    reports: bool = True
    class_changes: bool = True
    entities: list[str] = Field(default_factory=list)


class Agreement(Dated):
    version: str = Field(min_length=1)
    sends: list[str]
    """Record kinds it may send."""
    subjects: list[str] = Field(default_factory=lambda: ["enterprise"])
    """Subject types its records may be about."""
    economies: list[str] = Field(default_factory=list)
    """ISO 3166 alpha-2 economies whose S-4 codes it may send (foreign subjects)."""
    sees: Sees = Sees()

    @model_validator(mode="after")
    def _known(self) -> "Agreement":
        for kind in self.sends:
            if kind not in PARTNER_KINDS:
                raise ValueError(f"sends: {kind!r} is not a kind a partner sends; expected one of {', '.join(PARTNER_KINDS)}")
        for subject in self.subjects:
            if subject not in SUBJECT_TYPES:
                raise ValueError(f"subjects: {subject!r} is not one of {', '.join(SUBJECT_TYPES)}")
        for economy in self.economies:
            if economy not in ISO_3166_ALPHA2:
                raise ValueError(f"economies: {economy!r} is not an ISO 3166 alpha-2 code")
        if "foreign" in self.subjects and not self.economies:
            raise ValueError("an agreement for foreign operators names the economies of their codes (S-4)")
        return self


class GradeTable(Dated):
    version: str = Field(min_length=1)
    grades: dict[str, Effect]
    """The partner's grade -> its local effect (X-3)."""


class Partner(Strict):
    name: str = ""
    keys: list[SigningKey]
    agreements: list[Agreement]
    grade_tables: list[GradeTable] = Field(default_factory=list)

    @model_validator(mode="after")
    def _versions(self) -> "Partner":
        if not self.keys:
            raise ValueError("keys: a partner has at least one signing key")
        ids = [k.key_id for k in self.keys]
        if len(set(ids)) != len(ids):
            raise ValueError("keys: key ids must be distinct")
        _contiguous("agreements", self.agreements)
        if self.grade_tables:
            _contiguous("grade_tables", self.grade_tables)
        if "INDUSTRY_RATING" in {k for a in self.agreements for k in a.sends} and not self.grade_tables:
            raise ValueError("grade_tables: a partner that sends INDUSTRY_RATING needs a grade table (X-3)")
        return self

    def agreement(self, day: date) -> Agreement | None:
        return next((a for a in self.agreements if a.holds_on(day)), None)

    def grade_table(self, day: date) -> GradeTable | None:
        """The table in force on ``day``; the earliest before any starts (as R-6's scales)."""
        return next((t for t in self.grade_tables if t.holds_on(day)), self.grade_tables[0] if self.grade_tables else None)

    def key(self, key_id: str) -> SigningKey | None:
        return next((k for k in self.keys if k.key_id == key_id), None)


class PartnersConfig(Strict):
    partners: dict[str, Partner] = Field(default_factory=dict)

    @field_validator("partners")
    @classmethod
    def _ids(cls, partners: dict[str, Partner]) -> dict[str, Partner]:
        for partner_id in partners:
            if not PARTNER_ID.match(partner_id):
                raise ValueError(f"partner id {partner_id!r} must be 2-16 of A-Z, 0-9 and _, starting with a letter")
        return partners


def _contiguous(name: str, versions: list[Dated]) -> None:
    if not versions:
        raise ValueError(f"{name}: at least one version is required")
    for before, after in zip(versions, versions[1:]):
        if before.valid_until is None or after.valid_from is None or (after.valid_from - before.valid_until).days != 1:
            raise ValueError(f"{name}: version {after.version} must start the day after {before.version} ends")


def load_partners(path: Path | None) -> PartnersConfig:
    """The partners file, validated; no partners when there is none (the embedded default)."""
    if path is None:
        return PartnersConfig()
    return validate(PartnersConfig, read_yaml(path), source=str(path))


__all__ = ["Agreement", "GradeTable", "Partner", "PartnersConfig", "SigningKey", "load_partners", "PARTNER_KINDS"]

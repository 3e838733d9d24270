"""A scenario's ``partners:`` block (shared/spec/scenarios/README.md, "Partners"; RULES X-1, X-3).

The runner makes an Ed25519 key pair for each partner, writes the suite's partners file from
the block (its kinds, grades and, for an MRA economy, its S-4 economies), and keeps the private
keys to sign the scenario's ``partner_submit`` envelopes.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from secondline.cli.scenarios.format import ScenarioError, check_fields
from secondline.identifiers import ISO_3166_ALPHA2

FIELDS = ("sends", "grades", "subjects", "economies", "sees")
EU_MEMBERS = ("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK").split()


@dataclass(frozen=True)
class PartnerKey:
    key_id: str
    private_key: Ed25519PrivateKey


def _economies(partner: str) -> list[str]:
    if partner == "EU":
        return EU_MEMBERS
    return [partner] if partner in ISO_3166_ALPHA2 else []


def configure(block: Any, folder: Path) -> tuple[Path, dict[str, PartnerKey]]:
    """The partners file for the suite, and each partner's signing key."""
    check_fields("partners", block, list(block) if isinstance(block, dict) else ())
    partners, keys = {}, {}
    for partner, spec in block.items():
        spec = check_fields(f"partners.{partner}", spec or {}, FIELDS)
        economies = list(spec.get("economies") or _economies(str(partner)))
        subjects = list(spec.get("subjects") or (["enterprise", "foreign"] if economies else ["enterprise"]))
        grades = {str(grade): str(effect) for grade, effect in (spec.get("grades") or {}).items()}
        key = PartnerKey(f"{str(partner).lower()}-scenario", Ed25519PrivateKey.generate())
        public = key.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        partners[str(partner)] = {
            "keys": [{"key_id": key.key_id, "public_key": base64.b64encode(public).decode(), "valid_from": "2000-01-01"}],
            "agreements": [{"version": "scenario", "sends": list(spec.get("sends") or []), "subjects": subjects,
                            "economies": economies, "sees": spec.get("sees") or {}}],
            "grade_tables": [{"version": "scenario", "grades": grades}] if grades else [],
        }
        keys[str(partner)] = key
    if not partners:
        raise ScenarioError("partners: names no partner")
    path = folder / "partners.yaml"
    path.write_text(yaml.safe_dump({"partners": partners}, sort_keys=False), encoding="utf-8")
    return path, keys

"""A recognition server beside ingestion and classification, with partners and their keys."""

from __future__ import annotations

import base64
from datetime import datetime

import grpc
import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from secondline.envelope import sign_envelope
from secondline.recognition.v1 import recognition_pb2 as rpb
from secondline.recognition.v1 import recognition_pb2_grpc
from secondline.telemetry import setup_telemetry

GBA_KEY = Ed25519PrivateKey.from_private_bytes(b"\x11" * 32)
SG_KEY = Ed25519PrivateKey.from_private_bytes(b"\x22" * 32)


def public(key) -> str:
    return base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


PARTNERS = {"partners": {
    "GBA": {
        "keys": [{"key_id": "gba-2025", "public_key": public(GBA_KEY), "valid_from": "2025-01-01", "valid_until": "2026-01-31"},
                 {"key_id": "gba-2026", "public_key": public(GBA_KEY), "valid_from": "2026-02-01"}],
        "agreements": [{"version": "2026-01", "sends": ["INDUSTRY_RATING"], "subjects": ["enterprise"],
                        "sees": {"entities": ["91460100MA5T0A3D5P"]}}],
        "grade_tables": [{"version": "gba-grades-1", "grades": {"A": "NONE", "B": "NONE", "D": "LOWEST",
                                                                 "BLACKLIST": "SERIOUS_DISHONESTY"}}],
    },
    "SG": {
        "keys": [{"key_id": "sg-1", "public_key": public(SG_KEY)}],
        "agreements": [{"version": "mra-2019", "sends": ["AEO_GRANTED", "AEO_REVOKED"], "subjects": ["foreign"],
                        "economies": ["SG"]}],
    },
}}


def partner(name: str):
    return (("x-secondline-principal", f"partner/{name}"),)


def envelope(key, kid: str, **payload) -> str:
    return sign_envelope(payload, key, kid)


def rating(source_id: str, grade: str, subject: dict, decided_on: str, signed_at: datetime, kid="gba-2026", key=GBA_KEY):
    return envelope(key, kid, partner="GBA", source_id=source_id, kind="INDUSTRY_RATING", subject=subject,
                    decided_on=decided_on, grade=grade, signed_at=signed_at.isoformat())


async def start_recognition(suite, database_url, tmp_path, clock, spans, ingestion_port=None):
    from secondline.services.recognition.app import RecognitionSettings, build

    path = tmp_path / "partners.yaml"
    path.write_text(yaml.safe_dump(PARTNERS), encoding="utf-8")
    settings = RecognitionSettings.model_validate({
        "database": {"url": database_url}, "server": {"listen": "127.0.0.1:0", "grace_seconds": 1},
        "ingestion_address": f"127.0.0.1:{ingestion_port or suite.port}",
        "classification_address": f"127.0.0.1:{suite.classification_port}",
        "partners_file": str(path), "signing": {"keys_dir": str(tmp_path / "keys")},
    })
    telemetry = setup_telemetry("recognition", span_exporter=spans)
    host = build(settings, telemetry=telemetry, clock=clock)
    port = await host.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    return host, channel, recognition_pb2_grpc.RecognitionServiceStub(channel), telemetry


__all__ = ["rpb", "rating", "envelope", "partner", "start_recognition", "GBA_KEY", "SG_KEY", "PARTNERS"]

"""The inbound part of ``secondline bench recognition`` (RULES X-3, X-4, R-7): a partner's signed
envelopes through the recognition service beside the same records through ingestion's own
``SubmitRecords``, in the same run, on the same ingestion.

Ingestion and recognition run as separate processes on the embedded default, as ``secondline
up`` runs them (classification is not started: inbound does not call it). The partner ``GBA``
(the bench holds its Ed25519 key) rates ``records`` companies on its own scale; every envelope is
signed before the clock starts. Timed, one after the other:

- **ingestion**: the records as the recognition service would file them (the partner's origin,
  grade, table version and effect), sent by ``service/recognition`` on one ``SubmitRecords``
  stream, ``chunk`` a message, under source ids of their own;
- **recognition**: the envelopes on one ``SubmitEnvelopes`` stream, ``chunk`` a message: each
  verified, mapped by the grade table, stored with its log entry and filed into ingestion
  before its result comes back.

Every result must be a new record (a refusal, a replay or an envelope not yet filed fails the
run), so that the rates count records filed, nothing else.
"""

from __future__ import annotations

import asyncio
import base64
import random
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import grpc
import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from secondline.cli.up.suite import Layout, ServiceSpec, embedded_settings, running_suite
from secondline.common.v1 import common_pb2
from secondline.dates import cst_date
from secondline.envelope import envelope_hash, sign_envelope
from secondline.identifiers import uscc_check_character
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.recognition.v1 import recognition_pb2 as rpb
from secondline.recognition.v1 import recognition_pb2_grpc
from secondline.rpc.convert import date_to_proto

PARTNER = "GBA"
KEY_ID = "gba-bench"
TABLE = {"A": "NONE", "B": "NONE", "C": "NONE", "D": "LOWEST"}
TABLE_VERSION = "gba-bench-1"
RECOGNITION = (("x-secondline-principal", "service/recognition"),)
AS_PARTNER = (("x-secondline-principal", f"partner/{PARTNER}"),)


class InboundError(RuntimeError):
    pass


@dataclass
class Round:
    records: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Rating:
    source_id: str
    enterprise: str
    grade: str
    decided_on: str


def partners_file(folder: Path, key: Ed25519PrivateKey) -> Path:
    public = base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
    path = folder / "bench-partners.yaml"
    path.write_text(yaml.safe_dump({"partners": {PARTNER: {
        "keys": [{"key_id": KEY_ID, "public_key": public, "valid_from": "2000-01-01"}],
        "agreements": [{"version": "bench", "sends": ["INDUSTRY_RATING"], "subjects": ["enterprise"]}],
        "grade_tables": [{"version": TABLE_VERSION, "grades": TABLE}]}}}), encoding="utf-8")
    return path


def ratings(count: int, prefix: str, seed: int, day: str) -> list[Rating]:
    rng = random.Random(seed)
    found = []
    for i in range(count):
        body = f"91440300MA{rng.randrange(10**7):07d}"  # Shenzhen companies rated by the GBA partner
        found.append(Rating(f"{prefix}-{i}", body + uscc_check_character(body), rng.choice(list(TABLE)), day))
    return found


def envelope(rating: Rating, key: Ed25519PrivateKey, signed_at: str) -> str:
    return sign_envelope({"partner": PARTNER, "source_id": rating.source_id, "kind": "INDUSTRY_RATING",
                          "subject": {"enterprise": rating.enterprise}, "decided_on": rating.decided_on,
                          "grade": rating.grade, "signed_at": signed_at}, key, KEY_ID)


def record(rating: Rating, signed: str) -> ingestion_pb2.RecordInput:
    """The record as the recognition service files it (services/recognition/outbox.py)."""
    return ingestion_pb2.RecordInput(
        source_id=rating.source_id, kind=common_pb2.RECORD_KIND_INDUSTRY_RATING,
        subject=common_pb2.SubjectId(enterprise=rating.enterprise), grade=rating.grade,
        decided_on=date_to_proto(datetime.fromisoformat(rating.decided_on).date()),
        partner=common_pb2.PartnerOrigin(partner=PARTNER, grade=rating.grade, table_version=TABLE_VERSION,
                                         effect=common_pb2.PartnerEffect.Value("PARTNER_EFFECT_" + TABLE[rating.grade]),
                                         envelope_hash=envelope_hash(signed).hex()))


def measure(data: Path, *, records: int, chunk: int, warmup: int, seed: int) -> tuple[Round, Round]:
    """(ingestion's own SubmitRecords, recognition's SubmitEnvelopes) of ``records`` each."""
    key = Ed25519PrivateKey.generate()
    partners = partners_file(data, key)

    def settings(name: str, layout: Layout) -> dict:
        found = {**embedded_settings(name, layout), "telemetry": {"log_level": "WARNING"}}
        if name == "recognition":
            found.update(ingestion_address=layout.addresses["ingestion"], partners_file=str(partners),
                         classification_address="127.0.0.1:9",  # never called on the inbound path
                         signing={"keys_dir": str(layout.data_dir / "recognition-keys")})
        return found

    specs = (ServiceSpec("ingestion", "secondline.services.ingestion", settings),
             ServiceSpec("recognition", "secondline.services.recognition", settings))
    now = datetime.now(timezone.utc)
    day = cst_date(now).isoformat()
    signed_at = now.isoformat()
    sets = {name: ratings(n, name, seed + i, day) for i, (name, n) in enumerate(
        (("WARM-I", warmup), ("WARM-R", warmup), ("ING", records), ("ENV", records)))}
    envelopes = {name: [envelope(r, key, signed_at) for r in sets[name]] for name in ("WARM-R", "ENV")}
    own = {name: [record(r, envelope(r, key, signed_at)) for r in sets[name]] for name in ("WARM-I", "ING")}
    with running_suite(data, services=specs, ready_timeout=60) as suite:
        return asyncio.run(_rounds(suite.address("ingestion"), suite.address("recognition"), own, envelopes, chunk))


async def _rounds(ingestion_at: str, recognition_at: str, own: dict, envelopes: dict, chunk: int) -> tuple[Round, Round]:
    big = [("grpc.max_receive_message_length", 64 << 20), ("grpc.max_send_message_length", 64 << 20)]
    async with (grpc.aio.insecure_channel(ingestion_at, options=big) as ic,
                grpc.aio.insecure_channel(recognition_at, options=big) as rc):
        ingestion = ingestion_pb2_grpc.IngestionServiceStub(ic)
        recognition = recognition_pb2_grpc.RecognitionServiceStub(rc)
        await _submit_records(ingestion, own["WARM-I"], chunk)
        await _submit_envelopes(recognition, envelopes["WARM-R"], chunk)
        return (await _submit_records(ingestion, own["ING"], chunk),
                await _submit_envelopes(recognition, envelopes["ENV"], chunk))


async def _submit_records(stub, records: list, chunk: int) -> Round:
    requests = [ingestion_pb2.SubmitRecordsRequest(records=records[i:i + chunk], view=ingestion_pb2.RECORD_VIEW_BASIC)
                for i in range(0, len(records), chunk)]
    started = time.perf_counter()
    results = [r async for m in stub.SubmitRecords(iter(requests), metadata=RECOGNITION, timeout=600) for r in m.results]
    seconds = time.perf_counter() - started
    bad = [r for r in results if r.WhichOneof("result") != "record" or r.replayed]
    if bad or len(results) != len(records):
        raise InboundError(f"SubmitRecords: {len(bad)} of {len(results)} results not new records, e.g. {bad[:1]}")
    return Round(len(records), seconds)


async def _submit_envelopes(stub, envelopes: list[str], chunk: int) -> Round:
    requests = [rpb.SubmitEnvelopesRequest(envelopes=envelopes[i:i + chunk]) for i in range(0, len(envelopes), chunk)]
    started = time.perf_counter()
    results = [r async for m in stub.SubmitEnvelopes(iter(requests), metadata=AS_PARTNER, timeout=600) for r in m.results]
    seconds = time.perf_counter() - started
    bad = [r for r in results if r.WhichOneof("result") != "acceptance" or r.acceptance.replayed
           or not r.acceptance.record_id]
    if bad or len(results) != len(envelopes):
        raise InboundError(f"SubmitEnvelopes: {len(bad)} of {len(results)} results not filed records, e.g. {bad[:1]}")
    return Round(len(envelopes), seconds)


__all__ = ["InboundError", "Round", "measure"]

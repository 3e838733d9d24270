"""Objection and recognition shaped as the production overlay deploys them, beside ingestion
and classification, on one machine (k8s/, issue 14 item 7; :mod:`tests.e2e.cluster`).

The overlay rendered is the one a platform team writes on top of ``k8s/overlays/production``:
it replaces the partners ConfigMap with its own partners file (README "Deploying on
Kubernetes"). The signing keys Secret is made as the README says to make it (keys.yaml and
the PEM files it names). Every call between services, and from the portal, a department and
the partner, is mutual TLS with the common names of the overlay's Certificates.

A portal files an objection through objection, which reads the record from ingestion and
files its mark there (O-1, O-2); a partner's signed envelope is accepted by recognition and
filed through ingestion as its record (X-1, X-3, R-7), in a log whose checkpoint is signed
with the Secret's log key (X-4).
"""

from __future__ import annotations

import base64
import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import grpc
import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from grpc_health.v1 import health_pb2, health_pb2_grpc

from secondline.common.v1 import common_pb2
from secondline.envelope import sign_envelope
from secondline.ingestion.v1 import ingestion_pb2, ingestion_pb2_grpc
from secondline.note import Checkpoint, NoteVerifier
from secondline.objection.v1 import objection_pb2 as opb
from secondline.objection.v1 import objection_pb2_grpc
from secondline.recognition.v1 import recognition_pb2 as rpb
from secondline.recognition.v1 import recognition_pb2_grpc
from tests.e2e.cluster import PRODUCTION, REQUIREMENTS, ClusterShaped, Process, one, readiness_name, rendered, tls_channel
from tests.helpers import record
from tests.objection_helpers import uscc

SERVICES = ("ingestion", "classification", "objection", "recognition")
PENALISED, RATED = uscc(9101), uscc(9102)
PARTNER_KEY, SUITE_KEY, LOG_KEY = (Ed25519PrivateKey.generate() for _ in range(3))
LOG_ORIGIN = "secondline.hainan/recognition-log"  # the settings' default, which the ConfigMap keeps

pytestmark = REQUIREMENTS


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def pem(key: Ed25519PrivateKey) -> bytes:  # what `openssl genpkey -algorithm ed25519` writes
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


def signing_keys_secret(folder: Path) -> None:
    """The Secret recognition-signing-keys, as the README makes it: keys.yaml and its PEM files."""
    (folder / "suite-2026.pem").write_bytes(pem(SUITE_KEY))
    (folder / "log-2026.pem").write_bytes(pem(LOG_KEY))
    (folder / "keys.yaml").write_text(yaml.safe_dump({
        "keys": [{"key_id": "suite-2026", "file": "suite-2026.pem", "valid_from": "2026-01-01T00:00:00+00:00"}],
        "log_key": "log-2026.pem"}))


def authority_overlay(folder: Path) -> Path:
    """The platform team's overlay: production, with its own partners file (X-1)."""
    folder.mkdir(parents=True)
    (folder / "partners.yaml").write_text(yaml.safe_dump({"partners": {"GBA": {
        "name": "Greater Bay Area credit platform",
        "keys": [{"key_id": "gba-1", "public_key": base64.b64encode(raw_public(PARTNER_KEY)).decode()}],
        "agreements": [{"version": "2026-01", "sends": ["INDUSTRY_RATING"], "subjects": ["enterprise"]}],
        "grade_tables": [{"version": "gba-grades-1", "grades": {"A": "NONE", "D": "LOWEST"}}],
    }}}))
    (folder / "kustomization.yaml").write_text(yaml.safe_dump({
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "namespace": "secondline",
        "resources": [os.path.relpath(PRODUCTION, folder)],  # kustomize takes no absolute path
        "configMapGenerator": [{"name": "recognition-partners", "behavior": "replace", "files": ["partners.yaml"]}],
    }))
    return folder


async def test_objection_and_recognition_from_the_rendered_manifests_answer_over_mutual_tls(tmp_path, schema_url):
    docs = rendered(authority_overlay(tmp_path / "overlay"))
    partners = yaml.safe_load(one(docs, "ConfigMap", prefix="recognition-partners-")["data"]["partners.yaml"])
    assert list(partners["partners"]) == ["GBA"], "the overlay's partners file replaced the base's"
    cluster = ClusterShaped(tmp_path, schema_url, docs, secrets={"recognition-signing-keys": signing_keys_secret})
    processes: list[Process] = []
    try:
        for name in SERVICES:
            processes += await cluster.start(name)
        by_name = dict(zip(SERVICES, processes))
        for name in ("objection", "recognition"):  # the kubelet's probes: liveness and readiness
            async with grpc.aio.insecure_channel(f"127.0.0.1:{by_name[name].health_port}") as ch:
                health = health_pb2_grpc.HealthStub(ch)
                for service in ("", readiness_name(name)):
                    reply = await health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
                    assert reply.status == health_pb2.HealthCheckResponse.SERVING, (name, service)

        # A department files a penalty; the portal objects to it through objection (O-1).
        async with tls_channel(cluster.ca, "department/ANTI_SMUGGLING", cluster.addresses["ingestion"],
                               server_name="ingestion") as ch:
            ingestion = ingestion_pb2_grpc.IngestionServiceStub(ch)
            penalty = (await ingestion.SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=record(
                source_id="AS-k8s-1", enterprise=PENALISED, decided_on=date.today() - timedelta(days=1))), timeout=10)).record
            async with tls_channel(cluster.ca, "portal/credit-hainan", cluster.addresses["objection"],
                                   server_name="objection") as portal:
                filed = (await objection_pb2_grpc.ObjectionServiceStub(portal).FileObjection(opb.FileObjectionRequest(
                    subject=common_pb2.SubjectId(enterprise=PENALISED), record_ids=[penalty.record_id],
                    statement="the decision was annulled on review"), timeout=30)).objection
            assert filed.status == opb.OBJECTION_STATUS_OPEN
            assert filed.answer_due.ToDatetime(tzinfo=timezone.utc) > datetime.now(timezone.utc)  # T-3, from the calendar files
            assert filed.record_cursor, "objection's mark was acknowledged by ingestion before the call returned"
            # O-2: ingestion took the mark from service/objection (its certificate's common name).
            # An operator reads the whole history: a department sees its own records only (I-3).
            async with tls_channel(cluster.ca, "operator/platform", cluster.addresses["ingestion"],
                                   server_name="ingestion") as operator:
                records = (await ingestion_pb2_grpc.IngestionServiceStub(operator).ListSubjectRecords(
                    ingestion_pb2.ListSubjectRecordsRequest(subject=common_pb2.SubjectId(enterprise=PENALISED)),
                    timeout=10)).records
            [disputed] = [r for r in records if r.record_id == penalty.record_id]
            assert list(disputed.open_objection_ids) == [filed.objection_id]
            marks = [r for r in records if r.filed_by == "service/objection"]
            assert marks, [(r.record_id, r.filed_by) for r in records]

            # The partner's signed envelope, accepted by recognition and filed through ingestion.
            envelope = sign_envelope({
                "partner": "GBA", "source_id": "GBA-k8s-1", "kind": "INDUSTRY_RATING", "subject": {"enterprise": RATED},
                "decided_on": (date.today() - timedelta(days=1)).isoformat(), "grade": "D",
                "signed_at": datetime.now(timezone.utc).isoformat()}, PARTNER_KEY, "gba-1")
            async with tls_channel(cluster.ca, "partner/GBA", cluster.addresses["recognition"],
                                   server_name="recognition") as partner:
                recognition = recognition_pb2_grpc.RecognitionServiceStub(partner)
                accepted = (await recognition.SubmitEnvelope(rpb.SubmitEnvelopeRequest(envelope=envelope), timeout=30)).acceptance
                assert accepted.effect == common_pb2.PARTNER_EFFECT_LOWEST and accepted.table_version == "gba-grades-1"
                assert accepted.record_id and accepted.record_cursor, "filed into ingestion before the answer"
                # the log is signed with the Secret's log key, and the Secret's suite key is published.
                checkpoint = await recognition.GetCheckpoint(rpb.GetCheckpointRequest(), timeout=10)
                opened = Checkpoint.open(checkpoint.checkpoint, [NoteVerifier(LOG_ORIGIN, raw_public(LOG_KEY))])
                assert opened.size == checkpoint.tree_size == accepted.log_index + 1
                published = (await recognition.ListPublicKeys(rpb.ListPublicKeysRequest(), timeout=10)).keys
                assert [(k.key_id, k.public_key) for k in published] == [("suite-2026", raw_public(SUITE_KEY))]
            async with tls_channel(cluster.ca, "operator/platform", cluster.addresses["ingestion"],
                                   server_name="ingestion") as operator:  # not the department's record (I-3)
                filed_record = (await ingestion_pb2_grpc.IngestionServiceStub(operator).GetRecord(
                    ingestion_pb2.GetRecordRequest(record_id=accepted.record_id), timeout=10)).record
            # Ingestion takes a partner's origin from service/recognition alone: here, its certificate.
            assert filed_record.from_partner and filed_record.input.partner.partner == "GBA"
            assert filed_record.input.grade == "D" and filed_record.input.partner.effect == common_pb2.PARTNER_EFFECT_LOWEST
    finally:
        for process in processes:
            process.stop()

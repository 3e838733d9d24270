"""The demo's partners (RULES X-1..X-4, X-6): two partner regions and one AEO mutual-recognition
partner send signed envelopes through the recognition service while the demo runs.

The demo holds the partners' signing keys: their agreements, grade tables and public keys are
written into the suite's partners file before the suite starts, exactly as the scenario runner
does for a scenario's ``partners:`` block (:func:`secondline.cli.scenarios.partners.configure`).
The Greater Bay Area (``GBA``) and the Yangtze River Delta (``YRD``) rate Hainan companies on
their own scales (X-3); Singapore (``SG``) certifies its own operators as AEO, by their S-4
codes, and revokes a few (X-2). Each partner also sends one envelope tampered with on the way,
which must be refused (UNAUTHENTICATED) with nothing stored (X-4).

Then the transparency log (X-6): GBA asks for the signed credit report (X-5) of an entity it
rated; a checkpoint after GBA's envelopes, the latest one, the report's inclusion proof and the
consistency proof between the two checkpoints are written as files and checked by ``secondline
verify`` in a process of its own, with the public keys the recognition service published: what
a partner would do, offline.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import grpc

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.classification.v1.classification_pb2_grpc import ClassificationServiceStub
from secondline.cli.demo.tallies import PartnerTally
from secondline.cli.scenarios.partners import PartnerKey, configure
from secondline.common.v1 import common_pb2
from secondline.dates import add_years, cst_date
from secondline.envelope import sign_envelope
from secondline.recognition.v1 import recognition_pb2 as rpb
from secondline.recognition.v1.recognition_pb2_grpc import RecognitionServiceStub
from secondline.rpc.convert import timestamp

HEADER = "x-secondline-principal"
OPERATOR = ((HEADER, "operator/demo"),)
SCALES = {  # each region's own grades, best first, with their weights in the demo
    "GBA": {"A": ("NONE", 40), "B": ("NONE", 30), "C": ("NONE", 15), "D": ("LOWEST", 10), "BLACKLIST": ("SERIOUS_DISHONESTY", 5)},
    "YRD": {"AAA": ("NONE", 25), "AA": ("NONE", 35), "A": ("NONE", 20), "B": ("NONE", 8), "C": ("LOWEST", 8),
            "BLACKLISTED": ("SERIOUS_DISHONESTY", 4)},
}
BLOCK = {"GBA": {"sends": ["INDUSTRY_RATING"], "grades": {g: e for g, (e, _) in SCALES["GBA"].items()}},
         "YRD": {"sends": ["INDUSTRY_RATING"], "grades": {g: e for g, (e, _) in SCALES["YRD"].items()}},
         "SG": {"sends": ["AEO_GRANTED", "AEO_REVOKED"]}}
CHUNK = 100


def configure_partners(folder: Path) -> tuple[Path, dict[str, PartnerKey]]:
    """The suite's partners file (X-1) and the partners' private keys, which the demo keeps."""
    folder.mkdir(parents=True, exist_ok=True)
    return configure(BLOCK, folder)


def envelopes(keys: dict[str, PartnerKey], enterprises: list[str], count: int, *, seed: int, now: datetime) -> dict[str, list[str]]:
    """About ``count`` signed envelopes: two fifths from each region, a fifth from Singapore."""
    rng, today, signed_at = random.Random(seed * 31 + 5), cst_date(now), now.isoformat()
    rated = rng.sample(enterprises, min(len(enterprises), count * 4 // 5))
    found: dict[str, list[str]] = {}

    def sign(partner: str, **payload) -> str:
        key = keys[partner]
        return sign_envelope({"partner": partner, "signed_at": signed_at, **payload}, key.private_key, key.key_id)

    for partner, share in (("GBA", rated[::2]), ("YRD", rated[1::2])):
        grades = list(SCALES[partner])
        weights = [w for _, w in SCALES[partner].values()]
        found[partner] = [sign(partner, source_id=f"{partner}-{today:%Y}-{i:06d}", kind="INDUSTRY_RATING",
                               subject={"enterprise": key}, grade=rng.choices(grades, weights)[0],
                               decided_on=(today - timedelta(days=rng.randint(1, 400))).isoformat())
                          for i, key in enumerate(share, 1)]
    singapore = []
    for i in range(1, max(3, count // 5) + 1):
        code = f"SG{rng.randrange(10**9):09d}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}"
        granted = today - timedelta(days=rng.randint(30, 4 * 365))
        singapore.append(sign("SG", source_id=f"SG-AEO-{i:05d}", kind="AEO_GRANTED", subject={"foreign": code},
                              decided_on=granted.isoformat(), valid_until=add_years(granted, 3 + rng.randint(0, 2)).isoformat()))
        if rng.random() < 0.1:
            revoked = min(today, granted + timedelta(days=rng.randint(60, 700)))
            singapore.append(sign("SG", source_id=f"SG-REV-{i:05d}", kind="AEO_REVOKED", subject={"foreign": code},
                                  decided_on=revoked.isoformat()))
    found["SG"] = singapore
    for partner, sent in found.items():  # one envelope tampered with on the way: the payload changed
        head, payload, signature = sent[0].split(".")
        sent.append(".".join((head, payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1], signature)))
    return found


class PartnerExchange:
    def __init__(self, stub: RecognitionServiceStub, folder: Path, public_keys: Path) -> None:
        self.stub, self.folder, self.public_keys = stub, folder, public_keys
        self.tally = PartnerTally()
        self.cursor = 0
        self.subjects: dict[str, set[tuple[str, str]]] = {}
        self._first_checkpoint: rpb.GetCheckpointResponse | None = None
        self._reported = ""

    async def send(self, sets: dict[str, list[str]]) -> PartnerTally:
        started = asyncio.get_running_loop().time()
        for partner, sent in sets.items():
            requests = [rpb.SubmitEnvelopesRequest(envelopes=sent[i:i + CHUNK]) for i in range(0, len(sent), CHUNK)]
            metadata = ((HEADER, f"partner/{partner}"),)
            async for reply in self.stub.SubmitEnvelopes(iter(requests), metadata=metadata, timeout=300):
                for result in reply.results:
                    self._take(partner, sent[result.index], result)
            if self._first_checkpoint is None:
                self._first_checkpoint = await self.stub.GetCheckpoint(rpb.GetCheckpointRequest(), metadata=OPERATOR, timeout=10)
        self.tally.seconds = asyncio.get_running_loop().time() - started
        return self.tally

    def _take(self, partner: str, envelope: str, result: rpb.EnvelopeResult) -> None:
        self.tally.sent[partner] += 1
        if result.WhichOneof("result") != "acceptance":
            self.tally.refused[partner] += 1
            self.tally.refusal_codes[_code_name(result.error.code)] += 1
            return
        acceptance = result.acceptance
        self.tally.accepted[partner] += 1
        self.tally.effects[(partner, common_pb2.PartnerEffect.Name(acceptance.effect).removeprefix("PARTNER_EFFECT_"))] += 1
        self.cursor = max(self.cursor, int(acceptance.record_cursor or 0))
        payload = json.loads(_b64(envelope.split(".")[1]))
        (which, key), = payload["subject"].items()
        self.subjects.setdefault(partner, set()).add((which, key))
        if partner == "GBA" and (not self._reported or acceptance.effect == common_pb2.PARTNER_EFFECT_LOWEST):
            self._reported = key  # the entity GBA asks a credit report about, one it rated low if any

    async def classes(self, classification: ClassificationServiceStub, now: datetime) -> None:
        """X-2, X-3: the classes now of the subjects partners sent about, and which the partner drives."""
        for partner, subjects in self.subjects.items():
            ordered = [common_pb2.SubjectId(**{which: key}) for which, key in sorted(subjects)]
            for i in range(0, len(ordered), 1000):
                reply = await classification.BatchGetSubjectClasses(cpb.BatchGetSubjectClassesRequest(
                    subjects=ordered[i:i + 1000], as_of=timestamp(now)), metadata=OPERATOR, timeout=60)
                for answer in reply.subject_classes:
                    klass = common_pb2.CreditClass.Name(answer.credit_class).removeprefix("CREDIT_CLASS_") or "WHITELIST"
                    self.tally.classes[(partner, answer.subject.WhichOneof("id"), klass)] += 1
                    for rule in {r.rule for r in answer.reasons if r.partner == partner and r.effect == klass}:
                        self.tally.driven[(partner, rule, klass)] += 1

    async def verify(self) -> None:
        """X-5, X-6: GBA asks for a signed credit report about an entity it rated; the report's
        signature, its inclusion in the latest checkpoint and that checkpoint's consistency with
        the one after GBA's envelopes are checked by ``secondline verify``, as GBA would."""
        report = await self.stub.GetCreditReport(rpb.GetCreditReportRequest(
            subject=common_pb2.SubjectId(enterprise=self._reported)), metadata=((HEADER, "partner/GBA"),), timeout=30)
        latest = await self.stub.GetCheckpoint(rpb.GetCheckpointRequest(), metadata=OPERATOR, timeout=10)
        first = self._first_checkpoint or latest
        inclusion = await self.stub.GetInclusionProof(rpb.GetInclusionProofRequest(
            index=report.log_index, tree_size=latest.tree_size), metadata=OPERATOR, timeout=10)
        consistency = await self.stub.GetConsistencyProof(rpb.GetConsistencyProofRequest(
            old_size=first.tree_size, new_size=latest.tree_size), metadata=OPERATOR, timeout=10)
        self.folder.mkdir(parents=True, exist_ok=True)
        files = {"credit-report.jws": report.envelope, "checkpoint.txt": latest.checkpoint,
                 "old-checkpoint.txt": first.checkpoint,
                 "inclusion.json": json.dumps({"index": inclusion.index, "tree_size": inclusion.tree_size,
                                               "proof": [p.hex() for p in inclusion.proof]}),
                 "consistency.json": json.dumps({"old_size": consistency.old_size, "new_size": consistency.new_size,
                                                 "proof": [p.hex() for p in consistency.proof]})}
        for name, text in files.items():
            (self.folder / name).write_text(text, encoding="utf-8")
        f = {name: str(self.folder / name) for name in files}
        done = await asyncio.to_thread(subprocess.run, [
            sys.executable, "-m", "secondline.cli", "verify", "--keys", str(self.public_keys),
            "--envelope", f["credit-report.jws"], "--checkpoint", f["checkpoint.txt"], "--inclusion", f["inclusion.json"],
            "--old-checkpoint", f["old-checkpoint.txt"], "--consistency", f["consistency.json"]],
            capture_output=True, text=True, timeout=60)
        self.tally.tree_size, self.tally.checkpoint = latest.tree_size, latest.checkpoint
        self.tally.report = (self._reported, report.key_id, report.log_index)
        self.tally.verify_lines = (done.stdout + done.stderr).strip().splitlines()
        self.tally.verify_status = done.returncode


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _code_name(value: int) -> str:
    return next((c.name for c in grpc.StatusCode if c.value[0] == value), str(value))


__all__ = ["PartnerExchange", "configure_partners", "envelopes"]

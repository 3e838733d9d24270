"""No document number leaks (RULES I-3, I-1, X-1; secondline.authorization).

As each principal kind in turn, call every read RPC of every service (every one the
authorization table lists that files nothing) and follow every feed to its end, and scan every
byte received, answers and refusals alike, for the test population's document numbers, its
business codes and its records' source ids. Allowed: what the request itself named (an echo
tells the caller nothing new; the gate's callers see the parties they sent), a department's own
subjects and records (I-3), the business entities a partner's agreement lets it see (X-1), and
the entities in the departments' feed and the firms' export (I-2, I-3). An operator sees it
all: that it does is the scan's own check.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from secondline.access.v1 import access_pb2
from secondline.authorization import TABLE
from secondline.classification.v1 import classification_pb2 as cpb
from secondline.common.v1 import common_pb2
from secondline.gate.v1 import gate_pb2 as gpb
from secondline.ingestion.v1 import ingestion_pb2 as ipb
from secondline.objection.v1 import objection_pb2 as opb
from secondline.recognition.v1 import recognition_pb2 as rpb
from secondline.testing.v1 import clock_pb2
from tests.conftest import OPERATOR, as_department
from tests.helpers import record
from tests.integration.test_gate_service import caught_up
from tests.objection_helpers import PORTAL
from tests.recognition_helpers import partner, rating

P_CUSTOMS, P_COAST = "11010519491231002X", "440524188001010014"  # individuals (S-3)
E_GBA, E_OTHER = "91460100MA5T0A3D5P", "91460100MA00000075"  # business entities (S-2); GBA sees the first
NUMBERS = (P_CUSTOMS, P_COAST)
CODES = (E_GBA, E_OTHER)
FILED = {  # source id: (department, subject kind, key)
    "C-P1": ("CUSTOMS", "individual", P_CUSTOMS), "C-P2": ("CUSTOMS", "individual", P_CUSTOMS),
    "G-P1": ("COAST_GUARD", "individual", P_COAST), "C-E1": ("CUSTOMS", "enterprise", E_GBA),
    "G-E1": ("COAST_GUARD", "enterprise", E_OTHER),
}
SUBJECTS = [common_pb2.SubjectId(individual=P_CUSTOMS), common_pb2.SubjectId(individual=P_COAST),
            common_pb2.SubjectId(enterprise=E_GBA), common_pb2.SubjectId(enterprise=E_OTHER)]
WRITES = {"SubmitRecord", "SubmitRecords", "BackfillRecords", "FileObjection", "ExtendDeadline", "AnswerObjection",
          "ApplyForRepair", "DecideRepair", "ReloadCalendar", "SubmitEnvelope", "SubmitEnvelopes", "SetTime"}
PRINCIPALS = ["department/CUSTOMS", "department/COAST_GUARD", "department/ANTI_SMUGGLING", "department/TAX",
              "portal/credit-hainan", "partner/GBA", "firm/ratings", "lane/HAIKOU", "operator/ops"]
PACKAGES = {"ingestion": ipb, "classification": cpb, "gate": gpb, "objection": opb, "recognition": rpb,
            "access": access_pb2, "testing": clock_pb2}


def _crossing() -> gpb.Crossing:
    return gpb.Crossing(crossing_id="scan-1", at=Timestamp(seconds=int(datetime(2026, 3, 1, 3, tzinfo=timezone.utc).timestamp())),
                        port="HAIKOU", enterprise=E_OTHER, individuals=[gpb.Individual(id=P_COAST, role=gpb.ROLE_DRIVER)])


def requests(known: dict) -> dict[str, list]:
    """Every read RPC's requests: one per subject of the population where a request names one."""
    per_subject = lambda make: [make(s) for s in SUBJECTS]  # noqa: E731
    objection_gets = [opb.GetObjectionRequest(objection_id=known["objection_id"])] + [
        opb.GetObjectionRequest(objection_id=known["objection_id"], subject=s) for s in SUBJECTS]
    return {
        "GetRecord": [ipb.GetRecordRequest(record_id=r) for r in known["record_ids"]],
        "ListSubjectRecords": per_subject(lambda s: ipb.ListSubjectRecordsRequest(subject=s)),
        "GetTimelinessReport": [ipb.GetTimelinessReportRequest(received_from=common_pb2.Date(year=2026, month=1, day=1),
                                                               received_through=common_pb2.Date(year=2026, month=12, day=31))],
        "StreamRecords": [ipb.StreamRecordsRequest()],
        "GetSubjectClass": per_subject(lambda s: cpb.GetSubjectClassRequest(subject=s)),
        "BatchGetSubjectClasses": [cpb.BatchGetSubjectClassesRequest(subjects=SUBJECTS)]
        + per_subject(lambda s: cpb.BatchGetSubjectClassesRequest(subjects=[s])),
        "GetSubjectTimeline": per_subject(lambda s: cpb.GetSubjectTimelineRequest(subject=s)),
        "GetRestriction": per_subject(lambda s: cpb.GetRestrictionRequest(subject=s)),
        "ListCandidates": [cpb.ListCandidatesRequest(list=common_pb2.DISHONESTY_LIST_ANTI_SMUGGLING),
                           cpb.ListCandidatesRequest(list=common_pb2.DISHONESTY_LIST_MARITIME)],
        "ListNotableSubjects": [cpb.ListNotableSubjectsRequest()],
        "StreamChanges": [cpb.StreamChangesRequest()],
        "StreamChangeBatches": [cpb.StreamChangeBatchesRequest()],
        "StreamDepartmentChanges": [cpb.StreamDepartmentChangesRequest()],
        "ExportClasses": [cpb.ExportClassesRequest()],
        "GetStatus": [cpb.GetStatusRequest()],
        "Decide": [gpb.DecideRequest(crossing=_crossing())],
        "BatchDecide": [gpb.BatchDecideRequest(crossings=[_crossing()])],
        "ReplayDecision": [gpb.ReplayDecisionRequest(decision_id=known["decision_id"])],
        "GetGateStatus": [gpb.GetGateStatusRequest()],
        "GetObjection": objection_gets,
        "ListObjections": [opb.ListObjectionsRequest()],
        "GetRepair": per_subject(lambda s: opb.GetRepairRequest(repair_id="none", subject=s)),
        "GetSubjectFile": per_subject(lambda s: opb.GetSubjectFileRequest(subject=s)),
        "GetCreditReport": per_subject(lambda s: rpb.GetCreditReportRequest(subject=s)),
        "StreamClassChanges": [rpb.StreamClassChangesRequest()],
        "ListPublicKeys": [rpb.ListPublicKeysRequest()],
        "GetCheckpoint": [rpb.GetCheckpointRequest()],
        "GetLogEntry": [rpb.GetLogEntryRequest(index=i) for i in range(known["log_size"])],
        "GetInclusionProof": [rpb.GetInclusionProofRequest(index=0)],
        "GetConsistencyProof": [rpb.GetConsistencyProofRequest(old_size=1)],
        "ListSubjectReads": per_subject(lambda s: access_pb2.ListSubjectReadsRequest(subject=s)),
        "GetTime": [clock_pb2.GetTimeRequest()],
    }


def _descriptor(method: str):
    service, name = method.split("/")
    package = PACKAGES[service.split(".")[1]]
    return package.DESCRIPTOR.services_by_name[service.rsplit(".", 1)[1]].methods_by_name[name]


def test_every_read_rpc_of_the_table_is_scanned():
    reads = {m.split("/")[1] for m in TABLE if m.split("/")[1] not in WRITES}
    assert reads == set(requests({"record_ids": [], "objection_id": "", "decision_id": "", "log_size": 0}))


async def _populate(suite):
    """Records of two individuals and two entities by two departments, a partner's rating, an
    objection through the portal and a lane's crossing."""
    filed = {}
    for source_id, (department, kind, key) in FILED.items():
        msg = record(source_id=source_id, **{kind: key}, decided_on=date(2026, 2, 10 + len(filed)))
        reply = await suite.stub.SubmitRecord(ipb.SubmitRecordRequest(record=msg), metadata=as_department(department))
        filed[source_id] = reply.record
    envelope = rating("GBA-1", "A", {"enterprise": E_GBA}, "2026-02-20", datetime(2026, 2, 25, tzinfo=timezone.utc))
    await suite.recognition.SubmitEnvelope(rpb.SubmitEnvelopeRequest(envelope=envelope), metadata=partner("GBA"))
    cursor = max(int(r.cursor) for r in filed.values())
    await suite.classification.GetSubjectClass(cpb.GetSubjectClassRequest(subject=SUBJECTS[0], min_record_cursor=str(cursor + 1)),
                                               metadata=OPERATOR, timeout=30)
    objection = (await suite.objection.FileObjection(opb.FileObjectionRequest(
        subject=SUBJECTS[0], record_ids=[filed["C-P1"].record_id], statement="not me"), metadata=PORTAL)).objection
    await caught_up(suite, 1)
    decision = (await suite.gate.Decide(gpb.DecideRequest(crossing=_crossing()), metadata=(
        ("x-secondline-principal", "lane/HAIKOU"),))).decision
    checkpoint = await suite.recognition.GetCheckpoint(rpb.GetCheckpointRequest(), metadata=OPERATOR)
    return {"record_ids": [r.record_id for r in filed.values()], "objection_id": objection.objection_id,
            "decision_id": decision.decision_id, "log_size": checkpoint.tree_size}


async def _received(channel: grpc.aio.Channel, method: str, request, principal: str) -> bytes:
    """Every byte the caller gets: the answer's messages, or the refusal's message and details."""
    descriptor = _descriptor(method)
    metadata = (("x-secondline-principal", principal),)
    kind = channel.unary_stream if descriptor.server_streaming else channel.unary_unary
    call = kind(f"/{method}", request_serializer=lambda m: m.SerializeToString(), response_deserializer=None)
    received = b""
    try:
        if descriptor.server_streaming:
            async for message in call(request, metadata=metadata, timeout=30):
                received += message
        else:
            received = await call(request, metadata=metadata, timeout=30)
    except grpc.aio.AioRpcError as error:
        assert error.code() not in (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN), (method, principal, error.details())
        received += (error.details() or "").encode()
        for _, value in error.trailing_metadata() or ():
            received += value if isinstance(value, bytes) else value.encode()
    return received


def _allowed(principal: str) -> set[str]:
    """What the principal may receive beyond what it named itself (I-3, X-1, I-2)."""
    kind, _, name = principal.partition("/")
    if kind == "operator":
        return {*NUMBERS, *CODES, *FILED}
    if kind == "department":  # its own subjects and records; every entity by code in its feed (I-2)
        own = {s for s, (d, _, _) in FILED.items() if d == name}
        return own | {FILED[s][2] for s in own} | set(CODES)
    if kind == "firm":  # business entities only (I-3)
        return set(CODES)
    if kind == "partner":  # what its agreement sees
        return {E_GBA}
    return set()


@pytest.fixture
def scanned(whole_suite):
    return whole_suite


async def test_as_each_principal_no_number_code_or_record_leaks_beyond_what_i3_allows(scanned):
    suite = scanned
    known = await _populate(suite)
    ports = {"ingestion": suite.port, "classification": suite.classification_port, "gate": suite.gate_host.port,
             "objection": suite.objection_port, "recognition": suite.recognition_port}
    channels = {name: grpc.aio.insecure_channel(f"127.0.0.1:{port}") for name, port in ports.items()}
    serving = {"access": "ingestion", "testing": "ingestion"}
    leaks, operator_saw = [], set()
    try:
        for principal in PRINCIPALS:
            for name, batch in requests(known).items():
                method = next(m for m in TABLE if m.endswith(f"/{name}"))
                package = method.split(".")[1]
                targets = ["ingestion", "classification", "objection", "recognition"] if package == "access" else [
                    serving.get(package, package)]
                for request in batch:
                    named = request.SerializeToString()
                    for target in targets:
                        got = await _received(channels[target], method, request, principal)
                        for secret in (*NUMBERS, *CODES, *FILED):
                            if secret.encode() in got and secret.encode() not in named:
                                if principal == "operator/ops":
                                    operator_saw.add(secret)
                                elif secret not in _allowed(principal):
                                    leaks.append(f"{principal} got {secret} from {target} {name}")
    finally:
        for channel in channels.values():
            await channel.close()
    assert operator_saw == {*NUMBERS, *CODES, *FILED}  # the scan finds what is there
    assert leaks == []

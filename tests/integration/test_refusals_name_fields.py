"""Every refusal that is about a field names it in a BadRequest, whatever its code (AIP-193)."""

from __future__ import annotations

import grpc

from secondline.gate.v1 import gate_pb2 as pb
from secondline.ingestion.v1 import ingestion_pb2
from tests.conftest import OPERATOR, as_department
from tests.helpers import record
from tests.integration.test_ingestion_submit import refusal

ACME = "91460100MA5T0A3D5P"
ANTI = as_department("ANTI_SMUGGLING")


def submit(ingestion, msg, metadata=ANTI):
    return ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=msg), metadata=metadata)


async def test_refusals_of_records_name_their_field_whatever_the_code(ingestion):
    await submit(ingestion, record(source_id="p1", enterprise=ACME))
    await submit(ingestion, record(source_id="w1", kind="WITHDRAWAL", withdraws={"source_id": "p1"}))
    cases = [
        (record(source_id="w2", kind="WITHDRAWAL", withdraws={"source_id": "nope"}), ANTI,
         grpc.StatusCode.NOT_FOUND, "RECORD_NOT_FOUND", ["withdraws.source_id"]),
        (record(source_id="c1", kind="CORRECTION", enterprise=ACME, corrects={"record_id": "0" * 32}), ANTI,
         grpc.StatusCode.NOT_FOUND, "RECORD_NOT_FOUND", ["corrects.record_id"]),
        (record(source_id="w3", kind="WITHDRAWAL", withdraws={"source_id": "p1"}), ANTI,
         grpc.StatusCode.FAILED_PRECONDITION, "RECORD_SUPERSEDED", ["withdraws.source_id"]),
        (record(source_id="p1", enterprise=ACME, decided_on=None, legal_basis=""), ANTI,
         grpc.StatusCode.INVALID_ARGUMENT, "INVALID_RECORD", ["decided_on"]),
        (record(source_id="p1", kind="SMUGGLING_CRIME", enterprise=ACME), as_department("COURT"),
         grpc.StatusCode.OK, "", []),
        (record(source_id="p1", kind="SMUGGLING_CRIME", enterprise=ACME, decided_on=None), as_department("COURT"),
         grpc.StatusCode.INVALID_ARGUMENT, "INVALID_RECORD", ["decided_on"]),
        (record(source_id="p1", kind="SMUGGLING_PENALTY", enterprise="91460100MA5T0A2C0H"), ANTI,
         grpc.StatusCode.ALREADY_EXISTS, "SOURCE_ID_REUSED", ["source_id"]),
        (record(source_id="t1", kind="SMUGGLING_CRIME", enterprise=ACME), as_department("TAX"),
         grpc.StatusCode.PERMISSION_DENIED, "KIND_NOT_OWNED", ["kind"]),
        (record(source_id="l1", kind="DISHONESTY_LISTED", list="MARITIME", severity="MINOR", enterprise=ACME), ANTI,
         grpc.StatusCode.PERMISSION_DENIED, "LIST_NOT_OWNED", ["list"]),
    ]
    for msg, who, code, reason, fields in cases:
        if code == grpc.StatusCode.OK:
            await submit(ingestion, msg, who)
            continue
        got, info, found, _ = await refusal(submit(ingestion, msg, who))
        assert (got, info.reason, found) == (code, reason, fields), msg
    got, info, found, _ = await refusal(ingestion.stub.GetRecord(ingestion_pb2.GetRecordRequest(record_id="x"), metadata=ANTI))
    assert (got, found) == (grpc.StatusCode.NOT_FOUND, ["record_id"])


async def test_a_missing_principal_names_the_kinds_the_call_allows(gate):
    got, info, _, message = await refusal(gate.gate.Decide(pb.DecideRequest(crossing=pb.Crossing(crossing_id="x"))))
    assert got == grpc.StatusCode.UNAUTHENTICATED and info.reason == "NO_PRINCIPAL"
    assert "to decide crossings, name the caller as operator/<name> or lane/<PORT>" in message
    assert "department" not in message
    got, info, _, message = await refusal(gate.gate.Decide(pb.DecideRequest(crossing=pb.Crossing(crossing_id="x")),
                                                          metadata=as_department("TAX")))
    assert got == grpc.StatusCode.PERMISSION_DENIED and "only operator/<name> or lane/<PORT> may" in message
    got, _, _, message = await refusal(gate.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(), metadata=OPERATOR))
    assert got == grpc.StatusCode.PERMISSION_DENIED and "operator/ops may not file records; only department/<DEPARTMENT>, service/objection or service/recognition may" in message
    got, _, _, message = await refusal(gate.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest()))
    assert got == grpc.StatusCode.UNAUTHENTICATED and "to file records, name the caller as department/<DEPARTMENT>" in message
    got, _, found, _ = await refusal(gate.gate.ReplayDecision(pb.ReplayDecisionRequest(decision_id="nope"), metadata=OPERATOR))
    assert (got, found) == (grpc.StatusCode.NOT_FOUND, ["decision_id"])

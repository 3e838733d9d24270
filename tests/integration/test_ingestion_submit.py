"""Filing records over a real in-process gRPC server (RULES S-2, S-3, R-1, R-3, R-5, R-6)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import grpc
import pytest
from grpc_status import rpc_status

from tests.conftest import OPERATOR, as_department
from tests.helpers import details, record

ACME = "91460100MA5T0A3D5P"
TAX = as_department("TAX")
ANTI = as_department("ANTI_SMUGGLING")


async def refusal(call):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    status = rpc_status.from_call(caught.value)
    info, fields = details(status)
    return caught.value.code(), info, fields, status.message


async def history(ingestion, enterprise):
    from secondline.ingestion.v1 import ingestion_pb2

    request = ingestion_pb2.ListSubjectRecordsRequest()
    request.subject.enterprise = enterprise
    return (await ingestion.stub.ListSubjectRecords(request, metadata=OPERATOR)).records  # every department's


async def test_a_valid_record_is_stored_and_readable(ingestion):
    from secondline.ingestion.v1 import ingestion_pb2

    reply = await ingestion.stub.SubmitRecord(
        ingestion_pb2.SubmitRecordRequest(record=record(enterprise=ACME)), metadata=ANTI
    )
    assert reply.record.record_id and not reply.replayed and not reply.record.late
    got = await ingestion.stub.GetRecord(ingestion_pb2.GetRecordRequest(record_id=reply.record.record_id), metadata=ANTI)
    assert got.record == reply.record
    assert got.record.submitted_on.day == 1 and got.record.input.subject.enterprise == ACME
    assert [r.record_id for r in await history(ingestion, ACME)] == [reply.record.record_id]


async def test_s2_bad_check_character_names_field_position_and_expected_character(ingestion):
    from secondline.ingestion.v1 import ingestion_pb2

    code, info, fields, message = await refusal(ingestion.stub.SubmitRecord(
        ingestion_pb2.SubmitRecordRequest(record=record(enterprise="91110000600037341N")), metadata=ANTI))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert fields == ["subject.enterprise"]
    assert "position 17" in message and "'L'" in message
    assert info.reason == "INVALID_RECORD" and info.domain == "ingestion.secondline"
    assert await history(ingestion, "91110000600037341L") == []


async def test_s3_resident_id_with_bad_check_character_is_refused(ingestion):
    from secondline.ingestion.v1 import ingestion_pb2

    code, _, fields, _ = await refusal(ingestion.stub.SubmitRecord(
        ingestion_pb2.SubmitRecordRequest(record=record(individual="110105194912310021")), metadata=ANTI))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and fields == ["subject.individual"]


async def test_s3_birth_date_after_receipt_is_refused(ingestion):
    from secondline.identifiers import resident_id_check_character
    from secondline.ingestion.v1 import ingestion_pb2

    body = "46010020270101001"  # born 2027-01-01, after the clock's 2026-03-01
    code, _, fields, message = await refusal(ingestion.stub.SubmitRecord(
        ingestion_pb2.SubmitRecordRequest(record=record(individual=body + resident_id_check_character(body))), metadata=ANTI))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and fields == ["subject.individual"]


async def test_r1_a_department_files_only_its_own_kinds(ingestion):
    from secondline.ingestion.v1 import ingestion_pb2

    code, info, _, _ = await refusal(ingestion.stub.SubmitRecord(
        ingestion_pb2.SubmitRecordRequest(record=record(enterprise=ACME)), metadata=TAX))
    assert code == grpc.StatusCode.PERMISSION_DENIED and info.reason == "KIND_NOT_OWNED"
    assert await history(ingestion, ACME) == []


async def test_r1_only_the_list_keeper_files_its_entries(ingestion):
    from secondline.ingestion.v1 import ingestion_pb2

    code, info, _, _ = await refusal(ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(
        record=record(kind="DISHONESTY_LISTED", enterprise=ACME, list="ANTI_SMUGGLING", severity="SERIOUS")),
        metadata=as_department("MARITIME")))
    assert code == grpc.StatusCode.PERMISSION_DENIED and info.reason == "LIST_NOT_OWNED"


async def test_r6_a_grade_off_the_departments_scale_is_refused(ingestion):
    from secondline.ingestion.v1 import ingestion_pb2

    code, _, fields, message = await refusal(ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(
        record=record(kind="INDUSTRY_RATING", enterprise=ACME, grade="AA")), metadata=TAX))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and fields == ["grade"]
    assert "A, B, M, C, D" in message


@pytest.mark.parametrize("kind, fields, missing_or_extra", [
    ("INDUSTRY_RATING", {}, "grade"),
    ("RISK_ALERT", {}, "valid_until"),
    ("DISHONESTY_LISTED", {"list": "ANTI_SMUGGLING"}, "severity"),
    ("SMUGGLING_PENALTY", {"grade": "D"}, "grade"),
    ("AEO_GRANTED", {"severity": "SERIOUS"}, "severity"),
    ("AEO_GRANTED", {"individual": "11010519491231002X", "enterprise": None}, "subject.individual"),
])
async def test_kind_specific_fields_must_be_present_and_only_those(ingestion, kind, fields, missing_or_extra):
    from secondline.ingestion.v1 import ingestion_pb2

    department = {"INDUSTRY_RATING": "TAX", "DISHONESTY_LISTED": "ANTI_SMUGGLING"}.get(kind, "CUSTOMS")
    fields = {"enterprise": ACME, **fields}
    code, _, names, _ = await refusal(ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(
        record=record(kind=kind, **fields)), metadata=as_department(department)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and missing_or_extra in names


async def test_a_decision_dated_after_its_receipt_is_refused(ingestion):
    from secondline.ingestion.v1 import ingestion_pb2

    code, _, fields, _ = await refusal(ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(
        record=record(enterprise=ACME, decided_on=date(2026, 3, 2))), metadata=ANTI))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and fields == ["decided_on"]


async def test_every_problem_is_reported_at_once(ingestion):
    from secondline.ingestion.v1 import ingestion_pb2

    bad = record(source_id="", kind="RISK_ALERT", enterprise="91110000600037341N", decided_on=None)
    code, _, fields, _ = await refusal(ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=bad), metadata=ANTI))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(fields) == {"source_id", "decided_on", "subject.enterprise", "valid_until"}


async def test_r3_same_content_returns_the_first_record(ingestion):
    from secondline.ingestion.v1 import ingestion_pb2

    first = await ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=record(enterprise=ACME)), metadata=ANTI)
    ingestion.clock.set(datetime(2026, 3, 5, tzinfo=timezone.utc))
    again = await ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=record(enterprise=ACME)), metadata=ANTI)
    assert again.replayed and again.record == first.record
    assert len(await history(ingestion, ACME)) == 1


async def test_r3_different_content_under_the_same_source_id_is_already_exists(ingestion):
    from secondline.ingestion.v1 import ingestion_pb2

    first = await ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=record(enterprise=ACME)), metadata=ANTI)
    code, info, _, _ = await refusal(ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(
        record=record(enterprise=ACME, decided_on=date(2026, 2, 21))), metadata=ANTI))
    assert code == grpc.StatusCode.ALREADY_EXISTS and info.metadata["record_id"] == first.record.record_id
    assert len(await history(ingestion, ACME)) == 1


async def test_r3_source_ids_are_per_department(ingestion):
    from secondline.ingestion.v1 import ingestion_pb2

    await ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=record(enterprise=ACME)), metadata=ANTI)
    other = await ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=record(enterprise=ACME)), metadata=as_department("CUSTOMS"))
    assert not other.replayed and len(await history(ingestion, ACME)) == 2


@pytest.mark.parametrize("received, late", [(datetime(2026, 3, 16, 15, 59, tzinfo=timezone.utc), False),
                                             (datetime(2026, 3, 16, 16, 0, tzinfo=timezone.utc), True)])
async def test_r5_lateness_counts_fifteen_days_from_the_decision_in_cst(ingestion, received, late):
    from secondline.ingestion.v1 import ingestion_pb2

    ingestion.clock.set(received)  # 16 March 23:59 CST is on time; 17 March 00:00 CST is late
    reply = await ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(
        record=record(enterprise=ACME, decided_on=date(2026, 3, 1))), metadata=ANTI)
    assert reply.record.late is late


async def test_calls_without_a_principal_are_unauthenticated(ingestion):
    from secondline.ingestion.v1 import ingestion_pb2

    code, info, _, _ = await refusal(ingestion.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=record(enterprise=ACME))))
    assert code == grpc.StatusCode.UNAUTHENTICATED and info.reason == "NO_PRINCIPAL"

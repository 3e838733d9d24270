"""Ingestion takes from the objection service only its marks and the owner's records on its behalf (O-2, O-4, L-4)."""

from __future__ import annotations

from datetime import date, datetime

import grpc
import pytest
from grpc_status import rpc_status

from secondline.common.v1 import common_pb2
from secondline.dates import CST
from secondline.ingestion.v1 import ingestion_pb2
from secondline.rpc.convert import timestamp
from tests.conftest import OPERATOR, as_department
from tests.helpers import details, record

OBJECTION = (("x-secondline-principal", "service/objection"),)
COMPANY, OTHER = "91460100MA5T0A1B6D", "91110000600037341L"


async def refused(call):
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await call
    info, fields = details(rpc_status.from_call(error.value))
    return error.value.code().name, fields


def mark(kind, record_ids=(), subject=COMPANY, at=datetime(2026, 3, 1, 10, tzinfo=CST), source_id="objection/o1/opened"):
    msg = ingestion_pb2.RecordInput(source_id=source_id, kind=common_pb2.RecordKind.Value("RECORD_KIND_" + kind),
                                    subject=common_pb2.SubjectId(enterprise=subject),
                                    mark=ingestion_pb2.ObjectionMark(objection_id="o1", at=timestamp(at), record_ids=list(record_ids)))
    return ingestion_pb2.SubmitRecordRequest(record=msg)


async def test_a_department_may_neither_set_the_objection_services_fields_nor_file_on_behalf_of_another(ingestion):
    stub = ingestion.stub
    tagged = ingestion_pb2.SubmitRecordRequest(record=record(enterprise=COMPANY, objection_id="o1"))
    assert await refused(stub.SubmitRecord(tagged, metadata=as_department("CUSTOMS"))) == ("INVALID_ARGUMENT", ["objection_id"])
    behalf = ingestion_pb2.SubmitRecordRequest(record=record(enterprise=COMPANY), on_behalf_of=common_pb2.DEPARTMENT_TAX)
    assert (await refused(stub.SubmitRecord(behalf, metadata=as_department("CUSTOMS"))))[0] == "PERMISSION_DENIED"
    assert (await refused(stub.SubmitRecord(mark("OBJECTION_OPENED", ["x"]), metadata=as_department("CUSTOMS"))))[0] == "INVALID_ARGUMENT"


async def test_the_objection_service_files_marks_on_current_records_of_the_subject_only_and_shows_them_in_the_history(ingestion):
    stub = ingestion.stub
    mine = (await stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=record(source_id="A", enterprise=COMPANY)),
                                    metadata=as_department("CUSTOMS"))).record
    theirs = (await stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=record(source_id="B", enterprise=OTHER)),
                                      metadata=as_department("CUSTOMS"))).record
    assert await refused(stub.SubmitRecord(mark("OBJECTION_OPENED", [theirs.record_id]), metadata=OBJECTION)) == (
        "INVALID_ARGUMENT", ["mark.record_ids[0]"])
    assert await refused(stub.SubmitRecord(mark("OBJECTION_OPENED", []), metadata=OBJECTION)) == ("INVALID_ARGUMENT", ["mark.record_ids"])
    opened = (await stub.SubmitRecord(mark("OBJECTION_OPENED", [mine.record_id]), metadata=OBJECTION)).record
    assert opened.source == common_pb2.DEPARTMENT_UNSPECIFIED and opened.filed_by == "service/objection"
    again = await stub.SubmitRecord(mark("OBJECTION_OPENED", [mine.record_id]), metadata=OBJECTION)
    assert again.replayed  # a redelivery is a no-op
    history = (await stub.ListSubjectRecords(ingestion_pb2.ListSubjectRecordsRequest(
        subject=common_pb2.SubjectId(enterprise=COMPANY)), metadata=OPERATOR)).records
    assert [list(r.open_objection_ids) for r in history if r.record_id == mine.record_id] == [["o1"]]
    await stub.SubmitRecord(mark("OBJECTION_CLOSED", source_id="objection/o1/closed"), metadata=OBJECTION)
    history = (await stub.ListSubjectRecords(ingestion_pb2.ListSubjectRecordsRequest(
        subject=common_pb2.SubjectId(enterprise=COMPANY)), metadata=OPERATOR)).records
    assert [list(r.open_objection_ids) for r in history if r.record_id == mine.record_id] == [[]]
    report = await stub.GetTimelinessReport(ingestion_pb2.GetTimelinessReportRequest(
        received_from=common_pb2.Date(year=2026, month=1, day=1), received_through=common_pb2.Date(year=2026, month=12, day=31)),
        metadata=OPERATOR)
    assert [d.department for d in report.departments] == [common_pb2.DEPARTMENT_CUSTOMS]  # marks are no department's


async def test_on_behalf_filing_is_only_for_an_objection_or_repair_and_follows_the_owners_rights(ingestion):
    stub = ingestion.stub
    mine = (await stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=record(source_id="A", enterprise=COMPANY)),
                                    metadata=as_department("CUSTOMS"))).record
    rating = ingestion_pb2.SubmitRecordRequest(record=record(kind="INDUSTRY_RATING", grade="B", enterprise=COMPANY),
                                               on_behalf_of=common_pb2.DEPARTMENT_TAX)
    assert (await refused(stub.SubmitRecord(rating, metadata=OBJECTION)))[0] == "PERMISSION_DENIED"
    untagged = ingestion_pb2.SubmitRecordRequest(record=record(source_id="W", kind="WITHDRAWAL", decided_on=date(2026, 3, 1),
                                                               withdraws={"record_id": mine.record_id}),
                                                 on_behalf_of=common_pb2.DEPARTMENT_CUSTOMS)
    assert await refused(stub.SubmitRecord(untagged, metadata=OBJECTION)) == ("INVALID_ARGUMENT", ["objection_id"])
    untagged.record.objection_id = "o1"
    untagged.on_behalf_of = common_pb2.DEPARTMENT_TAX  # only the owner withdraws
    assert (await refused(stub.SubmitRecord(untagged, metadata=OBJECTION)))[0] == "PERMISSION_DENIED"
    untagged.on_behalf_of = common_pb2.DEPARTMENT_CUSTOMS
    untagged.validate_only = True
    checked = await stub.SubmitRecord(untagged, metadata=OBJECTION)
    assert not checked.record.record_id and checked.record.filed_by == "service/objection"
    history = (await stub.ListSubjectRecords(ingestion_pb2.ListSubjectRecordsRequest(
        subject=common_pb2.SubjectId(enterprise=COMPANY)), metadata=OPERATOR)).records
    assert len(history) == 1 and not history[0].superseded_by  # validate_only stored nothing
    untagged.validate_only = False
    filed = (await stub.SubmitRecord(untagged, metadata=OBJECTION)).record
    assert filed.source == common_pb2.DEPARTMENT_CUSTOMS and filed.input.objection_id == "o1" and filed.target_record_id == mine.record_id

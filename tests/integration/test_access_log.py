"""The access log (RULES I-4): every read of a subject's file or records by a department, a
partner, a firm or the portal is logged off the call's path and shown in the subject's file
(I-1); the portal is answered about the subject it names only."""

from __future__ import annotations

from datetime import datetime, timezone

import grpc
import pytest
from sqlalchemy import MetaData

from secondline.access_log import AccessLog, reads_table
from secondline.classification.v1 import classification_pb2 as cpb
from secondline.clock import ManualClock
from secondline.common.v1 import common_pb2
from secondline.guard import Caller
from secondline.auth import Principal
from secondline.ingestion.v1 import ingestion_pb2 as ipb
from secondline.objection.v1 import objection_pb2 as opb
from secondline.recognition.v1 import recognition_pb2 as rpb
from secondline.storage import make_engine
from tests.conftest import OPERATOR, as_department
from tests.helpers import record
from tests.objection_helpers import PORTAL, refusal
from tests.recognition_helpers import partner

ENTITY = "91460100MA5T0A3D5P"  # the test partner GBA's agreement sees it
PERSON = "11010519491231002X"
FIRM = (("x-secondline-principal", "firm/ratings"),)


async def test_reads_by_departments_partners_firms_and_the_portal_show_in_the_subjects_file(whole_suite):
    suite = whole_suite
    subject = common_pb2.SubjectId(enterprise=ENTITY)
    filed = (await suite.stub.SubmitRecord(ipb.SubmitRecordRequest(record=record(source_id="C-1", enterprise=ENTITY)),
                                           metadata=as_department("CUSTOMS"))).record
    await suite.classification.GetSubjectClass(cpb.GetSubjectClassRequest(subject=subject, min_record_cursor=filed.cursor),
                                               metadata=OPERATOR, timeout=30)  # not logged: an operator
    suite.clock.set(datetime(2026, 3, 1, 5, tzinfo=timezone.utc))
    await suite.classification.GetSubjectClass(cpb.GetSubjectClassRequest(subject=subject), metadata=as_department("TAX"))
    await suite.stub.ListSubjectRecords(ipb.ListSubjectRecordsRequest(subject=subject), metadata=as_department("CUSTOMS"))
    await suite.classification.GetSubjectClass(cpb.GetSubjectClassRequest(subject=subject), metadata=FIRM)
    await suite.recognition.GetCreditReport(rpb.GetCreditReportRequest(subject=subject), metadata=partner("GBA"))
    suite.clock.set(datetime(2026, 3, 1, 6, tzinfo=timezone.utc))
    first = await suite.objection.GetSubjectFile(opb.GetSubjectFileRequest(subject=subject), metadata=PORTAL)
    reads = [(r.principal, r.rpc.rsplit("/", 1)[1], r.read_at.ToDatetime(tzinfo=timezone.utc).hour) for r in first.reads]
    assert reads[0] == ("portal/credit-hainan", "GetSubjectFile", 6)  # this read, newest first
    assert sorted(reads[1:]) == sorted([("department/TAX", "GetSubjectClass", 5), ("department/CUSTOMS", "ListSubjectRecords", 5),
                                        ("firm/ratings", "GetSubjectClass", 5), ("partner/GBA", "GetCreditReport", 5)])
    # The file read again shows the first reading of it, and nothing of the operator's or the services' reads.
    again = await suite.objection.GetSubjectFile(opb.GetSubjectFileRequest(subject=subject), metadata=OPERATOR)
    assert [r.principal for r in again.reads].count("portal/credit-hainan") == 1 and len(again.reads) == 5
    other = await suite.objection.GetSubjectFile(opb.GetSubjectFileRequest(subject=common_pb2.SubjectId(individual=PERSON)),
                                                 metadata=OPERATOR)
    assert list(other.reads) == []  # reads are the subject's own


async def test_the_portal_reads_objections_of_the_subject_it_names_only(objection):
    suite = objection
    person = common_pb2.SubjectId(individual=PERSON)
    filed = (await suite.stub.SubmitRecord(ipb.SubmitRecordRequest(record=record(individual=PERSON)),
                                           metadata=as_department("CUSTOMS"))).record
    await suite.classification.GetSubjectClass(cpb.GetSubjectClassRequest(subject=person, min_record_cursor=filed.cursor),
                                               metadata=OPERATOR, timeout=30)
    found = (await suite.objection.FileObjection(opb.FileObjectionRequest(
        subject=person, record_ids=[filed.record_id], statement="not me"), metadata=PORTAL)).objection
    mine = await suite.objection.GetObjection(opb.GetObjectionRequest(objection_id=found.objection_id, subject=person),
                                             metadata=PORTAL)
    assert mine.objection.objection_id == found.objection_id
    with pytest.raises(grpc.aio.AioRpcError) as caught:  # another subject's: as if there were none
        await suite.objection.GetObjection(opb.GetObjectionRequest(
            objection_id=found.objection_id, subject=common_pb2.SubjectId(enterprise=ENTITY)), metadata=PORTAL)
    assert refusal(caught.value)[0] == "NOT_FOUND" and PERSON not in caught.value.details()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await suite.objection.GetObjection(opb.GetObjectionRequest(objection_id=found.objection_id), metadata=PORTAL)
    assert refusal(caught.value) == ("INVALID_ARGUMENT", "INVALID_REQUEST", ["subject"])


def test_a_full_access_log_counts_what_it_drops_and_writes_the_rest(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/reads.sqlite")
    metadata = MetaData()
    table = reads_table(metadata, "test")
    metadata.create_all(engine)
    log = AccessLog(engine, table, ManualClock(datetime(2026, 3, 1, tzinfo=timezone.utc)), capacity=2)
    who = Caller(Principal("department", "TAX"), "own", "secondline.x.v1.X/Read")
    log.read(who, "A", "B", "C")  # the thread is not started yet: the queue fills
    log.read(Caller(Principal("operator", "ops"), "all", "secondline.x.v1.X/Read"), "A")  # not logged at all
    assert (log.queued, log.dropped) == (2, 1)
    log.start()
    log.close()
    assert log.logged == 2 and [r[1] for r in log.reads("A", None, 10)] == ["department/TAX"]
    engine.dispose()

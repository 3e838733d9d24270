"""Builders shared by the objection service's tests."""

from __future__ import annotations

from datetime import datetime

import grpc
from grpc_status import rpc_status

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.common.v1 import common_pb2
from secondline.identifiers import uscc_check_character
from secondline.ingestion.v1 import ingestion_pb2
from secondline.objection.v1 import objection_pb2 as opb
from secondline.rpc.convert import timestamp
from tests.helpers import details, record

PORTAL = (("x-secondline-principal", "portal/credit-hainan"),)
OPERATOR = (("x-secondline-principal", "operator/ops"),)


def dept(name: str):
    return (("x-secondline-principal", f"department/{name}"),)


def uscc(n: int) -> str:
    body = f"91460100MA{n:07d}"
    return body + uscc_check_character(body)


async def file_record(suite, department: str, **fields) -> ingestion_pb2.Record:
    response = await suite.stub.SubmitRecord(ingestion_pb2.SubmitRecordRequest(record=record(**fields)), metadata=dept(department))
    return response.record


async def object_to(suite, enterprise: str, record_ids=(), *, against_class=False, statement="the decision was annulled",
                    **fields) -> opb.Objection:
    request = opb.FileObjectionRequest(subject=common_pb2.SubjectId(enterprise=enterprise), record_ids=list(record_ids),
                                       against_class=against_class, statement=statement, **fields)
    return (await suite.objection.FileObjection(request, metadata=PORTAL)).objection


async def answer(suite, department: str, objection_id: str, record_id: str, outcome: str, reason="checked", **remedy):
    request = opb.AnswerObjectionRequest(objection_id=objection_id, record_id=record_id,
                                         outcome=opb.Outcome.Value("OUTCOME_" + outcome), reason=reason, **remedy)
    return (await suite.objection.AnswerObjection(request, metadata=dept(department))).objection


async def class_at(suite, enterprise: str, at: datetime, cursor: str = "") -> cpb.SubjectClass:
    request = cpb.GetSubjectClassRequest(subject=common_pb2.SubjectId(enterprise=enterprise), as_of=timestamp(at),
                                         min_record_cursor=cursor)
    return (await suite.classification.GetSubjectClass(request, metadata=OPERATOR)).subject_class


def refusal(error: grpc.aio.AioRpcError):
    """(code name, ErrorInfo reason, [field paths]) of a refused call."""
    info, fields = details(rpc_status.from_call(error))
    return error.code().name, info.reason if info else "", fields

"""Small builders for requests, and other small pieces shared by tests."""

from __future__ import annotations

from datetime import date

from google.rpc import error_details_pb2, status_pb2

from secondline.common.v1 import common_pb2
from secondline.ingestion.v1 import ingestion_pb2
from secondline.rpc.status import field_violations


def record(*, source_id="T-1", kind="SMUGGLING_PENALTY", enterprise=None, individual=None,
           decided_on=date(2026, 2, 20), **fields) -> ingestion_pb2.RecordInput:
    msg = ingestion_pb2.RecordInput(source_id=source_id, kind=common_pb2.RecordKind.Value("RECORD_KIND_" + kind))
    if enterprise:
        msg.subject.enterprise = enterprise
    if individual:
        msg.subject.individual = individual
    if decided_on:
        msg.decided_on.CopyFrom(common_pb2.Date(year=decided_on.year, month=decided_on.month, day=decided_on.day))
    for name, value in fields.items():
        if name in ("valid_until",):
            getattr(msg, name).CopyFrom(common_pb2.Date(year=value.year, month=value.month, day=value.day))
        elif name in ("corrects", "withdraws"):
            getattr(msg, name).CopyFrom(ingestion_pb2.RecordRef(**value))
        elif name == "list":
            msg.list = common_pb2.DishonestyList.Value("DISHONESTY_LIST_" + value)
        elif name == "severity":
            msg.severity = common_pb2.Severity.Value("SEVERITY_" + value)
        else:
            setattr(msg, name, value)
    return msg


def details(status: status_pb2.Status):
    """(ErrorInfo, [field violation paths]) of a google.rpc.Status."""
    info = None
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
    return info, [v.field for v in field_violations(status)]


def kill_if_running(process) -> None:
    """A test's ``finally``: a process the test started that is still running is killed and reaped."""
    if process.poll() is None:
        process.kill()
        process.wait()

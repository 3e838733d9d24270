"""``secondline demo``: a short tour of the suite through its real gRPC API.

Departments file a handful of records (an AEO grant, a smuggling penalty, a tax rating, a
late serious-dishonesty listing), one record is sent twice, one is refused, one is
corrected; then a subject's history, the record feed and the timeliness report are read
back. Everything goes over the wire to services in their own processes, as a department's
system would call them. The services run on the real clock, so every date is relative to
today (CST) and none is in the future.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import grpc
from grpc_status import rpc_status

from secondline.common.v1 import common_pb2
from secondline.dates import CST, cst_date
from secondline.rpc.status import field_violations
from secondline.identifiers import uscc_check_character
from secondline.classification.v1 import classification_pb2 as cpb
from secondline.classification.v1.classification_pb2_grpc import ClassificationServiceStub
from secondline.ingestion.v1 import ingestion_pb2 as pb
from secondline.ingestion.v1.ingestion_pb2_grpc import IngestionServiceStub
from secondline.suite import running_suite

Out = Callable[[str], None]


def uscc(first17: str) -> str:
    """A valid unified social credit code: the 17 characters and their S-2 check character."""
    return first17 + uscc_check_character(first17)


# Three enterprises of Hainan (9 = market regulation, 1 = enterprise, then the region code).
YEFENG = uscc("91460100MA5T2K8L1")  # Haikou Yefeng Trading Co., Ltd.
LUHUITOU = uscc("91460200MA5RC7QN4")  # Sanya Luhuitou Yacht Services Co., Ltd.
YANGPU = uscc("91460400MA5TH3W8X")  # Yangpu Blue Ocean Shipping Co., Ltd.
NAMES = {YEFENG: "Haikou Yefeng Trading", LUHUITOU: "Sanya Luhuitou Yacht Services", YANGPU: "Yangpu Blue Ocean Shipping"}


def as_principal(principal: str) -> tuple[tuple[str, str], ...]:
    return (("x-secondline-principal", principal),)


def run_demo(data_dir: Path | None = None, out: Out = print) -> None:
    """Start the suite (in a fresh temporary folder unless ``data_dir``), tour it, stop it."""
    if data_dir is None:
        with tempfile.TemporaryDirectory(prefix="secondline-demo-") as tmp:
            _tour(Path(tmp), out)
    else:
        _tour(data_dir, out)


def _tour(data_dir: Path, out: Out) -> None:
    out(f"Starting the suite in {data_dir} ...")
    with running_suite(data_dir) as suite:
        address = suite.address("ingestion")
        out(f"  ingestion       {address}")
        out(f"  classification  {suite.address('classification')}\n")
        with grpc.insecure_channel(address) as channel:
            _file_records(IngestionServiceStub(channel), out)
            cursor = _read_back(IngestionServiceStub(channel), out)
        with grpc.insecure_channel(suite.address("classification")) as channel:
            _classes(ClassificationServiceStub(channel), cursor, out)
    out("\nSuite stopped.")


def _classes(stub: ClassificationServiceStub, cursor: str, out: Out) -> None:
    """Each demo company's class now, once classification has applied every record filed."""
    out("\nClasses now (classification: strictest wins; the rules that apply; when the class ends)")
    request = cpb.BatchGetSubjectClassesRequest(
        subjects=[common_pb2.SubjectId(enterprise=key) for key in NAMES], min_record_cursor=cursor)
    reply = stub.BatchGetSubjectClasses(request, metadata=as_principal("operator/demo"), timeout=30)
    for answer in reply.subject_classes:
        klass = _name(common_pb2.CreditClass, answer.credit_class, "CREDIT_CLASS_")
        reasons = ", ".join(sorted({r.rule for r in answer.reasons}))
        flags = ", ".join(_name(common_pb2.Flag, f, "FLAG_") for f in answer.flags)
        ends = answer.until.ToDatetime(tzinfo=timezone.utc).astimezone(CST) if answer.HasField("until") else None
        until = f", ends {ends:%Y-%m-%d %H:%M} CST" if ends else ""
        out(f"  {NAMES[answer.subject.enterprise]:<31}{klass:<10} ({reasons}{'; ' + flags if flags else ''}{until})")


def _file_records(stub: IngestionServiceStub, out: Out) -> None:
    today = cst_date(datetime.now(timezone.utc))
    run = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")  # fresh source ids on every run
    out(f"Filing records (SubmitRecord), today is {today} CST")

    def submit(department: str, record: pb.RecordInput, note: str = "") -> None:
        what, about = _describe(record)
        out(f"  {department:<15}{what}{note}\n  {'':<15}{about}")
        try:
            reply = stub.SubmitRecord(pb.SubmitRecordRequest(record=record), metadata=as_principal(f"department/{department}"))
        except grpc.RpcError as error:
            out(f"  {'':<15}-> refused, {error.code().name}: {_violations(error)}\n")
            return
        r = reply.record
        verdict = "replayed: already stored, nothing new written" if reply.replayed else "stored"
        late = ", LATE (R-5)" if r.late else ""
        out(f"  {'':<15}-> {verdict}; record {_short(r.record_id)}, received {_day(r.submitted_on)}{late}\n")

    submit("CUSTOMS", _record(f"HKCUS-AEO-{run}", "AEO_GRANTED", YEFENG, today - timedelta(days=3),
                              valid_until=today + timedelta(days=3 * 365)))
    penalty = _record(f"ASB-PEN-{run}", "SMUGGLING_PENALTY", LUHUITOU, today - timedelta(days=5))
    submit("ANTI_SMUGGLING", penalty)
    rating = _record(f"TAX-RATE-{run}", "INDUSTRY_RATING", LUHUITOU, today - timedelta(days=2), grade="D")
    submit("TAX", rating)
    submit("MARITIME", _record(f"MSA-DL-{run}", "DISHONESTY_LISTED", YANGPU, today - timedelta(days=40),
                               list="MARITIME", severity="SERIOUS"), "  (filed 40 days after the decision)")
    submit("ANTI_SMUGGLING", penalty, "  (the same record again)")
    bad = YEFENG[:17] + ("0" if YEFENG[17] != "0" else "1")  # a typo in the check character
    submit("CUSTOMS", _record(f"HKCUS-PEN-{run}", "SMUGGLING_PENALTY", bad, today - timedelta(days=1)), "  (bad code)")
    correction = _record(f"TAX-RATE-{run}-C1", "CORRECTION", LUHUITOU, today - timedelta(days=2), grade="C")
    correction.corrects.source_id = rating.source_id
    submit("TAX", correction, f"  (of {rating.source_id}: D was a clerical error)")


def _read_back(stub: IngestionServiceStub, out: Out) -> str:
    """History, feed and timeliness; returns the feed's last cursor."""
    request = pb.ListSubjectRecordsRequest(subject=common_pb2.SubjectId(enterprise=LUHUITOU))
    history = stub.ListSubjectRecords(request, metadata=as_principal("department/CUSTOMS"))
    out(f"History of {NAMES[LUHUITOU]} {LUHUITOU}, superseded records marked (ListSubjectRecords)")
    for r in history.records:
        what, about = _describe(r.input, r.target_record_id)
        superseded = f"  [superseded by {_short(r.superseded_by)}]" if r.superseded_by else ""
        out(f"  {_short(r.record_id)}  {_name(common_pb2.Department, r.source, 'DEPARTMENT_'):<15}{what}{superseded}")

    out("\nThe record feed from its beginning (StreamRecords, follow=false; first 10)")
    out(f"  {'cursor':>6}  {'source':<15}record")
    feed = stub.StreamRecords(pb.StreamRecordsRequest(follow=False), metadata=as_principal("service/demo"))
    records = [r for message in feed for r in message.records]
    last_cursor = records[-1].cursor
    first = records[:10]  # the rest stays in the log
    for r in first:
        what, about = _describe(r.input, r.target_record_id)
        out(f"  {r.cursor:>6}  {_name(common_pb2.Department, r.source, 'DEPARTMENT_'):<15}{what}; {about}")

    today = cst_date(datetime.now(timezone.utc))
    report = stub.GetTimelinessReport(
        pb.GetTimelinessReportRequest(received_from=_date(today), received_through=_date(today)),
        metadata=as_principal("operator/demo"),
    )
    out(f"\nTimeliness of records received today (GetTimelinessReport; deadline {report.deadline_days} days)")
    out(f"  {'department':<17}{'records':>8}{'late':>6}{'longest delay':>15}")
    for row in report.departments:
        name = _name(common_pb2.Department, row.department, "DEPARTMENT_")
        out(f"  {name:<17}{row.records:>8}{row.late_records:>6}{row.max_delay_days:>10} days")
    return last_cursor


def _record(source_id: str, kind: str, enterprise: str, decided_on: date, **fields) -> pb.RecordInput:
    record = pb.RecordInput(
        source_id=source_id,
        kind=common_pb2.RecordKind.Value("RECORD_KIND_" + kind),
        subject=common_pb2.SubjectId(enterprise=enterprise),
        decided_on=_date(decided_on),
        grade=fields.get("grade", ""),
    )
    if "valid_until" in fields:
        record.valid_until.CopyFrom(_date(fields["valid_until"]))
    if "list" in fields:
        record.list = common_pb2.DishonestyList.Value("DISHONESTY_LIST_" + fields["list"])
    if "severity" in fields:
        record.severity = common_pb2.Severity.Value("SEVERITY_" + fields["severity"])
    return record


def _describe(r: pb.RecordInput, target_id: str = "") -> tuple[str, str]:
    """What a record states (kind, fields), and about whom and when."""
    kind = _name(common_pb2.RecordKind, r.kind, "RECORD_KIND_")
    states = [f"of {_short(target_id)}" if target_id else "",
              f"grade {r.grade}" if r.grade else "",
              f"list {_name(common_pb2.DishonestyList, r.list, 'DISHONESTY_LIST_')}" if r.list else "",
              f"severity {_name(common_pb2.Severity, r.severity, 'SEVERITY_')}" if r.severity else "",
              f"valid until {_day(r.valid_until)}" if r.HasField("valid_until") else ""]
    who = r.subject.enterprise or r.subject.individual
    return ", ".join([kind, *filter(None, states)]), f"{NAMES.get(who, 'unknown subject')} {who}, decided {_day(r.decided_on)}"


def _short(record_id: str) -> str:
    return record_id[:8]  # enough to tell the demo's records apart, like a short git hash


def _violations(error: grpc.Call) -> str:
    """The refusal's field violations (google.rpc.BadRequest), or its message."""
    found = [f"{v.field}: {v.description}" for v in field_violations(rpc_status.from_call(error))]
    return "; ".join(found) or error.details()


def _name(enum, value: int, prefix: str) -> str:
    return enum.Name(value).removeprefix(prefix) if value else "-"


def _date(d: date) -> common_pb2.Date:
    return common_pb2.Date(year=d.year, month=d.month, day=d.day)


def _day(d: common_pb2.Date) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"

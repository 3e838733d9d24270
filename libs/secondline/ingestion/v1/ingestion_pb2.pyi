import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.rpc import status_pb2 as _status_pb2
from secondline.common.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RecordView(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECORD_VIEW_UNSPECIFIED: _ClassVar[RecordView]
    RECORD_VIEW_BASIC: _ClassVar[RecordView]
    RECORD_VIEW_FULL: _ClassVar[RecordView]
RECORD_VIEW_UNSPECIFIED: RecordView
RECORD_VIEW_BASIC: RecordView
RECORD_VIEW_FULL: RecordView

class RecordRef(_message.Message):
    __slots__ = ("record_id", "source_id")
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    record_id: str
    source_id: str
    def __init__(self, record_id: _Optional[str] = ..., source_id: _Optional[str] = ...) -> None: ...

class RecordInput(_message.Message):
    __slots__ = ("source_id", "kind", "subject", "decided_on", "grade", "list", "severity", "valid_until", "commitment", "corrects", "withdraws", "legal_basis", "objection_id", "repair_id", "mark", "partner")
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    DECIDED_ON_FIELD_NUMBER: _ClassVar[int]
    GRADE_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    COMMITMENT_FIELD_NUMBER: _ClassVar[int]
    CORRECTS_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWS_FIELD_NUMBER: _ClassVar[int]
    LEGAL_BASIS_FIELD_NUMBER: _ClassVar[int]
    OBJECTION_ID_FIELD_NUMBER: _ClassVar[int]
    REPAIR_ID_FIELD_NUMBER: _ClassVar[int]
    MARK_FIELD_NUMBER: _ClassVar[int]
    PARTNER_FIELD_NUMBER: _ClassVar[int]
    source_id: str
    kind: _common_pb2.RecordKind
    subject: _common_pb2.SubjectId
    decided_on: _common_pb2.Date
    grade: str
    list: _common_pb2.DishonestyList
    severity: _common_pb2.Severity
    valid_until: _common_pb2.Date
    commitment: _common_pb2.CommitmentStatus
    corrects: RecordRef
    withdraws: RecordRef
    legal_basis: str
    objection_id: str
    repair_id: str
    mark: ObjectionMark
    partner: _common_pb2.PartnerOrigin
    def __init__(self, source_id: _Optional[str] = ..., kind: _Optional[_Union[_common_pb2.RecordKind, str]] = ..., subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ..., decided_on: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., grade: _Optional[str] = ..., list: _Optional[_Union[_common_pb2.DishonestyList, str]] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., valid_until: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., commitment: _Optional[_Union[_common_pb2.CommitmentStatus, str]] = ..., corrects: _Optional[_Union[RecordRef, _Mapping]] = ..., withdraws: _Optional[_Union[RecordRef, _Mapping]] = ..., legal_basis: _Optional[str] = ..., objection_id: _Optional[str] = ..., repair_id: _Optional[str] = ..., mark: _Optional[_Union[ObjectionMark, _Mapping]] = ..., partner: _Optional[_Union[_common_pb2.PartnerOrigin, _Mapping]] = ...) -> None: ...

class ObjectionMark(_message.Message):
    __slots__ = ("objection_id", "at", "record_ids")
    OBJECTION_ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    RECORD_IDS_FIELD_NUMBER: _ClassVar[int]
    objection_id: str
    at: _timestamp_pb2.Timestamp
    record_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, objection_id: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., record_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class Record(_message.Message):
    __slots__ = ("record_id", "source", "input", "content_kind", "target_record_id", "submitted_at", "submitted_on", "late", "backfilled", "superseded_by", "cursor", "traceparent", "filed_by", "open_objection_ids", "from_partner")
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_KIND_FIELD_NUMBER: _ClassVar[int]
    TARGET_RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_ON_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    BACKFILLED_FIELD_NUMBER: _ClassVar[int]
    SUPERSEDED_BY_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    TRACEPARENT_FIELD_NUMBER: _ClassVar[int]
    FILED_BY_FIELD_NUMBER: _ClassVar[int]
    OPEN_OBJECTION_IDS_FIELD_NUMBER: _ClassVar[int]
    FROM_PARTNER_FIELD_NUMBER: _ClassVar[int]
    record_id: str
    source: _common_pb2.Department
    input: RecordInput
    content_kind: _common_pb2.RecordKind
    target_record_id: str
    submitted_at: _timestamp_pb2.Timestamp
    submitted_on: _common_pb2.Date
    late: bool
    backfilled: bool
    superseded_by: str
    cursor: str
    traceparent: str
    filed_by: str
    open_objection_ids: _containers.RepeatedScalarFieldContainer[str]
    from_partner: bool
    def __init__(self, record_id: _Optional[str] = ..., source: _Optional[_Union[_common_pb2.Department, str]] = ..., input: _Optional[_Union[RecordInput, _Mapping]] = ..., content_kind: _Optional[_Union[_common_pb2.RecordKind, str]] = ..., target_record_id: _Optional[str] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., submitted_on: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., late: _Optional[bool] = ..., backfilled: _Optional[bool] = ..., superseded_by: _Optional[str] = ..., cursor: _Optional[str] = ..., traceparent: _Optional[str] = ..., filed_by: _Optional[str] = ..., open_objection_ids: _Optional[_Iterable[str]] = ..., from_partner: _Optional[bool] = ...) -> None: ...

class SubmitRecordRequest(_message.Message):
    __slots__ = ("record", "on_behalf_of", "validate_only")
    RECORD_FIELD_NUMBER: _ClassVar[int]
    ON_BEHALF_OF_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    record: RecordInput
    on_behalf_of: _common_pb2.Department
    validate_only: bool
    def __init__(self, record: _Optional[_Union[RecordInput, _Mapping]] = ..., on_behalf_of: _Optional[_Union[_common_pb2.Department, str]] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class SubmitRecordResponse(_message.Message):
    __slots__ = ("record", "replayed")
    RECORD_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    record: Record
    replayed: bool
    def __init__(self, record: _Optional[_Union[Record, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class SubmitRecordsRequest(_message.Message):
    __slots__ = ("records", "view")
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[RecordInput]
    view: RecordView
    def __init__(self, records: _Optional[_Iterable[_Union[RecordInput, _Mapping]]] = ..., view: _Optional[_Union[RecordView, str]] = ...) -> None: ...

class SubmitRecordsResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[RecordResult]
    def __init__(self, results: _Optional[_Iterable[_Union[RecordResult, _Mapping]]] = ...) -> None: ...

class RecordResult(_message.Message):
    __slots__ = ("index", "record", "error", "replayed")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    RECORD_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    index: int
    record: Record
    error: _status_pb2.Status
    replayed: bool
    def __init__(self, index: _Optional[int] = ..., record: _Optional[_Union[Record, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class HistoricalRecord(_message.Message):
    __slots__ = ("source", "record", "submitted_at")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    RECORD_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    source: _common_pb2.Department
    record: RecordInput
    submitted_at: _timestamp_pb2.Timestamp
    def __init__(self, source: _Optional[_Union[_common_pb2.Department, str]] = ..., record: _Optional[_Union[RecordInput, _Mapping]] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class BackfillRecordsRequest(_message.Message):
    __slots__ = ("records", "view")
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[HistoricalRecord]
    view: RecordView
    def __init__(self, records: _Optional[_Iterable[_Union[HistoricalRecord, _Mapping]]] = ..., view: _Optional[_Union[RecordView, str]] = ...) -> None: ...

class BackfillRecordsResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[RecordResult]
    def __init__(self, results: _Optional[_Iterable[_Union[RecordResult, _Mapping]]] = ...) -> None: ...

class GetRecordRequest(_message.Message):
    __slots__ = ("record_id",)
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    record_id: str
    def __init__(self, record_id: _Optional[str] = ...) -> None: ...

class GetRecordResponse(_message.Message):
    __slots__ = ("record",)
    RECORD_FIELD_NUMBER: _ClassVar[int]
    record: Record
    def __init__(self, record: _Optional[_Union[Record, _Mapping]] = ...) -> None: ...

class ListSubjectRecordsRequest(_message.Message):
    __slots__ = ("subject", "page_size", "page_token")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    subject: _common_pb2.SubjectId
    page_size: int
    page_token: str
    def __init__(self, subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSubjectRecordsResponse(_message.Message):
    __slots__ = ("records", "next_page_token")
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[Record]
    next_page_token: str
    def __init__(self, records: _Optional[_Iterable[_Union[Record, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetTimelinessReportRequest(_message.Message):
    __slots__ = ("received_from", "received_through", "department")
    RECEIVED_FROM_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_THROUGH_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    received_from: _common_pb2.Date
    received_through: _common_pb2.Date
    department: _common_pb2.Department
    def __init__(self, received_from: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., received_through: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., department: _Optional[_Union[_common_pb2.Department, str]] = ...) -> None: ...

class GetTimelinessReportResponse(_message.Message):
    __slots__ = ("departments", "deadline_days")
    DEPARTMENTS_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_DAYS_FIELD_NUMBER: _ClassVar[int]
    departments: _containers.RepeatedCompositeFieldContainer[DepartmentTimeliness]
    deadline_days: int
    def __init__(self, departments: _Optional[_Iterable[_Union[DepartmentTimeliness, _Mapping]]] = ..., deadline_days: _Optional[int] = ...) -> None: ...

class DepartmentTimeliness(_message.Message):
    __slots__ = ("department", "records", "late_records", "max_delay_days")
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    LATE_RECORDS_FIELD_NUMBER: _ClassVar[int]
    MAX_DELAY_DAYS_FIELD_NUMBER: _ClassVar[int]
    department: _common_pb2.Department
    records: int
    late_records: int
    max_delay_days: int
    def __init__(self, department: _Optional[_Union[_common_pb2.Department, str]] = ..., records: _Optional[int] = ..., late_records: _Optional[int] = ..., max_delay_days: _Optional[int] = ...) -> None: ...

class StreamRecordsRequest(_message.Message):
    __slots__ = ("after_cursor", "follow")
    AFTER_CURSOR_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_FIELD_NUMBER: _ClassVar[int]
    after_cursor: str
    follow: bool
    def __init__(self, after_cursor: _Optional[str] = ..., follow: _Optional[bool] = ...) -> None: ...

class StreamRecordsResponse(_message.Message):
    __slots__ = ("records",)
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[Record]
    def __init__(self, records: _Optional[_Iterable[_Union[Record, _Mapping]]] = ...) -> None: ...

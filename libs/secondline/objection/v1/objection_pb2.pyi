import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from secondline.access.v1 import access_pb2 as _access_pb2
from secondline.common.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ObjectionStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OBJECTION_STATUS_UNSPECIFIED: _ClassVar[ObjectionStatus]
    OBJECTION_STATUS_OPEN: _ClassVar[ObjectionStatus]
    OBJECTION_STATUS_OVERDUE: _ClassVar[ObjectionStatus]
    OBJECTION_STATUS_UPHELD: _ClassVar[ObjectionStatus]
    OBJECTION_STATUS_REJECTED: _ClassVar[ObjectionStatus]
    OBJECTION_STATUS_PARTLY_UPHELD: _ClassVar[ObjectionStatus]

class Outcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OUTCOME_UNSPECIFIED: _ClassVar[Outcome]
    OUTCOME_UPHELD: _ClassVar[Outcome]
    OUTCOME_REJECTED: _ClassVar[Outcome]

class RepairStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REPAIR_STATUS_UNSPECIFIED: _ClassVar[RepairStatus]
    REPAIR_STATUS_OPEN: _ClassVar[RepairStatus]
    REPAIR_STATUS_OVERDUE: _ClassVar[RepairStatus]
    REPAIR_STATUS_APPROVED: _ClassVar[RepairStatus]
    REPAIR_STATUS_REJECTED: _ClassVar[RepairStatus]

class RepairOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REPAIR_OUTCOME_UNSPECIFIED: _ClassVar[RepairOutcome]
    REPAIR_OUTCOME_APPROVED: _ClassVar[RepairOutcome]
    REPAIR_OUTCOME_REJECTED: _ClassVar[RepairOutcome]
OBJECTION_STATUS_UNSPECIFIED: ObjectionStatus
OBJECTION_STATUS_OPEN: ObjectionStatus
OBJECTION_STATUS_OVERDUE: ObjectionStatus
OBJECTION_STATUS_UPHELD: ObjectionStatus
OBJECTION_STATUS_REJECTED: ObjectionStatus
OBJECTION_STATUS_PARTLY_UPHELD: ObjectionStatus
OUTCOME_UNSPECIFIED: Outcome
OUTCOME_UPHELD: Outcome
OUTCOME_REJECTED: Outcome
REPAIR_STATUS_UNSPECIFIED: RepairStatus
REPAIR_STATUS_OPEN: RepairStatus
REPAIR_STATUS_OVERDUE: RepairStatus
REPAIR_STATUS_APPROVED: RepairStatus
REPAIR_STATUS_REJECTED: RepairStatus
REPAIR_OUTCOME_UNSPECIFIED: RepairOutcome
REPAIR_OUTCOME_APPROVED: RepairOutcome
REPAIR_OUTCOME_REJECTED: RepairOutcome

class Deadline(_message.Message):
    __slots__ = ("received_on", "working_days", "due", "provisional", "extension_reason")
    RECEIVED_ON_FIELD_NUMBER: _ClassVar[int]
    WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    DUE_FIELD_NUMBER: _ClassVar[int]
    PROVISIONAL_FIELD_NUMBER: _ClassVar[int]
    EXTENSION_REASON_FIELD_NUMBER: _ClassVar[int]
    received_on: _common_pb2.Date
    working_days: int
    due: _timestamp_pb2.Timestamp
    provisional: bool
    extension_reason: str
    def __init__(self, received_on: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., working_days: _Optional[int] = ..., due: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., provisional: _Optional[bool] = ..., extension_reason: _Optional[str] = ...) -> None: ...

class DeadlineMove(_message.Message):
    __slots__ = ("record_id", "old_due", "new_due", "reason", "moved_at")
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    OLD_DUE_FIELD_NUMBER: _ClassVar[int]
    NEW_DUE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    MOVED_AT_FIELD_NUMBER: _ClassVar[int]
    record_id: str
    old_due: _timestamp_pb2.Timestamp
    new_due: _timestamp_pb2.Timestamp
    reason: str
    moved_at: _timestamp_pb2.Timestamp
    def __init__(self, record_id: _Optional[str] = ..., old_due: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., new_due: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ..., moved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DisputedRecord(_message.Message):
    __slots__ = ("record_id", "owner", "kind", "deadline", "outcome", "reason", "answered_at", "filed_record_id")
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_AT_FIELD_NUMBER: _ClassVar[int]
    FILED_RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    record_id: str
    owner: _common_pb2.Department
    kind: _common_pb2.RecordKind
    deadline: Deadline
    outcome: Outcome
    reason: str
    answered_at: _timestamp_pb2.Timestamp
    filed_record_id: str
    def __init__(self, record_id: _Optional[str] = ..., owner: _Optional[_Union[_common_pb2.Department, str]] = ..., kind: _Optional[_Union[_common_pb2.RecordKind, str]] = ..., deadline: _Optional[_Union[Deadline, _Mapping]] = ..., outcome: _Optional[_Union[Outcome, str]] = ..., reason: _Optional[str] = ..., answered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., filed_record_id: _Optional[str] = ...) -> None: ...

class Objection(_message.Message):
    __slots__ = ("objection_id", "subject", "status", "as_of", "against_class", "statement", "evidence", "received_at", "answer_due", "deadline_provisional", "records", "journal", "decided_at", "filed_by", "record_cursor")
    OBJECTION_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    AGAINST_CLASS_FIELD_NUMBER: _ClassVar[int]
    STATEMENT_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    ANSWER_DUE_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_PROVISIONAL_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    JOURNAL_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    FILED_BY_FIELD_NUMBER: _ClassVar[int]
    RECORD_CURSOR_FIELD_NUMBER: _ClassVar[int]
    objection_id: str
    subject: _common_pb2.SubjectId
    status: ObjectionStatus
    as_of: _timestamp_pb2.Timestamp
    against_class: bool
    statement: str
    evidence: _containers.RepeatedScalarFieldContainer[str]
    received_at: _timestamp_pb2.Timestamp
    answer_due: _timestamp_pb2.Timestamp
    deadline_provisional: bool
    records: _containers.RepeatedCompositeFieldContainer[DisputedRecord]
    journal: _containers.RepeatedCompositeFieldContainer[DeadlineMove]
    decided_at: _timestamp_pb2.Timestamp
    filed_by: str
    record_cursor: str
    def __init__(self, objection_id: _Optional[str] = ..., subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ..., status: _Optional[_Union[ObjectionStatus, str]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., against_class: _Optional[bool] = ..., statement: _Optional[str] = ..., evidence: _Optional[_Iterable[str]] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., answer_due: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deadline_provisional: _Optional[bool] = ..., records: _Optional[_Iterable[_Union[DisputedRecord, _Mapping]]] = ..., journal: _Optional[_Iterable[_Union[DeadlineMove, _Mapping]]] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., filed_by: _Optional[str] = ..., record_cursor: _Optional[str] = ...) -> None: ...

class Repair(_message.Message):
    __slots__ = ("repair_id", "subject", "listing_record_id", "list", "owner", "status", "as_of", "commitment", "received_at", "deadline", "outcome", "reason", "decided_at", "filed_record_ids", "journal", "record_cursor")
    REPAIR_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    LISTING_RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    COMMITMENT_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    FILED_RECORD_IDS_FIELD_NUMBER: _ClassVar[int]
    JOURNAL_FIELD_NUMBER: _ClassVar[int]
    RECORD_CURSOR_FIELD_NUMBER: _ClassVar[int]
    repair_id: str
    subject: _common_pb2.SubjectId
    listing_record_id: str
    list: _common_pb2.DishonestyList
    owner: _common_pb2.Department
    status: RepairStatus
    as_of: _timestamp_pb2.Timestamp
    commitment: str
    received_at: _timestamp_pb2.Timestamp
    deadline: Deadline
    outcome: RepairOutcome
    reason: str
    decided_at: _timestamp_pb2.Timestamp
    filed_record_ids: _containers.RepeatedScalarFieldContainer[str]
    journal: _containers.RepeatedCompositeFieldContainer[DeadlineMove]
    record_cursor: str
    def __init__(self, repair_id: _Optional[str] = ..., subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ..., listing_record_id: _Optional[str] = ..., list: _Optional[_Union[_common_pb2.DishonestyList, str]] = ..., owner: _Optional[_Union[_common_pb2.Department, str]] = ..., status: _Optional[_Union[RepairStatus, str]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., commitment: _Optional[str] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deadline: _Optional[_Union[Deadline, _Mapping]] = ..., outcome: _Optional[_Union[RepairOutcome, str]] = ..., reason: _Optional[str] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., filed_record_ids: _Optional[_Iterable[str]] = ..., journal: _Optional[_Iterable[_Union[DeadlineMove, _Mapping]]] = ..., record_cursor: _Optional[str] = ...) -> None: ...

class FileObjectionRequest(_message.Message):
    __slots__ = ("request_id", "subject", "record_ids", "against_class", "statement", "evidence")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    RECORD_IDS_FIELD_NUMBER: _ClassVar[int]
    AGAINST_CLASS_FIELD_NUMBER: _ClassVar[int]
    STATEMENT_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    subject: _common_pb2.SubjectId
    record_ids: _containers.RepeatedScalarFieldContainer[str]
    against_class: bool
    statement: str
    evidence: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, request_id: _Optional[str] = ..., subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ..., record_ids: _Optional[_Iterable[str]] = ..., against_class: _Optional[bool] = ..., statement: _Optional[str] = ..., evidence: _Optional[_Iterable[str]] = ...) -> None: ...

class FileObjectionResponse(_message.Message):
    __slots__ = ("objection",)
    OBJECTION_FIELD_NUMBER: _ClassVar[int]
    objection: Objection
    def __init__(self, objection: _Optional[_Union[Objection, _Mapping]] = ...) -> None: ...

class GetObjectionRequest(_message.Message):
    __slots__ = ("objection_id", "as_of", "subject")
    OBJECTION_ID_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    objection_id: str
    as_of: _timestamp_pb2.Timestamp
    subject: _common_pb2.SubjectId
    def __init__(self, objection_id: _Optional[str] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ...) -> None: ...

class GetObjectionResponse(_message.Message):
    __slots__ = ("objection",)
    OBJECTION_FIELD_NUMBER: _ClassVar[int]
    objection: Objection
    def __init__(self, objection: _Optional[_Union[Objection, _Mapping]] = ...) -> None: ...

class ListObjectionsRequest(_message.Message):
    __slots__ = ("department", "status", "due_before", "page_size", "page_token")
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DUE_BEFORE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    department: _common_pb2.Department
    status: ObjectionStatus
    due_before: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    def __init__(self, department: _Optional[_Union[_common_pb2.Department, str]] = ..., status: _Optional[_Union[ObjectionStatus, str]] = ..., due_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListObjectionsResponse(_message.Message):
    __slots__ = ("objections", "next_page_token")
    OBJECTIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    objections: _containers.RepeatedCompositeFieldContainer[Objection]
    next_page_token: str
    def __init__(self, objections: _Optional[_Iterable[_Union[Objection, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ExtendDeadlineRequest(_message.Message):
    __slots__ = ("objection_id", "record_id", "reason")
    OBJECTION_ID_FIELD_NUMBER: _ClassVar[int]
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    objection_id: str
    record_id: str
    reason: str
    def __init__(self, objection_id: _Optional[str] = ..., record_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ExtendDeadlineResponse(_message.Message):
    __slots__ = ("objection",)
    OBJECTION_FIELD_NUMBER: _ClassVar[int]
    objection: Objection
    def __init__(self, objection: _Optional[_Union[Objection, _Mapping]] = ...) -> None: ...

class RecordCorrection(_message.Message):
    __slots__ = ("decided_on", "grade", "severity", "valid_until", "legal_basis")
    DECIDED_ON_FIELD_NUMBER: _ClassVar[int]
    GRADE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    LEGAL_BASIS_FIELD_NUMBER: _ClassVar[int]
    decided_on: _common_pb2.Date
    grade: str
    severity: _common_pb2.Severity
    valid_until: _common_pb2.Date
    legal_basis: str
    def __init__(self, decided_on: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., grade: _Optional[str] = ..., severity: _Optional[_Union[_common_pb2.Severity, str]] = ..., valid_until: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., legal_basis: _Optional[str] = ...) -> None: ...

class AnswerObjectionRequest(_message.Message):
    __slots__ = ("objection_id", "record_id", "outcome", "reason", "withdraw", "correct")
    OBJECTION_ID_FIELD_NUMBER: _ClassVar[int]
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    WITHDRAW_FIELD_NUMBER: _ClassVar[int]
    CORRECT_FIELD_NUMBER: _ClassVar[int]
    objection_id: str
    record_id: str
    outcome: Outcome
    reason: str
    withdraw: bool
    correct: RecordCorrection
    def __init__(self, objection_id: _Optional[str] = ..., record_id: _Optional[str] = ..., outcome: _Optional[_Union[Outcome, str]] = ..., reason: _Optional[str] = ..., withdraw: _Optional[bool] = ..., correct: _Optional[_Union[RecordCorrection, _Mapping]] = ...) -> None: ...

class AnswerObjectionResponse(_message.Message):
    __slots__ = ("objection",)
    OBJECTION_FIELD_NUMBER: _ClassVar[int]
    objection: Objection
    def __init__(self, objection: _Optional[_Union[Objection, _Mapping]] = ...) -> None: ...

class ApplyForRepairRequest(_message.Message):
    __slots__ = ("request_id", "subject", "listing_record_id", "commitment", "obligations_fulfilled")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    LISTING_RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    COMMITMENT_FIELD_NUMBER: _ClassVar[int]
    OBLIGATIONS_FULFILLED_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    subject: _common_pb2.SubjectId
    listing_record_id: str
    commitment: str
    obligations_fulfilled: bool
    def __init__(self, request_id: _Optional[str] = ..., subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ..., listing_record_id: _Optional[str] = ..., commitment: _Optional[str] = ..., obligations_fulfilled: _Optional[bool] = ...) -> None: ...

class ApplyForRepairResponse(_message.Message):
    __slots__ = ("repair",)
    REPAIR_FIELD_NUMBER: _ClassVar[int]
    repair: Repair
    def __init__(self, repair: _Optional[_Union[Repair, _Mapping]] = ...) -> None: ...

class DecideRepairRequest(_message.Message):
    __slots__ = ("repair_id", "outcome", "reason")
    REPAIR_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    repair_id: str
    outcome: RepairOutcome
    reason: str
    def __init__(self, repair_id: _Optional[str] = ..., outcome: _Optional[_Union[RepairOutcome, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class DecideRepairResponse(_message.Message):
    __slots__ = ("repair",)
    REPAIR_FIELD_NUMBER: _ClassVar[int]
    repair: Repair
    def __init__(self, repair: _Optional[_Union[Repair, _Mapping]] = ...) -> None: ...

class GetRepairRequest(_message.Message):
    __slots__ = ("repair_id", "as_of", "subject")
    REPAIR_ID_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    repair_id: str
    as_of: _timestamp_pb2.Timestamp
    subject: _common_pb2.SubjectId
    def __init__(self, repair_id: _Optional[str] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ...) -> None: ...

class GetRepairResponse(_message.Message):
    __slots__ = ("repair",)
    REPAIR_FIELD_NUMBER: _ClassVar[int]
    repair: Repair
    def __init__(self, repair: _Optional[_Union[Repair, _Mapping]] = ...) -> None: ...

class GetSubjectFileRequest(_message.Message):
    __slots__ = ("subject", "as_of")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    subject: _common_pb2.SubjectId
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FileClass(_message.Message):
    __slots__ = ("as_of", "credit_class", "reasons", "record_ids", "flags", "until")
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    CREDIT_CLASS_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    RECORD_IDS_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    as_of: _timestamp_pb2.Timestamp
    credit_class: _common_pb2.CreditClass
    reasons: _containers.RepeatedScalarFieldContainer[str]
    record_ids: _containers.RepeatedScalarFieldContainer[str]
    flags: _containers.RepeatedScalarFieldContainer[_common_pb2.Flag]
    until: _timestamp_pb2.Timestamp
    def __init__(self, as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., credit_class: _Optional[_Union[_common_pb2.CreditClass, str]] = ..., reasons: _Optional[_Iterable[str]] = ..., record_ids: _Optional[_Iterable[str]] = ..., flags: _Optional[_Iterable[_Union[_common_pb2.Flag, str]]] = ..., until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FileRecord(_message.Message):
    __slots__ = ("record_id", "source", "kind", "decided_on", "superseded_by", "open_objection_ids")
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DECIDED_ON_FIELD_NUMBER: _ClassVar[int]
    SUPERSEDED_BY_FIELD_NUMBER: _ClassVar[int]
    OPEN_OBJECTION_IDS_FIELD_NUMBER: _ClassVar[int]
    record_id: str
    source: _common_pb2.Department
    kind: _common_pb2.RecordKind
    decided_on: _common_pb2.Date
    superseded_by: str
    open_objection_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, record_id: _Optional[str] = ..., source: _Optional[_Union[_common_pb2.Department, str]] = ..., kind: _Optional[_Union[_common_pb2.RecordKind, str]] = ..., decided_on: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., superseded_by: _Optional[str] = ..., open_objection_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class GetSubjectFileResponse(_message.Message):
    __slots__ = ("now", "as_of", "records", "objections", "repairs", "reads")
    NOW_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    OBJECTIONS_FIELD_NUMBER: _ClassVar[int]
    REPAIRS_FIELD_NUMBER: _ClassVar[int]
    READS_FIELD_NUMBER: _ClassVar[int]
    now: FileClass
    as_of: FileClass
    records: _containers.RepeatedCompositeFieldContainer[FileRecord]
    objections: _containers.RepeatedCompositeFieldContainer[Objection]
    repairs: _containers.RepeatedCompositeFieldContainer[Repair]
    reads: _containers.RepeatedCompositeFieldContainer[_access_pb2.SubjectRead]
    def __init__(self, now: _Optional[_Union[FileClass, _Mapping]] = ..., as_of: _Optional[_Union[FileClass, _Mapping]] = ..., records: _Optional[_Iterable[_Union[FileRecord, _Mapping]]] = ..., objections: _Optional[_Iterable[_Union[Objection, _Mapping]]] = ..., repairs: _Optional[_Iterable[_Union[Repair, _Mapping]]] = ..., reads: _Optional[_Iterable[_Union[_access_pb2.SubjectRead, _Mapping]]] = ...) -> None: ...

class ReloadCalendarRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ReloadCalendarResponse(_message.Message):
    __slots__ = ("years", "moved")
    YEARS_FIELD_NUMBER: _ClassVar[int]
    MOVED_FIELD_NUMBER: _ClassVar[int]
    years: _containers.RepeatedScalarFieldContainer[int]
    moved: int
    def __init__(self, years: _Optional[_Iterable[int]] = ..., moved: _Optional[int] = ...) -> None: ...

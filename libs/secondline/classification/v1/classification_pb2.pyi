import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from secondline.common.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Reason(_message.Message):
    __slots__ = ("rule", "effect", "record_ids", "since", "until", "partner", "counts_as")
    RULE_FIELD_NUMBER: _ClassVar[int]
    EFFECT_FIELD_NUMBER: _ClassVar[int]
    RECORD_IDS_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    PARTNER_FIELD_NUMBER: _ClassVar[int]
    COUNTS_AS_FIELD_NUMBER: _ClassVar[int]
    rule: str
    effect: str
    record_ids: _containers.RepeatedScalarFieldContainer[str]
    since: _timestamp_pb2.Timestamp
    until: _timestamp_pb2.Timestamp
    partner: str
    counts_as: str
    def __init__(self, rule: _Optional[str] = ..., effect: _Optional[str] = ..., record_ids: _Optional[_Iterable[str]] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., partner: _Optional[str] = ..., counts_as: _Optional[str] = ...) -> None: ...

class SubjectClass(_message.Message):
    __slots__ = ("subject", "as_of", "credit_class", "since", "until", "reasons", "flags", "revision")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    CREDIT_CLASS_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    subject: _common_pb2.SubjectId
    as_of: _timestamp_pb2.Timestamp
    credit_class: _common_pb2.CreditClass
    since: _timestamp_pb2.Timestamp
    until: _timestamp_pb2.Timestamp
    reasons: _containers.RepeatedCompositeFieldContainer[Reason]
    flags: _containers.RepeatedScalarFieldContainer[_common_pb2.Flag]
    revision: int
    def __init__(self, subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., credit_class: _Optional[_Union[_common_pb2.CreditClass, str]] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reasons: _Optional[_Iterable[_Union[Reason, _Mapping]]] = ..., flags: _Optional[_Iterable[_Union[_common_pb2.Flag, str]]] = ..., revision: _Optional[int] = ...) -> None: ...

class Segment(_message.Message):
    __slots__ = ("start", "end", "credit_class", "reasons", "flags")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    CREDIT_CLASS_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    credit_class: _common_pb2.CreditClass
    reasons: _containers.RepeatedCompositeFieldContainer[Reason]
    flags: _containers.RepeatedScalarFieldContainer[_common_pb2.Flag]
    def __init__(self, start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., credit_class: _Optional[_Union[_common_pb2.CreditClass, str]] = ..., reasons: _Optional[_Iterable[_Union[Reason, _Mapping]]] = ..., flags: _Optional[_Iterable[_Union[_common_pb2.Flag, str]]] = ...) -> None: ...

class SubjectState(_message.Message):
    __slots__ = ("subject", "timeline", "revision")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    TIMELINE_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    subject: _common_pb2.SubjectId
    timeline: _containers.RepeatedCompositeFieldContainer[Segment]
    revision: int
    def __init__(self, subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ..., timeline: _Optional[_Iterable[_Union[Segment, _Mapping]]] = ..., revision: _Optional[int] = ...) -> None: ...

class GetSubjectClassRequest(_message.Message):
    __slots__ = ("subject", "as_of", "min_record_cursor")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    MIN_RECORD_CURSOR_FIELD_NUMBER: _ClassVar[int]
    subject: _common_pb2.SubjectId
    as_of: _timestamp_pb2.Timestamp
    min_record_cursor: str
    def __init__(self, subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., min_record_cursor: _Optional[str] = ...) -> None: ...

class GetSubjectClassResponse(_message.Message):
    __slots__ = ("subject_class",)
    SUBJECT_CLASS_FIELD_NUMBER: _ClassVar[int]
    subject_class: SubjectClass
    def __init__(self, subject_class: _Optional[_Union[SubjectClass, _Mapping]] = ...) -> None: ...

class BatchGetSubjectClassesRequest(_message.Message):
    __slots__ = ("subjects", "as_of", "min_record_cursor")
    SUBJECTS_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    MIN_RECORD_CURSOR_FIELD_NUMBER: _ClassVar[int]
    subjects: _containers.RepeatedCompositeFieldContainer[_common_pb2.SubjectId]
    as_of: _timestamp_pb2.Timestamp
    min_record_cursor: str
    def __init__(self, subjects: _Optional[_Iterable[_Union[_common_pb2.SubjectId, _Mapping]]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., min_record_cursor: _Optional[str] = ...) -> None: ...

class BatchGetSubjectClassesResponse(_message.Message):
    __slots__ = ("subject_classes",)
    SUBJECT_CLASSES_FIELD_NUMBER: _ClassVar[int]
    subject_classes: _containers.RepeatedCompositeFieldContainer[SubjectClass]
    def __init__(self, subject_classes: _Optional[_Iterable[_Union[SubjectClass, _Mapping]]] = ...) -> None: ...

class GetSubjectTimelineRequest(_message.Message):
    __slots__ = ("subject", "min_record_cursor")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    MIN_RECORD_CURSOR_FIELD_NUMBER: _ClassVar[int]
    subject: _common_pb2.SubjectId
    min_record_cursor: str
    def __init__(self, subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ..., min_record_cursor: _Optional[str] = ...) -> None: ...

class GetSubjectTimelineResponse(_message.Message):
    __slots__ = ("state", "record_ids")
    STATE_FIELD_NUMBER: _ClassVar[int]
    RECORD_IDS_FIELD_NUMBER: _ClassVar[int]
    state: SubjectState
    record_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, state: _Optional[_Union[SubjectState, _Mapping]] = ..., record_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class GetRestrictionRequest(_message.Message):
    __slots__ = ("subject", "as_of")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    subject: _common_pb2.SubjectId
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetRestrictionResponse(_message.Message):
    __slots__ = ("restricted", "reasons")
    RESTRICTED_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    restricted: bool
    reasons: _containers.RepeatedCompositeFieldContainer[Reason]
    def __init__(self, restricted: _Optional[bool] = ..., reasons: _Optional[_Iterable[_Union[Reason, _Mapping]]] = ...) -> None: ...

class ListCandidatesRequest(_message.Message):
    __slots__ = ("list", "as_of", "page_size", "page_token")
    LIST_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    list: _common_pb2.DishonestyList
    as_of: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    def __init__(self, list: _Optional[_Union[_common_pb2.DishonestyList, str]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class Candidate(_message.Message):
    __slots__ = ("subject", "record_ids", "criterion")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    RECORD_IDS_FIELD_NUMBER: _ClassVar[int]
    CRITERION_FIELD_NUMBER: _ClassVar[int]
    subject: _common_pb2.SubjectId
    record_ids: _containers.RepeatedScalarFieldContainer[str]
    criterion: str
    def __init__(self, subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ..., record_ids: _Optional[_Iterable[str]] = ..., criterion: _Optional[str] = ...) -> None: ...

class ListCandidatesResponse(_message.Message):
    __slots__ = ("candidates", "next_page_token")
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    candidates: _containers.RepeatedCompositeFieldContainer[Candidate]
    next_page_token: str
    def __init__(self, candidates: _Optional[_Iterable[_Union[Candidate, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListNotableSubjectsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "since")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    since: _timestamp_pb2.Timestamp
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListNotableSubjectsResponse(_message.Message):
    __slots__ = ("states", "revision", "next_page_token")
    STATES_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    states: _containers.RepeatedCompositeFieldContainer[SubjectState]
    revision: int
    next_page_token: str
    def __init__(self, states: _Optional[_Iterable[_Union[SubjectState, _Mapping]]] = ..., revision: _Optional[int] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class StreamChangesRequest(_message.Message):
    __slots__ = ("after_revision", "follow", "heartbeat_interval")
    AFTER_REVISION_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    after_revision: int
    follow: bool
    heartbeat_interval: _duration_pb2.Duration
    def __init__(self, after_revision: _Optional[int] = ..., follow: _Optional[bool] = ..., heartbeat_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class StreamChangesResponse(_message.Message):
    __slots__ = ("revision", "state", "current", "record_id", "traceparent", "heartbeat")
    REVISION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    TRACEPARENT_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    revision: int
    state: SubjectState
    current: SubjectClass
    record_id: str
    traceparent: str
    heartbeat: bool
    def __init__(self, revision: _Optional[int] = ..., state: _Optional[_Union[SubjectState, _Mapping]] = ..., current: _Optional[_Union[SubjectClass, _Mapping]] = ..., record_id: _Optional[str] = ..., traceparent: _Optional[str] = ..., heartbeat: _Optional[bool] = ...) -> None: ...

class StreamChangeBatchesRequest(_message.Message):
    __slots__ = ("after_revision", "follow", "heartbeat_interval")
    AFTER_REVISION_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    after_revision: int
    follow: bool
    heartbeat_interval: _duration_pb2.Duration
    def __init__(self, after_revision: _Optional[int] = ..., follow: _Optional[bool] = ..., heartbeat_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class StreamChangeBatchesResponse(_message.Message):
    __slots__ = ("changes", "revision", "heartbeat")
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[StreamChangesResponse]
    revision: int
    heartbeat: bool
    def __init__(self, changes: _Optional[_Iterable[_Union[StreamChangesResponse, _Mapping]]] = ..., revision: _Optional[int] = ..., heartbeat: _Optional[bool] = ...) -> None: ...

class GetStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetStatusResponse(_message.Message):
    __slots__ = ("record_cursor", "revision")
    RECORD_CURSOR_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    record_cursor: str
    revision: int
    def __init__(self, record_cursor: _Optional[str] = ..., revision: _Optional[int] = ...) -> None: ...

class StreamDepartmentChangesRequest(_message.Message):
    __slots__ = ("after_revision", "follow", "heartbeat_interval")
    AFTER_REVISION_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    after_revision: int
    follow: bool
    heartbeat_interval: _duration_pb2.Duration
    def __init__(self, after_revision: _Optional[int] = ..., follow: _Optional[bool] = ..., heartbeat_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class DepartmentReason(_message.Message):
    __slots__ = ("rule", "effect", "since", "until", "source_ids")
    RULE_FIELD_NUMBER: _ClassVar[int]
    EFFECT_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    SOURCE_IDS_FIELD_NUMBER: _ClassVar[int]
    rule: str
    effect: str
    since: _timestamp_pb2.Timestamp
    until: _timestamp_pb2.Timestamp
    source_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, rule: _Optional[str] = ..., effect: _Optional[str] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., source_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class DepartmentChange(_message.Message):
    __slots__ = ("subject", "credit_class", "since", "until", "reasons", "flags", "effective_at")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    CREDIT_CLASS_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_AT_FIELD_NUMBER: _ClassVar[int]
    subject: _common_pb2.SubjectId
    credit_class: _common_pb2.CreditClass
    since: _timestamp_pb2.Timestamp
    until: _timestamp_pb2.Timestamp
    reasons: _containers.RepeatedCompositeFieldContainer[DepartmentReason]
    flags: _containers.RepeatedScalarFieldContainer[_common_pb2.Flag]
    effective_at: _timestamp_pb2.Timestamp
    def __init__(self, subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ..., credit_class: _Optional[_Union[_common_pb2.CreditClass, str]] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reasons: _Optional[_Iterable[_Union[DepartmentReason, _Mapping]]] = ..., flags: _Optional[_Iterable[_Union[_common_pb2.Flag, str]]] = ..., effective_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class StreamDepartmentChangesResponse(_message.Message):
    __slots__ = ("revision", "change", "heartbeat")
    REVISION_FIELD_NUMBER: _ClassVar[int]
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    revision: int
    change: DepartmentChange
    heartbeat: bool
    def __init__(self, revision: _Optional[int] = ..., change: _Optional[_Union[DepartmentChange, _Mapping]] = ..., heartbeat: _Optional[bool] = ...) -> None: ...

class ExportClassesRequest(_message.Message):
    __slots__ = ("as_of", "page_size", "page_token")
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    as_of: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    def __init__(self, as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ExportedRecord(_message.Message):
    __slots__ = ("kind", "decided_on")
    KIND_FIELD_NUMBER: _ClassVar[int]
    DECIDED_ON_FIELD_NUMBER: _ClassVar[int]
    kind: _common_pb2.RecordKind
    decided_on: _common_pb2.Date
    def __init__(self, kind: _Optional[_Union[_common_pb2.RecordKind, str]] = ..., decided_on: _Optional[_Union[_common_pb2.Date, _Mapping]] = ...) -> None: ...

class ExportedReason(_message.Message):
    __slots__ = ("rule", "effect", "since", "until", "records")
    RULE_FIELD_NUMBER: _ClassVar[int]
    EFFECT_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    rule: str
    effect: str
    since: _timestamp_pb2.Timestamp
    until: _timestamp_pb2.Timestamp
    records: _containers.RepeatedCompositeFieldContainer[ExportedRecord]
    def __init__(self, rule: _Optional[str] = ..., effect: _Optional[str] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., records: _Optional[_Iterable[_Union[ExportedRecord, _Mapping]]] = ...) -> None: ...

class ExportedEntity(_message.Message):
    __slots__ = ("subject", "credit_class", "since", "until", "reasons", "measures", "flags")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    CREDIT_CLASS_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    MEASURES_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    subject: _common_pb2.SubjectId
    credit_class: _common_pb2.CreditClass
    since: _timestamp_pb2.Timestamp
    until: _timestamp_pb2.Timestamp
    reasons: _containers.RepeatedCompositeFieldContainer[ExportedReason]
    measures: _containers.RepeatedScalarFieldContainer[str]
    flags: _containers.RepeatedScalarFieldContainer[_common_pb2.Flag]
    def __init__(self, subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ..., credit_class: _Optional[_Union[_common_pb2.CreditClass, str]] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reasons: _Optional[_Iterable[_Union[ExportedReason, _Mapping]]] = ..., measures: _Optional[_Iterable[str]] = ..., flags: _Optional[_Iterable[_Union[_common_pb2.Flag, str]]] = ...) -> None: ...

class IndividualCount(_message.Message):
    __slots__ = ("credit_class", "individuals")
    CREDIT_CLASS_FIELD_NUMBER: _ClassVar[int]
    INDIVIDUALS_FIELD_NUMBER: _ClassVar[int]
    credit_class: _common_pb2.CreditClass
    individuals: int
    def __init__(self, credit_class: _Optional[_Union[_common_pb2.CreditClass, str]] = ..., individuals: _Optional[int] = ...) -> None: ...

class ExportClassesResponse(_message.Message):
    __slots__ = ("as_of", "revision", "rules_version", "catalogue_version", "entities", "resume_token", "individuals", "last")
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    RULES_VERSION_FIELD_NUMBER: _ClassVar[int]
    CATALOGUE_VERSION_FIELD_NUMBER: _ClassVar[int]
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    RESUME_TOKEN_FIELD_NUMBER: _ClassVar[int]
    INDIVIDUALS_FIELD_NUMBER: _ClassVar[int]
    LAST_FIELD_NUMBER: _ClassVar[int]
    as_of: _timestamp_pb2.Timestamp
    revision: int
    rules_version: str
    catalogue_version: str
    entities: _containers.RepeatedCompositeFieldContainer[ExportedEntity]
    resume_token: str
    individuals: _containers.RepeatedCompositeFieldContainer[IndividualCount]
    last: bool
    def __init__(self, as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., revision: _Optional[int] = ..., rules_version: _Optional[str] = ..., catalogue_version: _Optional[str] = ..., entities: _Optional[_Iterable[_Union[ExportedEntity, _Mapping]]] = ..., resume_token: _Optional[str] = ..., individuals: _Optional[_Iterable[_Union[IndividualCount, _Mapping]]] = ..., last: _Optional[bool] = ...) -> None: ...

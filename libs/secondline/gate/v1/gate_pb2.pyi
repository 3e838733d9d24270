import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from secondline.common.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Lane(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LANE_UNSPECIFIED: _ClassVar[Lane]
    LANE_GREEN: _ClassVar[Lane]
    LANE_YELLOW: _ClassVar[Lane]
    LANE_RED: _ClassVar[Lane]

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_DRIVER: _ClassVar[Role]
    ROLE_DECLARANT: _ClassVar[Role]
    ROLE_TRANSPORT_WORKER: _ClassVar[Role]
    ROLE_TRAVELLER: _ClassVar[Role]
LANE_UNSPECIFIED: Lane
LANE_GREEN: Lane
LANE_YELLOW: Lane
LANE_RED: Lane
ROLE_UNSPECIFIED: Role
ROLE_DRIVER: Role
ROLE_DECLARANT: Role
ROLE_TRANSPORT_WORKER: Role
ROLE_TRAVELLER: Role

class Individual(_message.Message):
    __slots__ = ("id", "role")
    ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    id: str
    role: Role
    def __init__(self, id: _Optional[str] = ..., role: _Optional[_Union[Role, str]] = ...) -> None: ...

class Crossing(_message.Message):
    __slots__ = ("crossing_id", "at", "port", "enterprise", "individuals", "batch", "foreign_entity")
    CROSSING_ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    ENTERPRISE_FIELD_NUMBER: _ClassVar[int]
    INDIVIDUALS_FIELD_NUMBER: _ClassVar[int]
    BATCH_FIELD_NUMBER: _ClassVar[int]
    FOREIGN_ENTITY_FIELD_NUMBER: _ClassVar[int]
    crossing_id: str
    at: _timestamp_pb2.Timestamp
    port: str
    enterprise: str
    individuals: _containers.RepeatedCompositeFieldContainer[Individual]
    batch: bool
    foreign_entity: str
    def __init__(self, crossing_id: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., port: _Optional[str] = ..., enterprise: _Optional[str] = ..., individuals: _Optional[_Iterable[_Union[Individual, _Mapping]]] = ..., batch: _Optional[bool] = ..., foreign_entity: _Optional[str] = ...) -> None: ...

class Measure(_message.Message):
    __slots__ = ("name", "rule", "subject")
    NAME_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    name: str
    rule: str
    subject: _common_pb2.SubjectId
    def __init__(self, name: _Optional[str] = ..., rule: _Optional[str] = ..., subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ...) -> None: ...

class PartyDecision(_message.Message):
    __slots__ = ("subject", "role", "credit_class", "flags", "inspection_rate", "drawn", "lane", "reasons")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    CREDIT_CLASS_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    INSPECTION_RATE_FIELD_NUMBER: _ClassVar[int]
    DRAWN_FIELD_NUMBER: _ClassVar[int]
    LANE_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    subject: _common_pb2.SubjectId
    role: Role
    credit_class: _common_pb2.CreditClass
    flags: _containers.RepeatedScalarFieldContainer[_common_pb2.Flag]
    inspection_rate: float
    drawn: bool
    lane: Lane
    reasons: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ..., role: _Optional[_Union[Role, str]] = ..., credit_class: _Optional[_Union[_common_pb2.CreditClass, str]] = ..., flags: _Optional[_Iterable[_Union[_common_pb2.Flag, str]]] = ..., inspection_rate: _Optional[float] = ..., drawn: _Optional[bool] = ..., lane: _Optional[_Union[Lane, str]] = ..., reasons: _Optional[_Iterable[str]] = ...) -> None: ...

class Decision(_message.Message):
    __slots__ = ("decision_id", "crossing_id", "lane", "refused", "reasons", "measures", "config_version", "classification_revision", "parties", "degraded", "snapshot_age", "consolidated_declaration_due", "refusal_detail", "decided_at")
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    CROSSING_ID_FIELD_NUMBER: _ClassVar[int]
    LANE_FIELD_NUMBER: _ClassVar[int]
    REFUSED_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    MEASURES_FIELD_NUMBER: _ClassVar[int]
    CONFIG_VERSION_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_REVISION_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    DEGRADED_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_AGE_FIELD_NUMBER: _ClassVar[int]
    CONSOLIDATED_DECLARATION_DUE_FIELD_NUMBER: _ClassVar[int]
    REFUSAL_DETAIL_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    decision_id: str
    crossing_id: str
    lane: Lane
    refused: bool
    reasons: _containers.RepeatedScalarFieldContainer[str]
    measures: _containers.RepeatedCompositeFieldContainer[Measure]
    config_version: str
    classification_revision: int
    parties: _containers.RepeatedCompositeFieldContainer[PartyDecision]
    degraded: bool
    snapshot_age: _duration_pb2.Duration
    consolidated_declaration_due: _common_pb2.Date
    refusal_detail: str
    decided_at: _timestamp_pb2.Timestamp
    def __init__(self, decision_id: _Optional[str] = ..., crossing_id: _Optional[str] = ..., lane: _Optional[_Union[Lane, str]] = ..., refused: _Optional[bool] = ..., reasons: _Optional[_Iterable[str]] = ..., measures: _Optional[_Iterable[_Union[Measure, _Mapping]]] = ..., config_version: _Optional[str] = ..., classification_revision: _Optional[int] = ..., parties: _Optional[_Iterable[_Union[PartyDecision, _Mapping]]] = ..., degraded: _Optional[bool] = ..., snapshot_age: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., consolidated_declaration_due: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., refusal_detail: _Optional[str] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DecideRequest(_message.Message):
    __slots__ = ("crossing",)
    CROSSING_FIELD_NUMBER: _ClassVar[int]
    crossing: Crossing
    def __init__(self, crossing: _Optional[_Union[Crossing, _Mapping]] = ...) -> None: ...

class DecideResponse(_message.Message):
    __slots__ = ("decision",)
    DECISION_FIELD_NUMBER: _ClassVar[int]
    decision: Decision
    def __init__(self, decision: _Optional[_Union[Decision, _Mapping]] = ...) -> None: ...

class BatchDecideRequest(_message.Message):
    __slots__ = ("crossings",)
    CROSSINGS_FIELD_NUMBER: _ClassVar[int]
    crossings: _containers.RepeatedCompositeFieldContainer[Crossing]
    def __init__(self, crossings: _Optional[_Iterable[_Union[Crossing, _Mapping]]] = ...) -> None: ...

class BatchDecideResponse(_message.Message):
    __slots__ = ("decisions",)
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    decisions: _containers.RepeatedCompositeFieldContainer[Decision]
    def __init__(self, decisions: _Optional[_Iterable[_Union[Decision, _Mapping]]] = ...) -> None: ...

class ReplayDecisionRequest(_message.Message):
    __slots__ = ("decision_id",)
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    decision_id: str
    def __init__(self, decision_id: _Optional[str] = ...) -> None: ...

class ReplayDecisionResponse(_message.Message):
    __slots__ = ("crossing", "logged", "replayed", "matches", "caller")
    CROSSING_FIELD_NUMBER: _ClassVar[int]
    LOGGED_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    MATCHES_FIELD_NUMBER: _ClassVar[int]
    CALLER_FIELD_NUMBER: _ClassVar[int]
    crossing: Crossing
    logged: Decision
    replayed: Decision
    matches: bool
    caller: str
    def __init__(self, crossing: _Optional[_Union[Crossing, _Mapping]] = ..., logged: _Optional[_Union[Decision, _Mapping]] = ..., replayed: _Optional[_Union[Decision, _Mapping]] = ..., matches: _Optional[bool] = ..., caller: _Optional[str] = ...) -> None: ...

class GetGateStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetGateStatusResponse(_message.Message):
    __slots__ = ("classification_revision", "subjects", "loaded", "snapshot_age", "degraded", "decisions_logged", "decisions_queued", "decisions_dropped", "config_versions", "worker")
    CLASSIFICATION_REVISION_FIELD_NUMBER: _ClassVar[int]
    SUBJECTS_FIELD_NUMBER: _ClassVar[int]
    LOADED_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_AGE_FIELD_NUMBER: _ClassVar[int]
    DEGRADED_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_LOGGED_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_QUEUED_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_DROPPED_FIELD_NUMBER: _ClassVar[int]
    CONFIG_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    classification_revision: int
    subjects: int
    loaded: bool
    snapshot_age: _duration_pb2.Duration
    degraded: bool
    decisions_logged: int
    decisions_queued: int
    decisions_dropped: int
    config_versions: _containers.RepeatedScalarFieldContainer[str]
    worker: int
    def __init__(self, classification_revision: _Optional[int] = ..., subjects: _Optional[int] = ..., loaded: _Optional[bool] = ..., snapshot_age: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., degraded: _Optional[bool] = ..., decisions_logged: _Optional[int] = ..., decisions_queued: _Optional[int] = ..., decisions_dropped: _Optional[int] = ..., config_versions: _Optional[_Iterable[str]] = ..., worker: _Optional[int] = ...) -> None: ...

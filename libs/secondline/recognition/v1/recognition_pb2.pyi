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

class Direction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DIRECTION_UNSPECIFIED: _ClassVar[Direction]
    DIRECTION_RECEIVED: _ClassVar[Direction]
    DIRECTION_SENT: _ClassVar[Direction]
DIRECTION_UNSPECIFIED: Direction
DIRECTION_RECEIVED: Direction
DIRECTION_SENT: Direction

class SubmitEnvelopeRequest(_message.Message):
    __slots__ = ("envelope",)
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    envelope: str
    def __init__(self, envelope: _Optional[str] = ...) -> None: ...

class Acceptance(_message.Message):
    __slots__ = ("envelope_hash", "log_index", "source_id", "effect", "table_version", "replayed", "record_id", "record_cursor")
    ENVELOPE_HASH_FIELD_NUMBER: _ClassVar[int]
    LOG_INDEX_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECT_FIELD_NUMBER: _ClassVar[int]
    TABLE_VERSION_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    RECORD_CURSOR_FIELD_NUMBER: _ClassVar[int]
    envelope_hash: bytes
    log_index: int
    source_id: str
    effect: _common_pb2.PartnerEffect
    table_version: str
    replayed: bool
    record_id: str
    record_cursor: str
    def __init__(self, envelope_hash: _Optional[bytes] = ..., log_index: _Optional[int] = ..., source_id: _Optional[str] = ..., effect: _Optional[_Union[_common_pb2.PartnerEffect, str]] = ..., table_version: _Optional[str] = ..., replayed: _Optional[bool] = ..., record_id: _Optional[str] = ..., record_cursor: _Optional[str] = ...) -> None: ...

class SubmitEnvelopeResponse(_message.Message):
    __slots__ = ("acceptance",)
    ACCEPTANCE_FIELD_NUMBER: _ClassVar[int]
    acceptance: Acceptance
    def __init__(self, acceptance: _Optional[_Union[Acceptance, _Mapping]] = ...) -> None: ...

class SubmitEnvelopesRequest(_message.Message):
    __slots__ = ("envelopes",)
    ENVELOPES_FIELD_NUMBER: _ClassVar[int]
    envelopes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, envelopes: _Optional[_Iterable[str]] = ...) -> None: ...

class EnvelopeResult(_message.Message):
    __slots__ = ("index", "acceptance", "error")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    ACCEPTANCE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    index: int
    acceptance: Acceptance
    error: _status_pb2.Status
    def __init__(self, index: _Optional[int] = ..., acceptance: _Optional[_Union[Acceptance, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class SubmitEnvelopesResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[EnvelopeResult]
    def __init__(self, results: _Optional[_Iterable[_Union[EnvelopeResult, _Mapping]]] = ...) -> None: ...

class GetCreditReportRequest(_message.Message):
    __slots__ = ("subject", "as_of")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    subject: _common_pb2.SubjectId
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetCreditReportResponse(_message.Message):
    __slots__ = ("envelope", "key_id", "log_index")
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    LOG_INDEX_FIELD_NUMBER: _ClassVar[int]
    envelope: str
    key_id: str
    log_index: int
    def __init__(self, envelope: _Optional[str] = ..., key_id: _Optional[str] = ..., log_index: _Optional[int] = ...) -> None: ...

class StreamClassChangesRequest(_message.Message):
    __slots__ = ("after_cursor", "follow")
    AFTER_CURSOR_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_FIELD_NUMBER: _ClassVar[int]
    after_cursor: str
    follow: bool
    def __init__(self, after_cursor: _Optional[str] = ..., follow: _Optional[bool] = ...) -> None: ...

class SignedChange(_message.Message):
    __slots__ = ("cursor", "envelope", "log_index")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    LOG_INDEX_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    envelope: str
    log_index: int
    def __init__(self, cursor: _Optional[str] = ..., envelope: _Optional[str] = ..., log_index: _Optional[int] = ...) -> None: ...

class StreamClassChangesResponse(_message.Message):
    __slots__ = ("changes",)
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[SignedChange]
    def __init__(self, changes: _Optional[_Iterable[_Union[SignedChange, _Mapping]]] = ...) -> None: ...

class ListPublicKeysRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PublicKey(_message.Message):
    __slots__ = ("key_id", "public_key", "valid_from", "valid_until", "current")
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    public_key: bytes
    valid_from: _timestamp_pb2.Timestamp
    valid_until: _timestamp_pb2.Timestamp
    current: bool
    def __init__(self, key_id: _Optional[str] = ..., public_key: _Optional[bytes] = ..., valid_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., valid_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., current: _Optional[bool] = ...) -> None: ...

class ListPublicKeysResponse(_message.Message):
    __slots__ = ("keys", "log_verifier_key", "log_origin", "keys_file")
    KEYS_FIELD_NUMBER: _ClassVar[int]
    LOG_VERIFIER_KEY_FIELD_NUMBER: _ClassVar[int]
    LOG_ORIGIN_FIELD_NUMBER: _ClassVar[int]
    KEYS_FILE_FIELD_NUMBER: _ClassVar[int]
    keys: _containers.RepeatedCompositeFieldContainer[PublicKey]
    log_verifier_key: str
    log_origin: str
    keys_file: str
    def __init__(self, keys: _Optional[_Iterable[_Union[PublicKey, _Mapping]]] = ..., log_verifier_key: _Optional[str] = ..., log_origin: _Optional[str] = ..., keys_file: _Optional[str] = ...) -> None: ...

class GetCheckpointRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetCheckpointResponse(_message.Message):
    __slots__ = ("checkpoint", "tree_size", "root_hash")
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    ROOT_HASH_FIELD_NUMBER: _ClassVar[int]
    checkpoint: str
    tree_size: int
    root_hash: bytes
    def __init__(self, checkpoint: _Optional[str] = ..., tree_size: _Optional[int] = ..., root_hash: _Optional[bytes] = ...) -> None: ...

class GetLogEntryRequest(_message.Message):
    __slots__ = ("index",)
    INDEX_FIELD_NUMBER: _ClassVar[int]
    index: int
    def __init__(self, index: _Optional[int] = ...) -> None: ...

class LogEntry(_message.Message):
    __slots__ = ("index", "envelope", "envelope_hash", "direction", "partner", "logged_at")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    ENVELOPE_HASH_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    PARTNER_FIELD_NUMBER: _ClassVar[int]
    LOGGED_AT_FIELD_NUMBER: _ClassVar[int]
    index: int
    envelope: str
    envelope_hash: bytes
    direction: Direction
    partner: str
    logged_at: _timestamp_pb2.Timestamp
    def __init__(self, index: _Optional[int] = ..., envelope: _Optional[str] = ..., envelope_hash: _Optional[bytes] = ..., direction: _Optional[_Union[Direction, str]] = ..., partner: _Optional[str] = ..., logged_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetLogEntryResponse(_message.Message):
    __slots__ = ("entry",)
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    entry: LogEntry
    def __init__(self, entry: _Optional[_Union[LogEntry, _Mapping]] = ...) -> None: ...

class GetInclusionProofRequest(_message.Message):
    __slots__ = ("index", "envelope_hash", "tree_size")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    ENVELOPE_HASH_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    index: int
    envelope_hash: bytes
    tree_size: int
    def __init__(self, index: _Optional[int] = ..., envelope_hash: _Optional[bytes] = ..., tree_size: _Optional[int] = ...) -> None: ...

class GetInclusionProofResponse(_message.Message):
    __slots__ = ("index", "tree_size", "proof", "checkpoint")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PROOF_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    index: int
    tree_size: int
    proof: _containers.RepeatedScalarFieldContainer[bytes]
    checkpoint: str
    def __init__(self, index: _Optional[int] = ..., tree_size: _Optional[int] = ..., proof: _Optional[_Iterable[bytes]] = ..., checkpoint: _Optional[str] = ...) -> None: ...

class GetConsistencyProofRequest(_message.Message):
    __slots__ = ("old_size", "new_size")
    OLD_SIZE_FIELD_NUMBER: _ClassVar[int]
    NEW_SIZE_FIELD_NUMBER: _ClassVar[int]
    old_size: int
    new_size: int
    def __init__(self, old_size: _Optional[int] = ..., new_size: _Optional[int] = ...) -> None: ...

class GetConsistencyProofResponse(_message.Message):
    __slots__ = ("old_size", "new_size", "proof", "old_checkpoint", "new_checkpoint")
    OLD_SIZE_FIELD_NUMBER: _ClassVar[int]
    NEW_SIZE_FIELD_NUMBER: _ClassVar[int]
    PROOF_FIELD_NUMBER: _ClassVar[int]
    OLD_CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    NEW_CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    old_size: int
    new_size: int
    proof: _containers.RepeatedScalarFieldContainer[bytes]
    old_checkpoint: str
    new_checkpoint: str
    def __init__(self, old_size: _Optional[int] = ..., new_size: _Optional[int] = ..., proof: _Optional[_Iterable[bytes]] = ..., old_checkpoint: _Optional[str] = ..., new_checkpoint: _Optional[str] = ...) -> None: ...

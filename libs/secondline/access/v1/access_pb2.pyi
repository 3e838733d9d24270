import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from secondline.common.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SubjectRead(_message.Message):
    __slots__ = ("principal", "read_at", "rpc")
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    READ_AT_FIELD_NUMBER: _ClassVar[int]
    RPC_FIELD_NUMBER: _ClassVar[int]
    principal: str
    read_at: _timestamp_pb2.Timestamp
    rpc: str
    def __init__(self, principal: _Optional[str] = ..., read_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., rpc: _Optional[str] = ...) -> None: ...

class ListSubjectReadsRequest(_message.Message):
    __slots__ = ("subject", "page_size", "page_token")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    subject: _common_pb2.SubjectId
    page_size: int
    page_token: str
    def __init__(self, subject: _Optional[_Union[_common_pb2.SubjectId, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSubjectReadsResponse(_message.Message):
    __slots__ = ("reads", "next_page_token")
    READS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    reads: _containers.RepeatedCompositeFieldContainer[SubjectRead]
    next_page_token: str
    def __init__(self, reads: _Optional[_Iterable[_Union[SubjectRead, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

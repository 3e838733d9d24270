from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Department(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEPARTMENT_UNSPECIFIED: _ClassVar[Department]
    DEPARTMENT_CUSTOMS: _ClassVar[Department]
    DEPARTMENT_MARITIME: _ClassVar[Department]
    DEPARTMENT_ANTI_SMUGGLING: _ClassVar[Department]
    DEPARTMENT_TRANSPORT: _ClassVar[Department]
    DEPARTMENT_POSTAL: _ClassVar[Department]
    DEPARTMENT_AGRICULTURE: _ClassVar[Department]
    DEPARTMENT_FORESTRY: _ClassVar[Department]
    DEPARTMENT_MARKET_REGULATION: _ClassVar[Department]
    DEPARTMENT_TAX: _ClassVar[Department]
    DEPARTMENT_COURT: _ClassVar[Department]
    DEPARTMENT_PROCURATORATE: _ClassVar[Department]
    DEPARTMENT_COAST_GUARD: _ClassVar[Department]

class RecordKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECORD_KIND_UNSPECIFIED: _ClassVar[RecordKind]
    RECORD_KIND_AEO_GRANTED: _ClassVar[RecordKind]
    RECORD_KIND_AEO_REVOKED: _ClassVar[RecordKind]
    RECORD_KIND_INDUSTRY_RATING: _ClassVar[RecordKind]
    RECORD_KIND_SMUGGLING_PENALTY: _ClassVar[RecordKind]
    RECORD_KIND_SMUGGLING_CRIME: _ClassVar[RecordKind]
    RECORD_KIND_DISHONESTY_LISTED: _ClassVar[RecordKind]
    RECORD_KIND_DISHONESTY_REMOVED: _ClassVar[RecordKind]
    RECORD_KIND_OTHER_LEGAL_LISTING: _ClassVar[RecordKind]
    RECORD_KIND_RISK_ALERT: _ClassVar[RecordKind]
    RECORD_KIND_CREDIT_COMMITMENT: _ClassVar[RecordKind]
    RECORD_KIND_CORRECTION: _ClassVar[RecordKind]
    RECORD_KIND_WITHDRAWAL: _ClassVar[RecordKind]
    RECORD_KIND_OBJECTION_OPENED: _ClassVar[RecordKind]
    RECORD_KIND_OBJECTION_CLOSED: _ClassVar[RecordKind]

class CreditClass(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CREDIT_CLASS_UNSPECIFIED: _ClassVar[CreditClass]
    CREDIT_CLASS_WHITELIST: _ClassVar[CreditClass]
    CREDIT_CLASS_AEO: _ClassVar[CreditClass]
    CREDIT_CLASS_WATCHLIST: _ClassVar[CreditClass]

class DishonestyList(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DISHONESTY_LIST_UNSPECIFIED: _ClassVar[DishonestyList]
    DISHONESTY_LIST_ANTI_SMUGGLING: _ClassVar[DishonestyList]
    DISHONESTY_LIST_MARITIME: _ClassVar[DishonestyList]

class Severity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEVERITY_UNSPECIFIED: _ClassVar[Severity]
    SEVERITY_MINOR: _ClassVar[Severity]
    SEVERITY_GENERAL: _ClassVar[Severity]
    SEVERITY_SERIOUS: _ClassVar[Severity]

class CommitmentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMMITMENT_STATUS_UNSPECIFIED: _ClassVar[CommitmentStatus]
    COMMITMENT_STATUS_MADE: _ClassVar[CommitmentStatus]
    COMMITMENT_STATUS_FULFILLED: _ClassVar[CommitmentStatus]
    COMMITMENT_STATUS_BREACHED: _ClassVar[CommitmentStatus]

class Flag(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FLAG_UNSPECIFIED: _ClassVar[Flag]
    FLAG_RISK_ALERT: _ClassVar[Flag]
    FLAG_DISHONESTY_ANTI_SMUGGLING: _ClassVar[Flag]
    FLAG_DISHONESTY_MARITIME: _ClassVar[Flag]
    FLAG_UNDER_OBJECTION: _ClassVar[Flag]
    FLAG_DISHONESTY_PARTNER: _ClassVar[Flag]

class PartnerEffect(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PARTNER_EFFECT_UNSPECIFIED: _ClassVar[PartnerEffect]
    PARTNER_EFFECT_AEO: _ClassVar[PartnerEffect]
    PARTNER_EFFECT_LOWEST: _ClassVar[PartnerEffect]
    PARTNER_EFFECT_SERIOUS_DISHONESTY: _ClassVar[PartnerEffect]
    PARTNER_EFFECT_NONE: _ClassVar[PartnerEffect]
DEPARTMENT_UNSPECIFIED: Department
DEPARTMENT_CUSTOMS: Department
DEPARTMENT_MARITIME: Department
DEPARTMENT_ANTI_SMUGGLING: Department
DEPARTMENT_TRANSPORT: Department
DEPARTMENT_POSTAL: Department
DEPARTMENT_AGRICULTURE: Department
DEPARTMENT_FORESTRY: Department
DEPARTMENT_MARKET_REGULATION: Department
DEPARTMENT_TAX: Department
DEPARTMENT_COURT: Department
DEPARTMENT_PROCURATORATE: Department
DEPARTMENT_COAST_GUARD: Department
RECORD_KIND_UNSPECIFIED: RecordKind
RECORD_KIND_AEO_GRANTED: RecordKind
RECORD_KIND_AEO_REVOKED: RecordKind
RECORD_KIND_INDUSTRY_RATING: RecordKind
RECORD_KIND_SMUGGLING_PENALTY: RecordKind
RECORD_KIND_SMUGGLING_CRIME: RecordKind
RECORD_KIND_DISHONESTY_LISTED: RecordKind
RECORD_KIND_DISHONESTY_REMOVED: RecordKind
RECORD_KIND_OTHER_LEGAL_LISTING: RecordKind
RECORD_KIND_RISK_ALERT: RecordKind
RECORD_KIND_CREDIT_COMMITMENT: RecordKind
RECORD_KIND_CORRECTION: RecordKind
RECORD_KIND_WITHDRAWAL: RecordKind
RECORD_KIND_OBJECTION_OPENED: RecordKind
RECORD_KIND_OBJECTION_CLOSED: RecordKind
CREDIT_CLASS_UNSPECIFIED: CreditClass
CREDIT_CLASS_WHITELIST: CreditClass
CREDIT_CLASS_AEO: CreditClass
CREDIT_CLASS_WATCHLIST: CreditClass
DISHONESTY_LIST_UNSPECIFIED: DishonestyList
DISHONESTY_LIST_ANTI_SMUGGLING: DishonestyList
DISHONESTY_LIST_MARITIME: DishonestyList
SEVERITY_UNSPECIFIED: Severity
SEVERITY_MINOR: Severity
SEVERITY_GENERAL: Severity
SEVERITY_SERIOUS: Severity
COMMITMENT_STATUS_UNSPECIFIED: CommitmentStatus
COMMITMENT_STATUS_MADE: CommitmentStatus
COMMITMENT_STATUS_FULFILLED: CommitmentStatus
COMMITMENT_STATUS_BREACHED: CommitmentStatus
FLAG_UNSPECIFIED: Flag
FLAG_RISK_ALERT: Flag
FLAG_DISHONESTY_ANTI_SMUGGLING: Flag
FLAG_DISHONESTY_MARITIME: Flag
FLAG_UNDER_OBJECTION: Flag
FLAG_DISHONESTY_PARTNER: Flag
PARTNER_EFFECT_UNSPECIFIED: PartnerEffect
PARTNER_EFFECT_AEO: PartnerEffect
PARTNER_EFFECT_LOWEST: PartnerEffect
PARTNER_EFFECT_SERIOUS_DISHONESTY: PartnerEffect
PARTNER_EFFECT_NONE: PartnerEffect

class Date(_message.Message):
    __slots__ = ("year", "month", "day")
    YEAR_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    year: int
    month: int
    day: int
    def __init__(self, year: _Optional[int] = ..., month: _Optional[int] = ..., day: _Optional[int] = ...) -> None: ...

class SubjectId(_message.Message):
    __slots__ = ("enterprise", "individual", "foreign", "pseudonym")
    ENTERPRISE_FIELD_NUMBER: _ClassVar[int]
    INDIVIDUAL_FIELD_NUMBER: _ClassVar[int]
    FOREIGN_FIELD_NUMBER: _ClassVar[int]
    PSEUDONYM_FIELD_NUMBER: _ClassVar[int]
    enterprise: str
    individual: str
    foreign: str
    pseudonym: str
    def __init__(self, enterprise: _Optional[str] = ..., individual: _Optional[str] = ..., foreign: _Optional[str] = ..., pseudonym: _Optional[str] = ...) -> None: ...

class PartnerOrigin(_message.Message):
    __slots__ = ("partner", "grade", "table_version", "effect", "score", "envelope_hash")
    PARTNER_FIELD_NUMBER: _ClassVar[int]
    GRADE_FIELD_NUMBER: _ClassVar[int]
    TABLE_VERSION_FIELD_NUMBER: _ClassVar[int]
    EFFECT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    ENVELOPE_HASH_FIELD_NUMBER: _ClassVar[int]
    partner: str
    grade: str
    table_version: str
    effect: PartnerEffect
    score: str
    envelope_hash: str
    def __init__(self, partner: _Optional[str] = ..., grade: _Optional[str] = ..., table_version: _Optional[str] = ..., effect: _Optional[_Union[PartnerEffect, str]] = ..., score: _Optional[str] = ..., envelope_hash: _Optional[str] = ...) -> None: ...

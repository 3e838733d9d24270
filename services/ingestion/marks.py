"""What the objection service files through ingestion (RULES O-2, O-4, L-4, R-1, R-4).

Two things, and only these:

* an objection's marks, OBJECTION_OPENED and OBJECTION_CLOSED, filed by ``service/objection``
  as itself (stored under the source :data:`MARK_SOURCE`), so that the one record log and the
  one feed carry them to classification and on to the gate (O-2);
* an owner's records filed on its behalf: WITHDRAWAL or CORRECTION for an upheld objection
  (O-4), DISHONESTY_REMOVED and CREDIT_COMMITMENT for an approved repair (L-4). They are
  checked exactly as if the owner had filed them (R-1, R-4) and keep who asked (``filed_by``).

A department's own filing may set none of the objection service's fields.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from secondline.auth import Principal
from secondline.dates import cst_date
from secondline.errors import FieldViolation, InvalidArgument, PermissionDenied
from secondline.identifiers import IdentifierError, parse_enterprise, parse_individual
from secondline.rules_config import RulesConfig
from secondline.text import text_problem

from .domain import Content, Draft, RecordInput, Subject
from .validation import Limits, check_at_edge

MARK_KINDS = ("OBJECTION_OPENED", "OBJECTION_CLOSED")
MARK_SOURCE = "OBJECTION"
"""The source a mark is stored under; it is no department (the contract shows none)."""
OBJECTION_SERVICE = "service/objection"
ID_MAX = 64
MARKED_RECORDS_MAX = 100
# What the objection service may file for an owner, and the field that must name why.
ON_BEHALF = {"WITHDRAWAL": "objection_id", "CORRECTION": "objection_id",
             "DISHONESTY_REMOVED": "repair_id", "CREDIT_COMMITMENT": "repair_id"}


def prepare(principal: Principal, raw: RecordInput, *, on_behalf_of: str, received_at: datetime,
            rules: RulesConfig, traceparent: str = "", limits: Limits = Limits()) -> Draft:
    """The draft of a record filed by ``principal``, or why it is refused."""
    if str(principal) == OBJECTION_SERVICE:
        if raw.kind in MARK_KINDS:
            if on_behalf_of:
                raise InvalidArgument.of([FieldViolation("on_behalf_of", "is not taken by objection marks")])
            return check_mark(raw, received_at=received_at, traceparent=traceparent, limits=limits)
        return _on_behalf(raw, on_behalf_of, received_at, rules, traceparent, limits)
    principal.require("department", action="file records")
    if on_behalf_of:
        raise PermissionDenied(message=f"{principal} may not file on behalf of another department; only "
                               f"{OBJECTION_SERVICE} may, for objections and repairs",
                               reason="PRINCIPAL_NOT_ALLOWED", metadata={"principal": str(principal)})
    refuse_service_fields(raw)
    return check_at_edge(raw, source=principal.name, received_at=received_at, rules=rules, traceparent=traceparent,
                         limits=limits)


def refuse_service_fields(raw: RecordInput, *, partner_source: bool = False) -> None:
    """A department states none of the objection service's fields, nor a partner's origin (which
    only a record filed under a partner's source, by the recognition service, carries)."""
    problems = [FieldViolation(name, f"is set only by {OBJECTION_SERVICE}")
                for name in ("objection_id", "repair_id", "mark") if getattr(raw, name)]
    if raw.partner is not None and not partner_source:  # a partner's record comes only through recognition
        problems.append(FieldViolation("partner", "is set only by service/recognition, for a partner's records"))
    if problems:
        raise InvalidArgument.of(problems)


def _on_behalf(raw: RecordInput, department: str, received_at: datetime, rules: RulesConfig, traceparent: str,
               limits: Limits) -> Draft:
    needed = ON_BEHALF.get(raw.kind)
    if needed is None:
        raise PermissionDenied(
            message=f"{OBJECTION_SERVICE} files only objection marks and {', '.join(ON_BEHALF)} records on an owner's behalf",
            reason="KIND_NOT_ALLOWED", metadata={"kind": raw.kind})
    problems = []
    if not department:
        problems.append(FieldViolation("on_behalf_of", "is required: the owner the record is filed for"))
    for name in ("objection_id", "repair_id"):
        value = getattr(raw, name)
        if name == needed and not _is_id(value):
            problems.append(FieldViolation(name, f"is required for {raw.kind} filed on an owner's behalf: "
                                           f"at most {ID_MAX} printable characters"))
        elif name != needed and value:
            problems.append(FieldViolation(name, f"is not taken by {raw.kind} records"))
    if raw.mark is not None:
        problems.append(FieldViolation("mark", f"is not taken by {raw.kind} records"))
    if problems:
        raise InvalidArgument.of(problems)
    # as if the owner filed it: its own kinds, its own records only.
    draft = check_at_edge(raw, source=department, received_at=received_at, rules=rules, traceparent=traceparent,
                          limits=limits)
    content = replace(draft.content, objection_id=raw.objection_id, repair_id=raw.repair_id)
    return replace(draft, content=content, digest=content.digest(), filed_by=OBJECTION_SERVICE)


def check_mark(raw: RecordInput, *, received_at: datetime, traceparent: str = "", limits: Limits = Limits()) -> Draft:
    """OBJECTION_OPENED / OBJECTION_CLOSED: an objection's mark (O-2)."""
    problems: list[FieldViolation] = []
    if not raw.source_id.strip():
        problems.append(FieldViolation("source_id", "is required: the objection service's own id of the mark (R-3)"))
    elif problem := text_problem(raw.source_id, limits.text_chars):
        problems.append(FieldViolation("source_id", problem))
    subject = _subject(raw, cst_date(received_at), problems)
    mark = raw.mark
    if mark is None:
        problems.append(FieldViolation("mark", f"is required for {raw.kind} records"))
    else:
        if not _is_id(mark.objection_id):
            problems.append(FieldViolation("mark.objection_id", f"is required: at most {ID_MAX} printable characters"))
        if mark.at is None:
            problems.append(FieldViolation("mark.at", "is required: when the mark starts or ends"))
        elif mark.at > received_at:
            problems.append(FieldViolation("mark.at", f"{mark.at.isoformat()} is after the record is received"))
        if raw.kind == "OBJECTION_OPENED":
            if not 0 < len(mark.record_ids) <= MARKED_RECORDS_MAX:
                problems.append(FieldViolation("mark.record_ids", f"must name 1 to {MARKED_RECORDS_MAX} disputed records"))
            elif len(set(mark.record_ids)) != len(mark.record_ids):
                problems.append(FieldViolation("mark.record_ids", "names a record twice"))
        elif mark.record_ids:
            problems.append(FieldViolation("mark.record_ids", "is not taken by OBJECTION_CLOSED records"))
    for name in ("grade", "list", "severity", "valid_until", "commitment", "corrects", "withdraws",
                 "legal_basis", "objection_id", "repair_id", "decided_on"):
        if getattr(raw, name):
            problems.append(FieldViolation(name, f"is not taken by {raw.kind} records"))
    if problems:
        raise InvalidArgument.of(problems)
    content = Content(kind=raw.kind, subject=subject, decided_on=cst_date(mark.at), mark=mark)
    return Draft(source=MARK_SOURCE, source_id=raw.source_id, content=content, submitted_at=received_at,
                 submitted_on=cst_date(received_at), late=False, traceparent=traceparent,
                 digest=content.digest(), filed_by=OBJECTION_SERVICE)


def _subject(raw: RecordInput, today, problems: list[FieldViolation]) -> Subject | None:
    try:
        if raw.subject_type == "enterprise":
            return Subject("enterprise", parse_enterprise(raw.subject_text))
        if raw.subject_type == "individual":
            return Subject("individual", parse_individual(raw.subject_text, today=today))
    except IdentifierError as exc:
        problems.append(FieldViolation(f"subject.{raw.subject_type}", str(exc)))
        return None
    problems.append(FieldViolation("subject", "is required: set enterprise or individual"))
    return None


def _is_id(value: str) -> bool:
    return bool(value) and len(value) <= ID_MAX and value.isprintable() and not value.isspace()


def mark_violations(content: Content, disputed: dict, superseded: dict) -> list[FieldViolation]:
    """OBJECTION_OPENED against the log: each disputed record is a current record of the subject."""
    problems = []
    for i, record_id in enumerate(content.mark.record_ids):
        record = disputed.get(record_id)
        name = f"mark.record_ids[{i}]"
        if record is None or record.content.subject != content.subject:
            problems.append(FieldViolation(name, f"{record_id!r} is no record of the subject"))
        elif record.source == MARK_SOURCE or record.content.kind == "WITHDRAWAL":
            problems.append(FieldViolation(name, f"{record_id!r} is a {record.content.kind} record, not one that can be disputed"))
        elif superseded.get(record_id):
            problems.append(FieldViolation(name, f"{record_id!r} was superseded by {superseded[record_id]} (R-4)"))
    return problems

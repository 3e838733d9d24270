"""Checks at the edge, before anything is stored (RULES S-2, S-3, R-1, R-3, R-5, R-6).

Every problem found is reported at once, each naming its field by its path in the request's
``record``. Checks that need the log (what a correction names, R-3 conflicts) are in
:mod:`.store`; the rules for which fields a kind takes are here, shared by both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from secondline.dates import cst_date, period_last_day
from secondline.errors import FieldViolation, InvalidArgument, PermissionDenied
from secondline.foreign_codes import parse_foreign
from secondline.identifiers import IdentifierError, parse_enterprise, parse_individual
from secondline.rules_config import RECORD_KINDS, RulesConfig, RuleVersion
from secondline.text import text_problem

from .domain import Content, Draft, PartnerOrigin, RawDate, RecordInput, RecordRef, Subject



@dataclass(frozen=True)
class Limits:
    """How long free text in a record may be (settings ``limits``)."""

    text_chars: int = 128
    """source_id, grade, and the ids a correction or withdrawal names."""
    legal_basis_chars: int = 1000
    """legal_basis, the one field of prose."""


LISTS = ("ANTI_SMUGGLING", "MARITIME")
SEVERITIES = ("MINOR", "GENERAL", "SERIOUS")
COMMITMENTS = ("MADE", "FULFILLED", "BREACHED")
# The optional fields each kind takes, and which of them it requires.
KIND_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "AEO_GRANTED": ({"valid_until"}, set()),
    "INDUSTRY_RATING": ({"grade"}, {"grade"}),
    "DISHONESTY_LISTED": ({"list", "severity"}, {"list", "severity"}),
    "DISHONESTY_REMOVED": ({"list"}, {"list"}),
    "RISK_ALERT": ({"valid_until"}, {"valid_until"}),
    "CREDIT_COMMITMENT": ({"commitment"}, set()),
    "OTHER_LEGAL_LISTING": ({"legal_basis"}, set()),
}
CONTENT_FIELDS = ("grade", "list", "severity", "valid_until", "commitment", "legal_basis")
# AEO certification (E-A) and industry ratings are about business entities only.
ENTERPRISE_KINDS = ("AEO_GRANTED", "AEO_REVOKED", "INDUSTRY_RATING")
# Business entities: Chinese ones by USCC (S-2), foreign operators by their partner's code (S-4).
ENTITY_TYPES = ("enterprise", "foreign")
# What a partner's record may be: its AEO certifications and its grades.
PARTNER_KINDS = ("AEO_GRANTED", "AEO_REVOKED", "INDUSTRY_RATING")
EFFECTS = ("AEO", "LOWEST", "SERIOUS_DISHONESTY", "NONE")


def check_at_edge(
    raw: RecordInput, *, source: str, received_at: datetime, rules: RulesConfig, backfilled: bool = False,
    traceparent: str = "", limits: Limits = Limits(),
) -> Draft:
    """The draft of a record, or the reasons it is refused."""
    problems: list[FieldViolation] = []
    received_on = cst_date(received_at)

    if not raw.source_id.strip():
        problems.append(FieldViolation("source_id", "is required: the department's own id of the record (R-3)"))
    elif len(raw.source_id) > limits.text_chars or not raw.source_id.isprintable():
        problems.append(FieldViolation("source_id", f"must be at most {limits.text_chars} printable characters"))
    grade = _text(raw.grade, "grade", limits.text_chars, problems)
    legal_basis = _text(raw.legal_basis, "legal_basis", limits.legal_basis_chars, problems)
    for name in ("corrects", "withdraws"):
        ref = getattr(raw, name)
        for part in ("record_id", "source_id"):
            if ref is not None and (problem := text_problem(getattr(ref, part), limits.text_chars)):
                problems.append(FieldViolation(f"{name}.{part}", problem))

    if raw.kind not in RECORD_KINDS:
        problems.append(FieldViolation("kind", f"must be one of {', '.join(RECORD_KINDS)}"))
        raise InvalidArgument.of(problems)

    decided_on = _date(raw.decided_on, "decided_on", problems, required=True)
    if decided_on and decided_on > received_on:
        problems.append(FieldViolation(
            "decided_on", f"{decided_on} is after the day the record is received ({received_on})"
        ))
    version = rules.in_force(decided_on or received_on)
    partner = _partner(raw, problems)
    if partner is None and not version.may_file(source, raw.kind):
        raise PermissionDenied(
            message=f"{source} may not file {raw.kind} records (R-1)",
            reason="KIND_NOT_OWNED",
            violations=[FieldViolation("kind", f"{raw.kind} is not among the kinds {source} files (R-1)")],
            metadata={"department": source, "kind": raw.kind},
        )

    subject = _subject(raw, version, received_on, problems)
    target = _target(raw, problems)
    content = Content(
        kind=raw.kind,
        subject=subject,
        decided_on=decided_on or received_on,
        grade=grade,
        list=_choice(raw.list, LISTS, "list", problems),
        severity=_choice(raw.severity, SEVERITIES, "severity", problems),
        valid_until=_date(raw.valid_until, "valid_until", problems, required=False),
        commitment=_choice(raw.commitment, COMMITMENTS, "commitment", problems),
        legal_basis=legal_basis,
        target=target,
        partner=partner,
    )
    if raw.kind == "WITHDRAWAL":
        problems += [
            FieldViolation(name, "is not taken by WITHDRAWAL records")
            for name in CONTENT_FIELDS if _present(content, name)
        ]
    elif raw.kind != "CORRECTION":  # a correction's fields are checked against what it corrects
        problems += content_violations(raw.kind, content, source, version)
    if problems:
        raise InvalidArgument.of(problems)
    _check_list_owner(content, source, version)

    deadline = period_last_day(content.decided_on, days=version.timeliness_days)  # R-5, T-2
    return Draft(
        source=source,
        source_id=raw.source_id,
        content=content,
        submitted_at=received_at,
        submitted_on=received_on,
        late=received_on > deadline,
        backfilled=backfilled,
        traceparent=traceparent,
        digest=content.digest(),
    )


def content_violations(kind: str, content: Content, source: str, version: RuleVersion) -> list[FieldViolation]:
    """The fields ``content`` has or lacks for a record of ``kind`` filed by ``source``."""
    allowed, required = KIND_FIELDS.get(kind, (set(), set()))
    problems = []
    if kind in ENTERPRISE_KINDS and content.subject is not None and content.subject.type not in ENTITY_TYPES:
        problems.append(FieldViolation("subject.individual", f"{kind} records are about business entities (S-1)"))
    problems += [
        FieldViolation(name, f"is not taken by {kind} records") for name in CONTENT_FIELDS
        if _present(content, name) and name not in allowed
    ]
    problems += [FieldViolation(name, f"is required for {kind} records") for name in sorted(required)
                 if not _present(content, name)]
    if content.partner is not None:
        pass  # the grade is the partner's own, mapped by its table in recognition
    elif kind == "INDUSTRY_RATING" and content.grade:
        scale = version.scale(source)
        if scale is None:
            problems.append(FieldViolation("grade", f"{source} has no industry rating scale (R-6)"))
        elif content.grade not in scale:
            problems.append(FieldViolation(
                "grade", f"{content.grade!r} is not on {source}'s scale; expected one of {', '.join(scale)} (R-6)"
            ))
    if content.valid_until and content.valid_until < content.decided_on:
        problems.append(FieldViolation("valid_until", f"must not be before decided_on ({content.decided_on})"))
    return problems


def _check_list_owner(content: Content, source: str, version: RuleVersion) -> None:
    owner = version.list_owners.get(content.list) if content.list else None
    if owner and owner != source:
        raise PermissionDenied(
            message=f"{source} may not file entries of the {content.list} list; {owner} keeps it (R-1, L-1)",
            reason="LIST_NOT_OWNED",
            violations=[FieldViolation("list", f"the {content.list} list is kept by {owner} (L-1)")],
            metadata={"department": source, "list": content.list},
        )


def _subject(raw: RecordInput, version: RuleVersion, today: date, problems: list[FieldViolation]) -> Subject | None:
    if raw.subject_type == "enterprise":
        try:
            return Subject("enterprise", parse_enterprise(raw.subject_text, exceptions=frozenset(version.uscc_exceptions)))
        except IdentifierError as exc:
            problems.append(FieldViolation("subject.enterprise", f"{exc} (S-2)"))
    elif raw.subject_type == "individual":
        try:
            return Subject("individual", parse_individual(raw.subject_text, today=today))
        except IdentifierError as exc:
            problems.append(FieldViolation("subject.individual", f"{exc} (S-3)"))
    elif raw.subject_type == "foreign":
        if raw.partner is None:
            problems.append(FieldViolation("subject.foreign", "foreign operators are named by partners only (S-4, X-2)"))
            return None
        try:
            return Subject("foreign", parse_foreign(raw.subject_text))
        except IdentifierError as exc:
            problems.append(FieldViolation("subject.foreign", f"{exc} (S-4)"))
    elif raw.subject_type == "pseudonym":
        problems.append(FieldViolation("subject.pseudonym", "names no subject a record is about (I-3): "
                                                            "set enterprise, individual or foreign"))
    elif raw.kind != "WITHDRAWAL":
        problems.append(FieldViolation("subject", "is required: set enterprise, individual or foreign"))
    return None


def _partner(raw: RecordInput, problems: list[FieldViolation]) -> PartnerOrigin | None:
    """A partner's origin as the recognition service states it (R-7, X-3)."""
    origin = raw.partner
    if origin is None:
        return None
    if not origin.partner:
        problems.append(FieldViolation("partner.partner", "is required: the partner's id (X-1)"))
    if raw.kind not in PARTNER_KINDS:
        problems.append(FieldViolation("kind", f"a partner's record is one of {', '.join(PARTNER_KINDS)} (R-7)"))
    if origin.effect not in EFFECTS:
        problems.append(FieldViolation("partner.effect", f"must be one of {', '.join(EFFECTS)} (X-3)"))
    if not origin.table_version:
        problems.append(FieldViolation("partner.table_version", "is required: the grade table's version (X-3)"))
    return origin


def _target(raw: RecordInput, problems: list[FieldViolation]) -> RecordRef | None:
    wanted = {"CORRECTION": "corrects", "WITHDRAWAL": "withdraws"}.get(raw.kind)
    target = None
    for name in ("corrects", "withdraws"):
        ref = getattr(raw, name)
        if ref is None:
            if name == wanted:
                problems.append(FieldViolation(name, f"is required for {raw.kind} records: the record_id or source_id of an earlier record"))
        elif name != wanted:
            problems.append(FieldViolation(name, f"is not taken by {raw.kind} records"))
        elif not (ref.record_id or ref.source_id):
            problems.append(FieldViolation(name, "must give record_id or source_id"))
        else:
            target = ref
    return target


def _text(value: str, name: str, max_chars: int, problems: list[FieldViolation]) -> str:
    """Free text, stripped; a value too long or with control characters is refused (and not echoed)."""
    problem = text_problem(value, max_chars)
    if problem:
        problems.append(FieldViolation(name, problem))
        return ""
    return value.strip()


def _date(value: RawDate | None, name: str, problems: list[FieldViolation], *, required: bool) -> date | None:
    if value is None:
        if required:
            problems.append(FieldViolation(name, "is required: a calendar date in China Standard Time"))
        return None
    try:
        day = date(*value)
    except ValueError:
        problems.append(FieldViolation(name, f"{value[0]:04d}-{value[1]:02d}-{value[2]:02d} is not a calendar date"))
        return None
    if day.year < 1900:
        problems.append(FieldViolation(name, f"{day} is before 1900"))
        return None
    return day


def _choice(value: str, choices: tuple[str, ...], name: str, problems: list[FieldViolation]) -> str:
    if value and value not in choices:
        problems.append(FieldViolation(name, f"{value!r} is not one of {', '.join(choices)}"))
        return ""
    return value


def _present(content: Content, name: str) -> bool:
    return bool(getattr(content, name))

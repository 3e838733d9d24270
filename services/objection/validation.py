"""Checks at the edge of the objection service: required fields and bounded free text.

Every problem is reported at once, each naming its field by its path in the request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from secondline.errors import FieldViolation, InvalidArgument

STATEMENT_MAX = 4000
EVIDENCE_MAX, EVIDENCE_ITEM_MAX = 20, 512
RECORDS_MAX = 100
REASON_MAX = 1000
REQUEST_ID_MAX = 64
CORRECTABLE = ("decided_on", "grade", "severity", "valid_until", "legal_basis")


@dataclass(frozen=True)
class Filing:
    """O-1: what the portal states for a subject."""

    principal: str
    subject_type: str
    subject_key: str
    record_ids: tuple[str, ...] = ()
    against_class: bool = False
    statement: str = ""
    evidence: tuple[str, ...] = ()
    request_id: str = ""


@dataclass(frozen=True)
class Answer:
    """O-3, O-4: an owner's answer for its record."""

    department: str
    objection_id: str
    record_id: str
    outcome: str
    reason: str
    remedy: dict = field(default_factory=dict)


def text(value: str, name: str, limit: int, *, required: bool, what: str = "") -> list[FieldViolation]:
    if not value.strip():
        return [FieldViolation(name, f"is required{': ' + what if what else ''}")] if required else []
    if len(value) > limit:
        return [FieldViolation(name, f"is {len(value)} characters long; at most {limit}")]
    if any(not (c.isprintable() or c in "\n\t") for c in value):
        return [FieldViolation(name, "must not contain control characters")]
    return []


def request_id(value: str) -> list[FieldViolation]:
    if value and (len(value) > REQUEST_ID_MAX or not value.isprintable() or value != value.strip()):
        return [FieldViolation("request_id", f"must be at most {REQUEST_ID_MAX} printable characters (AIP-155)")]
    return []


def check_filing(filing: Filing) -> None:
    problems = request_id(filing.request_id)
    if filing.against_class and filing.record_ids:
        problems.append(FieldViolation("record_ids", "must be empty when against_class is set: the suite names the records"))
    elif not filing.against_class and not filing.record_ids:
        problems.append(FieldViolation("record_ids", "is required: the disputed records, or set against_class (O-1)"))
    if len(filing.record_ids) > RECORDS_MAX:
        problems.append(FieldViolation("record_ids", f"at most {RECORDS_MAX} records per objection"))
    seen = set()
    for i, record_id in enumerate(filing.record_ids):
        if not record_id or len(record_id) > 32 or not record_id.isalnum():
            problems.append(FieldViolation(f"record_ids[{i}]", "must be an ingestion record id"))
        elif record_id in seen:
            problems.append(FieldViolation(f"record_ids[{i}]", f"{record_id} is named twice"))
        seen.add(record_id)
    problems += text(filing.statement, "statement", STATEMENT_MAX, required=True, what="the subject's statement (O-1)")
    if len(filing.evidence) > EVIDENCE_MAX:
        problems.append(FieldViolation("evidence", f"at most {EVIDENCE_MAX} references"))
    for i, ref in enumerate(filing.evidence):
        problems += text(ref, f"evidence[{i}]", EVIDENCE_ITEM_MAX, required=True, what="a reference to a document")
    if problems:
        raise InvalidArgument.of(problems, reason="INVALID_OBJECTION")


def check_answer(answer: Answer) -> None:
    problems = []
    if answer.outcome not in ("UPHELD", "REJECTED"):
        problems.append(FieldViolation("outcome", "is required: UPHELD or REJECTED"))
    problems += text(answer.reason, "reason", REASON_MAX, required=True, what="why (O-3)")
    if answer.outcome == "UPHELD" and not answer.remedy:
        problems.append(FieldViolation("withdraw", "UPHELD needs withdraw: true, or correct with the fields that change (O-4)"))
    if answer.outcome == "REJECTED" and answer.remedy:
        name = "withdraw" if "withdraw" in answer.remedy else "correct"
        problems.append(FieldViolation(name, "is not taken by a REJECTED answer: the record stands (O-4)"))
    if "correct" in answer.remedy and not answer.remedy["correct"]:
        problems.append(FieldViolation("correct", f"must change at least one of {', '.join(CORRECTABLE)}"))
    if problems:
        raise InvalidArgument.of(problems, reason="INVALID_ANSWER")


def check_reason(reason: str) -> None:
    problems = text(reason, "reason", REASON_MAX, required=True, what="why")
    if problems:
        raise InvalidArgument.of(problems)

"""Checks on a partner's envelope before anything is stored (RULES X-1, X-3, X-4, S-4, R-7).

In order, as the partner would want to hear them: the signature (UNAUTHENTICATED: malformed,
unknown key, bad signature, a key not valid at signing), the agreement (PERMISSION_DENIED:
another partner's record, a kind, subject type or economy the agreement does not cover), then
the record's fields and the grade table (INVALID_ARGUMENT, every problem at once, naming the
payload field). Pure: the partners, the clock's instant and the envelope in, a checked
:class:`Accepted` or a domain error out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from secondline.dates import cst_date
from secondline.envelope import EnvelopeError, canonical, envelope_hash, open_envelope, read_header
from secondline.errors import FieldViolation, InvalidArgument, PermissionDenied, Unauthenticated
from secondline.foreign_codes import economy_of, parse_foreign
from secondline.identifiers import IdentifierError, parse_enterprise, parse_individual

from .partners import Partner, PartnersConfig

FIELDS = ("partner", "source_id", "kind", "subject", "decided_on", "grade", "valid_until", "score", "signed_at")
SOURCE_ID_MAX, SCORE_MAX, GRADE_MAX = 128, 32, 32
CLOCK_SKEW = timedelta(minutes=5)  # a signature a little ahead of our clock is still believed


@dataclass(frozen=True)
class Accepted:
    """A partner's record whose envelope verified and whose content the agreement allows."""

    partner: str
    source_id: str
    kind: str
    subject_type: str
    subject_key: str
    decided_on: date
    grade: str
    valid_until: date | None
    score: str
    effect: str
    """X-3: AEO, LOWEST, SERIOUS_DISHONESTY or NONE."""
    table_version: str
    envelope: str
    envelope_hash: bytes
    digest: str
    """SHA-256 of the canonical payload without ``signed_at``: the same record re-signed is a replay (R-3)."""


def check_envelope(envelope: str, *, caller: str, partners: PartnersConfig, now: datetime) -> Accepted:
    partner = partners.partners.get(caller)
    if partner is None:
        raise PermissionDenied(message=f"partner/{caller} has no agreement with the suite (X-1)",
                               reason="UNKNOWN_PARTNER", metadata={"partner": caller})
    payload = _verified(envelope, caller, partner, now)
    if payload.get("partner") != caller:
        raise PermissionDenied(message=f"partner/{caller} may send only its own records, not {payload.get('partner')!r}'s",
                               reason="NOT_OWN_RECORD", metadata={"partner": caller})
    problems: list[FieldViolation] = [FieldViolation(name, "is not a field of a partner record") for name in payload
                                      if name not in FIELDS]
    today = cst_date(now)
    agreement = partner.agreement(today)
    if agreement is None:
        raise PermissionDenied(message=f"{caller} has no agreement in force on {today} (X-1)", reason="NO_AGREEMENT")
    kind = payload.get("kind")
    if kind not in agreement.sends:
        raise PermissionDenied(message=f"{caller}'s agreement {agreement.version} lets it send {', '.join(agreement.sends)}, "
                                       f"not {kind!r} (X-1)", reason="KIND_NOT_AGREED",
                               metadata={"partner": caller, "kind": str(kind)})
    subject_type, subject_key = _subject(payload.get("subject"), problems)
    if subject_type and subject_type not in agreement.subjects:
        raise PermissionDenied(message=f"{caller}'s agreement covers {', '.join(agreement.subjects)} subjects, not {subject_type} (X-1)",
                               reason="SUBJECT_TYPE_NOT_AGREED", metadata={"partner": caller})
    if subject_type == "foreign" and subject_key and economy_of(subject_key) not in agreement.economies:
        raise PermissionDenied(message=f"{caller} may send codes of {', '.join(agreement.economies)}, "
                                       f"not of {economy_of(subject_key)} (S-4)", reason="ECONOMY_NOT_AGREED",
                               metadata={"partner": caller, "economy": economy_of(subject_key)})
    source_id = _text(payload, "source_id", SOURCE_ID_MAX, problems, required=True)
    decided_on = _date(payload, "decided_on", problems, required=True)
    valid_until = _date(payload, "valid_until", problems, required=False)
    grade = _text(payload, "grade", GRADE_MAX, problems, required=kind == "INDUSTRY_RATING")
    score = _text(payload, "score", SCORE_MAX, problems, required=False)
    if decided_on and decided_on > today:
        problems.append(FieldViolation("decided_on", f"{decided_on} is after the day the envelope is received ({today})"))
    if valid_until and kind != "AEO_GRANTED":
        problems.append(FieldViolation("valid_until", "is taken by AEO_GRANTED records only"))
    elif valid_until and decided_on and valid_until < decided_on:
        problems.append(FieldViolation("valid_until", f"must not be before decided_on ({decided_on})"))
    effect, version = _mapped(partner, caller, kind, grade, decided_on or today, agreement.version, problems)
    if problems:
        raise InvalidArgument.of(problems, reason="INVALID_PARTNER_RECORD")
    content = {k: v for k, v in payload.items() if k != "signed_at"}
    return Accepted(partner=caller, source_id=source_id, kind=kind, subject_type=subject_type, subject_key=subject_key,
                    decided_on=decided_on, grade=grade, valid_until=valid_until, score=score, effect=effect,
                    table_version=version, envelope=envelope, envelope_hash=envelope_hash(envelope),
                    digest=hashlib.sha256(canonical(content)).hexdigest())


def _verified(envelope: str, caller: str, partner: Partner, now: datetime) -> dict[str, Any]:
    """X-4: the payload, once the signature verifies with the partner's key valid at signing."""
    try:
        key_id = read_header(envelope)["kid"]
        key = partner.key(key_id)
        if key is None:
            raise Unauthenticated(message=f"{caller} has no signing key {key_id!r} (X-4)", reason="UNKNOWN_KEY",
                                  metadata={"partner": caller, "key_id": key_id})
        payload = open_envelope(envelope, key.raw)
    except EnvelopeError as exc:
        raise Unauthenticated(message=f"{exc} (X-4)", reason=exc.reason, metadata={"partner": caller}) from None
    try:
        signed_at = datetime.fromisoformat(str(payload.get("signed_at")))
    except ValueError:
        signed_at = None
    if signed_at is None or signed_at.tzinfo is None:
        raise Unauthenticated(message="the envelope says not when it was signed (signed_at: an ISO 8601 instant with "
                                      "an offset), so its key's validity cannot be checked (X-4)", reason="NO_SIGNING_TIME")
    if signed_at > now + CLOCK_SKEW:
        raise Unauthenticated(message=f"the envelope was signed in the future ({signed_at.isoformat()})",
                              reason="SIGNED_IN_FUTURE")
    if not key.holds_on(cst_date(signed_at)):
        raise Unauthenticated(message=f"{caller}'s key {key.key_id} is valid {key.valid_from or '...'} to "
                                      f"{key.valid_until or '...'}, not on {cst_date(signed_at)} when the envelope "
                                      "was signed (X-4)", reason="KEY_EXPIRED",
                              metadata={"partner": caller, "key_id": key.key_id})
    return payload


def _mapped(partner: Partner, caller: str, kind, grade: str, day: date, agreement_version: str,
            problems: list[FieldViolation]) -> tuple[str, str]:
    """X-3: the effect of the partner's grade by its table in force on the decision date."""
    table = partner.grade_table(day)
    if kind != "INDUSTRY_RATING":  # a certification (or its revocation) is AEO's business
        return "AEO", table.version if table else agreement_version
    if table is None or not grade:
        return "", ""
    if grade not in table.grades:
        problems.append(FieldViolation("grade", f"{grade!r} is not in {caller}'s grade table {table.version}; "
                                                f"expected one of {', '.join(table.grades)} (X-3)"))
        return "", table.version
    return table.grades[grade], table.version


def _subject(spec: Any, problems: list[FieldViolation]) -> tuple[str, str]:
    if not isinstance(spec, dict) or len(spec) != 1:
        problems.append(FieldViolation("subject", "is required: an object with one of enterprise, foreign, individual"))
        return "", ""
    (kind, text), = spec.items()
    parse = {"enterprise": lambda t: parse_enterprise(t), "foreign": parse_foreign,
             "individual": lambda t: parse_individual(t, today=date.max)}.get(kind)
    if parse is None:
        problems.append(FieldViolation("subject", f"{kind!r} is not one of enterprise, foreign, individual"))
        return "", ""
    try:
        return kind, parse(str(text))
    except IdentifierError as exc:
        rule = {"enterprise": "S-2", "foreign": "S-4", "individual": "S-3"}[kind]
        problems.append(FieldViolation(f"subject.{kind}", f"{exc} ({rule})"))
        return kind, ""


def _text(payload: dict, name: str, limit: int, problems: list[FieldViolation], *, required: bool) -> str:
    value = payload.get(name, "")
    if not isinstance(value, str) or len(value) > limit or not value.isprintable():
        problems.append(FieldViolation(name, f"must be a string of at most {limit} printable characters"))
        return ""
    if required and not value.strip():
        problems.append(FieldViolation(name, "is required"))
    return value.strip()


def _date(payload: dict, name: str, problems: list[FieldViolation], *, required: bool) -> date | None:
    value = payload.get(name)
    if value is None:
        if required:
            problems.append(FieldViolation(name, "is required: a calendar date YYYY-MM-DD (China Standard Time)"))
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.append(FieldViolation(name, f"{value!r} is not a calendar date YYYY-MM-DD"))
        return None


__all__ = ["Accepted", "check_envelope"]

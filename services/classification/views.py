"""What each caller is answered about a subject (RULES I-1, I-3; secondline.authorization).

The table gives the caller a scope; here is what the scope means for classification's answers:

- ``all`` (operators, the suite's services): everything.
- ``subject`` (the portal, for the subject the request names, I-1): everything about it.
- ``own`` (a department): business entities, and individuals it has filed a record about;
  reasons name only the records it filed itself. Another individual's class is refused
  without echoing the document number (I-3).
- ``entities`` (a credit firm): business entities only, without record ids (I-3).
"""

from __future__ import annotations

from secondline.authorization import ALL, ENTITIES, OWN, SUBJECT
from secondline.errors import FieldViolation, PermissionDenied
from secondline.guard import Caller

from .domain import ENTITY_TYPES, Fact

SEES_EVERYTHING = (ALL, SUBJECT)


def check_subject(who: Caller, subject_type: str, facts: list[Fact] | None, field: str = "subject") -> set[str] | None:
    """The record ids the caller may see named (None: every one), or the refusal."""
    if who.scope in SEES_EVERYTHING:
        return None
    if who.scope == ENTITIES:
        if subject_type not in ENTITY_TYPES:
            raise PermissionDenied(
                message=f"{who.principal} is answered about business entities only; individuals appear as counts (I-3)",
                reason="INDIVIDUALS_NOT_DISCLOSED", metadata={"principal": str(who.principal), "action": who.method},
                violations=[FieldViolation(field, "must name a business entity (enterprise or foreign)")])
        return set()
    if who.scope == OWN:
        own = {f.record_id for f in facts or () if f.source == who.principal.name}
        if subject_type not in ENTITY_TYPES and not own:
            raise PermissionDenied(
                message=(f"{who.principal} has filed no record about this individual: an individual's class is "
                         f"answered to the department that filed a record about them (I-3)"),
                reason="NOT_YOUR_SUBJECT", metadata={"principal": str(who.principal), "action": who.method},
                violations=[FieldViolation(f"{field}.individual", "names no individual this department filed about")])
        return own
    raise PermissionDenied(message=f"{who.principal} has no view of subjects", reason="PRINCIPAL_NOT_ALLOWED",
                           metadata={"principal": str(who.principal), "action": who.method})


def needs_facts(who: Caller) -> bool:
    return who.scope == OWN


def keep_records(reasons, visible: set[str] | None) -> None:
    """Strip from ``reasons`` (repeated Reason) the record ids the caller may not see."""
    if visible is None:
        return
    for reason in reasons:
        kept = [r for r in reason.record_ids if r in visible]
        del reason.record_ids[:]
        reason.record_ids.extend(kept)


def keep_in_class(subject_class, visible: set[str] | None) -> None:
    keep_records(subject_class.reasons, visible)


def keep_in_state(state, visible: set[str] | None) -> None:
    for segment in state.timeline:
        keep_records(segment.reasons, visible)


__all__ = ["check_subject", "needs_facts", "keep_in_class", "keep_in_state", "keep_records"]

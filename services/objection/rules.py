"""The rules of objections and repairs as pure functions (RULES O-1, O-3, O-4, L-4, T-3).

Deadlines come only from :mod:`secondline.dates` (the working-day calendar, T-3); periods in
years from the versioned rules (T-2). Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from secondline.dates import WorkingCalendar, start_of_day
from secondline.errors import FieldViolation
from secondline.rules_config import RulesConfig

from .domain import (APPROVED, OPEN, OVERDUE, PARTLY_UPHELD, REJECTED, UPHELD, VIOLATION_KINDS, Deadline,
                     Disputed, Move, Objection, RecordView, Repair)

# --- O-3, L-4: deadlines ----------------------------------------------------------------------


def deadline(received_on: date, working_days: int, calendar: WorkingCalendar, extension_reason: str = "") -> Deadline:
    """A deadline kept as its rule, projected on ``calendar`` (T-3: the day of receipt not counted)."""
    due, provisional = calendar.working_days_due(received_on, working_days)
    return Deadline(received_on, working_days, due, provisional, extension_reason)


def reproject(current: Deadline, calendar: WorkingCalendar) -> Deadline:
    """The same rule on another calendar."""
    return deadline(current.received_on, current.working_days, calendar, current.extension_reason)


def calendar_move(record_id: str, old: Deadline, new: Deadline, years: tuple[int, ...], at: datetime) -> Move | None:
    """The journal entry for a re-projection, if the deadline moved or lost its provisional mark."""
    if old.due == new.due and old.provisional == new.provisional:
        return None
    loaded = ", ".join(str(y) for y in years) or "none"
    why = f"working-day calendar reloaded (years loaded: {loaded}); {'still provisional' if new.provisional else 'no longer provisional'} (T-3)"
    return Move(record_id, old.due, new.due, why, at)


# --- O-3, O-4: an objection's status ----------------------------------------------------------


def decided_status(outcomes: list[str]) -> str:
    """O-4: UPHELD when all upheld, REJECTED when all rejected, else PARTLY_UPHELD."""
    if all(o == UPHELD for o in outcomes):
        return UPHELD
    if all(o == REJECTED for o in outcomes):
        return REJECTED
    return PARTLY_UPHELD


def status_at(objection: Objection, at: datetime) -> str:
    """The status as of ``at``: decided once every record is answered (O-4); OVERDUE while a
    record is unanswered at or after its due instant (O-3); else OPEN."""
    records = objection.records
    if all(r.answered_by(at) for r in records):
        return decided_status([r.outcome for r in records])
    if any(not r.answered_by(at) and r.deadline.due <= at for r in records):
        return OVERDUE
    return OPEN


def answer_due(objection: Objection, at: datetime) -> Deadline:
    """The deadline that matters as of ``at``: the earliest among records still unanswered; once
    decided, the latest."""
    waiting = [r.deadline for r in objection.records if not r.answered_by(at)]
    if waiting:
        return min(waiting, key=lambda d: d.due)
    return max((r.deadline for r in objection.records), key=lambda d: d.due)


def is_decided(objection: Objection) -> bool:
    return all(r.outcome for r in objection.records)


def extend(record: Disputed, *, reason: str, now: datetime, extended_days: int, calendar: WorkingCalendar,
           by: str) -> tuple[Disputed, Move]:
    """O-3: once, before the first deadline passes, to ``extended_days`` working days of receipt.
    The caller has checked it is the owner and that the record is unanswered."""
    new = deadline(record.deadline.received_on, extended_days, calendar, reason)
    return replace(record, deadline=new), Move(record.record_id, record.deadline.due, new.due,
                                               f"extended by {by}: {reason} (O-3)", now)


def extension_refusal(record: Disputed, now: datetime) -> str:
    """Why an extension is refused, or ``""``."""
    if record.outcome:
        return f"record {record.record_id} is already answered ({record.outcome})"
    if record.deadline.extension_reason:
        return f"the deadline of record {record.record_id} was already extended once (O-3)"
    if now >= record.deadline.due:
        return f"the deadline of record {record.record_id} passed at {record.deadline.due.isoformat()}; an extension is only before it (O-3)"
    return ""


def repair_status_at(repair: Repair, at: datetime) -> str:
    """L-4: APPROVED or REJECTED once decided; OVERDUE from the due instant; else OPEN."""
    if repair.outcome and repair.decided_at is not None and repair.decided_at <= at:
        return repair.outcome
    return OVERDUE if repair.deadline.due <= at else OPEN


# --- O-1: what may be disputed ----------------------------------------------------------------


def current_version(record_id: str, by_id: dict[str, RecordView]) -> RecordView | None:
    """The newest version of a record's chain (R-4); a withdrawal when it was withdrawn."""
    record = by_id.get(record_id)
    seen = set()
    while record is not None and record.superseded_by and record.record_id not in seen:
        seen.add(record.record_id)
        record = by_id.get(record.superseded_by)
    return record


def class_records(reasons: list[tuple[str, str, list[str]]]) -> list[str]:
    """O-1: the records behind the class: those of the reasons that bring a class about."""
    found: list[str] = []
    for _rule, effect, record_ids in reasons:
        if effect in ("AEO", "WATCHLIST"):
            found += [r for r in record_ids if r not in found]
    return found


# --- L-4: admission ---------------------------------------------------------------------------


def admission(listing_id: str, records: list[RecordView], *, now: datetime, rules: RulesConfig,
              open_application: str) -> tuple[RecordView | None, list[FieldViolation], datetime | None]:
    """The listing's current version, every unmet condition of L-4 at receipt, and the instant
    from which the application could be admitted when time is what it lacks."""
    by_id = {r.record_id: r for r in records}
    field = "listing_record_id"
    first = by_id.get(listing_id)
    if first is None or first.content_kind != "DISHONESTY_LISTED":
        return None, [FieldViolation(field, f"{listing_id!r} is no DISHONESTY_LISTED record of the subject")], None
    listing = current_version(listing_id, by_id)
    if listing is None or not listing.holds:
        return first, [FieldViolation(field, f"the listing {listing_id} was withdrawn (R-4): it does not hold")], None
    unmet, admissible_from = [], None
    version = rules.in_force(listing.decided_on)
    eligible = version.repair_after.end(listing.decided_on)
    if now < eligible:
        admissible_from = eligible
        unmet.append(FieldViolation(field, f"listed on {listing.decided_on}: an application is admitted from "
                                    f"{eligible.isoformat()}, one year after the listing's decision date (L-4, T-2)"))
    ends = version.publicity[listing.severity].end(listing.decided_on) if listing.severity else None
    removal = next((r for r in records if r.holds and r.content_kind == "DISHONESTY_REMOVED" and r.list == listing.list
                    and r.decided_on >= listing.decided_on and start_of_day(r.decided_on) <= now), None)
    if removal is not None:
        unmet.append(FieldViolation(field, f"the listing no longer holds: removed by {removal.record_id} on {removal.decided_on} (L-4)"))
    elif ends is not None and ends <= now:
        unmet.append(FieldViolation(field, f"the listing no longer holds: its publicity period ended at {ends.isoformat()} (L-3)"))
    chain = {listing_id, listing.record_id}
    for r in records:
        if r.holds and r.content_kind in VIOLATION_KINDS and r.record_id not in chain and r.decided_on > listing.decided_on:
            unmet.append(FieldViolation(field, f"a new violation since the listing: {r.content_kind} {r.record_id} "
                                        f"decided on {r.decided_on} (L-4)"))
    if open_application:
        unmet.append(FieldViolation(field, f"application {open_application} for the same listing is still open (L-4)"))
    return listing, unmet, admissible_from


__all__ = ["APPROVED", "deadline", "reproject", "status_at", "answer_due", "decided_status", "admission",
           "extend", "extension_refusal", "repair_status_at", "current_version", "class_records", "calendar_move"]

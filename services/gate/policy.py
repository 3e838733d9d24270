"""The lane policy (RULES M-1..M-5, L-2, P-R), as a pure function of its inputs.

Each party of a crossing gets the physical inspection rate of its class (M-1), raised to the
listed rate while it is on a serious-dishonesty list (L-2) and to the risk-alert rate while an
alert is valid (P-R). Each party then draws: a number in [0, 1) from a keyed hash of the
configuration version, the crossing id and the party (M-3), so that the same crossing under the
same version always draws the same, and over many crossings the drawn share is the rate. A
party drawn goes RED; a WATCHLIST party not drawn goes YELLOW (its documents are always
checked); anyone else GREEN. The crossing takes the strictest lane of its parties (M-2), and
names M-2 when a linked party raised it above another party's own lane.

Batch exit with consolidated declaration is open to the entity classes the catalogue names
(M-4: AEO and WHITELIST); the consolidated declaration of a month is due by a day of the next.

The inputs (crossing, parties' states, catalogue version, whether the snapshot was stale) are
all a decision needs, so a logged decision replays to the same answer.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import NamedTuple

from secondline.dates import CST

from .measures import MeasuresVersion
from .snapshot import CLASS_NAMES, ENTITY_TYPES, LISTED_BITS, RISK_ALERT_BIT, WATCHLIST, PartyState, rule_list

GREEN, YELLOW, RED = 1, 2, 3  # the Lane enum's values; a higher value is stricter
LANE_VALUES = {"GREEN": GREEN, "YELLOW": YELLOW, "RED": RED}
SCALE = float(1 << 64)


class Party(NamedTuple):
    subject_type: str  # "enterprise" or "individual"
    key: str
    role: int  # the Role enum's value; 0 for the declaring entity


class PartyOutcome(NamedTuple):
    party: Party
    state: PartyState
    rate: float
    drawn: bool
    lane: int
    reasons: tuple[str, ...]
    measures: tuple = ()
    """The catalogue's MeasureSpecs that apply to the party (M-5)."""


class Measure(NamedTuple):
    name: str
    rule: str
    party: Party


class Outcome(NamedTuple):
    lane: int
    refused: bool
    reasons: tuple[str, ...]
    measures: tuple[Measure, ...]
    parties: tuple[PartyOutcome, ...]
    declaration_due: date | None
    refusal_detail: str
    degraded: bool


def draw(version: str, crossing_id: str, party: Party) -> float:
    """The party's draw for the crossing, uniform in [0, 1) and reproducible (M-3)."""
    key = f"{version}\x1f{crossing_id}\x1f{party.subject_type}\x1f{party.key}".encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little") / SCALE


class Verdict(NamedTuple):
    """What a party's class, flags and rules give at one port under one version, before the
    draw: the same for every crossing of such a party, so it is worked out once (:func:`verdict`)."""

    rate: float
    lane: int  # when not drawn
    reasons: tuple[str, ...]  # when not drawn
    drawn_reasons: tuple[str, ...]  # when drawn
    measures: tuple  # the MeasureSpecs of the catalogue that apply
    version: MeasuresVersion  # held so that the memo's key (its id) cannot be reused


_VERDICTS: dict[tuple, Verdict] = {}
VERDICTS_KEPT = 1 << 16  # distinct (version, port, kind, state) seen; far more than a catalogue has


def verdict(version: MeasuresVersion, port: str, entity: bool, state: PartyState) -> Verdict:
    """M-1, L-2, P-R for a party in ``state`` at ``port``: its rate, its lane if not drawn,
    its reasons either way, and the measures that apply. Memoized: a pure function of its inputs."""
    key = (id(version), port, entity, state)
    found = _VERDICTS.get(key)
    if found is not None:
        return found
    klass, flags = state.klass, state.flags
    rates = version.rates_at(port)
    by_class = rates.enterprise if entity else rates.individual
    rate = by_class.get(CLASS_NAMES.get(klass, "WHITELIST"), by_class["WHITELIST"])  # an individual is never AEO
    cause = "M-1"
    if flags & LISTED_BITS and rates.listed >= rate:
        rate, cause = rates.listed, "L-2"
    if flags & RISK_ALERT_BIT and rates.risk_alert > rate:
        rate, cause = rates.risk_alert, "P-R"
    reasons = (*rule_list(state.rules), cause)
    drawn_reasons = (*reasons, "M-3") if 0.0 < rate < 1.0 else reasons
    found = Verdict(rate, YELLOW if klass == WATCHLIST else GREEN, reasons, drawn_reasons,
                    tuple(_measures(state, version)), version)
    if len(_VERDICTS) >= VERDICTS_KEPT:
        _VERDICTS.clear()
    _VERDICTS[key] = found
    return found


def decide(*, crossing_id: str, epoch: int, port: str, batch: bool, parties: list[Party],
           states: list[PartyState], version: MeasuresVersion, degraded: bool = False) -> Outcome:
    outcomes = [_party(crossing_id, party, state, version, port) for party, state in zip(parties, states)]
    lane = max(o.lane for o in outcomes)
    if len(outcomes) == 1:
        reasons = list(outcomes[0].reasons)
    else:
        reasons = []
        raised = False
        for o in outcomes:
            if o.lane == lane:
                reasons += o.reasons
            else:
                raised = True
        if raised:
            reasons.append("M-2")  # a linked party raised the crossing (人企联动)
    fallback = version.stale_fallback
    if degraded and lane < LANE_VALUES[fallback.min_lane]:
        lane = LANE_VALUES[fallback.min_lane]
    refused, detail, due = False, "", None
    if batch:
        refused, detail = _batch_refusal(outcomes, version, degraded)
        if refused:
            reasons.append("M-4")
        else:
            due = declaration_due(epoch, version.consolidated_declaration_day)
    measures = tuple(Measure(spec.name, spec.rule, o.party) for o in outcomes for spec in o.measures)
    return Outcome(lane, refused, tuple(dict.fromkeys(reasons)), measures, tuple(outcomes), due, detail, degraded)


def is_drawn(found: Verdict, version: str, crossing_id: str, party: Party) -> bool:
    """Whether the party is drawn for physical inspection on this crossing (M-1, M-3)."""
    rate = found.rate
    return rate >= 1.0 or (rate > 0.0 and draw(version, crossing_id, party) < rate)


def _party(crossing_id: str, party: Party, state: PartyState, version: MeasuresVersion, port: str) -> PartyOutcome:
    found = verdict(version, port, party.subject_type in ENTITY_TYPES, state)
    rate = found.rate
    if is_drawn(found, version.version, crossing_id, party):
        return PartyOutcome(party, state, rate, True, RED, found.drawn_reasons, found.measures)
    return PartyOutcome(party, state, rate, False, found.lane, found.reasons, found.measures)


def _batch_refusal(outcomes: list[PartyOutcome], version: MeasuresVersion, degraded: bool) -> tuple[bool, str]:
    entity = next((o for o in outcomes if o.party.subject_type in ENTITY_TYPES), None)
    if entity is None:
        return True, "batch exit needs a declaring entity (M-4)"
    class_name = CLASS_NAMES.get(entity.state.klass, "WHITELIST")
    if class_name not in version.batch_exit_classes:
        allowed = " and ".join(version.batch_exit_classes)
        return True, f"the declaring entity is {class_name}; batch exit is open to {allowed} entities only (M-4)"
    if degraded and version.stale_fallback.refuse_batch:
        return True, "the gate has not heard from classification for too long to trust a class for batch exit"
    return False, ""


def _measures(state: PartyState, version: MeasuresVersion):
    catalogue = version.measures
    found = list(catalogue.get(CLASS_NAMES.get(state.klass, "WHITELIST"), ()))
    if state.flags & LISTED_BITS:
        found += catalogue.get("LISTED", ())
    if state.flags & RISK_ALERT_BIT:
        found += catalogue.get("RISK_ALERT", ())
    return found


def declaration_due(epoch: int, day: int) -> date:
    """M-4: the consolidated declaration of the crossing's month (CST) is due by ``day`` of the next."""
    crossed = datetime.fromtimestamp(epoch, CST).date()
    year, month = (crossed.year + 1, 1) if crossed.month == 12 else (crossed.year, crossed.month + 1)
    return date(year, month, day)


__all__ = ["GREEN", "YELLOW", "RED", "Party", "PartyOutcome", "Outcome", "Measure", "Verdict", "decide", "draw", "declaration_due", "is_drawn", "verdict"]

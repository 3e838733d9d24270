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


def decide(*, crossing_id: str, epoch: int, port: str, batch: bool, parties: list[Party],
           states: list[PartyState], version: MeasuresVersion, degraded: bool = False) -> Outcome:
    rates = version.rates_at(port)
    outcomes = []
    for party, state in zip(parties, states):
        outcomes.append(_party(crossing_id, party, state, version, rates))
    lane = max(o.lane for o in outcomes)
    reasons: list[str] = []
    for o in outcomes:
        if o.lane == lane:
            reasons += o.reasons
    if any(o.lane < lane for o in outcomes):
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
    measures = tuple(Measure(spec.name, spec.rule, o.party) for o in outcomes for spec in _measures(o.state, version))
    return Outcome(lane, refused, tuple(dict.fromkeys(reasons)), measures, tuple(outcomes), due, detail, degraded)


def _party(crossing_id: str, party: Party, state: PartyState, version: MeasuresVersion, rates) -> PartyOutcome:
    klass, flags = state.klass, state.flags
    class_name = CLASS_NAMES.get(klass, "WHITELIST")
    by_class = rates.enterprise if party.subject_type in ENTITY_TYPES else rates.individual
    rate = by_class.get(class_name, by_class["WHITELIST"])  # an individual is never AEO
    reasons = rule_list(state.rules)
    cause = "M-1"
    if flags & LISTED_BITS and rates.listed >= rate:
        rate, cause = rates.listed, "L-2"
    if flags & RISK_ALERT_BIT and rates.risk_alert > rate:
        rate, cause = rates.risk_alert, "P-R"
    reasons.append(cause)
    drawn = rate >= 1.0 or (rate > 0.0 and draw(version.version, crossing_id, party) < rate)
    if drawn and 0.0 < rate < 1.0:
        reasons.append("M-3")
    lane = RED if drawn else (YELLOW if klass == WATCHLIST else GREEN)
    return PartyOutcome(party, state, rate, drawn, lane, tuple(reasons))


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


__all__ = ["GREEN", "YELLOW", "RED", "Party", "PartyOutcome", "Outcome", "Measure", "decide", "draw", "declaration_due"]

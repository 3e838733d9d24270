"""What ``secondline demo`` measured: the figures the tour gathers and the report shows.

The inspection rates are checked against the measures catalogue (``measures.yaml``, M-1, L-2,
P-R), read independently of the gate: each party of each crossing falls in a category (its
class, or a listing, or a valid risk alert where that raises its rate), and the share of
parties drawn for physical inspection is compared with the configured rate. With n parties
at rate p the count drawn is binomial; a count whose two-sided tail probability under the rate
is below ``ALPHA`` (one in 100,000) is reported as off. The exact tail, not the normal
approximation: a category of a few dozen AEO entities at 0.5% expects 0.13 draws, and two
draws, which happen about once in 130 runs, are five standard deviations away.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.common.v1 import common_pb2
from secondline.dates import CST
from secondline.gate.v1 import gate_pb2
from secondline.cli.demo.stats import binomial_tail, wilson_interval
from secondline.cli.demo.tallies import ObjectionTally, PartnerTally


LANES = ("GREEN", "YELLOW", "RED")
LANE_COLOURS = {"GREEN": "#2e9e5b", "YELLOW": "#e3b505", "RED": "#d2413a"}
CLASS_COLOURS = {"AEO": "#2b6cb0", "WHITELIST": "#9cc3e6", "WATCHLIST": "#e07b24"}
CATEGORIES = ("AEO entity", "WHITELIST entity", "WATCHLIST entity", "WHITELIST individual",
              "WATCHLIST individual", "risk alert (P-R)", "listed (L-2)")
RULE_OF = {"AEO entity": "M-1", "WHITELIST entity": "M-1", "WATCHLIST entity": "M-1", "WHITELIST individual": "M-1",
           "WATCHLIST individual": "M-1", "risk alert (P-R)": "P-R", "listed (L-2)": "L-2"}
ALPHA = 1e-5  # the false alarm a category may raise in a run with the configured rate applied
LISTED_FLAGS = (common_pb2.FLAG_DISHONESTY_ANTI_SMUGGLING, common_pb2.FLAG_DISHONESTY_MARITIME,
                common_pb2.FLAG_DISHONESTY_PARTNER)  # a partner's SERIOUS_DISHONESTY restricts under L-2 too


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0..100) of ``values``; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def _class_name(value: int) -> str:
    return common_pb2.CreditClass.Name(value).removeprefix("CREDIT_CLASS_") if value else "WHITELIST"


def _flag_name(value: int) -> str:
    return common_pb2.Flag.Name(value).removeprefix("FLAG_")


# --- the figures ----------------------------------------------------------------------------------


@dataclass
class IngestFigures:
    records: int
    history: int  # through BackfillRecords, with their receipt instants
    live: int  # through SubmitRecords today
    live_departments: int
    seconds: float = 0.0
    late: int = 0
    refused: int = 0
    replayed: int = 0
    classified_after: float = 0.0  # from the last acknowledgement until classification applied the last record
    gate_after: float = 0.0  # ... until the gate's snapshot stood at classification's revision
    revision: int = 0
    gate_subjects: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class ClassTally:
    """The classes now of the filed subjects; subjects with no record are WHITELIST (E-B, P-B)."""

    enterprises: int
    individuals: int
    counts: Counter = field(default_factory=Counter)  # (subject type, class) of filed subjects
    filed: Counter = field(default_factory=Counter)  # subject type
    rules: Counter = field(default_factory=Counter)  # (subject type, rule) of WATCHLIST and AEO subjects
    flags: Counter = field(default_factory=Counter)  # (subject type, flag)

    def add(self, answer: cpb.SubjectClass) -> None:
        which = answer.subject.WhichOneof("id")
        klass = _class_name(answer.credit_class)
        self.filed[which] += 1
        self.counts[(which, klass)] += 1
        if klass != "WHITELIST":
            for rule in {r.rule for r in answer.reasons if r.effect == klass}:
                self.rules[(which, rule)] += 1
        for flag in answer.flags:
            self.flags[(which, _flag_name(flag))] += 1

    def total(self, which: str) -> int:
        return self.enterprises if which == "enterprise" else self.individuals

    def count(self, which: str, klass: str) -> int:
        found = self.counts[(which, klass)]
        if klass == "WHITELIST":
            found += self.total(which) - self.filed[which]  # never filed about: plain whitelist
        return found

    def classes(self, which: str) -> tuple[str, ...]:
        return ("AEO", "WHITELIST", "WATCHLIST") if which == "enterprise" else ("WHITELIST", "WATCHLIST")


@dataclass
class RateRow:
    """One category of parties at the gate: how they were drawn against the configured rate."""

    category: str
    parties: int = 0
    lanes: Counter = field(default_factory=Counter)  # the party's own lane
    drawn: int = 0
    expected: float = 0.0  # sum of the configured rates
    expected_yellow: float = 0.0
    applied_differs: int = 0  # parties whose inspection_rate at the gate is not the configured one

    @property
    def configured(self) -> float:
        return self.expected / self.parties if self.parties else 0.0

    @property
    def observed(self) -> float:
        return self.drawn / self.parties if self.parties else 0.0

    def share(self, lane: str) -> float:
        return self.lanes[lane] / self.parties if self.parties else 0.0

    @property
    def tail(self) -> float:
        """The two-sided probability, under the configured rate, of a count drawn as far from the
        expected one as this (a binomial at the category's mean rate; ``binomial_tail``)."""
        return binomial_tail(self.parties, self.configured, self.drawn)

    @property
    def verdict(self) -> str:
        if not self.parties:
            return "-"
        if self.applied_differs:
            return "RATE DIFFERS"
        return "ok" if self.tail >= ALPHA else "OFF"

    def interval(self) -> tuple[float, float]:
        """Wilson 95% interval of the drawn share."""
        return wilson_interval(self.parties, self.observed)


@dataclass
class GateFigures:
    lanes: int  # lane systems calling at once
    crossings: int
    seconds: float = 0.0  # the busy part of the replay
    quiet_us: list[float] = field(default_factory=list)  # Decide round trips, one call at a time
    busy_us: list[float] = field(default_factory=list)  # ... with `lanes` calls at once
    lane_counts: Counter = field(default_factory=Counter)
    by_port: dict[str, Counter] = field(default_factory=dict)
    by_hour: dict[int, Counter] = field(default_factory=dict)
    rows: dict[str, RateRow] = field(default_factory=lambda: {c: RateRow(c) for c in CATEGORIES})
    raised_by_linked_party: int = 0  # M-2
    batch_declared: int = 0
    batch_refused: int = 0  # M-4
    degraded: int = 0
    config_versions: Counter = field(default_factory=Counter)
    version_differs: int = 0
    replayed: int = 0
    replay_matched: int = 0
    replay_mismatches: list[str] = field(default_factory=list)
    status: gate_pb2.GetGateStatusResponse | None = None
    status_text: str = ""

    def add(self, crossing: gate_pb2.Crossing, decision: gate_pb2.Decision, measures) -> None:
        version = measures.in_force(crossing.at.seconds)
        rates = version.rates_at(crossing.port)
        self.config_versions[decision.config_version] += 1
        self.version_differs += decision.config_version != version.version
        lane = gate_pb2.Lane.Name(decision.lane).removeprefix("LANE_")
        self.lane_counts[lane] += 1
        self.by_port.setdefault(crossing.port, Counter())[lane] += 1
        hour = datetime.fromtimestamp(crossing.at.seconds, CST).hour
        self.by_hour.setdefault(hour, Counter())[lane] += 1
        self.raised_by_linked_party += "M-2" in decision.reasons
        self.degraded += decision.degraded
        if crossing.batch:
            self.batch_declared += 1
            self.batch_refused += decision.refused
        for party in decision.parties:
            category, rate = configured(party, rates)
            row = self.rows[category]
            row.parties += 1
            row.lanes[gate_pb2.Lane.Name(party.lane).removeprefix("LANE_")] += 1
            row.drawn += party.drawn
            row.expected += rate
            row.expected_yellow += (1 - rate) if party.credit_class == common_pb2.CREDIT_CLASS_WATCHLIST else 0.0
            row.applied_differs += abs(party.inspection_rate - rate) > 1e-9

    @property
    def per_second(self) -> float:
        """Decisions a second while ``lanes`` lanes called at once."""
        return len(self.busy_us) / self.seconds if self.seconds else 0.0


def configured(party: gate_pb2.PartyDecision, rates) -> tuple[str, float]:
    """The party's category and its configured inspection rate (M-1; L-2 and P-R raise it)."""
    entity = party.subject.WhichOneof("id") == "enterprise"
    klass = _class_name(party.credit_class)
    by_class = rates.enterprise if entity else rates.individual
    rate = by_class.get(klass, by_class["WHITELIST"])
    if any(flag in party.flags for flag in LISTED_FLAGS) and rates.listed >= rate:
        return "listed (L-2)", rates.listed
    if common_pb2.FLAG_RISK_ALERT in party.flags and rates.risk_alert > rate:
        return "risk alert (P-R)", rates.risk_alert
    return f"{klass} {'entity' if entity else 'individual'}", rate


@dataclass
class Freshness:
    what: str
    acknowledged: float  # seconds from sending the record to ingestion's answer
    classified: float  # ... to classification having applied it
    at_gate: float | None  # ... to the gate's first decision that reflects it; None: not within 30 s


@dataclass
class Results:
    day: date
    seed: int
    subjects: int
    enterprises: int
    individuals: int
    filed_subjects: int
    kinds: Counter
    ingest: IngestFigures | None = None
    classes: ClassTally | None = None
    gate: GateFigures | None = None
    freshness: list[Freshness] = field(default_factory=list)
    objections: ObjectionTally | None = None
    partners: PartnerTally | None = None
    finished: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def problems(self) -> list[str]:
        found = list(self.ingest.problems) if self.ingest else []
        gate = self.gate
        if gate:
            for row in gate.rows.values():
                if row.verdict == "OFF":
                    found.append(f"{row.category}: {row.observed:.2%} drawn for inspection, configured "
                                 f"{row.configured:.2%} (a count this far off has probability {row.tail:.1g} at that rate, n={row.parties:,})")
                elif row.verdict == "RATE DIFFERS":
                    found.append(f"{row.category}: the gate applied another rate than the configured "
                                 f"{row.configured:.2%} to {row.applied_differs:,} parties")
            if gate.version_differs:
                found.append(f"{gate.version_differs:,} decisions name another configuration version than the one in force")
            if gate.degraded:
                found.append(f"{gate.degraded:,} decisions were made under the stale-snapshot fallback")
            if gate.replayed != gate.replay_matched:
                found.append(f"{gate.replayed - gate.replay_matched} of {gate.replayed} replayed decisions differ "
                             f"from the logged ones (M-3), e.g. {', '.join(gate.replay_mismatches)}")
            if gate.status is not None and gate.status.decisions_dropped:
                found.append(f"the decision log dropped {gate.status.decisions_dropped:,} decisions")
        for tally in (self.objections, self.partners):
            found += tally.check() if tally else []
        missing = [f for f in self.freshness if f.at_gate is None]
        if missing:
            found.append(f"{len(missing)} fresh records did not reach the gate within 30 s")
        return found


# --- text -------------------------------------------------------------------------------------------


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


def fmt_us(us: float) -> str:
    return f"{us / 1000:.2f} ms" if us < 10_000 else f"{us / 1000:,.0f} ms"


def rule_effect(rule: str) -> str:
    return "AEO" if rule in ("E-A", "X-2") else "WATCHLIST"

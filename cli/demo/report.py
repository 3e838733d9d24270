"""What ``secondline demo`` measured, as text and as a self-contained HTML page with SVG charts.

The figures are gathered by ``secondline.demo`` into :class:`Results`; this module only counts
and draws. The charts are plain SVG written here (no plotting library), so the page opens in
any browser, offline, and can be mailed as one file.

The inspection rates are checked against the measures catalogue (``measures.yaml``, M-1, L-2,
P-R), read independently of the gate: each party of each crossing falls in a category (its
class, or a listing, or a valid risk alert where that raises its rate), and the share of
parties drawn for physical inspection is compared with the configured rate. With n parties
at rate p the share drawn has a standard deviation of sqrt(p(1-p)/n); a share more than four
of those away from the rate is reported as off.
"""

from __future__ import annotations

import html
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from secondline.classification.v1 import classification_pb2 as cpb
from secondline.common.v1 import common_pb2
from secondline.dates import CST
from secondline.gate.v1 import gate_pb2

__all__ = ["ClassTally", "Freshness", "GateFigures", "IngestFigures", "RateRow", "Results",
           "html_report", "percentile", "text_report"]

LANES = ("GREEN", "YELLOW", "RED")
LANE_COLOURS = {"GREEN": "#2e9e5b", "YELLOW": "#e3b505", "RED": "#d2413a"}
CLASS_COLOURS = {"AEO": "#2b6cb0", "WHITELIST": "#9cc3e6", "WATCHLIST": "#e07b24"}
CATEGORIES = ("AEO entity", "WHITELIST entity", "WATCHLIST entity", "WHITELIST individual",
              "WATCHLIST individual", "risk alert (P-R)", "listed (L-2)")
RULE_OF = {"AEO entity": "M-1", "WHITELIST entity": "M-1", "WATCHLIST entity": "M-1", "WHITELIST individual": "M-1",
           "WATCHLIST individual": "M-1", "risk alert (P-R)": "P-R", "listed (L-2)": "L-2"}
SIGMAS = 4.0
LISTED_FLAGS = (common_pb2.FLAG_DISHONESTY_ANTI_SMUGGLING, common_pb2.FLAG_DISHONESTY_MARITIME)


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
    variance: float = 0.0  # sum of p(1-p)
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
    def sigmas(self) -> float:
        """How many standard deviations the drawn count is from the configured rate's."""
        if self.variance <= 0:
            return 0.0 if abs(self.drawn - self.expected) < 0.5 else math.inf
        return abs(self.drawn - self.expected) / math.sqrt(self.variance)

    @property
    def verdict(self) -> str:
        if not self.parties:
            return "-"
        if self.applied_differs:
            return "RATE DIFFERS"
        return "ok" if self.sigmas <= SIGMAS else "OFF"

    def interval(self) -> tuple[float, float]:
        """Wilson 95% interval of the drawn share."""
        n, p, z = self.parties, self.observed, 1.96
        if not n:
            return 0.0, 0.0
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return max(0.0, centre - half), min(1.0, centre + half)


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
            row.variance += rate * (1 - rate)
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
    finished: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def problems(self) -> list[str]:
        found = list(self.ingest.problems) if self.ingest else []
        gate = self.gate
        if gate:
            for row in gate.rows.values():
                if row.verdict == "OFF":
                    found.append(f"{row.category}: {row.observed:.2%} drawn for inspection, configured "
                                 f"{row.configured:.2%} ({row.sigmas:.1f} standard deviations away, n={row.parties:,})")
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
        missing = [f for f in self.freshness if f.at_gate is None]
        if missing:
            found.append(f"{len(missing)} fresh records did not reach the gate within 30 s")
        return found


# --- text -------------------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


def _us(us: float) -> str:
    return f"{us / 1000:.2f} ms" if us < 10_000 else f"{us / 1000:,.0f} ms"


def text_report(r: Results) -> str:
    lines = [f"Secondline demo report: {r.day} (CST), seed {r.seed}", "=" * 60, ""]
    departments = len({d for d, _ in r.kinds})
    lines.append(f"Population  {r.subjects:,} subjects: {r.enterprises:,} business entities, {r.individuals:,} individuals; "
                 f"{sum(r.kinds.values()):,} records from {departments} departments about {r.filed_subjects:,} of them")
    by_kind = Counter()
    for (_, kind), n in r.kinds.items():
        by_kind[kind] += n
    lines.append("            " + ", ".join(f"{kind} {n:,}" for kind, n in by_kind.most_common()))
    if r.ingest:
        i = r.ingest
        lines.append(f"Ingestion   {i.records:,} records in {i.seconds:.1f} s ({i.records / max(i.seconds, 1e-9):,.0f}/s): "
                     f"{i.history:,} history (BackfillRecords, with receipt dates), {i.live:,} filed today by "
                     f"{i.live_departments} departments (SubmitRecords); {i.late:,} late (R-5), {i.refused:,} refused"
                     + (f", {i.replayed:,} already stored (R-3)" if i.replayed else ""))
        lines.append(f"Catch-up    classification applied the last record {i.classified_after:.1f} s after the last "
                     f"acknowledgement (revision {i.revision:,}); the gate stood at that revision after {i.gate_after:.1f} s, "
                     f"holding {i.gate_subjects:,} subjects")
    if r.classes:
        lines += ["", "Classes now (E, P: strictest wins; a subject never filed about is WHITELIST)"]
        lines += _class_lines(r.classes)
    if r.gate:
        lines += ["", *_gate_lines(r.gate)]
    if r.freshness:
        lines += ["", *_freshness_lines(r.freshness)]
    if r.gate and r.gate.status_text:
        lines += ["", f"Gate status {r.gate.status_text}"]
    problems = r.problems()
    lines += ["", "Looked wrong: none" if not problems else "Looked wrong:"]
    lines += [f"  - {p}" for p in problems]
    return "\n".join(lines)


def _class_lines(t: ClassTally) -> list[str]:
    lines = [f"  {'':<22}{'subjects':>9}{'share':>8}   why"]
    for which, label in (("enterprise", "business entities"), ("individual", "individuals")):
        total = t.total(which)
        lines.append(f"  {label:<22}{total:>9,}")
        for klass in t.classes(which):
            n = t.count(which, klass)
            rules = sorted((rule, c) for (w, rule), c in t.rules.items() if w == which and _rule_effect(rule) == klass)
            why = ", ".join(f"{rule} {c:,}" for rule, c in rules)
            why = why or ("E-B" if which == "enterprise" else "P-B")
            lines.append(f"    {klass:<20}{n:>9,}{n / max(total, 1):>8.1%}   {why}")
        flags = sorted((flag, c) for (w, flag), c in t.flags.items() if w == which)
        if flags:
            lines.append(f"    {'flags':<20}" + ", ".join(f"{flag} {c:,}" for flag, c in flags))
    return lines


def _rule_effect(rule: str) -> str:
    return "AEO" if rule in ("E-A", "X-2") else "WATCHLIST"


def _gate_lines(g: GateFigures) -> list[str]:
    total = sum(g.lane_counts.values()) or 1
    lines = [f"Crossings   {g.crossings:,} at {len(g.by_port)} ports over the day: "
             + ", ".join(f"{lane} {g.lane_counts[lane] / total:.1%}" for lane in LANES)
             + f"; raised by a linked party (M-2) {g.raised_by_linked_party:,}; batch exit declared {g.batch_declared:,}, "
               f"refused (M-4) {g.batch_refused:,}"]
    lines += ["", "Inspection by party category (each party's own draw) against measures.yaml",
              f"  {'category':<22}{'parties':>8}{'RED':>8}{'YELLOW':>8}{'GREEN':>8}   {'drawn (95% interval)':<25}{'configured':>10}  rule"]
    for row in g.rows.values():
        if not row.parties:
            continue
        low, high = row.interval()
        interval = f"({low:.2%}-{high:.2%})"
        lines.append(f"  {row.category:<22}{row.parties:>8,}{row.share('RED'):>8.1%}{row.share('YELLOW'):>8.1%}"
                     f"{row.share('GREEN'):>8.1%}   {row.observed:>7.2%} {interval:<17}{row.configured:>10.2%}  "
                     f"{RULE_OF[row.category]:<4} {row.verdict}")
    lines += ["", f"  {'port':<24}{'crossings':>10}{'RED':>8}{'YELLOW':>8}{'GREEN':>8}"]
    for port, lanes in sorted(g.by_port.items(), key=lambda kv: -sum(kv[1].values())):
        n = sum(lanes.values())
        lines.append(f"  {port:<24}{n:>10,}" + "".join(f"{lanes[lane] / n:>8.1%}" for lane in (("RED", "YELLOW", "GREEN"))))
    lines += ["", "Gate latency  the Decide round trip as the caller sees it (the caller's own time included):"]
    for label, lat in ((f"one call at a time ({len(g.quiet_us):,} calls)", g.quiet_us),
                       (f"{g.lanes} lanes at once ({len(g.busy_us):,} calls, {g.per_second:,.0f}/s)", g.busy_us)):
        if lat:
            lines.append(f"  {label:<40}" + "  ".join(f"p{q:g} {_us(percentile(lat, q))}" for q in (50, 90, 99, 99.9))
                         + f"  max {_us(max(lat))}")
    lines.append(f"Replay (M-3)  {g.replayed} logged decisions decided again: {g.replay_matched} match")
    return lines


def _freshness_lines(found: list[Freshness]) -> list[str]:
    reached = [f.at_gate for f in found if f.at_gate is not None]
    classified = [f.classified for f in found]
    acknowledged = [f.acknowledged for f in found]
    lines = [f"Freshness   {len(found)} fresh records, each filed alone (SubmitRecord) and then polled at the gate (Decide):"]
    for label, values in (("acknowledged by ingestion", acknowledged), ("applied by classification", classified),
                          ("reflected at the gate", reached)):
        if values:
            lines.append(f"  {label:<27}p50 {_ms(percentile(values, 50))}  p90 {_ms(percentile(values, 90))}  "
                         f"max {_ms(max(values))}")
    return lines


# --- HTML ---------------------------------------------------------------------------------------------

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans SC",sans-serif;color:#1d2733;margin:0;background:#f4f6f8}
main{max-width:1060px;margin:0 auto;padding:24px 28px 60px}
h1{font-size:26px;margin:8px 0 2px}h2{font-size:19px;margin:34px 0 8px;border-bottom:1px solid #d5dce3;padding-bottom:4px}
.sub{color:#5b6b7b;margin:0 0 18px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:12px}
.card{background:#fff;border:1px solid #dde3e9;border-radius:8px;padding:12px 14px}
.card b{display:block;font-size:22px;margin-bottom:2px}.card span{color:#5b6b7b;font-size:13px}
table{border-collapse:collapse;background:#fff;margin:8px 0 4px;font-size:14px}
th,td{padding:5px 10px;border-bottom:1px solid #e6ebf0;text-align:right}th{background:#eef2f6;font-weight:600}
td:first-child,th:first-child{text-align:left}
.ok{color:#2e7d4f;font-weight:600}.bad{color:#c0392b;font-weight:700}
.chart{background:#fff;border:1px solid #dde3e9;border-radius:8px;padding:10px;margin:10px 0}
svg text{font-family:inherit}
.note{color:#5b6b7b;font-size:13px}
ul.problems li{color:#c0392b}
"""


def html_report(r: Results) -> str:
    e = html.escape
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Secondline demo {r.day}</title>"
             f"<style>{CSS}</style></head><body><main>",
             "<h1>Secondline demo report</h1>",
             f"<p class='sub'>Second-line port clearance credit, {r.day} (CST), seed {r.seed}; written "
             f"{r.finished.astimezone(CST):%Y-%m-%d %H:%M} CST. Every figure below was measured over gRPC against the suite "
             f"running on this machine (embedded default: one process per service, SQLite).</p>"]
    parts.append(_cards(r))
    problems = r.problems()
    parts.append("<h2>What looked wrong</h2>")
    parts.append("<p class='ok'>Nothing: every inspection rate is within "
                 f"{SIGMAS:g} standard deviations of the configured one, every replayed decision matches, "
                 "nothing was dropped.</p>" if not problems else
                 "<ul class='problems'>" + "".join(f"<li>{e(p)}</li>" for p in problems) + "</ul>")
    if r.classes:
        parts.append("<h2>Classes now</h2><p class='note'>Strictest wins (E, P). A subject no department has filed "
                     "about is WHITELIST without asking (E-B, P-B).</p>")
        parts.append(_chart(_class_bars(r.classes)))
        parts.append(_class_table(r.classes))
    if r.gate:
        g = r.gate
        parts.append("<h2>Inspection rates by class against the configured rates</h2>")
        parts.append("<p class='note'>Each party of each crossing draws for itself (M-1, M-3); the crossing takes the "
                     "strictest lane (M-2). Below, each party's own lane by category, and the share drawn for physical "
                     "inspection (dot, with its 95% interval) against the rate in <code>measures.yaml</code> "
                     "(diamond). The horizontal scale is logarithmic.</p>")
        parts.append(_chart(_rate_dots(g)))
        parts.append(_chart(_lane_bars([(row.category, row.lanes) for row in g.rows.values() if row.parties],
                                       title="Each party's own lane, by category")))
        parts.append(_rate_table(g))
        parts.append("<h2>A day at the ten ports</h2>")
        total = sum(g.lane_counts.values()) or 1
        parts.append(f"<p class='note'>{g.crossings:,} crossings over {r.day}: "
                     + ", ".join(f"{lane} {g.lane_counts[lane] / total:.1%}" for lane in LANES)
                     + f". {g.raised_by_linked_party:,} crossings were raised by a linked party (M-2, 人企联动); "
                       f"{g.batch_refused:,} of {g.batch_declared:,} batch-exit declarations were refused (M-4).</p>")
        ports = sorted(g.by_port.items(), key=lambda kv: -sum(kv[1].values()))
        parts.append(_chart(_lane_bars(ports, title="Crossings by port and lane", absolute=True)))
        parts.append(_chart(_hour_columns(g.by_hour)))
        parts.append("<h2>Gate latency</h2>")
        parts.append(f"<p class='note'>The round trip of each <code>Decide</code> call as the caller saw it, first "
                     f"{len(g.quiet_us):,} crossings one call at a time, then the other {len(g.busy_us):,} from {g.lanes} "
                     f"lanes calling at once ({g.per_second:,.0f} decisions a second; under load a call also waits for the "
                     "others). The caller is a Python gRPC client on the same machine: its own time is included.</p>")
        panels = [("one call at a time", g.quiet_us, "#2b6cb0"), (f"{g.lanes} lanes at once", g.busy_us, "#8e6bbf")]
        parts.append(_chart(_latency_histogram([p for p in panels if p[1]])))
        parts.append("<table><tr><th>Decide round trip</th><th>calls</th>" + "".join(f"<th>p{q:g}</th>" for q in (50, 90, 99, 99.9))
                     + "<th>max</th></tr>" + "".join(
                         f"<tr><td>{label}</td><td>{len(lat):,}</td>" + "".join(f"<td>{_us(percentile(lat, q))}</td>"
                                                                              for q in (50, 90, 99, 99.9))
                         + f"<td>{_us(max(lat))}</td></tr>" for label, lat, _ in panels if lat) + "</table>")
        parts.append(f"<p class='note'>Replay (M-3): {g.replayed} logged decisions decided again from what they "
                     f"recorded; {g.replay_matched} match.</p>")
    if r.freshness:
        parts.append("<h2>Record-to-gate freshness</h2>")
        parts.append("<p class='note'>Fresh records filed one at a time (<code>SubmitRecord</code>), each about a "
                     "subject the suite had not heard of; the gate is asked (<code>Decide</code>) every few milliseconds "
                     "until its decision shows the record's effect. Time from sending the record.</p>")
        parts.append(_chart(_freshness_chart(r.freshness)))
        parts.append(_freshness_table(r.freshness))
    if r.ingest:
        i = r.ingest
        parts.append("<h2>Ingestion and catch-up</h2>")
        parts.append(f"<p class='note'>{i.records:,} records in {i.seconds:.1f} s ({i.records / max(i.seconds, 1e-9):,.0f} "
                     f"a second): {i.history:,} from the departments' history through <code>BackfillRecords</code> with "
                     f"their original receipt instants, {i.live:,} filed today by {i.live_departments} departments through "
                     f"<code>SubmitRecords</code> (one stream each, {500} records a message). {i.late:,} were late (R-5), "
                     f"{i.refused:,} refused. Classification applied the last record {i.classified_after:.1f} s after the "
                     f"last acknowledgement; the gate's snapshot reached its revision ({i.revision:,}) after "
                     f"{i.gate_after:.1f} s.</p>")
        parts.append(_kinds_table(r.kinds))
    if r.gate and r.gate.status_text:
        parts.append(f"<p class='note'>Gate status at the end: {e(r.gate.status_text)}.</p>")
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _cards(r: Results) -> str:
    cards = [(f"{r.subjects:,}", f"subjects ({r.enterprises:,} entities)"),
             (f"{sum(r.kinds.values()):,}", "records filed")]
    if r.ingest:
        cards.append((f"{r.ingest.classified_after + 0:.1f} s", "catch-up after the last record"))
    if r.gate:
        lat = r.gate.quiet_us or r.gate.busy_us
        cards += [(f"{r.gate.crossings:,}", "crossings decided"), (_us(percentile(lat, 50)), "gate p50 round trip"),
                  (_us(percentile(lat, 99)), "gate p99 round trip"), (f"{r.gate.per_second:,.0f}/s", f"decisions, {r.gate.lanes} lanes")]
    reached = [f.at_gate for f in r.freshness if f.at_gate is not None]
    if reached:
        cards.append((_ms(percentile(reached, 50)), "record-to-gate p50"))
    return "<div class='cards'>" + "".join(f"<div class='card'><b>{html.escape(v)}</b><span>{html.escape(t)}</span></div>"
                                           for v, t in cards) + "</div>"


def _chart(svg: str) -> str:
    return f"<div class='chart'>{svg}</div>"


def _svg(width: int, height: int, body: list[str]) -> str:
    return (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='100%' "
            f"style='max-width:{width}px' role='img'>" + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 12, colour: str = "#1d2733",
          weight: str = "normal") -> str:
    return (f"<text x='{x:.1f}' y='{y:.1f}' text-anchor='{anchor}' font-size='{size}' fill='{colour}' "
            f"font-weight='{weight}'>{html.escape(text)}</text>")


def _rect(x: float, y: float, w: float, h: float, colour: str, title: str = "") -> str:
    tip = f"<title>{html.escape(title)}</title>" if title else ""
    return f"<rect x='{x:.1f}' y='{y:.1f}' width='{max(w, 0):.1f}' height='{h:.1f}' fill='{colour}'>{tip}</rect>"


def _legend(x: float, y: float, items: list[tuple[str, str]]) -> list[str]:
    body = []
    for label, colour in items:
        body += [_rect(x, y - 10, 12, 12, colour), _text(x + 17, y, label)]
        x += 30 + 6.8 * len(label)
    return body


def _class_bars(t: ClassTally) -> str:
    width, left, right = 980, 150, 30
    body = [_text(left, 18, "Share of subjects by class", weight="600")]
    body += _legend(left + 230, 18, [(k, CLASS_COLOURS[k]) for k in ("AEO", "WHITELIST", "WATCHLIST")])
    y = 36
    for which, label in (("enterprise", "business entities"), ("individual", "individuals")):
        total = max(t.total(which), 1)
        body.append(_text(left - 10, y + 21, f"{label}", anchor="end"))
        body.append(_text(left - 10, y + 35, f"{t.total(which):,}", anchor="end", size=11, colour="#5b6b7b"))
        x = left
        span = width - left - right
        for klass in t.classes(which):
            n = t.count(which, klass)
            w = span * n / total
            body.append(_rect(x, y, w, 40, CLASS_COLOURS[klass], f"{klass}: {n:,} ({n / total:.1%})"))
            if w > 46:
                body.append(_text(x + w / 2, y + 25, f"{n / total:.1%}", anchor="middle",
                                  colour="#fff" if klass != "WHITELIST" else "#1d2733", weight="600"))
            x += w
        # The small classes, where the bar is too thin to read.
        small = [f"{k} {t.count(which, k):,} ({t.count(which, k) / total:.1%})" for k in t.classes(which) if k != "WHITELIST"]
        body.append(_text(left, y + 56, "   ".join(small), size=11, colour="#5b6b7b"))
        y += 76
    return _svg(width, y, body)


def _class_table(t: ClassTally) -> str:
    rows = ["<table><tr><th>subjects</th><th>class</th><th>count</th><th>share</th><th>rules behind it</th></tr>"]
    for which, label in (("enterprise", "business entities"), ("individual", "individuals")):
        total = max(t.total(which), 1)
        for klass in t.classes(which):
            n = t.count(which, klass)
            rules = sorted((rule, c) for (w, rule), c in t.rules.items() if w == which and _rule_effect(rule) == klass)
            why = ", ".join(f"{rule} {c:,}" for rule, c in rules) or ("E-B" if which == "enterprise" else "P-B")
            rows.append(f"<tr><td>{label}</td><td>{klass}</td><td>{n:,}</td><td>{n / total:.1%}</td>"
                        f"<td style='text-align:left'>{html.escape(why)}</td></tr>")
        flags = sorted((flag, c) for (w, flag), c in t.flags.items() if w == which)
        if flags:
            rows.append(f"<tr><td>{label}</td><td>flags</td><td colspan='3' style='text-align:left'>"
                        + html.escape(", ".join(f"{flag} {c:,}" for flag, c in flags)) + "</td></tr>")
    return "".join(rows) + "</table>"


def _log_x(rate: float, left: float, span: float, low: float = 0.001) -> float:
    """x of a rate on a log scale from ``low`` to 1; a zero rate sits at the left edge."""
    if rate <= 0:
        return left
    return left + 20 + (span - 20) * (math.log10(max(rate, low)) - math.log10(low)) / -math.log10(low)


def _rate_dots(g: GateFigures) -> str:
    rows = [row for row in g.rows.values() if row.parties]
    width, left, right, top, step = 980, 190, 170, 40, 34
    span = width - left - right
    height = top + step * len(rows) + 30
    body = [_text(left, 18, "Drawn for physical inspection (RED) against the configured rate", weight="600")]
    for tick, label in ((0, "0"), (0.001, "0.1%"), (0.005, "0.5%"), (0.01, "1%"), (0.03, "3%"), (0.1, "10%"),
                        (0.3, "30%"), (1.0, "100%")):
        x = _log_x(tick, left, span)
        body.append(f"<line x1='{x:.1f}' y1='{top - 8}' x2='{x:.1f}' y2='{height - 24}' stroke='#e3e8ee'/>")
        body.append(_text(x, height - 8, label, anchor="middle", size=11, colour="#5b6b7b"))
    for i, row in enumerate(rows):
        y = top + step * i + 10
        body.append(_text(left - 10, y + 4, f"{row.category}", anchor="end"))
        low, high = row.interval()
        x1, x2 = _log_x(low, left, span), _log_x(high, left, span)
        body.append(f"<line x1='{x1:.1f}' y1='{y}' x2='{x2:.1f}' y2='{y}' stroke='#34495e' stroke-width='2'/>")
        cx = _log_x(row.observed, left, span)
        body.append(f"<circle cx='{cx:.1f}' cy='{y}' r='5.5' fill='#d2413a'><title>drawn {row.observed:.2%} "
                    f"({low:.2%}-{high:.2%}), n={row.parties:,}</title></circle>")
        dx = _log_x(row.configured, left, span)
        body.append(f"<path d='M{dx:.1f},{y - 8} l7,8 l-7,8 l-7,-8 z' fill='none' stroke='#1d2733' stroke-width='1.6'>"
                    f"<title>configured {row.configured:.2%}</title></path>")
        ok = row.verdict == "ok"
        body.append(_text(width - right + 16, y + 4, f"{row.observed:.2%} vs {row.configured:.2%}",
                          colour="#2e7d4f" if ok else "#c0392b", weight="600"))
    body += [f"<circle cx='{left + 470}' cy='14' r='5' fill='#d2413a'/>", _text(left + 480, 18, "drawn (95% interval)"),
             f"<path d='M{left + 625},6 l7,8 l-7,8 l-7,-8 z' fill='none' stroke='#1d2733' stroke-width='1.6'/>",
             _text(left + 637, 18, "configured")]
    return _svg(width, height, body)


def _lane_bars(rows: list[tuple[str, Counter]], *, title: str, absolute: bool = False) -> str:
    width, left, right, top, step = 980, 210, 100, 40, 26
    span = width - left - right
    height = top + step * len(rows) + 8
    body = [_text(left, 18, title, weight="600")]
    body += _legend(left + 8 * len(title) + 20, 18, [(lane, LANE_COLOURS[lane]) for lane in LANES])
    biggest = max((sum(c.values()) for _, c in rows), default=1) or 1
    for i, (label, lanes) in enumerate(rows):
        y = top + step * i
        n = sum(lanes.values()) or 1
        body.append(_text(left - 10, y + 14, label, anchor="end"))
        x = left
        scale = span * (n / biggest if absolute else 1.0)
        for lane in LANES:
            w = scale * lanes[lane] / n
            body.append(_rect(x, y, w, 19, LANE_COLOURS[lane], f"{label}: {lane} {lanes[lane]:,} ({lanes[lane] / n:.1%})"))
            x += w
        body.append(_text(x + 6, y + 14, f"{n:,}" if absolute else f"RED {lanes['RED'] / n:.1%}", size=11, colour="#5b6b7b"))
    return _svg(width, height, body)


def _nice_step(maximum: float, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` ticks up to ``maximum``."""
    raw = max(maximum, 1e-9) / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _hour_columns(by_hour: dict[int, Counter]) -> str:
    width, left, bottom, top, height = 980, 60, 30, 40, 250
    span = width - left - 20
    tallest = max((sum(c.values()) for c in by_hour.values()), default=1) or 1
    step = _nice_step(tallest)
    biggest = step * math.ceil(tallest / step)
    column = span / 24
    body = [_text(left, 18, "Crossings by hour of the day (CST) and lane", weight="600")]
    body += _legend(left + 330, 18, [(lane, LANE_COLOURS[lane]) for lane in LANES])
    plot = height - top - bottom
    for n in range(1, round(biggest / step) + 1):
        y = height - bottom - plot * n * step / biggest
        body.append(f"<line x1='{left}' y1='{y:.1f}' x2='{width - 20}' y2='{y:.1f}' stroke='#e6ebf0'/>")
        body.append(_text(left - 6, y + 4, f"{n * step:,.0f}", anchor="end", size=10, colour="#5b6b7b"))
    for hour in range(24):
        lanes = by_hour.get(hour, Counter())
        x = left + column * hour + 3
        y = height - bottom
        for lane in LANES:
            h = plot * lanes[lane] / biggest
            y -= h
            body.append(_rect(x, y, column - 6, h, LANE_COLOURS[lane], f"{hour:02d}:00 {lane} {lanes[lane]:,}"))
        body.append(_text(x + (column - 6) / 2, height - bottom + 15, f"{hour:02d}", anchor="middle", size=10, colour="#5b6b7b"))
    return _svg(width, height, body)


def _latency_histogram(panels: list[tuple[str, list[float], str]]) -> str:
    """One histogram per (label, round trips in microseconds, colour), on a shared log scale."""
    width, left, right, panel_height, gap = 980, 60, 20, 150, 30
    everything = [v for _, values, _ in panels for v in values]
    if not everything:
        return _svg(width, 40, [_text(10, 20, "no calls")])
    low, high = 50.0, max(max(everything), 1000.0) * 1.05  # microseconds
    bins, span = 56, width - left - right

    def x_of(us: float) -> float:
        return left + span * math.log(max(us, low) / low) / math.log(high / low)

    body = [_text(left, 18, "Decide round trip (log scale), with percentiles", weight="600")]
    top = 34
    for label, values, colour in panels:
        edges = [low * (high / low) ** (i / bins) for i in range(bins + 1)]
        counts = [0] * bins
        for value in values:
            index = 0 if value <= low else min(bins - 1, int(bins * math.log(value / low) / math.log(high / low)))
            counts[index] += 1
        biggest, base = max(counts) or 1, top + panel_height
        body.append(_text(left + 4, top + 12, f"{label}: {len(values):,} calls", size=12, weight="600", colour=colour))
        for i, n in enumerate(counts):
            x, x2 = x_of(edges[i]), x_of(edges[i + 1])
            h = (panel_height - 20) * n / biggest
            body.append(_rect(x + 0.5, base - h, x2 - x - 1, h, colour,
                              f"{edges[i] / 1000:.2f}-{edges[i + 1] / 1000:.2f} ms: {n:,} calls"))
        for row, (q, shade) in enumerate(((50, "#2e9e5b"), (90, "#c99a00"), (99, "#d2413a"), (99.9, "#7b2d26"))):
            value = percentile(values, q)
            x = x_of(value)
            body.append(f"<line x1='{x:.1f}' y1='{top + 16}' x2='{x:.1f}' y2='{base}' stroke='{shade}' "
                        "stroke-width='1.6' stroke-dasharray='4,3'/>")
            body.append(_text(width - right - 4, top + 28 + 14 * row, f"p{q:g} {_us(value)}", anchor="end", size=11,
                              colour=shade, weight="600"))
        body.append(f"<line x1='{left}' y1='{base}' x2='{width - right}' y2='{base}' stroke='#5b6b7b'/>")
        tick = 0.01
        while tick * 1000 <= high:
            for m in (1, 2, 5):
                us = tick * m * 1000
                if low <= us <= high:
                    x = x_of(us)
                    body.append(f"<line x1='{x:.1f}' y1='{base}' x2='{x:.1f}' y2='{base + 4}' stroke='#5b6b7b'/>")
                    body.append(_text(x, base + 15, f"{tick * m:g} ms", anchor="middle", size=10, colour="#5b6b7b"))
            tick *= 10
        top = base + gap
    return _svg(width, top, body)


def _freshness_chart(found: list[Freshness]) -> str:
    width, left, right, top, step = 980, 240, 90, 60, 18
    height = top + step * len(found) + 30
    slowest = max([f.at_gate or 0 for f in found] + [f.classified for f in found] + [0.005])
    tick = _nice_step(slowest, 5)
    longest = tick * math.ceil(slowest / tick)
    span = width - left - right
    body = [_text(left, 18, "Each fresh record, from sending it until ...", weight="600")]
    body += _legend(left, 40, [("acknowledged by ingestion", "#9cc3e6"), ("applied by classification", "#5b8def"),
                               ("reflected at the gate", "#2e9e5b")])
    for n in range(round(longest / tick) + 1):
        x = left + span * n * tick / longest
        body.append(f"<line x1='{x:.1f}' y1='{top - 4}' x2='{x:.1f}' y2='{height - 22}' stroke='#e6ebf0'/>")
        body.append(_text(x, height - 8, f"{n * tick * 1000:g} ms", anchor="middle", size=10, colour="#5b6b7b"))
    for i, f in enumerate(found):
        y = top + step * i
        body.append(_text(left - 8, y + 11, f.what, anchor="end", size=11))
        end = f.at_gate if f.at_gate is not None else longest
        body.append(_rect(left, y, span * end / longest, 13, "#2e9e5b" if f.at_gate is not None else "#c0392b",
                          f"gate {_ms(f.at_gate) if f.at_gate is not None else 'not within 30 s'}"))
        body.append(_rect(left, y + 3, span * f.classified / longest, 7, "#5b8def", f"classification {_ms(f.classified)}"))
        body.append(_rect(left, y + 3, span * f.acknowledged / longest, 7, "#9cc3e6", f"acknowledged {_ms(f.acknowledged)}"))
        body.append(_text(left + span * max(end, f.classified) / longest + 6, y + 11,
                          _ms(f.at_gate) if f.at_gate is not None else "> 30 s", size=11, colour="#5b6b7b"))
    return _svg(width, height, body)


def _freshness_table(found: list[Freshness]) -> str:
    rows = ["<table><tr><th>from sending the record to</th><th>p50</th><th>p90</th><th>max</th></tr>"]
    reached = [f.at_gate for f in found if f.at_gate is not None]
    for label, values in (("ingestion's answer", [f.acknowledged for f in found]),
                          ("classification having applied it", [f.classified for f in found]),
                          ("the gate's decision reflecting it", reached)):
        if values:
            rows.append(f"<tr><td>{label}</td><td>{_ms(percentile(values, 50))}</td><td>{_ms(percentile(values, 90))}</td>"
                        f"<td>{_ms(max(values))}</td></tr>")
    return "".join(rows) + "</table>"


def _rate_table(g: GateFigures) -> str:
    rows = ["<table><tr><th>party category</th><th>parties</th><th>RED</th><th>YELLOW</th><th>GREEN</th>"
            "<th>drawn (95% interval)</th><th>configured</th><th>expected YELLOW</th><th>rule</th><th></th></tr>"]
    for row in g.rows.values():
        if not row.parties:
            continue
        low, high = row.interval()
        verdict = row.verdict
        rows.append(f"<tr><td>{row.category}</td><td>{row.parties:,}</td><td>{row.share('RED'):.1%}</td>"
                    f"<td>{row.share('YELLOW'):.1%}</td><td>{row.share('GREEN'):.1%}</td>"
                    f"<td>{row.observed:.2%} ({low:.2%}-{high:.2%})</td><td>{row.configured:.2%}</td>"
                    f"<td>{row.expected_yellow / row.parties:.1%}</td><td>{RULE_OF[row.category]}</td>"
                    f"<td class='{'ok' if verdict == 'ok' else 'bad'}'>{verdict}</td></tr>")
    return "".join(rows) + "</table>"


def _kinds_table(kinds: Counter) -> str:
    rows = ["<table><tr><th>department</th><th>record kind</th><th>records</th></tr>"]
    for (department, kind), n in sorted(kinds.items(), key=lambda kv: -kv[1]):
        rows.append(f"<tr><td>{department}</td><td style='text-align:left'>{kind}</td><td>{n:,}</td></tr>")
    return "".join(rows) + "</table>"

"""What ``secondline demo`` measured, as text and as a self-contained HTML page with SVG charts.

The figures are gathered by ``secondline.cli.demo.tour`` into :class:`Results`; this module only counts
and draws. The charts are plain SVG written here (no plotting library), so the page opens in
any browser, offline, and can be mailed as one file.

The inspection rates are checked against the measures catalogue (``measures.yaml``, M-1, L-2,
P-R), read independently of the gate: each party of each crossing falls in a category (its
class, or a listing, or a valid risk alert where that raises its rate), and the share of
parties drawn for physical inspection is compared with the configured rate: a count drawn whose
two-sided binomial tail under the rate is below one in 100,000 is reported as off
(``stats.binomial_tail``).
"""

from __future__ import annotations

import html
from collections import Counter

from secondline.dates import CST
from secondline.cli.demo.figures import fmt_ms, fmt_us, rule_effect, ClassTally, Freshness, GateFigures, IngestFigures, LANES, RULE_OF, RateRow, Results, percentile
from secondline.cli.demo.sections import objection_html, objection_lines, partner_html, partner_lines
from secondline.cli.demo.charts import chart, class_bars, class_table, freshness_chart, freshness_table, hour_columns, kinds_table, lane_bars, latency_histogram, rate_dots, rate_table


__all__ = ["ClassTally", "Freshness", "GateFigures", "IngestFigures", "RateRow", "Results",
           "html_report", "percentile", "text_report"]


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
    if r.objections:
        lines += ["", *objection_lines(r.objections)]
    if r.partners:
        lines += ["", *partner_lines(r.partners)]
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
            rules = sorted((rule, c) for (w, rule), c in t.rules.items() if w == which and rule_effect(rule) == klass)
            why = ", ".join(f"{rule} {c:,}" for rule, c in rules)
            why = why or ("E-B" if which == "enterprise" else "P-B")
            lines.append(f"    {klass:<20}{n:>9,}{n / max(total, 1):>8.1%}   {why}")
        flags = sorted((flag, c) for (w, flag), c in t.flags.items() if w == which)
        if flags:
            lines.append(f"    {'flags':<20}" + ", ".join(f"{flag} {c:,}" for flag, c in flags))
    return lines


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
            lines.append(f"  {label:<40}" + "  ".join(f"p{q:g} {fmt_us(percentile(lat, q))}" for q in (50, 90, 99, 99.9))
                         + f"  max {fmt_us(max(lat))}")
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
            lines.append(f"  {label:<27}p50 {fmt_ms(percentile(values, 50))}  p90 {fmt_ms(percentile(values, 90))}  "
                         f"max {fmt_ms(max(values))}")
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
    parts.append("<p class='ok'>Nothing: every category's count drawn for inspection is one the configured rate "
                 "gives with probability one in 100,000 or more, every replayed decision matches, "
                 "nothing was dropped.</p>" if not problems else
                 "<ul class='problems'>" + "".join(f"<li>{e(p)}</li>" for p in problems) + "</ul>")
    if r.classes:
        parts.append("<h2>Classes now</h2><p class='note'>Strictest wins (E, P). A subject no department has filed "
                     "about is WHITELIST without asking (E-B, P-B).</p>")
        parts.append(chart(class_bars(r.classes)))
        parts.append(class_table(r.classes))
    if r.gate:
        g = r.gate
        parts.append("<h2>Inspection rates by class against the configured rates</h2>")
        parts.append("<p class='note'>Each party of each crossing draws for itself (M-1, M-3); the crossing takes the "
                     "strictest lane (M-2). Below, each party's own lane by category, and the share drawn for physical "
                     "inspection (dot, with its 95% interval) against the rate in <code>measures.yaml</code> "
                     "(diamond). The horizontal scale is logarithmic.</p>")
        parts.append(chart(rate_dots(g)))
        parts.append(chart(lane_bars([(row.category, row.lanes) for row in g.rows.values() if row.parties],
                                       title="Each party's own lane, by category")))
        parts.append(rate_table(g))
        parts.append("<h2>A day at the ten ports</h2>")
        total = sum(g.lane_counts.values()) or 1
        parts.append(f"<p class='note'>{g.crossings:,} crossings over {r.day}: "
                     + ", ".join(f"{lane} {g.lane_counts[lane] / total:.1%}" for lane in LANES)
                     + f". {g.raised_by_linked_party:,} crossings were raised by a linked party (M-2, 人企联动); "
                       f"{g.batch_refused:,} of {g.batch_declared:,} batch-exit declarations were refused (M-4).</p>")
        ports = sorted(g.by_port.items(), key=lambda kv: -sum(kv[1].values()))
        parts.append(chart(lane_bars(ports, title="Crossings by port and lane", absolute=True)))
        parts.append(chart(hour_columns(g.by_hour)))
        parts.append("<h2>Gate latency</h2>")
        parts.append(f"<p class='note'>The round trip of each <code>Decide</code> call as the caller saw it, first "
                     f"{len(g.quiet_us):,} crossings one call at a time, then the other {len(g.busy_us):,} from {g.lanes} "
                     f"lanes calling at once ({g.per_second:,.0f} decisions a second; under load a call also waits for the "
                     "others). The caller is a Python gRPC client on the same machine: its own time is included.</p>")
        panels = [("one call at a time", g.quiet_us, "#2b6cb0"), (f"{g.lanes} lanes at once", g.busy_us, "#8e6bbf")]
        parts.append(chart(latency_histogram([p for p in panels if p[1]])))
        parts.append("<table><tr><th>Decide round trip</th><th>calls</th>" + "".join(f"<th>p{q:g}</th>" for q in (50, 90, 99, 99.9))
                     + "<th>max</th></tr>" + "".join(
                         f"<tr><td>{label}</td><td>{len(lat):,}</td>" + "".join(f"<td>{fmt_us(percentile(lat, q))}</td>"
                                                                              for q in (50, 90, 99, 99.9))
                         + f"<td>{fmt_us(max(lat))}</td></tr>" for label, lat, _ in panels if lat) + "</table>")
        parts.append(f"<p class='note'>Replay (M-3): {g.replayed} logged decisions decided again from what they "
                     f"recorded; {g.replay_matched} match.</p>")
    if r.freshness:
        parts.append("<h2>Record-to-gate freshness</h2>")
        parts.append("<p class='note'>Fresh records filed one at a time (<code>SubmitRecord</code>), each about a "
                     "subject the suite had not heard of; the gate is asked (<code>Decide</code>) every few milliseconds "
                     "until its decision shows the record's effect. Time from sending the record.</p>")
        parts.append(chart(freshness_chart(r.freshness)))
        parts.append(freshness_table(r.freshness))
    if r.objections:
        parts.append(objection_html(r.objections))
    if r.partners:
        parts.append(partner_html(r.partners))
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
        parts.append(kinds_table(r.kinds))
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
        cards += [(f"{r.gate.crossings:,}", "crossings decided"), (fmt_us(percentile(lat, 50)), "gate p50 round trip"),
                  (fmt_us(percentile(lat, 99)), "gate p99 round trip"), (f"{r.gate.per_second:,.0f}/s", f"decisions, {r.gate.lanes} lanes")]
    reached = [f.at_gate for f in r.freshness if f.at_gate is not None]
    if reached:
        cards.append((fmt_ms(percentile(reached, 50)), "record-to-gate p50"))
    return "<div class='cards'>" + "".join(f"<div class='card'><b>{html.escape(v)}</b><span>{html.escape(t)}</span></div>"
                                           for v, t in cards) + "</div>"



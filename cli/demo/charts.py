"""The demo report's charts and tables: plain SVG and HTML written here (no plotting library).
"""

from __future__ import annotations

import html
import math
from collections import Counter

from secondline.cli.demo.figures import fmt_ms, fmt_us, rule_effect, CLASS_COLOURS, ClassTally, Freshness, GateFigures, LANES, LANE_COLOURS, RULE_OF, percentile


def chart(svg: str) -> str:
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


def class_bars(t: ClassTally) -> str:
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


def class_table(t: ClassTally) -> str:
    rows = ["<table><tr><th>subjects</th><th>class</th><th>count</th><th>share</th><th>rules behind it</th></tr>"]
    for which, label in (("enterprise", "business entities"), ("individual", "individuals")):
        total = max(t.total(which), 1)
        for klass in t.classes(which):
            n = t.count(which, klass)
            rules = sorted((rule, c) for (w, rule), c in t.rules.items() if w == which and rule_effect(rule) == klass)
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


def rate_dots(g: GateFigures) -> str:
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


def lane_bars(rows: list[tuple[str, Counter]], *, title: str, absolute: bool = False) -> str:
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


def hour_columns(by_hour: dict[int, Counter]) -> str:
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


def latency_histogram(panels: list[tuple[str, list[float], str]]) -> str:
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
            body.append(_text(width - right - 4, top + 28 + 14 * row, f"p{q:g} {fmt_us(value)}", anchor="end", size=11,
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


def freshness_chart(found: list[Freshness]) -> str:
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
                          f"gate {fmt_ms(f.at_gate) if f.at_gate is not None else 'not within 30 s'}"))
        body.append(_rect(left, y + 3, span * f.classified / longest, 7, "#5b8def", f"classification {fmt_ms(f.classified)}"))
        body.append(_rect(left, y + 3, span * f.acknowledged / longest, 7, "#9cc3e6", f"acknowledged {fmt_ms(f.acknowledged)}"))
        body.append(_text(left + span * max(end, f.classified) / longest + 6, y + 11,
                          fmt_ms(f.at_gate) if f.at_gate is not None else "> 30 s", size=11, colour="#5b6b7b"))
    return _svg(width, height, body)


def freshness_table(found: list[Freshness]) -> str:
    rows = ["<table><tr><th>from sending the record to</th><th>p50</th><th>p90</th><th>max</th></tr>"]
    reached = [f.at_gate for f in found if f.at_gate is not None]
    for label, values in (("ingestion's answer", [f.acknowledged for f in found]),
                          ("classification having applied it", [f.classified for f in found]),
                          ("the gate's decision reflecting it", reached)):
        if values:
            rows.append(f"<tr><td>{label}</td><td>{fmt_ms(percentile(values, 50))}</td><td>{fmt_ms(percentile(values, 90))}</td>"
                        f"<td>{fmt_ms(max(values))}</td></tr>")
    return "".join(rows) + "</table>"


def rate_table(g: GateFigures) -> str:
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


def kinds_table(kinds: Counter) -> str:
    rows = ["<table><tr><th>department</th><th>record kind</th><th>records</th></tr>"]
    for (department, kind), n in sorted(kinds.items(), key=lambda kv: -kv[1]):
        rows.append(f"<tr><td>{department}</td><td style='text-align:left'>{kind}</td><td>{n:,}</td></tr>")
    return "".join(rows) + "</table>"

"""The report's sections on objections and repairs (RULES O, L-4) and on partners and the
transparency log (X), as text lines and as HTML; the figures are :mod:`.tallies`'."""

from __future__ import annotations

import html
from collections import Counter

from secondline.cli.demo.tallies import ObjectionTally, PartnerTally

OBJECTION_STATUSES = ("OPEN", "OVERDUE", "UPHELD", "PARTLY_UPHELD", "REJECTED")
REPAIR_STATUSES = ("OPEN", "OVERDUE", "APPROVED", "REJECTED")
PARTNER_NAMES = {"GBA": "Greater Bay Area", "YRD": "Yangtze River Delta", "SG": "Singapore (AEO MRA)"}


def _share(n: int, total: int) -> str:
    return f"{n / total:.0%}" if total else "-"


def _counts(counter: Counter, order: tuple[str, ...]) -> str:
    return ", ".join(f"{name} {counter[name]:,}" for name in order if counter[name]) or "none"


def objection_lines(t: ObjectionTally) -> list[str]:
    answers = f"{t.in_time:,} of {t.answered:,} answers met their deadline ({_share(t.in_time, t.answered)}), {t.late:,} late"
    lines = [f"Objections {t.filed:,} filed through the portal over the {t.days} days from {t.since} (O-1; "
             f"{t.eligible:,} records could be disputed), in {t.seconds:.1f} s",
             f"  by status   {_counts(t.status, OBJECTION_STATUSES)}",
             f"  deadlines   {answers}; {t.extended:,} extended once with a reason (O-3); "
             f"{t.unanswered_overdue:,} records unanswered past their due instant",
             f"  upheld      {t.remedies['withdrawn']:,} withdrawn, {t.remedies['corrected']:,} corrected: "
             f"{t.filed_by_owners:,} owner's records filed through ingestion (O-4)",
             f"Repairs     {t.applied:,} applications (L-4): {sum(t.refused.values()):,} refused at receipt"
             + "".join(f"; {reason} {n:,}" for reason, n in t.refused.most_common()),
             f"  by status   {_counts(t.repairs, REPAIR_STATUSES)}; decided in time {t.repairs_in_time:,}, "
             f"late {t.repairs_late:,}; {t.repair_records:,} records filed (DISHONESTY_REMOVED, CREDIT_COMMITMENT)"]
    return lines


def partner_lines(t: PartnerTally) -> list[str]:
    lines = [f"Partners    {sum(t.sent.values()):,} signed envelopes in {t.seconds:.1f} s (X-4): "
             + ", ".join(f"{p} {t.accepted[p]:,} accepted, {t.refused[p]:,} refused" for p in t.sent)
             + (f" ({_counts(t.refusal_codes, tuple(t.refusal_codes))}: tampered on the way)" if t.refused else "")]
    effects = ", ".join(f"{p} {e} {n:,}" for (p, e), n in sorted(t.effects.items()))
    lines.append(f"  effects     {effects} (X-2, X-3)")
    lines.append("  partner-driven classes now (the partner's record is behind the class)")
    for partner in t.sent:
        driven = sorted((rule, klass, n) for (p, rule, klass), n in t.driven.items() if p == partner)
        classes = sorted((which, klass, n) for (p, which, klass), n in t.classes.items() if p == partner)
        lines.append(f"    {partner:<4}{PARTNER_NAMES.get(partner, partner):<22}"
                     + (", ".join(f"{klass} {n:,} by {rule}" for rule, klass, n in driven) or "none")
                     + "; its subjects now: " + ", ".join(f"{which} {klass} {n:,}" for which, klass, n in classes))
    verdict = "PASS" if t.verified else "FAIL"
    entity, key_id, index = t.report
    lines.append(f"Checkpoint  recognition's log of {t.tree_size:,} entries, with GBA's signed credit report on {entity} "
                 f"(key {key_id}, entry {index}, X-5), checked offline by secondline verify: {verdict}")
    lines += [f"  {line}" for line in t.verify_lines]
    return lines


def objection_html(t: ObjectionTally) -> str:
    e = html.escape
    rows = "".join(f"<tr><td>{s}</td><td>{t.status[s]:,}</td></tr>" for s in OBJECTION_STATUSES)
    repairs = "".join(f"<tr><td>{s}</td><td>{t.repairs[s]:,}</td></tr>" for s in REPAIR_STATUSES)
    refused = "".join(f"<li>{e(reason)}: {n:,}</li>" for reason, n in t.refused.most_common())
    return (f"<h2>Objections and repairs</h2><p class='note'>{t.filed:,} objections filed through the credit portal over "
            f"the {t.days} days from {t.since} (O-1), to penalties, lowest grades, alerts and listings that weigh on their "
            "subjects; each owner answered for its own records (O-3), the upheld ones withdrawn or corrected through "
            "ingestion (O-4). The objection service's clock was moved through those days; deadlines are judged now.</p>"
            f"<table><tr><th>objections by status</th><th>count</th></tr>{rows}</table>"
            f"<p>Answers that met their deadline: <b>{t.in_time:,} of {t.answered:,}</b> ({_share(t.in_time, t.answered)}); "
            f"late {t.late:,}; extended once with a reason {t.extended:,}; unanswered past their due instant "
            f"{t.unanswered_overdue:,}. Upheld: {t.remedies['withdrawn']:,} withdrawn, {t.remedies['corrected']:,} "
            f"corrected.</p>"
            f"<table><tr><th>repair applications by status (L-4)</th><th>count</th></tr>{repairs}"
            f"<tr><td>refused at receipt</td><td>{sum(t.refused.values()):,}</td></tr></table>"
            + (f"<ul class='note'>{refused}</ul>" if refused else "")
            + f"<p class='note'>Decided in time {t.repairs_in_time:,}, late {t.repairs_late:,}; {t.repair_records:,} "
              "records filed by the list keepers through ingestion.</p>")


def partner_html(t: PartnerTally) -> str:
    e = html.escape
    rows = "".join(f"<tr><td>{p} {e(PARTNER_NAMES.get(p, p))}</td><td>{t.sent[p]:,}</td><td>{t.accepted[p]:,}</td>"
                   f"<td>{t.refused[p]:,}</td><td>" + e(", ".join(f"{klass} {n:,} by {rule}" for (q, rule, klass), n
                                                              in sorted(t.driven.items()) if q == p) or "none")
                   + "</td></tr>" for p in t.sent)
    verdict = "<span class='ok'>PASS</span>" if t.verified else "<span class='bad'>FAIL</span>"
    return ("<h2>Partners and the transparency log</h2><p class='note'>Two partner regions and an AEO "
            "mutual-recognition partner sent signed envelopes (JWS, Ed25519) through the recognition service; each "
            "was verified with the partner's key, mapped by its grade table and filed into ingestion as that partner's "
            "record (X-3, X-4, R-7). One envelope per partner was tampered with on the way and refused.</p>"
            "<table><tr><th>partner</th><th>sent</th><th>accepted</th><th>refused</th><th>partner-driven classes now</th></tr>"
            f"{rows}</table><p>Checkpoint of {t.tree_size:,} entries fetched from recognition and checked offline by "
            f"<code>secondline verify</code>, with the signed credit report GBA asked for about {e(t.report[0])} "
            f"(entry {t.report[2]}, X-5): {verdict}</p><pre>{e(t.checkpoint)}</pre><pre>{e(chr(10).join(t.verify_lines))}</pre>")


__all__ = ["objection_html", "objection_lines", "partner_html", "partner_lines"]

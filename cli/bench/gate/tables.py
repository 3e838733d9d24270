"""The gate benchmark's report: a run in a line, the latency table, the goals."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


# The goals: latency and throughput beside the bare echo server, the decision's own work,
# BatchDecide's throughput, and (from the lane gate's first goals) the snapshot's memory.
GOAL_P50_RATIO = 1.1
GOAL_P99_RATIO = 1.3
GOAL_RATE_RATIO = 0.9
GOAL_WORK_P99_US = 20.0
GOAL_BATCH_RATE = 20_000
GOAL_BATCH_SIZE = 100
GOAL_BYTES = 300
GOAL_AT_RATE = 1000


@dataclass
class MaxRate:
    probe: dict
    best: dict | None
    tried: list[tuple[dict, bool, str]]
    capped: bool  # every step passed: the figure is a lower bound


def run_line(r: dict) -> str:
    """One measured run in a line: latency, throughput, and who used how much CPU."""
    server = (f"  server CPU {r['server_cpu']:4.0%} ({r['server_us']:4.0f} us/request)" if "server_cpu" in r else "")
    if "loop_thread_cpu" in r:
        server += f" event-loop thread {r['loop_thread_cpu']:4.0%}"
    if r["shed"]:
        server += f"  SHED {r['shed']:,} calls ({r['first_errors'][0].split(': ', 1)[1]})"

    return (f"p50 {r['p50']:7.3f}  p99 {r['p99']:7.3f}  p99.9 {r['p999']:7.3f}  max {r['max']:7.2f} ms  "
            f"answered {r['achieved']:>7,.0f}/s  client lag p99 {r['lag_p99']:5.2f} ms, CPU {r['client_cpu']:4.0%}{server}")


def median_run(runs: list[dict]) -> dict:
    """Rounds of one server at one rate as one: each figure the median of the rounds'."""
    if len(runs) == 1:
        return runs[0]
    merged = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, float):
            merged[key] = statistics.median(r[key] for r in runs)
    for key in ("measured", "shed"):
        merged[key] = sum(r[key] for r in runs)
    return merged


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def latency_table(rows: list[tuple[int, dict, dict, int]]) -> list[str]:
    def group(title: str) -> str:
        return f"  {title:-^25}"

    lines = [f"{'':>7}" + group(" echo ") + group(" gate ") + group(" gate/echo ") + "  server CPU us/request",
             f"{'rate/s':>7}  {'p50':>7}{'p99':>9}{'p99.9':>9}" + f"{'p50':>9}{'p99':>9}{'p99.9':>9}" * 2
             + f"  {'echo':>6}{'gate':>6}"
             + "   requests (echo+gate)"]
    for rate, echo, gate, _dropped in rows:
        cpu = (f"{echo['server_us']:>6.0f}{gate['server_us']:>6.0f}" if "server_us" in echo and "server_us" in gate
               else f"{'-':>6}{'-':>6}")
        ratios = [f"{_ratio(gate[k], echo[k]):.2f}x" for k in ("p50", "p99", "p999")]
        lines.append(f"{rate:>7,}  {echo['p50']:>7.3f}{echo['p99']:>9.3f}{echo['p999']:>9.3f}"
                     f"{gate['p50']:>9.3f}{gate['p99']:>9.3f}{gate['p999']:>9.3f}"
                     f"{ratios[0]:>9}{ratios[1]:>9}{ratios[2]:>9}  {cpu}   {echo['measured']:,}+{gate['measured']:,}"
                     + "".join(f"  {r['target']} SHED {r['shed']:,}" for r in (echo, gate) if r["shed"]))
    return lines


def goals_table(rows, maxima: dict[str, MaxRate] | None, memory: dict | None, work: dict | None = None,
                batched: dict[str, dict] | None = None) -> list[str]:
    lines = [f"{'goal':<52}{'measured':>14}  {'goal':>10}"]

    def line(what: str, measured: str, goal: str, met: bool | None) -> None:
        verdict = "not measured" if met is None else ("met" if met else "NOT met")
        lines.append(f"{what:<52}{measured:>14}  {goal:>10}   {verdict}")

    at = next((r for r in rows if r[0] == GOAL_AT_RATE), None)
    if at is None:
        line(f"gate p50 / echo p50 at {GOAL_AT_RATE:,}/s", "-", f"<= {GOAL_P50_RATIO}x", None)
        line(f"gate p99 / echo p99 at {GOAL_AT_RATE:,}/s", "-", f"<= {GOAL_P99_RATIO}x", None)
    else:
        p50, p99 = _ratio(at[2]["p50"], at[1]["p50"]), _ratio(at[2]["p99"], at[1]["p99"])
        line(f"gate p50 / echo p50 at {GOAL_AT_RATE:,}/s", f"{p50:.2f}x", f"<= {GOAL_P50_RATIO}x", p50 <= GOAL_P50_RATIO)
        line(f"gate p99 / echo p99 at {GOAL_AT_RATE:,}/s", f"{p99:.2f}x", f"<= {GOAL_P99_RATIO}x", p99 <= GOAL_P99_RATIO)
    gate_max, echo_max = (maxima.get("gate"), maxima.get("echo")) if maxima else (None, None)
    if gate_max is None or echo_max is None or not echo_max.best:
        line("highest sustained rate, gate / echo", "-", f">= {GOAL_RATE_RATIO}x", None)
    else:
        rate = gate_max.best["rate"] if gate_max.best else 0
        ratio = _ratio(rate, echo_max.best["rate"])
        bound = "(bound) " if gate_max.capped or echo_max.capped else ""
        line(f"highest sustained rate, gate / echo ({rate:,.0f}/s)", f"{bound}{ratio:.2f}x", f">= {GOAL_RATE_RATIO}x",
             ratio >= GOAL_RATE_RATIO)
    if work is None:
        line("decision's own work p99, in process", "-", f"<= {GOAL_WORK_P99_US:g} us", None)
    else:
        line("decision's own work p99, in process", f"{work['p99']:.1f} us", f"<= {GOAL_WORK_P99_US:g} us",
             work["p99"] <= GOAL_WORK_P99_US)
    gate_batch = (batched or {}).get("gate")
    if gate_batch is None:
        line(f"BatchDecide decisions/s, batches of {GOAL_BATCH_SIZE}", "-", f">= {GOAL_BATCH_RATE:,}", None)
    else:
        size, dropped = gate_batch["size"], gate_batch.get("dropped", 0)
        shown = f"{gate_batch['decisions_per_s']:,.0f}" + (f" ({dropped:,} dropped)" if dropped else "")
        met = gate_batch["decisions_per_s"] >= GOAL_BATCH_RATE and not dropped  # every decision logged, too
        line(f"BatchDecide decisions/s, batches of {size}", shown, f">= {GOAL_BATCH_RATE:,}",
             met if size == GOAL_BATCH_SIZE else None)
    if memory is None:
        line("snapshot bytes per subject", "-", f"<= {GOAL_BYTES}", None)
    else:
        line(f"snapshot bytes per subject ({memory['subjects']:,})", f"{memory['per_subject']:.0f}", f"<= {GOAL_BYTES}",
             memory["per_subject"] <= GOAL_BYTES)
    return lines


"""Benchmark: the recognition service's inbound path and its transparency log (RULES X-3, X-4, X-6).

    secondline bench recognition [--records 5000] [--log-size 1000000] [--quick]

Three figures, each beside its baseline or goal (bench/README.md):

1. **inbound**: partners' envelopes a second, verified, mapped and filed into ingestion, beside
   ingestion's own ``SubmitRecords`` of the same records in the same run
   (:mod:`.inbound`); goal at least 0.7×;
2. **proofs**: inclusion and consistency proof times on a Merkle log of ``--log-size`` entries
   (:mod:`.log`); goal at most 1 ms each at p99;
3. **appends**: entries appended to the log a second (leaf hash and tree), beside the inbound
   rate; goal: never the bottleneck of inbound (at least ten times the inbound rate).

A report, not a test: the exit status is 1 only if something failed (a result that is not a
newly filed record, a proof that does not verify).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import grpc

from secondline.cli.bench.common import machine, percentile
from secondline.cli.bench.recognition import inbound, log

INBOUND_GOAL = 0.7
PROOF_GOAL_US = 1000.0
APPEND_MARGIN = 10.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``secondline bench recognition``."""
    parser.add_argument("--records", type=int, default=None, metavar="N",
                        help="records filed through each path (default 5000; --quick 1000)")
    parser.add_argument("--chunk", type=int, default=500, metavar="K", help="records or envelopes a message (default 500)")
    parser.add_argument("--log-size", type=int, default=1_000_000, metavar="N",
                        help="entries in the Merkle log the proofs are timed on (default 1000000)")
    parser.add_argument("--proofs", type=int, default=None, metavar="N",
                        help="proofs of each kind timed (default 10000; --quick 2000)")
    parser.add_argument("--quick", action="store_true", help="a short run: 1000 records, 2000 proofs of each kind")
    parser.add_argument("--seed", type=int, default=1, help="seed of the records and the proofs (default 1)")
    parser.add_argument("--data", type=Path, help="keep the suite's data folder and logs here (default: a temporary one)")


def run(args: argparse.Namespace) -> int:
    """Run the benchmark with parsed options (``add_arguments``); print the report."""
    records = args.records or (1000 if args.quick else 5000)
    proofs = args.proofs or (2000 if args.quick else 10_000)
    print(f"recognition: {records:,} records through each inbound path, {args.chunk} a message; "
          f"proofs on a log of {args.log_size:,} entries")
    print(machine())
    try:
        if args.data:
            args.data.mkdir(parents=True, exist_ok=True)
            own, enveloped = inbound.measure(args.data, records=records, chunk=args.chunk, warmup=args.chunk, seed=args.seed)
        else:
            with tempfile.TemporaryDirectory(prefix="secondline-bench-recognition-") as tmp:
                own, enveloped = inbound.measure(Path(tmp), records=records, chunk=args.chunk, warmup=args.chunk,
                                                 seed=args.seed)
        print(f"  inbound measured; building a log of {args.log_size:,} entries ...")
        tree = log.measure(args.log_size, proofs, seed=args.seed)
    except (inbound.InboundError, AssertionError, grpc.RpcError) as exc:
        what = f"{exc.code().name}: {exc.details()}" if isinstance(exc, grpc.RpcError) else str(exc)
        print(f"secondline bench recognition: {what}")
        return 1
    print(report(own, enveloped, tree))
    return 0


def report(own: inbound.Round, enveloped: inbound.Round, tree: log.LogFigures) -> str:
    ratio = enveloped.per_second / own.per_second if own.per_second else 0.0
    lines = ["", "inbound (records filed into ingestion)",
             f"  {'ingestion SubmitRecords (baseline)':<42}{own.records:>8,} in {own.seconds:6.2f} s  {own.per_second:>9,.0f}/s",
             f"  {'recognition SubmitEnvelopes':<42}{enveloped.records:>8,} in {enveloped.seconds:6.2f} s  "
             f"{enveloped.per_second:>9,.0f}/s",
             f"  ratio {ratio:.2f}×   goal >= {INBOUND_GOAL}×: {_verdict(ratio >= INBOUND_GOAL)}", "",
             f"proofs on a log of {tree.size:,} entries ({len(tree.inclusion_us):,} of each, {tree.verified} verified)",
             f"  {'':<14}{'p50 µs':>9}{'p99 µs':>9}{'max µs':>9}"]
    for name, values in (("inclusion", tree.inclusion_us), ("consistency", tree.consistency_us)):
        ordered = sorted(values)
        p99 = percentile(ordered, 0.99)
        lines.append(f"  {name:<14}{percentile(ordered, 0.5):>9.1f}{p99:>9.1f}{ordered[-1]:>9.1f}   "
                     f"goal p99 <= {PROOF_GOAL_US / 1000:g} ms: {_verdict(p99 <= PROOF_GOAL_US)}")
    share = enveloped.per_second / tree.appends_per_second if tree.appends_per_second else 1.0
    lines += ["", f"appends (leaf hash and tree) {tree.appends_per_second:,.0f}/s while building the log: "
                  f"{tree.appends_per_second / max(enveloped.per_second, 1e-9):,.0f}× the inbound rate, "
                  f"{share:.2%} of an envelope's time inbound",
              f"  goal: never the bottleneck (at least {APPEND_MARGIN:g}× the inbound rate): "
              f"{_verdict(tree.appends_per_second >= APPEND_MARGIN * enveloped.per_second)}"]
    return "\n".join(lines)


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"

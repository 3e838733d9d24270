"""``secondline verify``: check, offline, what was exchanged with the suite (RULES X-4, X-6).

    secondline verify --keys public-keys.json --envelope report.jws
    secondline verify --keys public-keys.json --envelope e.jws --checkpoint cp.txt --inclusion proof.json
    secondline verify --keys public-keys.json --old-checkpoint cp1.txt --checkpoint cp2.txt --consistency c.json

Prints one PASS or FAIL line per check; exit status 0 when every check passed, 1 when one
failed, 2 when an input cannot be read. Needs nothing but the files: no suite, no network.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(commands: argparse._SubParsersAction) -> None:
    verify = commands.add_parser("verify", help="check an envelope's signature, its inclusion in a checkpoint, "
                                                "and two checkpoints' consistency, offline")
    verify.add_argument("--keys", type=Path, required=True, help="the published public keys file (JSON)")
    verify.add_argument("--envelope", type=Path, help="an envelope (JWS compact)")
    verify.add_argument("--checkpoint", type=Path, help="a signed checkpoint (C2SP signed note)")
    verify.add_argument("--inclusion", type=Path, help="the envelope's inclusion proof in --checkpoint (JSON)")
    verify.add_argument("--old-checkpoint", type=Path, help="an older signed checkpoint")
    verify.add_argument("--consistency", type=Path, help="the consistency proof from --old-checkpoint to --checkpoint (JSON)")
    verify.set_defaults(run=cmd_verify)


def cmd_verify(args: argparse.Namespace, out=print) -> int:
    from secondline.cli.verify import checks

    try:
        return _run(args, checks, out)
    except checks.InputError as exc:
        print(f"secondline verify: {exc}", file=sys.stderr)
        return 2


def _read(path: Path) -> str:
    from secondline.cli.verify.checks import InputError

    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc.strerror}") from None


def _run(args, checks, out) -> int:
    if args.inclusion and not (args.envelope and args.checkpoint):
        raise checks.InputError("--inclusion needs --envelope and --checkpoint")
    if args.consistency and not (args.old_checkpoint and args.checkpoint):
        raise checks.InputError("--consistency needs --old-checkpoint and --checkpoint")
    if not (args.envelope or args.checkpoint):
        raise checks.InputError("nothing to verify: give --envelope and/or --checkpoint")
    keys = checks.load_keys(args.keys)
    results: list[tuple[bool, str]] = []
    envelope = _read(args.envelope).strip() if args.envelope else None
    if envelope is not None:
        results.append(checks.envelope_signature(envelope, keys))
    new = old = None
    if args.checkpoint:
        new, result = checks.open_checkpoint(_read(args.checkpoint), keys)
        results.append(result)
    if args.old_checkpoint:
        old, result = checks.open_checkpoint(_read(args.old_checkpoint), keys, "old checkpoint")
        results.append(result)
    if args.inclusion:
        proof = checks.load_proof(args.inclusion, ("index", "tree_size"))
        results.append(checks.inclusion(envelope, new, proof) if new else (False, "inclusion: no verified checkpoint"))
    if args.consistency:
        proof = checks.load_proof(args.consistency, ("old_size", "new_size"))
        results.append(checks.consistency(old, new, proof) if old and new else (False, "consistency: no verified checkpoints"))
    for passed, message in results:
        out(f"{'PASS' if passed else 'FAIL'} {message}")
    failed = sum(not passed for passed, _ in results)
    out(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0

"""``secondline export``: a credit firm's desensitised snapshot as CSV files (RULES I-3).

    secondline export --classification 127.0.0.1:50052 --firm ratings-co --out DIR [--as-of 2026-03-01T12:00:00+08:00]

Takes classification's ``ExportClasses`` as ``firm/<name>`` (streamed in pages, resumed after
the last page received if the stream breaks) and writes, in ``--out``:

- ``entities.csv``: one row per business entity: its code, class, since and until, the reasons
  by rule id, the named measures, the flags, and the records behind as kind and decision date;
- ``individuals.csv``: individuals by class, counts only;
- ``manifest.json``: the as-of instant, the classification revision, the rules' and the measures
  catalogue's versions, the recipient, and each file's row count and SHA-256.

Exit status 0 when written, 1 when the suite refused or could not be reached (the message says
why; nothing is left half-written: files are written under temporary names and renamed last).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path


def add_parser(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser("export", help="a credit firm's desensitised snapshot as CSV with a manifest (I-3)")
    export.add_argument("--classification", default="127.0.0.1:50052", help="classification's host:port")
    export.add_argument("--firm", required=True, help="the recipient: calls as firm/<FIRM>")
    export.add_argument("--out", type=Path, required=True, help="folder to write into (created if missing)")
    export.add_argument("--as-of", type=datetime.fromisoformat, default=None,
                        help="the snapshot's instant, ISO 8601 with its offset; now when absent")
    export.add_argument("--page-size", type=int, default=1000, help="entities per page (1 to 5000)")
    export.set_defaults(run=cmd_export)


def cmd_export(args: argparse.Namespace, out=print) -> int:
    import grpc

    from secondline.cli.export.files import write_export
    from secondline.cli.export.pages import fetch_pages

    if args.as_of is not None and args.as_of.tzinfo is None:
        print("secondline export: --as-of needs its offset, e.g. 2026-03-01T12:00:00+08:00", file=sys.stderr)
        return 2
    try:
        pages = fetch_pages(args.classification, f"firm/{args.firm}", args.as_of, args.page_size)
    except grpc.RpcError as error:
        print(f"secondline export: {error.code().name}: {error.details()}", file=sys.stderr)
        return 1
    manifest = write_export(pages, args.out, recipient=f"firm/{args.firm}")
    out(f"wrote {manifest['files']['entities.csv']['rows']:,} entities and "
        f"{manifest['files']['individuals.csv']['rows']} class counts of individuals as of {manifest['as_of']} "
        f"to {args.out}")
    return 0

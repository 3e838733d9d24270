"""Generate the Python code for protos/ — the one reproducible step (``make protos``).

Every ``.proto`` under ``protos/secondline`` is compiled with the pinned grpcio-tools into
``libs/secondline/<package path>/`` (messages, type stubs and gRPC stubs). Generated files are
never edited by hand. ``--check`` regenerates into a scratch folder and fails, naming the
files, when the committed output differs: CI runs it so stale code cannot land.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
VENDOR = PROTOS / "vendor"
OUT = ROOT / "libs"
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


def proto_files() -> list[Path]:
    return sorted((PROTOS / "secondline").rglob("*.proto"))


def generate(into: Path) -> None:
    well_known = resources.files("grpc_tools") / "_proto"
    args = [
        "grpc_tools.protoc",
        f"-I{PROTOS}",
        f"-I{VENDOR}",
        f"-I{well_known}",
        f"--python_out={into}",
        f"--pyi_out={into}",
        f"--grpc_python_out={into}",
        *(str(p.relative_to(PROTOS)) for p in proto_files()),
    ]
    if protoc.main(args) != 0:
        sys.exit("protoc failed")


def generated_files(base: Path) -> set[Path]:
    return {
        p.relative_to(base)
        for p in (base / "secondline").rglob("*")
        if p.is_file() and p.name.endswith(GENERATED_SUFFIXES)
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if committed code is stale")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch)
        generate(fresh)
        want, have = generated_files(fresh), generated_files(OUT)
        if args.check:
            stale = sorted(
                str(p)
                for p in want | have
                if p not in want or p not in have or not filecmp.cmp(fresh / p, OUT / p, shallow=False)
            )
            if stale:
                print("generated code is stale; run `make protos`:", *stale, sep="\n  ")
                return 1
            print(f"generated code is current ({len(want)} files)")
            return 0
        for p in have - want:
            (OUT / p).unlink()
        for p in sorted(want):
            (OUT / p).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(fresh / p, OUT / p)
            # Every folder from secondline/ down to the module is a package.
            for folder in p.parents:
                if folder != Path("."):
                    (OUT / folder / "__init__.py").touch()
        print(f"wrote {len(want)} files under {OUT.relative_to(ROOT)}/secondline")
        return 0


if __name__ == "__main__":
    sys.exit(main())

"""The house (DESIGN "The house"): the shared runtime and the services never import the
command-line application, and the shared runtime imports no service."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "libs" / "secondline"
SERVICES = ROOT / "services"


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def offenders(folder: Path, forbidden: str) -> list[str]:
    return sorted(f"{path.relative_to(ROOT)} imports {name}"
                  for path in folder.rglob("*.py")
                  for name in imported_modules(path)
                  if name == forbidden or name.startswith(forbidden + "."))


def test_no_service_imports_the_command_line_application():
    assert offenders(SERVICES, "secondline.cli") == []


def test_no_shared_runtime_module_imports_the_command_line_application():
    assert offenders(RUNTIME, "secondline.cli") == []


def test_the_shared_runtime_imports_no_service():
    assert offenders(RUNTIME, "secondline.services") == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from secondline.cli.up.suite import start_suite\n")
    assert "secondline.cli.up.suite" in imported_modules(module)

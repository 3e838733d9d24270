"""Acceptance scenarios (shared/spec/scenarios/README.md): the files, and the values steps carry.

A scenario is a YAML story told to the running suite through its public gRPC contracts. This
module reads the files and parses the values that steps share (instants, dates, subjects,
enumerations), refusing what it cannot read with a message that names it. The step kinds are
in :mod:`secondline.cli.scenarios.steps`, one module per service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import yaml

from secondline.common.v1 import common_pb2

#: Keys a scenario file may have at its top.
TOP_LEVEL = frozenset({"scenario", "rules", "description", "steps", "partners"})
SUBJECT_KINDS = ("enterprise", "individual", "foreign")


class ScenarioError(Exception):
    """A step did not behave as written, or is not written as the format says."""


@dataclass
class Scenario:
    name: str
    path: Path
    rules: list[str]
    steps: list[dict[str, Any]]
    top: dict[str, Any]  # the whole file, for the runner to check its top-level fields

    def check_top_level(self) -> None:
        check_fields(self.path.name, self.top, TOP_LEVEL)

    def step_kind(self, step: dict[str, Any]) -> str:
        """A step's kind is its first key (``gate`` steps carry an ``expect`` beside it)."""
        from secondline.cli.scenarios.steps import STEPS

        kind = next(iter(step), None) if isinstance(step, dict) else None
        if kind not in STEPS:
            raise ScenarioError(f"{self.path.name}: unknown step kind {kind!r}; known: {', '.join(STEPS)}")
        return kind


def load(path: Path) -> Scenario:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        raise ScenarioError(f"{path}: a scenario is a mapping with a list of steps")
    return Scenario(name=str(data.get("scenario") or path.stem), path=path,
                    rules=list(data.get("rules") or []), steps=data["steps"], top=data)


def load_folders(folders: list[Path]) -> list[Scenario]:
    return [load(p) for folder in folders for p in sorted(Path(folder).glob("*.yaml"))]


def check_fields(where: str, mapping: Any, known: Iterable[str]) -> dict[str, Any]:
    """``mapping`` itself, once it is a mapping with no key outside ``known``; else a ScenarioError
    naming the unknown keys (a misspelt or undocumented field must fail, not be skipped)."""
    known = tuple(known)
    if not isinstance(mapping, dict):
        raise ScenarioError(f"{where}: expected a mapping with fields {', '.join(known)}, got {mapping!r}")
    unknown = [str(key) for key in mapping if key not in known]
    if unknown:
        raise ScenarioError(f"{where}: unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                            f"known: {', '.join(known)}")
    return mapping


def subject(spec: Any) -> common_pb2.SubjectId:
    """``{enterprise: CODE}`` or ``{individual: DOCUMENT}`` as a SubjectId."""
    if not isinstance(spec, dict) or len(spec) != 1 or next(iter(spec)) not in SUBJECT_KINDS:
        raise ScenarioError(f"subject must be one of {', '.join('{' + k + ': ...}' for k in SUBJECT_KINDS)}, got {spec!r}")
    (kind, value), = spec.items()
    return common_pb2.SubjectId(**{kind: str(value)})


def instant(value: Any) -> datetime:
    """An ISO 8601 instant with an offset (YAML may already have read it as a datetime)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        raise ScenarioError(f"an instant needs a time and an offset, got the date {value}")
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise ScenarioError(f"expected an ISO 8601 instant with an offset, got {value!r}") from None
    if moment.tzinfo is None:
        raise ScenarioError(f"instant {value} has no offset")
    return moment


def calendar_date(value: Any) -> date | None:
    """A calendar date (``decided_on`` ...), or None where none is given."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ScenarioError(f"expected a date YYYY-MM-DD, got {value!r}") from None


def enum_value(enum, prefix: str, name: Any) -> int:
    """``name`` of a proto enumeration without its prefix (``SMUGGLING_PENALTY``), 0 when not given."""
    if not name:
        return 0
    try:
        return enum.Value(prefix + str(name))
    except ValueError:
        raise ScenarioError(f"unknown {prefix.rstrip('_').lower()} {name!r}") from None


def show(value: datetime | None) -> str:
    return "none" if value is None else value.astimezone(timezone.utc).isoformat()

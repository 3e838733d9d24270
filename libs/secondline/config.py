"""Configuration from a YAML file and the environment, validated at start-up.

A service describes its settings as a pydantic model. :func:`load_settings` reads the file,
overlays environment variables (``<PREFIX>DATABASE__URL`` sets ``database.url``), and
validates the result. Anything wrong stops the service with a :class:`ConfigError` whose lines
each name the source (file or variable), the key and the problem.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

M = TypeVar("M", bound=BaseModel)


class ConfigError(Exception):
    """A configuration that cannot be used; the message names file, key and problem."""


class Strict(BaseModel):
    """Base for settings models: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: is not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of keys, got {type(data).__name__}")
    return data


def validate(model: type[M], data: Any, *, source: str, origins: Mapping[tuple, str] | None = None) -> M:
    """Validate ``data`` against ``model``, or raise ConfigError naming source, key and problem.

    ``origins`` maps a key path to the source that set it when not ``source`` (an env var).
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(str(p) for p in err["loc"])
            origin = _origin_of(loc, origins or {}) or source
            key = ".".join(loc) or "(top level)"
            lines.append(f"{origin}: {key}: {_problem(err)}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines)) from None


def load_settings(
    model: type[M],
    *,
    path: Path | None,
    env_prefix: str,
    environ: Mapping[str, str] | None = None,
) -> M:
    data: dict[str, Any] = read_yaml(path) if path else {}
    origins: dict[tuple, str] = {}
    env = os.environ if environ is None else environ
    for name, value in sorted(env.items()):
        if not name.startswith(env_prefix) or name == env_prefix:
            continue
        keys = tuple(part.lower() for part in name[len(env_prefix):].split("__"))
        node = data
        for part in keys[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[keys[-1]] = value
        origins[keys] = f"environment variable {name}"
    return validate(model, data, source=str(path) if path else "defaults", origins=origins)


def _origin_of(loc: tuple, origins: Mapping[tuple, str]) -> str | None:
    for i in range(len(loc), 0, -1):
        if loc[:i] in origins:
            return origins[loc[:i]]
    return None


def _problem(err: Mapping[str, Any]) -> str:
    if err["type"] == "extra_forbidden":
        return "is not a known key"
    if err["type"] == "missing":
        return "is required"
    return f"{err['msg']} (got {err.get('input')!r})"

"""The scenario step kinds, one module per service that answers them, registered by name.

A step module registers each of its kinds with :func:`step`: the function that carries it
out, the fields its body may have, and what may stand beside it (a ``gate`` step's
``expect``, a ``submit``'s ``late``). The runner refuses a step kind that is not registered
and a field that is not declared, by name, rather than skipping it. Adding a step kind is
one function in its service's module; adding a service's steps is one module and one entry in
:data:`MODULES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from secondline.cli.scenarios.format import Scenario, ScenarioError, check_fields

if TYPE_CHECKING:
    from secondline.cli.scenarios.suite import InProcessSuite

__all__ = ["MODULES", "STEPS", "Context", "StepKind", "step"]

#: The step modules, by the service whose API they use (secondline.cli.scenarios.steps.<name>).
MODULES = ("ingestion", "classification", "gate", "objection", "recognition")


@dataclass
class Context:
    """What the steps of one scenario share while it runs."""

    scenario: Scenario
    suite: "InProcessSuite"
    #: scenario-local names (``ref``) of what earlier steps made, e.g. record ids
    refs: dict[str, str] = field(default_factory=dict)
    #: the highest record cursor filed so far: a read waits until it is applied (read your
    #: writes). The highest, not the last: an R-3 replay answers with its original's cursor.
    cursor: int = 0
    #: anything else a step module keeps between steps, under its own name
    state: dict[str, Any] = field(default_factory=dict)

    def filed(self, cursor: str) -> None:
        """Note a record the suite stored (or replayed) at ``cursor``."""
        if cursor:
            self.cursor = max(self.cursor, int(cursor))

    @property
    def min_cursor(self) -> str:
        return str(self.cursor) if self.cursor else ""


@dataclass(frozen=True)
class StepKind:
    name: str
    run: Callable[[Context, dict[str, Any]], Awaitable[None]]
    #: fields the step's body may have
    fields: frozenset[str]
    #: keys that may stand beside the step kind, each with the fields its mapping may have
    #: (None where its value is not a mapping)
    beside: Mapping[str, frozenset[str] | None]
    #: free-text fields (a reason, a statement) whose commas YAML's flow mappings split off
    prose: frozenset[str] = frozenset()

    def check(self, step: dict[str, Any]) -> None:
        check_fields(f"{self.name} step", step, (self.name, *self.beside))
        if self.prose and isinstance(step[self.name], dict):
            step[self.name] = fold_prose(step[self.name], self.fields, self.prose)
        check_fields(self.name, step[self.name], self.fields)
        for key, known in self.beside.items():
            if known is not None and key in step:
                check_fields(f"{self.name} step's {key}", step[key], known)


STEPS: dict[str, StepKind] = {}


def step(name: str, *, fields: set[str] | frozenset[str], beside: Mapping[str, set[str] | frozenset[str] | None] | None = None,
         prose: set[str] | frozenset[str] = frozenset()):
    """Register the decorated coroutine ``(context, step) -> None`` as the step kind ``name``."""
    def register(run: Callable[[Context, dict[str, Any]], Awaitable[None]]):
        if name in STEPS:
            raise ValueError(f"step kind {name!r} is registered twice")
        STEPS[name] = StepKind(name, run, frozenset(fields),
                               {key: None if known is None else frozenset(known) for key, known in (beside or {}).items()},
                               frozenset(prose))
        return run
    return register


def fold_prose(body: dict[str, Any], fields: frozenset[str], prose: frozenset[str]) -> dict[str, Any]:
    """Free text with a comma inside a YAML flow mapping (``{reason: fine paid, no new violation}``)
    reads as the text up to the comma and then keys with no value; fold those back into the text.
    Only keys that are no field and have no value, right after a free-text field, are folded."""
    folded: dict[str, Any] = {}
    last = None
    for key, value in body.items():
        if last is not None and value is None and key not in fields and isinstance(key, str):
            folded[last] = f"{folded[last]}, {key}"
            continue
        folded[key] = value
        last = key if key in prose and isinstance(value, str) else None
    return folded


async def run_step(context: Context, step: dict[str, Any]) -> str:
    """Carry out one step; its kind, for the report. Raises ScenarioError where it fails."""
    kind = context.scenario.step_kind(step)
    STEPS[kind].check(step)
    await STEPS[kind].run(context, step)
    return kind


for _module in MODULES:
    importlib.import_module(f"{__name__}.{_module}")

# What the steps raise, re-exported for their modules.
ScenarioError = ScenarioError

"""The measures catalogue (RULES M-0..M-5, L-2, P-R) as versioned configuration.

Like the rules (``secondline.rules_config``), the catalogue is a list of versions with validity
dates; a crossing is decided by the version in force on its date in CST, and the decision
records that version's name so that it can be replayed later (M-3). The packaged default is
``secondline/data/config/measures.yaml``; a deployment points ``measures_file`` at its own.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveInt, PrivateAttr, confloat, model_validator

from secondline.config import Strict, read_yaml, validate
from secondline.dates import start_of_day

Rate = confloat(ge=0.0, le=1.0)
LANES = ("GREEN", "YELLOW", "RED")


class Rates(Strict):
    """M-1: the share of crossings drawn for physical inspection."""

    enterprise: dict[Literal["AEO", "WHITELIST", "WATCHLIST"], Rate]
    individual: dict[Literal["WHITELIST", "WATCHLIST"], Rate]
    listed: Rate
    """Any party on a serious-dishonesty list (L-2)."""
    risk_alert: Rate
    """A party under a valid risk alert (P-R)."""

    @model_validator(mode="after")
    def _complete(self) -> "Rates":
        if set(self.enterprise) != {"AEO", "WHITELIST", "WATCHLIST"}:
            raise ValueError("enterprise rates must give AEO, WHITELIST and WATCHLIST")
        if set(self.individual) != {"WHITELIST", "WATCHLIST"}:
            raise ValueError("individual rates must give WHITELIST and WATCHLIST")
        return self


class Port(Strict):
    name: str
    rates: Rates | None = None
    """The port's own rates; the version's when unset."""


class MeasureSpec(Strict):
    name: str
    rule: str


class Seconds(Strict):
    seconds: PositiveInt


class StaleFallback(Strict):
    after: Seconds
    """How long without word from classification's feed before the fallback applies."""
    min_lane: Literal["GREEN", "YELLOW", "RED"] = "YELLOW"
    refuse_batch: bool = True


class MeasuresVersion(Strict):
    version: str
    valid_from: date | None = None
    valid_until: date | None = None
    ports: dict[str, Port]
    """M-0: the second-line ports by code."""
    rates: Rates
    batch_exit_classes: list[Literal["AEO", "WHITELIST", "WATCHLIST"]]
    """M-4: the entity classes that may exit in batches."""
    consolidated_declaration_day: int = Field(ge=1, le=28)
    """M-4: the consolidated declaration of a month is due by this day of the next month."""
    measures: dict[Literal["AEO", "WHITELIST", "WATCHLIST", "LISTED", "RISK_ALERT"], list[MeasureSpec]]
    stale_fallback: StaleFallback

    @model_validator(mode="after")
    def _ports(self) -> "MeasuresVersion":
        if not self.ports:
            raise ValueError("ports must name the second-line ports (M-0)")
        return self

    def rates_at(self, port: str) -> Rates:
        found = self.ports.get(port)
        return found.rates if found is not None and found.rates is not None else self.rates


class MeasuresConfig(Strict):
    versions: list[MeasuresVersion]
    _by_name: dict[str, MeasuresVersion] = PrivateAttr(default_factory=dict)
    _starts: list[int] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _contiguous(self) -> "MeasuresConfig":
        if not self.versions:
            raise ValueError("at least one version is required")
        if self.versions[0].valid_from is not None:
            raise ValueError("the first version must have no valid_from")
        names = [v.version for v in self.versions]
        if len(set(names)) != len(names):
            raise ValueError("version names must be distinct: a decision names the version it used")
        for before, after in zip(self.versions, self.versions[1:]):
            if before.valid_until is None or after.valid_from is None:
                raise ValueError(f"version {before.version} needs valid_until and {after.version} valid_from")
            if (after.valid_from - before.valid_until).days != 1:
                raise ValueError(f"version {after.version} must start the day after {before.version} ends")
        if self.versions[-1].valid_until is not None:
            raise ValueError("the last version must have no valid_until")
        return self

    def model_post_init(self, _context) -> None:
        self._by_name = {v.version: v for v in self.versions}
        # Versions by the CST midnight they start, as epoch seconds: the hot path compares ints.
        self._starts = [(-(1 << 62) if v.valid_from is None else int(start_of_day(v.valid_from).timestamp()))
                        for v in self.versions]

    @cached_property
    def newest_first(self) -> tuple[tuple[int, MeasuresVersion], ...]:
        """(start as epoch seconds, version), newest first: a plain attribute once computed,
        where a private attribute costs a pydantic ``__getattr__`` on every crossing."""
        return tuple(reversed(list(zip(self._starts, self.versions))))

    def in_force(self, epoch_seconds: int) -> MeasuresVersion:
        for start, version in self.newest_first:
            if start <= epoch_seconds:
                return version
        return self.versions[0]

    def named(self, version: str) -> MeasuresVersion | None:
        return self._by_name.get(version)


def load_measures(path: Path | None = None) -> MeasuresConfig:
    if path is None:
        with resources.as_file(resources.files("secondline") / "data/config/measures.yaml") as packaged:
            return validate(MeasuresConfig, read_yaml(packaged), source=str(packaged))
    return validate(MeasuresConfig, read_yaml(path), source=str(path))


__all__ = ["LANES", "MeasuresConfig", "MeasuresVersion", "Rates", "StaleFallback", "load_measures"]

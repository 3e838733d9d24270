"""The parts of the rulebook that vary by law, as versioned configuration (RULES *(config)*).

A rules file holds versions, each valid over a date range; a record is judged by the version in
force on its decision date, so that a decision stays reproducible after the law changes (GACC
Order 282 replaced Order 251 on 2026-04-01). The packaged default is
``secondline/data/config/rules.yaml``; a deployment points ``rules_file`` at its own.
"""

from __future__ import annotations

from datetime import date, datetime
from importlib import resources
from pathlib import Path

from pydantic import Field, NonNegativeInt, PositiveInt, model_validator

from secondline.auth import DEPARTMENTS
from secondline.config import ConfigError, Strict, read_yaml, validate
from secondline.dates import period_end

RECORD_KINDS = (
    "AEO_GRANTED", "AEO_REVOKED", "INDUSTRY_RATING", "SMUGGLING_PENALTY", "SMUGGLING_CRIME",
    "DISHONESTY_LISTED", "DISHONESTY_REMOVED", "OTHER_LEGAL_LISTING", "RISK_ALERT",
    "CREDIT_COMMITMENT", "CORRECTION", "WITHDRAWAL",
)
# Kinds that name an earlier record rather than state a fact of their own; every
# department may file them, for its own records only.
AMENDING_KINDS = ("CORRECTION", "WITHDRAWAL")


class Period(Strict):
    """A period in the Civil Code's sense (T-2): years, months and days after an event."""

    years: NonNegativeInt = 0
    months: NonNegativeInt = 0
    days: NonNegativeInt = 0

    @model_validator(mode="after")
    def _positive(self) -> "Period":
        if self.years == self.months == self.days == 0:
            raise ValueError("a period needs years, months or days")
        return self

    def end(self, start: date) -> datetime:
        """The instant a status that lasts this period from ``start`` ends (T-2)."""
        return period_end(start, years=self.years, months=self.months, days=self.days)


class CandidateRule(Strict):
    """L-5: subjects with ``count`` records of ``kinds`` within ``within`` are candidates."""

    list: str
    kinds: list[str]
    count: PositiveInt
    within: Period


class RuleVersion(Strict):
    version: str
    """A name for the version, recorded with what it decided."""
    valid_from: date | None = None
    """First day in force; none for the first version (it also judges older records)."""
    valid_until: date | None = None
    """Last day in force; none for the current version."""
    timeliness_days: PositiveInt
    """R-5: days after the decision date within which a department must submit."""
    filing: dict[str, list[str]]
    """R-1: the record kinds each department may file."""
    any_department: list[str] = Field(default_factory=list)
    """R-1: kinds every department may file (other legal listing, credit commitment)."""
    rating_scales: dict[str, list[str]]
    """R-6: each department's grades, best first; the last is the lowest grade."""
    list_owners: dict[str, str] = Field(default_factory=dict)
    """R-1, L-1: the department that keeps each serious-dishonesty list."""
    uscc_exceptions: list[str] = Field(default_factory=list)
    """S-2: legally issued codes that fail the check character, accepted as they are."""
    watchlist_stay: Period
    """E-X2: a stay under E-W2, E-W3 or E-W4 ends this long after its latest event."""
    individual_watchlist_stay: Period
    """P-W: an individual's stay ends this long after its latest event."""
    publicity: dict[str, Period]
    """L-3: the longest publicity period of a listing, by severity."""
    repair_after: Period
    """L-4: how long after listing a subject may apply for repair."""
    repair_decide_working_days: PositiveInt = 10
    """L-4: working days after receipt within which the list owner decides (T-3)."""
    objection_answer_working_days: PositiveInt = 7
    """O-3: working days after receipt within which a record's owner answers (T-3)."""
    objection_extended_working_days: PositiveInt = 15
    """O-3: the same, once the owner has extended it."""
    candidates: list[CandidateRule] = Field(default_factory=list)
    """L-5: when a subject that is not listed is reported to a list's keeper as a candidate."""

    @model_validator(mode="after")
    def _known_names(self) -> "RuleVersion":
        for dept in [*self.filing, *self.rating_scales]:
            if dept not in DEPARTMENTS:
                raise ValueError(f"unknown department {dept!r}; expected one of {', '.join(DEPARTMENTS)}")
        for kinds in [*self.filing.values(), self.any_department]:
            for kind in kinds:
                if kind not in RECORD_KINDS or kind in AMENDING_KINDS:
                    raise ValueError(f"unknown record kind {kind!r} in filing rights")
        for listed, owner in self.list_owners.items():
            if listed not in ("ANTI_SMUGGLING", "MARITIME") or owner not in DEPARTMENTS:
                raise ValueError(f"list_owners: {listed} -> {owner} names an unknown list or department")
        if set(self.publicity) != {"SERIOUS", "GENERAL", "MINOR"}:
            raise ValueError("publicity must give SERIOUS, GENERAL and MINOR periods (L-3)")
        for dept, grades in self.rating_scales.items():
            if not grades or len(set(grades)) != len(grades):
                raise ValueError(f"rating scale of {dept} must list distinct grades, best first")
        return self

    def may_file(self, department: str, kind: str) -> bool:
        if kind in AMENDING_KINDS:
            return True
        return kind in self.any_department or kind in self.filing.get(department, ())

    def scale(self, department: str) -> list[str] | None:
        return self.rating_scales.get(department)


class RulesConfig(Strict):
    versions: list[RuleVersion]

    @model_validator(mode="after")
    def _contiguous(self) -> "RulesConfig":
        if not self.versions:
            raise ValueError("at least one version is required")
        if self.versions[0].valid_from is not None:
            raise ValueError("the first version must have no valid_from, so that it judges older records")
        for before, after in zip(self.versions, self.versions[1:]):
            if before.valid_until is None or after.valid_from is None:
                raise ValueError(f"version {before.version} needs valid_until and {after.version} valid_from")
            if (after.valid_from - before.valid_until).days != 1:
                raise ValueError(
                    f"version {after.version} must start the day after {before.version} ends "
                    f"({before.valid_until}), not {after.valid_from}"
                )
        if self.versions[-1].valid_until is not None:
            raise ValueError("the last version must have no valid_until")
        return self

    def in_force(self, day: date) -> RuleVersion:
        # Versions are contiguous and open at both ends: the last one that started by ``day``.
        for version in reversed(self.versions):
            if version.valid_from is None or version.valid_from <= day:
                return version
        raise LookupError(day)  # unreachable: the first version has no valid_from


def load_rules(path: Path | None = None) -> RulesConfig:
    if path is None:
        with resources.as_file(resources.files("secondline") / "data/config/rules.yaml") as packaged:
            return validate(RulesConfig, read_yaml(packaged), source=str(packaged))
    return validate(RulesConfig, read_yaml(path), source=str(path))


__all__ = ["Period", "CandidateRule", "RuleVersion", "RulesConfig", "load_rules", "ConfigError", "RECORD_KINDS", "AMENDING_KINDS"]

"""Configuration is validated at start-up, and errors name the file, the key and the problem."""

from __future__ import annotations

import pytest

from secondline.config import ConfigError, load_settings
from secondline.rules_config import load_rules
from secondline.services.ingestion.app import IngestionSettings


def test_settings_come_from_the_file_and_the_environment_overrides_them(tmp_path):
    path = tmp_path / "ingestion.yaml"
    path.write_text("database: {url: 'sqlite:///a.sqlite'}\nmax_batch: 10\n")
    settings = load_settings(IngestionSettings, path=path, env_prefix="X_",
                             environ={"X_DATABASE__URL": "sqlite:///b.sqlite", "OTHER": "1"})
    assert settings.database.url == "sqlite:///b.sqlite" and settings.max_batch == 10


def test_an_unknown_key_names_the_file_and_the_key(tmp_path):
    path = tmp_path / "ingestion.yaml"
    path.write_text("database: {ulr: 'sqlite:///a.sqlite'}\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(IngestionSettings, path=path, env_prefix="X_", environ={})
    assert f"{path}: database.ulr: is not a known key" in str(caught.value)


def test_a_bad_value_from_the_environment_names_the_variable(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_settings(IngestionSettings, path=None, env_prefix="X_", environ={"X_MAX_BATCH": "-3"})
    assert "environment variable X_MAX_BATCH: max_batch:" in str(caught.value)


def test_a_file_that_is_not_yaml_is_refused_with_its_name(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("database: [unclosed\n")
    with pytest.raises(ConfigError, match="bad.yaml: is not valid YAML"):
        load_settings(IngestionSettings, path=path, env_prefix="X_", environ={})


def test_the_packaged_rules_load_and_judge_by_decision_date():
    from datetime import date

    rules = load_rules()
    version = rules.in_force(date(2020, 1, 1))
    assert version.timeliness_days == 15
    assert version.scale("TAX")[-1] == "D"  # the lowest grade is last
    assert not version.may_file("TAX", "SMUGGLING_PENALTY") and version.may_file("TAX", "CREDIT_COMMITMENT")


PERIODS = """
    watchlist_stay: {years: 3}
    individual_watchlist_stay: {years: 3}
    publicity: {SERIOUS: {years: 3}, GENERAL: {years: 1}, MINOR: {months: 3}}
    repair_after: {years: 1}"""
RULES_HEAD = """versions:
  - version: a
    valid_until: 2026-03-31
    timeliness_days: 15
    filing: {CUSTOMS: [AEO_GRANTED]}
    rating_scales: {TAX: [A, D]}""" + PERIODS + """
  - version: b
    valid_from: %s
    timeliness_days: 15
    filing: {%s: [AEO_GRANTED]}
    rating_scales: {TAX: [A, D]}""" + PERIODS + "\n"


@pytest.mark.parametrize("valid_from, department, problem", [
    ("2026-04-02", "CUSTOMS", "must start the day after a ends"),
    ("2026-04-01", "CUSTOM", "unknown department 'CUSTOM'"),
])
def test_a_bad_rules_file_names_the_file_the_key_and_the_problem(tmp_path, valid_from, department, problem):
    path = tmp_path / "rules.yaml"
    path.write_text(RULES_HEAD % (valid_from, department))
    with pytest.raises(ConfigError) as caught:
        load_rules(path)
    assert str(path) in str(caught.value) and problem in str(caught.value)


def test_rules_versions_are_chosen_by_date(tmp_path):
    from datetime import date

    path = tmp_path / "rules.yaml"
    path.write_text(RULES_HEAD % ("2026-04-01", "TAX"))
    rules = load_rules(path)
    assert rules.in_force(date(2026, 3, 31)).version == "a"
    assert rules.in_force(date(2026, 4, 1)).version == "b"

"""Keyed pseudonyms of individuals (RULES I-2, I-3), and their secret from configuration."""

from __future__ import annotations

import base64
import logging

import pytest

from secondline.config import ConfigError
from secondline.pseudonyms import PseudonymSettings, Pseudonyms, load_pseudonyms

PERSON, OTHER = "11010519491231002X", "440524188001010014"


def test_a_pseudonym_is_stable_for_one_recipient_and_differs_between_recipients_and_people():
    names = Pseudonyms(b"s" * 32)
    tax = names.of("department/TAX", PERSON)
    assert tax == Pseudonyms(b"s" * 32).of("department/TAX", PERSON)  # stable, across instances
    assert tax != names.of("department/CUSTOMS", PERSON) != names.of("department/CUSTOMS", OTHER)
    assert tax != Pseudonyms(b"t" * 32).of("department/TAX", PERSON)  # keyed: another secret, another name
    assert tax.startswith("PSN1-") and len(tax) == 37 and PERSON not in tax


def test_the_secret_comes_from_the_environment_or_a_file_and_a_development_one_is_generated_and_said(tmp_path, caplog):
    secret = base64.b64encode(b"k" * 32).decode()
    from_env = load_pseudonyms(PseudonymSettings.model_validate({"secret": secret}))
    path = tmp_path / "secret"
    path.write_text(secret + "\n")
    from_file = load_pseudonyms(PseudonymSettings(secret_file=path, generate_development_secret=False))
    assert from_env.of("department/TAX", PERSON) == from_file.of("department/TAX", PERSON)
    fresh = tmp_path / "data" / "pseudonym-secret"
    with caplog.at_level(logging.WARNING):
        first = load_pseudonyms(PseudonymSettings(secret_file=fresh)).of("department/TAX", PERSON)
    assert fresh.exists() and "generated a development pseudonym secret" in caplog.text
    assert load_pseudonyms(PseudonymSettings(secret_file=fresh)).of("department/TAX", PERSON) == first  # kept


def test_a_missing_or_short_secret_stops_the_service_naming_the_key(tmp_path):
    with pytest.raises(ConfigError, match="secret_file.*does not exist"):
        load_pseudonyms(PseudonymSettings(secret_file=tmp_path / "none", generate_development_secret=False))
    with pytest.raises(ConfigError, match="pseudonym.secret: must be at least 32 bytes"):
        load_pseudonyms(PseudonymSettings.model_validate({"secret": base64.b64encode(b"short").decode()}))
    with pytest.raises(ConfigError, match="set secret or secret_file"):
        load_pseudonyms(PseudonymSettings(generate_development_secret=False))

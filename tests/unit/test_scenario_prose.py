"""A free-text field with a comma in a YAML flow mapping is read back whole."""

import yaml

from secondline.cli.scenarios.steps import fold_prose


def test_a_reason_with_a_comma_in_a_flow_mapping_is_folded_back_and_other_fields_are_kept():
    body = yaml.safe_load("{repair: r1, by: X, reason: fine paid, no new violation, outcome: APPROVED}")
    fields = frozenset({"repair", "by", "reason", "outcome"})
    assert fold_prose(body, fields, frozenset({"reason"})) == {
        "repair": "r1", "by": "X", "reason": "fine paid, no new violation", "outcome": "APPROVED"}


def test_an_unknown_field_with_a_value_is_not_folded_and_stays_for_the_runner_to_refuse():
    body = {"reason": "a", "colour": "red"}
    assert fold_prose(body, frozenset({"reason"}), frozenset({"reason"})) == body

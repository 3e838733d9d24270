"""S-4: foreign operators' codes."""

import pytest

from secondline.foreign_codes import economy_of, parse_foreign
from secondline.identifiers import IdentifierError


@pytest.mark.parametrize("text,code,economy", [
    ("SG123456789012", "SG123456789012", "SG"),
    (" de1234567890123 ", "DE1234567890123", "DE"),
    ("AEOCN1234567890", "AEOCN1234567890", "CN"),
])
def test_valid_codes_are_canonical_and_name_their_economy(text, code, economy):
    assert parse_foreign(text) == code
    assert economy_of(code) == economy


@pytest.mark.parametrize("text,problem", [
    ("XX1234", "not an ISO 3166 alpha-2 code"),
    ("SG12-34", "position 4"),
    ("DE1234567890123456", "at most 15"),
    ("AEOCN12345", "AEOCN and 10 digits"),
    ("S", "expected an ISO 3166"),
])
def test_invalid_codes_say_what_is_wrong(text, problem):
    with pytest.raises(IdentifierError, match=problem):
        parse_foreign(text)

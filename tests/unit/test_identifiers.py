"""Identifiers of subjects: RULES S-2 (USCC) and S-3 (resident ids, travel documents).

Expected check characters come from the RULES vectors and from reference implementations
written here independently of the module (literal weight tables, the iterative form of
ISO 7064 MOD 11-2), never from the code under test.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secondline.identifiers import (
    ISO_3166_ALPHA2,
    USCC_ALPHABET,
    DocumentType,
    IdentifierError,
    TravelDocument,
    parse_enterprise,
    parse_individual,
    parse_travel_document,
    resident_id_check_character,
    uscc_check_character,
    validate_resident_id,
    validate_uscc,
)

TODAY = date(2026, 6, 1)

# --- independent references -------------------------------------------------------------------

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015, written out again
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]  # 3^i mod 31


def reference_uscc_check(body: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def reference_resident_check(body: str) -> str:
    """ISO 7064 MOD 11-2 in its iterative (Horner) form."""
    p = 0
    for c in body:
        p = (p + int(c)) * 2 % 11
    value = (12 - p) % 11
    return "X" if value == 10 else str(value)


def resident_id(region: str, born: date, seq: str) -> str:
    body = f"{region}{born:%Y%m%d}{seq}"
    return body + reference_resident_check(body)


uscc_bodies = st.text(alphabet=ALPHABET, min_size=17, max_size=17)


# --- S-2: Unified Social Credit Code ----------------------------------------------------------


def test_s2_reference_weights_are_three_to_the_i_mod_31():
    assert USCC_WEIGHTS == [3**i % 31 for i in range(17)]
    assert USCC_ALPHABET == ALPHABET


RULES_VALID_USCC = ["91110000600037341L", "9144030071526726XG", "91620105L015101280"]


@pytest.mark.parametrize("code", RULES_VALID_USCC)
def test_s2_accepts_the_rules_valid_vectors(code):
    assert validate_uscc(code) == code
    assert uscc_check_character(code[:17]) == code[17]


def test_s2_canonicalises_surrounding_whitespace_and_lower_case():
    assert validate_uscc("  9144030071526726xg\n") == "9144030071526726XG"


def test_s2_rejects_wrong_check_character_naming_position_and_expected():
    with pytest.raises(IdentifierError) as info:
        validate_uscc("91110000600037341N")
    err = info.value
    assert err.position == 17
    assert err.expected == "L"
    assert err.reason == "check character at position 17 is 'N', expected 'L'"
    assert str(err) == err.reason
    assert isinstance(err, ValueError)


@pytest.mark.parametrize("code", ["", "91110000600037341", "91110000600037341LL"])
def test_s2_rejects_a_code_that_is_not_18_characters(code):
    with pytest.raises(IdentifierError, match=f"must be 18 characters, got {len(code)}") as info:
        validate_uscc(code)
    assert info.value.position is None and info.value.expected is None


@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z", "-", " ", "\uff11"])
def test_s2_rejects_a_character_outside_the_alphabet_naming_position_and_character(bad):
    code = "9111000060" + bad + "037341L"
    with pytest.raises(IdentifierError) as info:
        validate_uscc(code)
    assert info.value.position == 10
    assert repr(bad) in info.value.reason
    assert "I, O, S, V and Z" in info.value.reason


def test_s2_rejects_a_lower_case_excluded_letter_after_upper_casing():
    with pytest.raises(IdentifierError) as info:
        validate_uscc("9111000060o037341L")
    assert info.value.position == 10 and "'O'" in info.value.reason


def test_s2_accepts_a_configured_legally_issued_exception_as_is():
    exceptions = frozenset({"91110000600037341N"})
    assert validate_uscc("91110000600037341n", exceptions=exceptions) == "91110000600037341N"
    assert parse_enterprise("91110000600037341N", exceptions=exceptions) == "91110000600037341N"


def test_s2_exceptions_excuse_only_the_listed_codes_and_only_the_check():
    exceptions = frozenset({"91110000600037341N", "9111000060O037341N"})
    with pytest.raises(IdentifierError, match="expected 'L'"):
        validate_uscc("91110000600037341M", exceptions=exceptions)
    with pytest.raises(IdentifierError, match="not allowed"):
        validate_uscc("9111000060O037341N", exceptions=exceptions)


def test_s2_check_character_function_rejects_a_malformed_body():
    with pytest.raises(IdentifierError, match="got 16 characters"):
        uscc_check_character("9111000060003734")
    with pytest.raises(IdentifierError) as info:
        uscc_check_character("911100006000373I1")
    assert info.value.position == 15


def test_s2_parse_enterprise_is_the_uscc_for_now():
    assert parse_enterprise(" 91620105l015101280 ") == "91620105L015101280"
    with pytest.raises(IdentifierError):
        parse_enterprise("SG123456789012")  # S-4 partner codes are not accepted yet


@given(uscc_bodies)
def test_s2_any_body_with_its_check_character_validates(body):
    check = uscc_check_character(body)
    assert check == reference_uscc_check(body)
    assert validate_uscc(body + check) == body + check


@given(uscc_bodies, st.sampled_from(ALPHABET))
def test_s2_any_other_check_character_fails_with_the_right_expected(body, wrong):
    right = reference_uscc_check(body)
    if wrong == right:
        return
    with pytest.raises(IdentifierError) as info:
        validate_uscc(body + wrong)
    assert (info.value.position, info.value.expected) == (17, right)


@given(uscc_bodies, st.integers(0, 16), st.sampled_from(ALPHABET))
def test_s2_every_single_character_substitution_in_the_body_is_detected(body, i, c):
    code = body + reference_uscc_check(body)
    if code[i] == c:
        return
    with pytest.raises(IdentifierError) as info:
        validate_uscc(code[:i] + c + code[i + 1 :])
    assert info.value.position == 17


# --- S-3: resident identity number ------------------------------------------------------------


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_s3_accepts_the_rules_valid_resident_ids(number):
    assert validate_resident_id(number, today=TODAY) == number
    assert resident_id_check_character(number[:17]) == number[17]


def test_s3_rejects_the_rules_invalid_resident_id_naming_position_and_expected():
    with pytest.raises(IdentifierError) as info:
        validate_resident_id("110105194912310021", today=TODAY)
    assert (info.value.position, info.value.expected) == (17, "X")
    assert info.value.reason == "check character at position 17 is '1', expected 'X'"


def test_s3_canonicalises_a_lower_case_x_and_whitespace():
    assert validate_resident_id(" 11010519491231002x ", today=TODAY) == "11010519491231002X"


def test_s3_rejects_a_letter_other_than_x_as_the_check_character():
    with pytest.raises(IdentifierError) as info:
        validate_resident_id("11010519491231002A", today=TODAY)
    assert (info.value.position, info.value.expected) == (17, "X")


@pytest.mark.parametrize("number", ["", "11010519491231002", "11010519491231002XX"])
def test_s3_rejects_a_resident_id_that_is_not_18_characters(number):
    with pytest.raises(IdentifierError, match=f"must be 18 characters, got {len(number)}"):
        validate_resident_id(number, today=TODAY)


@pytest.mark.parametrize("i", [0, 5, 9, 16])
def test_s3_rejects_a_non_digit_in_the_first_17_naming_its_position(i):
    number = "11010519491231002X"
    with pytest.raises(IdentifierError, match="are digits") as info:
        validate_resident_id(number[:i] + "X" + number[i + 1 :], today=TODAY)
    assert info.value.position == i


def test_s3_rejects_non_ascii_digits():
    with pytest.raises(IdentifierError) as info:
        validate_resident_id("1101051949123100\u0662X", today=TODAY)  # Arabic-Indic two
    assert info.value.position == 16


@pytest.mark.parametrize("birth", ["19490230", "19491301", "19491200", "20230229"])
def test_s3_rejects_a_birth_date_that_is_not_a_real_date_at_position_6(birth):
    body = f"110105{birth}002"
    with pytest.raises(IdentifierError, match="not a real calendar date") as info:
        validate_resident_id(body + reference_resident_check(body), today=TODAY)
    assert info.value.position == 6 and info.value.expected is None


def test_s3_rejects_a_birth_date_after_today_and_accepts_today():
    assert validate_resident_id(resident_id("110105", TODAY, "002"), today=TODAY)
    tomorrow = resident_id("110105", TODAY + timedelta(days=1), "002")
    with pytest.raises(IdentifierError, match="after today") as info:
        validate_resident_id(tomorrow, today=TODAY)
    assert info.value.position == 6


def test_s3_accepts_births_from_1800_on_and_rejects_earlier():
    assert validate_resident_id(resident_id("440524", date(1800, 1, 1), "001"), today=TODAY)
    with pytest.raises(IdentifierError, match="before 1800-01-01") as info:
        validate_resident_id(resident_id("440524", date(1799, 12, 31), "001"), today=TODAY)
    assert info.value.position == 6


def test_s3_check_character_function_rejects_a_malformed_body():
    with pytest.raises(IdentifierError, match="17 digits"):
        resident_id_check_character("1101051949123100")
    with pytest.raises(IdentifierError) as info:
        resident_id_check_character("11010519491231X02")
    assert info.value.position == 14


@given(
    st.from_regex(r"[0-9]{6}", fullmatch=True),
    st.dates(min_value=date(1800, 1, 1), max_value=TODAY),
    st.from_regex(r"[0-9]{3}", fullmatch=True),
)
def test_s3_resident_ids_generated_from_real_birth_dates_validate(region, born, seq):
    number = resident_id(region, born, seq)
    assert resident_id_check_character(number[:17]) == number[17]
    assert validate_resident_id(number.lower(), today=TODAY) == number
    assert parse_individual(number, today=TODAY) == number


@given(st.dates(min_value=date(1800, 1, 1), max_value=TODAY), st.sampled_from("0123456789X"))
def test_s3_any_other_check_character_fails_with_the_right_expected(born, wrong):
    number = resident_id("460100", born, "123")
    if wrong == number[17]:
        return
    with pytest.raises(IdentifierError) as info:
        validate_resident_id(number[:17] + wrong, today=TODAY)
    assert (info.value.position, info.value.expected) == (17, number[17])


# --- S-3: passports and travel permits --------------------------------------------------------


def test_s3_iso_3166_alpha2_set_holds_the_249_assigned_codes():
    assert len(ISO_3166_ALPHA2) == 249
    assert {"CN", "HK", "MO", "TW", "GB", "SG", "AX", "SS"} <= ISO_3166_ALPHA2
    assert not {"UK", "EU", "XK", "ZZ", "AN"} & ISO_3166_ALPHA2


PASSPORT = DocumentType.PASSPORT
HK_MACAO = DocumentType.HK_MACAO_PERMIT
TAIWAN = DocumentType.TAIWAN_PERMIT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PASSPORT:CN:E12345678", TravelDocument(PASSPORT, "CN", "E12345678")),
        (" passport:gb:123456789 ", TravelDocument(PASSPORT, "GB", "123456789")),
        ("PASSPORT:SG:K1234", TravelDocument(PASSPORT, "SG", "K1234")),
        ("PASSPORT:US:" + "A" * 17, TravelDocument(PASSPORT, "US", "A" * 17)),
        ("HK_MACAO_PERMIT:CN:C12345678", TravelDocument(HK_MACAO, "CN", "C12345678")),
        ("hk_macao_permit:hk:h1234567890", TravelDocument(HK_MACAO, "HK", "H1234567890")),
        ("TAIWAN_PERMIT:TW:12345678", TravelDocument(TAIWAN, "TW", "12345678")),
        ("TAIWAN_PERMIT:TW:1234567890", TravelDocument(TAIWAN, "TW", "1234567890")),
        ("TAIWAN_PERMIT:CN:T12345678", TravelDocument(TAIWAN, "CN", "T12345678")),
    ],
)
def test_s3_parses_valid_travel_documents_upper_cased(text, expected):
    doc = parse_travel_document(text)
    assert doc == expected
    assert str(doc) == text.strip().upper()
    assert parse_individual(text, today=TODAY) == str(expected)


def test_s3_travel_document_string_is_type_issuer_number():
    assert str(TravelDocument(DocumentType.PASSPORT, "MO", "MA12345")) == "PASSPORT:MO:MA12345"


@pytest.mark.parametrize("text", ["PASSPORT", "PASSPORT:CN", "PASSPORT:CN:E1234:5678", ""])
def test_s3_rejects_a_travel_document_without_three_parts(text):
    with pytest.raises(IdentifierError, match="TYPE:ISSUER:NUMBER") as info:
        parse_travel_document(text)
    assert info.value.part is None


@pytest.mark.parametrize("text", ["VISA:CN:E12345678", ":CN:E12345678", "ID_CARD:CN:123456"])
def test_s3_rejects_an_unknown_document_type(text):
    with pytest.raises(IdentifierError, match="PASSPORT, HK_MACAO_PERMIT, TAIWAN_PERMIT") as info:
        parse_travel_document(text)
    assert (info.value.part, info.value.position) == ("type", 0)


@pytest.mark.parametrize("issuer", ["UK", "CHN", "", "C", "XX"])
def test_s3_rejects_an_issuer_that_is_not_iso_3166_alpha2(issuer):
    with pytest.raises(IdentifierError, match="ISO 3166-1 alpha-2") as info:
        parse_travel_document(f"PASSPORT:{issuer}:E12345678")
    assert (info.value.part, info.value.position) == ("issuer", 9)


@pytest.mark.parametrize(
    ("number", "position"),
    [("E123", 0), ("A" * 18, 0), ("E1234-678", 5), ("", 0), ("E 123456", 1)],
)
def test_s3_rejects_a_malformed_passport_number_naming_the_number(number, position):
    with pytest.raises(IdentifierError, match="5 to 17 characters from A-Z and 0-9") as info:
        parse_travel_document(f"PASSPORT:CN:{number}")
    assert (info.value.part, info.value.position) == ("number", 12 + position)


@pytest.mark.parametrize(
    ("number", "position"),
    [
        ("12345678", 0),
        ("C1234567", 0),
        ("C123456789", 0),
        ("C12345678901", 0),
        ("C1234X678", 5),
        ("CC12345678", 1),
        ("", 0),
    ],
)
def test_s3_rejects_a_malformed_hk_macao_permit_number(number, position):
    with pytest.raises(IdentifierError, match="one letter followed by 8 or 10 digits") as info:
        parse_travel_document(f"HK_MACAO_PERMIT:CN:{number}")
    assert (info.value.part, info.value.position) == ("number", 19 + position)


@pytest.mark.parametrize(
    ("number", "position"),
    [("1234567", 0), ("123456789", 0), ("T123456789", 0), ("TT1234567", 1), ("12345678901", 0)],
)
def test_s3_rejects_a_malformed_taiwan_permit_number(number, position):
    with pytest.raises(IdentifierError, match="8 or 10 digits, optionally preceded") as info:
        parse_travel_document(f"TAIWAN_PERMIT:TW:{number}")
    assert (info.value.part, info.value.position) == ("number", 17 + position)


def test_s3_parse_individual_routes_on_the_colon_and_propagates_errors():
    assert parse_individual("11010519491231002x", today=TODAY) == "11010519491231002X"
    with pytest.raises(IdentifierError) as info:
        parse_individual("110105194912310021", today=TODAY)
    assert info.value.expected == "X"
    with pytest.raises(IdentifierError) as info:
        parse_individual("PASSPORT:UK:123456789", today=TODAY)
    assert info.value.part == "issuer"


@given(
    st.sampled_from(sorted(ISO_3166_ALPHA2)),
    st.from_regex(r"[A-Z0-9]{5,17}", fullmatch=True),
)
def test_s3_any_well_formed_passport_round_trips_through_its_key(issuer, number):
    key = f"PASSPORT:{issuer}:{number}"
    assert str(parse_travel_document(key.lower())) == key

"""Identifiers of the subjects of credit (RULES S-2, S-3).

A business entity is named by its Unified Social Credit Code (S-2, GB 32100-2015); an
individual by a resident identity number (S-3, GB 11643-1999) or by a passport or a Hong
Kong/Macao/Taiwan travel permit (S-3). Every validator returns the *canonical* form of the
identifier, the one the rest of the suite keys on, or raises :class:`IdentifierError`
saying what was expected and, where one is at fault, at which character.

Pure functions, no I/O; configuration (the S-2 list of legally issued exceptions) is passed
in by the caller.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from enum import StrEnum
from operator import mul

__all__ = [
    "ISO_3166_ALPHA2", "USCC_ALPHABET", "DocumentType", "IdentifierError", "TravelDocument",
    "parse_enterprise", "parse_individual", "parse_travel_document",
    "resident_id_check_character", "uscc_check_character", "validate_resident_id",
    "validate_uscc",
]


class IdentifierError(ValueError):
    """An identifier that does not follow its format.

    ``reason`` is a sentence saying what was expected; ``position`` the 0-based index of the
    character at fault in the canonical (stripped, upper-cased) text, when one is;
    ``expected`` the right character when a check character is wrong; ``part`` the part of a
    travel document at fault (``"type"``, ``"issuer"``, ``"number"``), when one is.
    """

    def __init__(
        self,
        reason: str,
        *,
        position: int | None = None,
        expected: str | None = None,
        part: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.position = position
        self.expected = expected
        self.part = part

    def __str__(self) -> str:
        return self.reason


_DIGITS = "0123456789"

# --- S-2: Unified Social Credit Code (GB 32100-2015) ---------------------------------------

#: The 31 characters of a USCC, in order of value 0..30 (no I, O, S, V, Z).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: v for v, c in enumerate(USCC_ALPHABET)}
_USCC_CHARACTERS = frozenset(USCC_ALPHABET)
_USCC_WEIGHTS = tuple(3**i % 31 for i in range(17))  # S-2: weights 3^i mod 31


def uscc_check_character(first17: str) -> str:
    """The S-2 check character of the first 17 characters of a USCC."""
    return _uscc_check(_require_body(first17, USCC_ALPHABET, f"17 characters from {USCC_ALPHABET}"))


def _uscc_check(body: str) -> str:
    """The check character of ``body``'s first 17 characters, all from the alphabet (S-2)."""
    total = sum(map(mul, map(_USCC_VALUE.__getitem__, body[:17]), _USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(code: str, *, exceptions: frozenset[str] = frozenset()) -> str:
    """Return the canonical USCC (stripped, upper-case) or raise :class:`IdentifierError`.

    S-2: 18 characters from :data:`USCC_ALPHABET`, the last being the check character.
    ``exceptions`` holds legally issued codes that fail the check *(config)*, in canonical
    form; they are still held to length and alphabet, but their check character is accepted.
    """
    canonical = code.strip().upper()
    if len(canonical) != 18:
        raise IdentifierError(
            f"a unified social credit code must be 18 characters, got {len(canonical)}"
        )
    if not _USCC_CHARACTERS.issuperset(canonical):
        i, c = next((i, c) for i, c in enumerate(canonical) if c not in _USCC_VALUE)
        raise IdentifierError(
            f"character {c!r} at position {i} is not allowed: a unified social credit "
            "code uses 0-9 and A-Z except I, O, S, V and Z",
            position=i,
        )
    expected = _uscc_check(canonical)
    if canonical[17] != expected and canonical not in exceptions:
        raise _check_error(canonical[17], expected)
    return canonical


# --- S-3: resident identity number (GB 11643-1999) -------------------------------------------

_RESIDENT_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))  # ISO 7064 MOD 11-2
_RESIDENT_CHECK = "10X98765432"
# GB 11643 has no lower bound; the earliest birth date accepted. RULES S-3 gives a valid
# vector born in 1880 (440524188001010014), so 1900 would be too strict.
_EARLIEST_BIRTH = _dt.date(1800, 1, 1)


def resident_id_check_character(first17: str) -> str:
    """The S-3 ISO 7064 MOD 11-2 check character of the first 17 digits of a resident id."""
    body = _require_body(first17, _DIGITS, "17 digits")
    total = sum(int(c) * w for c, w in zip(body, _RESIDENT_WEIGHTS))
    return _RESIDENT_CHECK[total % 11]


def validate_resident_id(number: str, *, today: _dt.date) -> str:
    """Return the canonical resident identity number or raise :class:`IdentifierError`.

    S-3: 17 digits, the embedded birth date (characters 6..13, ``YYYYMMDD``) a real calendar
    date from 1800-01-01 to ``today`` (the caller's CST date, T-1), then the check character
    (``0-9`` or ``X``; a lower-case ``x`` is canonicalised to ``X``).
    """
    canonical = number.strip().upper()
    if len(canonical) != 18:
        raise IdentifierError(
            f"a resident identity number must be 18 characters, got {len(canonical)}"
        )
    for i, c in enumerate(canonical[:17]):
        if c not in _DIGITS:
            raise IdentifierError(
                f"character {c!r} at position {i} is not allowed: the first 17 characters "
                "of a resident identity number are digits",
                position=i,
            )
    _check_birth_date(canonical[6:14], today)
    expected = resident_id_check_character(canonical[:17])
    if canonical[17] != expected:
        raise _check_error(canonical[17], expected)
    return canonical


def _check_birth_date(text: str, today: _dt.date) -> None:
    try:
        born = _dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise IdentifierError(
            f"birth date {text!r} at position 6 is not a real calendar date (YYYYMMDD)",
            position=6,
        ) from None
    if born > today:
        raise IdentifierError(
            f"birth date {born.isoformat()} at position 6 is after today ({today.isoformat()})",
            position=6,
        )
    if born < _EARLIEST_BIRTH:
        raise IdentifierError(
            f"birth date {born.isoformat()} at position 6 is before "
            f"{_EARLIEST_BIRTH.isoformat()}",
            position=6,
        )


# --- S-3: passports and travel permits --------------------------------------------------------


class DocumentType(StrEnum):
    """S-3 travel documents other than the resident identity card."""

    PASSPORT = "PASSPORT"
    HK_MACAO_PERMIT = "HK_MACAO_PERMIT"  # 港澳 permits: one letter + 8 or 10 digits
    TAIWAN_PERMIT = "TAIWAN_PERMIT"  # 台湾 permits: 8 or 10 digits, optionally after a letter


#: ISO 3166-1 alpha-2: the 249 officially assigned codes (HK, MO and TW included).
ISO_3166_ALPHA2: frozenset[str] = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()
)

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_PASSPORT_CHARS = _UPPER + _DIGITS
_NUMBER_FORMATS = {
    DocumentType.PASSPORT: "5 to 17 characters from A-Z and 0-9",
    DocumentType.HK_MACAO_PERMIT: "one letter followed by 8 or 10 digits",
    DocumentType.TAIWAN_PERMIT: "8 or 10 digits, optionally preceded by one letter",
}


@dataclass(frozen=True)
class TravelDocument:
    """An S-3 travel document: type, issuing country or region (ISO 3166-1 alpha-2), number."""

    type: DocumentType
    issuer: str
    number: str

    def __str__(self) -> str:
        return f"{self.type.value}:{self.issuer}:{self.number}"


def parse_travel_document(text: str) -> TravelDocument:
    """Parse ``TYPE:ISSUER:NUMBER`` (case-insensitive) or raise :class:`IdentifierError`.

    S-3: the format of each part is checked; these documents carry no check digit.
    Positions in errors are indexes into the stripped, upper-cased text: the wrong character,
    or the start of the part at fault when the part as a whole is wrong (unknown type or
    issuer, a number of the wrong length).
    """
    canonical = text.strip().upper()
    parts = canonical.split(":")
    if len(parts) != 3:
        raise IdentifierError(
            "a travel document must be TYPE:ISSUER:NUMBER (three parts separated by ':'), "
            f"got {len(parts)} part(s)"
        )
    type_text, issuer, number = parts
    try:
        doc_type = DocumentType(type_text)
    except ValueError:
        allowed = ", ".join(t.value for t in DocumentType)
        raise IdentifierError(
            f"document type {type_text!r} is unknown: expected one of {allowed}",
            position=0,
            part="type",
        ) from None
    issuer_at = len(type_text) + 1
    if issuer not in ISO_3166_ALPHA2:
        raise IdentifierError(
            f"issuer {issuer!r} is not an ISO 3166-1 alpha-2 country or region code "
            "(e.g. CN, HK, MO, TW)",
            position=issuer_at,
            part="issuer",
        )
    bad = _number_fault(doc_type, number)
    if bad is not None:
        raise IdentifierError(
            f"{doc_type.value} number {number!r} is malformed: expected "
            f"{_NUMBER_FORMATS[doc_type]}",
            position=issuer_at + len(issuer) + 1 + bad,
            part="number",
        )
    return TravelDocument(doc_type, issuer, number)


def _number_fault(doc_type: DocumentType, number: str) -> int | None:
    """Index in ``number`` of the first wrong character (0 if only its length is wrong).

    None when the number has the format of its type.
    """
    if doc_type is DocumentType.PASSPORT:
        bad = next((i for i, c in enumerate(number) if c not in _PASSPORT_CHARS), None)
        if bad is not None:
            return bad
        return None if 5 <= len(number) <= 17 else 0
    has_letter = bool(number) and number[0] in _UPPER
    if doc_type is DocumentType.HK_MACAO_PERMIT and not has_letter:
        return 0
    offset = 1 if has_letter else 0
    digits = number[offset:]
    bad = next((i for i, c in enumerate(digits) if c not in _DIGITS), None)
    if bad is not None:
        return offset + bad
    return None if len(digits) in (8, 10) else 0


# --- canonical subject keys -------------------------------------------------------------------


# No identifier is longer (a travel document's three parts included); a longer text is refused
# by its length before it is parsed, so that no error echoes an unbounded value back.
IDENTIFIER_MAX = 64


def _bounded(text: str) -> None:
    if len(text) > IDENTIFIER_MAX:
        raise IdentifierError(f"an identifier is at most {IDENTIFIER_MAX} characters, got {len(text)}")


def parse_individual(text: str, *, today: _dt.date) -> str:
    """The canonical key of an individual (S-3).

    Text without ``':'`` is a resident identity number (its 18 canonical characters);
    otherwise a travel document, keyed as ``TYPE:ISSUER:NUMBER``.
    """
    _bounded(text)
    if ":" not in text:
        return validate_resident_id(text, today=today)
    return str(parse_travel_document(text))


def parse_enterprise(text: str, *, exceptions: frozenset[str] = frozenset()) -> str:
    """The canonical key of a business entity: its USCC (S-2).

    Foreign operators recognised under AEO mutual recognition (S-4) are a subject kind of
    their own, parsed by :func:`secondline.foreign_codes.parse_foreign`.
    """
    _bounded(text)
    return validate_uscc(text, exceptions=exceptions)


# --- helpers ----------------------------------------------------------------------------------


def _require_body(first17: str, alphabet: str, what: str) -> str:
    if len(first17) != 17:
        raise IdentifierError(f"expected {what}, got {len(first17)} characters")
    for i, c in enumerate(first17):
        if c not in alphabet:
            raise IdentifierError(
                f"character {c!r} at position {i} is not allowed: expected {what}", position=i
            )
    return first17


def _check_error(actual: str, expected: str) -> IdentifierError:
    return IdentifierError(
        f"check character at position 17 is {actual!r}, expected {expected!r}",
        position=17,
        expected=expected,
    )

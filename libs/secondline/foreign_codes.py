"""S-4: foreign operators recognised under AEO mutual recognition, named by their partner's code.

A code is the ISO 3166 alpha-2 code of the economy that issued it followed by that economy's
enterprise code (``SG123456789012``; an EU operator by its EORI number, which begins with its
member state's code: ``DE1234567890123``); China's own AEO code is ``AEOCN`` followed by the
10-digit customs code. Which economies a partner may send codes of is its agreement's (X-1).
"""

from __future__ import annotations

from secondline.identifiers import ISO_3166_ALPHA2, IdentifierError

_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
BODY_MAX = 15  # an EORI number is the member state's code and at most 15 characters
CHINA_PREFIX = "AEOCN"


def parse_foreign(text: str) -> str:
    """The canonical (stripped, upper-cased) S-4 code, or an IdentifierError saying what is wrong."""
    code = text.strip().upper()
    if code.startswith(CHINA_PREFIX):
        body = code[len(CHINA_PREFIX):]
        if len(body) != 10 or not body.isdigit():
            raise IdentifierError(f"a Chinese AEO code is {CHINA_PREFIX} and 10 digits, got {code!r}")
        return code
    if len(code) < 3:
        raise IdentifierError(f"expected an ISO 3166 alpha-2 economy code and an enterprise code, got {code!r}")
    economy, body = code[:2], code[2:]
    if economy not in ISO_3166_ALPHA2:
        raise IdentifierError(f"{economy!r} at position 0 is not an ISO 3166 alpha-2 code", position=0)
    if len(body) > BODY_MAX:
        raise IdentifierError(f"the enterprise code after {economy} is at most {BODY_MAX} characters, got {len(body)}")
    for i, c in enumerate(body, start=2):
        if c not in _ALNUM:
            raise IdentifierError(f"character {c!r} at position {i} is not allowed: expected A-Z or 0-9", position=i)
    return code


def economy_of(code: str) -> str:
    """The ISO 3166 alpha-2 code of the economy that issued a canonical S-4 code."""
    return "CN" if code.startswith(CHINA_PREFIX) else code[:2]


__all__ = ["parse_foreign", "economy_of"]

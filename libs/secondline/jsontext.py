"""Compact JSON text as the json module writes it, made by orjson where the two agree.

Stored JSON that a digest is taken of (a record's canonical content, R-3; a subject's timeline)
must never change its text with the encoder. ``json.dumps(value, separators=(",", ":"))``
(ASCII only: every other character escaped) is the text these have always been; orjson writes
the same text in a tenth of the time for the values they hold, except for characters the json
module escapes and orjson writes as they are: non-ASCII and DEL. So orjson's text is kept when
it has none of those, and the json module writes it otherwise.

For values of strings, integers within 64 bits, booleans, None, lists and dicts with string
keys (what the callers store). Floats are not for this: the two format some of them apart
(``1e+16`` against ``1e16``, NaN).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_PLAIN = json.JSONEncoder(separators=(",", ":")).encode
_SORTED = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


def compact(value: Any) -> str:
    """``json.dumps(value, separators=(",", ":"))``."""
    try:
        text = orjson.dumps(value).decode()
    except orjson.JSONEncodeError:  # an integer beyond 64 bits, a key not a string: the json module's way
        return _PLAIN(value)
    return text if text.isascii() and "\x7f" not in text else _PLAIN(value)


def compact_sorted(value: Any) -> str:
    """``json.dumps(value, sort_keys=True, separators=(",", ":"))``: every dict's keys in order."""
    try:
        text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except orjson.JSONEncodeError:
        return _SORTED(value)
    return text if text.isascii() and "\x7f" not in text else _SORTED(value)


__all__ = ["compact", "compact_sorted"]

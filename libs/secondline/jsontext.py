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
from typing import Any, Callable

import orjson

_PLAIN = json.JSONEncoder(separators=(",", ":")).encode
_SORTED = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


def compact(value: Any) -> str:
    """``json.dumps(value, separators=(",", ":"))``."""
    return _text(value, 0, _PLAIN)


def compact_sorted(value: Any) -> str:
    """``json.dumps(value, sort_keys=True, separators=(",", ":"))``: every dict's keys in order."""
    return _text(value, orjson.OPT_SORT_KEYS, _SORTED)


def _text(value: Any, option: int, json_module: Callable[[Any], str]) -> str:
    try:
        text = orjson.dumps(value, option=option).decode()
    except orjson.JSONEncodeError:  # an integer beyond 64 bits, a key not a string: the json module's way
        return json_module(value)
    return text if text.isascii() and "\x7f" not in text else json_module(value)


__all__ = ["compact", "compact_sorted"]

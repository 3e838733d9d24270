"""Free text from callers: bounded in length, and free of control and bidirectional-formatting
characters (NUL, ESC, U+202E ...), which would let a value hide or reorder what a reader of
the record, a log or a report sees."""

from __future__ import annotations

import unicodedata

# The bidirectional embedding, override and isolate controls, and the directional marks.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def text_problem(value: str, max_chars: int) -> str | None:
    """Why ``value`` is not acceptable free text of at most ``max_chars`` characters, or None."""
    if len(value) > max_chars:
        return f"must be at most {max_chars} characters, got {len(value)}"
    for position, char in enumerate(value):
        if char in BIDI_CONTROLS or unicodedata.category(char) == "Cc":
            kind = "bidirectional-formatting" if char in BIDI_CONTROLS else "control"
            return f"character U+{ord(char):04X} at position {position} is a {kind} character, which is not allowed"
    return None

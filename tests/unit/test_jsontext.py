"""secondline.jsontext: the json module's compact text, whichever encoder wrote it, since digests
are taken of it (a record's canonical content, R-3; a subject's timeline)."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from secondline.jsontext import compact, compact_sorted
from secondline.services.ingestion.domain import Content, Subject

# Any text: not only ASCII (legal bases and commitments are Chinese), with control characters and DEL.
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(["\x7f", "\x00", "\u2028", "法"])
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2 ** 70), max_value=2 ** 70) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20)


@given(VALUES)
def test_the_text_is_the_json_modules(value):
    assert compact(value) == json.dumps(value, separators=(",", ":"))
    assert compact_sorted(value) == json.dumps(value, sort_keys=True, separators=(",", ":"))


def test_orjson_and_the_json_module_part_where_expected():
    # the cases the fallback is for, each written as the json module writes it
    assert compact({"a": "法"}) == '{"a":"\\u6cd5"}'
    assert compact(["\x7f"]) == '["\\u007f"]'
    assert compact({1: 2}) == '{"1":2}'  # a key not a string: orjson refuses it, the json module converts
    assert compact_sorted({"b": 1, "a": {"d": 2, "c": 3}}) == '{"a":{"c":3,"d":2},"b":1}'


def test_a_records_canonical_json_and_digest_are_what_the_json_module_gave():
    content = Content(kind="CREDIT_COMMITMENT", subject=Subject("enterprise", "91460000MA5T00001X"),
                      decided_on=date(2026, 3, 1), commitment="本企业承诺依法经营", legal_basis="海关法第八十六条")
    assert content.canonical_json == json.dumps(content.to_json(), sort_keys=True, separators=(",", ":"))
    plain = Content(kind="SMUGGLING_PENALTY", subject=Subject("enterprise", "91460000MA5T00001X"),
                    decided_on=date(2026, 3, 1), severity="SERIOUS", legal_basis="Customs Law art. 86")
    assert plain.canonical_json == json.dumps(plain.to_json(), sort_keys=True, separators=(",", ":"))

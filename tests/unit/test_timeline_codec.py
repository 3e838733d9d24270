"""Timelines' stored text (classification's codec): orjson writes exactly the text the json
module always wrote (compact, non-ASCII escaped), so stored timelines and the digests a shard
compares do not change with the encoder; reading gives back the segments written."""

from __future__ import annotations

import json
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from secondline.dates import CST
from secondline.services.classification.codec import dump_timeline, load_timeline
from secondline.services.classification.domain import Contribution, Segment

MIDNIGHTS = st.integers(min_value=0, max_value=20_000).map(lambda d: datetime.fromtimestamp(1_735_660_800 + d * 86_400, CST))
WORDS = st.text(min_size=1, max_size=12)  # any text, not only ASCII: partners' codes come from configuration


@st.composite
def timelines(draw) -> list[Segment]:
    partners = st.just(("", "")) | st.tuples(WORDS, WORDS)  # a partner's contribution names both
    contributions = draw(st.lists(st.builds(
        lambda partner, **fields: Contribution(**fields, partner=partner[0], counts_as=partner[1]),
        partners, rule=WORDS, effect=WORDS, start=MIDNIGHTS, end=st.none() | MIDNIGHTS,
        records=st.lists(st.text(alphabet="0123456789abcdef", min_size=32, max_size=32), max_size=3).map(tuple)),
        max_size=4))
    bounds = sorted(draw(st.sets(MIDNIGHTS, max_size=4)))
    edges = [None, *bounds, None]
    return [Segment(start, end, draw(WORDS),
                    tuple(draw(st.lists(st.sampled_from(contributions), max_size=2, unique=True))) if contributions else (),
                    frozenset(draw(st.sets(WORDS, max_size=2))))
            for start, end in zip(edges, edges[1:])]


def _json_module_text(segments: list[Segment]) -> str:
    """What the codec wrote with ``json.JSONEncoder(separators=(",", ":"))`` before orjson."""
    index: dict[Contribution, int] = {}
    for segment in segments:
        for c in segment.contributions:
            index.setdefault(c, len(index))
    t = lambda value: int(value.timestamp()) if value is not None else None  # noqa: E731
    return json.dumps({
        "contributions": [[c.rule, c.effect, t(c.start), t(c.end), list(c.records),
                           *((c.partner, c.counts_as) if c.partner else ())] for c in index],
        "segments": [[t(s.start), t(s.end), s.klass, sorted(s.flags), [index[c] for c in s.contributions]] for s in segments],
    }, separators=(",", ":"))


@given(timelines())
def test_the_stored_text_is_the_json_modules_and_reads_back(segments):
    text = dump_timeline(segments)
    assert text == _json_module_text(segments)
    assert text.isascii()
    assert load_timeline(text) == segments


def test_a_timeline_of_ascii_values_is_written_by_orjson_as_the_json_module_writes_it():
    start = datetime(2026, 3, 1, tzinfo=CST)
    penalty = Contribution("E-W2", "WATCHLIST", start, None, ("0190a1b2c3d4e5f60718293a4b5c6d7e",), "GBA", "E-W1")
    segments = [Segment(None, start, "WHITELIST"), Segment(start, None, "WATCHLIST", (penalty,), frozenset({"RISK_ALERT"}))]
    assert dump_timeline(segments) == ('{"contributions":[["E-W2","WATCHLIST",1772294400,null,'
                                       '["0190a1b2c3d4e5f60718293a4b5c6d7e"],"GBA","E-W1"]],'
                                       '"segments":[[null,1772294400,"WHITELIST",[],[]],'
                                       '[1772294400,null,"WATCHLIST",["RISK_ALERT"],[0]]]}')

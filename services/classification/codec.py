"""Timelines to and from JSON, as stored in the changes table (a subject's is its latest change's).

Instants are whole seconds since the epoch: every boundary is a CST midnight, and integers
encode and compare faster than ISO strings (classification encodes a timeline per change).
"""

from __future__ import annotations

import functools
from datetime import datetime

import orjson

from secondline.dates import CST
from secondline.jsontext import compact

from .domain import Contribution, Segment


@functools.lru_cache(maxsize=1 << 16)  # the same few thousand midnights again and again; an aware timestamp() is slow
def _t(value: datetime | None) -> int | None:
    return int(value.timestamp()) if value is not None else None


@functools.lru_cache(maxsize=1 << 16)
def _p(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value, CST) if value is not None else None


def dump_timeline(segments: list[Segment]) -> str:
    # Contributions numbered in the order the segments first name them, in one pass.
    numbers: dict[Contribution, int] = {}
    contributions, rows = [], []
    for s in segments:
        used = []
        for c in s.contributions:
            number = numbers.get(c)
            if number is None:
                number = numbers[c] = len(numbers)
                # A partner's contribution also names the partner and the rule it counts as.
                contributions.append([c.rule, c.effect, _t(c.start), _t(c.end), list(c.records),
                                      *((c.partner, c.counts_as) if c.partner else ())])
            used.append(number)
        rows.append([_t(s.start), _t(s.end), s.klass, sorted(s.flags) if s.flags else [], used])
    # compact: the text timelines have always been stored as (json module, non-ASCII escaped),
    # by orjson where the two agree; a timeline's text, and the digest a shard compares
    # (timelines.digest), never change with the encoder.
    return compact({"contributions": contributions, "segments": rows})


def load_timeline(text: str) -> list[Segment]:
    data = orjson.loads(text)
    contributions = [Contribution(rule, effect, _p(start), _p(end), tuple(records), *partner)
                     for rule, effect, start, end, records, *partner in data["contributions"]]
    return [Segment(_p(start), _p(end), klass, tuple(contributions[i] for i in used), frozenset(flags))
            for start, end, klass, flags, used in data["segments"]]

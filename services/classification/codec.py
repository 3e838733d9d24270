"""Timelines to and from JSON, as stored in the subjects and changes tables."""

from __future__ import annotations

import json
from datetime import datetime

from .domain import Contribution, Segment


def _t(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _p(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def dump_timeline(segments: list[Segment]) -> str:
    contributions: dict[Contribution, int] = {}
    for segment in segments:
        for c in segment.contributions:
            contributions.setdefault(c, len(contributions))
    return json.dumps({
        "contributions": [[c.rule, c.effect, _t(c.start), _t(c.end), list(c.records)] for c in contributions],
        "segments": [[_t(s.start), _t(s.end), s.klass, sorted(s.flags), [contributions[c] for c in s.contributions]]
                     for s in segments],
    }, separators=(",", ":"))


def load_timeline(text: str) -> list[Segment]:
    data = json.loads(text)
    contributions = [Contribution(rule, effect, _p(start), _p(end), tuple(records))
                     for rule, effect, start, end, records in data["contributions"]]
    return [Segment(_p(start), _p(end), klass, tuple(contributions[i] for i in used), frozenset(flags))
            for start, end, klass, flags, used in data["segments"]]

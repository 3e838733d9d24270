"""The sweep that turns a subject's contributions into its timeline (RULES E, P, L, T-4;
strictest class wins, flags beside it), and the two readings of a timeline the writer stores
with it (the next scheduled change, E-X3; whether the subject is plain whitelist from now on),
each checked against its definition written out directly over generated contributions."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from secondline.dates import CST
from secondline.services.classification.domain import (AEO, CLASS_RANK, RISK_ALERT, UNDER_OBJECTION, WATCHLIST,
                                                        WHITELIST, Contribution, Segment)
from secondline.services.classification.engine import is_plain_whitelist_from, next_change, sweep

DAYS = st.integers(min_value=0, max_value=40).map(lambda d: datetime.fromtimestamp(1_735_660_800 + d * 86_400, CST))
EFFECTS = st.sampled_from([AEO, WATCHLIST, WHITELIST, RISK_ALERT, UNDER_OBJECTION, "DISHONESTY_MARITIME"])
CONTRIBUTION = st.builds(Contribution, rule=st.sampled_from(["E-A", "E-W1", "E-W2", "P-R", "O-2", "L-1"]),
                         effect=EFFECTS, start=DAYS, end=st.none() | DAYS,
                         records=st.lists(st.sampled_from(["r1", "r2", "r3"]), max_size=2).map(tuple))


@st.composite
def contributed(draw) -> list[Contribution]:
    """Contributions as a subject's groups list them: some empty (ending where they start, or
    before), some listed twice (two facts giving the same contribution)."""
    found = draw(st.lists(CONTRIBUTION, max_size=7))
    if found and draw(st.booleans()):
        found.insert(draw(st.integers(0, len(found))), draw(st.sampled_from(found)))
    return found


def _by_definition(contributions: list[Contribution]) -> list[Segment]:
    """At each instant where something starts or ends, the contributions covering it (in the
    order first listed) make its class (the strictest of theirs, WHITELIST if none) and flags
    (every other effect); a segment lasts while that set stays the same."""
    listed = [c for c in dict.fromkeys(contributions) if c.end is None or c.start < c.end]
    instants = sorted({c.start for c in listed} | {c.end for c in listed if c.end is not None})
    segments = [Segment(None, None, WHITELIST)]
    for at in instants:
        covering = tuple(c for c in listed if c.covers(at))
        if set(covering) == set(segments[-1].contributions):
            continue
        classes = [c.effect for c in covering if c.effect in CLASS_RANK]
        klass = max(classes, key=CLASS_RANK.__getitem__, default=WHITELIST)
        flags = frozenset(c.effect for c in covering if c.effect not in CLASS_RANK)
        segments[-1] = segments[-1]._replace(end=at)
        segments.append(Segment(at, None, klass, covering, flags))
    return segments


@given(contributed())
def test_the_sweep_is_the_timeline_by_definition(contributions):
    got = sweep(contributions)
    assert got == _by_definition(contributions)
    assert [s.flags for s in got] == [s.flags for s in _by_definition(contributions)]  # frozensets, not only equal tuples
    assert all(type(s.flags) is frozenset for s in got)


@given(contributed(), DAYS)
def test_next_change_and_plain_whitelist_read_the_timeline_as_defined(contributions, instant):
    segments = sweep(contributions)
    starts = [s.start for s in segments if s.start is not None and s.start > instant]
    assert next_change(segments, instant) == (min(starts) if starts else None)
    ahead = [s for s in segments if s.end is None or s.end > instant]
    assert is_plain_whitelist_from(segments, instant) == all(s.klass == WHITELIST and not s.flags for s in ahead)


def test_a_stay_inside_another_and_a_flag_beside_them():
    """E-W2 for a year, an E-W4 inside it, and a risk alert over the end of both: the watchlist
    holds through the longer stay, and the flag outlives it."""
    day = [datetime(2026, 1, d, tzinfo=CST) for d in range(1, 8)]
    long, inner = (Contribution("E-W2", WATCHLIST, day[0], day[4], ("a",)),
                   Contribution("E-W4", WATCHLIST, day[1], day[2], ("b",)))
    alert = Contribution("P-R", RISK_ALERT, day[3], day[6], ("c",))
    assert sweep([long, inner, alert]) == [
        Segment(None, day[0], WHITELIST),
        Segment(day[0], day[1], WATCHLIST, (long,)),
        Segment(day[1], day[2], WATCHLIST, (long, inner)),
        Segment(day[2], day[3], WATCHLIST, (long,)),
        Segment(day[3], day[4], WATCHLIST, (long, alert), frozenset({RISK_ALERT})),
        Segment(day[4], day[6], WHITELIST, (alert,), frozenset({RISK_ALERT})),
        Segment(day[6], None, WHITELIST),
    ]
    assert next_change(sweep([long, inner, alert]), day[3]) == day[4]
    assert not is_plain_whitelist_from(sweep([long, inner, alert]), day[5])
    assert is_plain_whitelist_from(sweep([long, inner, alert]), day[6])

"""What Timelines holds of a subject between batches (the catch-up's memory, issue 13): its facts,
their contributions and the digest of its encoded timeline, neither its segments' objects nor the
text; a batch that leaves the contributions as they were changes nothing and keeps what was held."""

from __future__ import annotations

from datetime import date, datetime, timezone

from secondline.rules_config import load_rules
from secondline.services.classification import engine as rules_engine
from secondline.services.classification.codec import dump_timeline
from secondline.services.classification.domain import PlainFact
from secondline.services.classification.timelines import Timelines, Work, digest

RULES = load_rules()
NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
KEY = "91460100MA5T0A3D5P"


def _rating(n: int, grade: str, day: date) -> PlainFact:
    return PlainFact(f"r{n}", "TAX", "INDUSTRY_RATING", day, n, grade)


def _apply(timelines: Timelines, batch: int, *facts) -> list:
    results = timelines.compute([Work(KEY, "enterprise", tuple(facts), frozenset())], NOW, lambda keys: {}, batch)
    timelines.commit(batch)
    return results


def test_a_held_subject_is_its_facts_contributions_and_the_digest_of_its_timeline():
    timelines = Timelines(RULES, cache_size=10)
    penalty = PlainFact("p1", "ANTI_SMUGGLING", "SMUGGLING_PENALTY", date(2026, 3, 1), 1)
    lowest = _rating(2, "D", date(2026, 4, 1))  # E-W1
    (first,) = _apply(timelines, 1, penalty)
    (second,) = _apply(timelines, 2, lowest)
    held = timelines._held[KEY]
    expected = dump_timeline(rules_engine.timeline("enterprise", [penalty, lowest], RULES))
    assert second.timeline == expected and held.digest == digest(expected)
    assert len(held.digest) == 16 and held.facts == (penalty, lowest)
    assert held.groups == rules_engine.groups("enterprise", [penalty, lowest], RULES)
    assert first.timeline != second.timeline


def test_a_batch_that_leaves_the_contributions_as_they_were_changes_nothing_and_keeps_them():
    timelines = Timelines(RULES, cache_size=10)
    (result,) = _apply(timelines, 1, _rating(1, "A", date(2026, 1, 5)), _rating(2, "D", date(2026, 2, 5)))
    before = timelines._held[KEY]
    # A newer rating that is not the lowest ends E-W1; one more of the same grade after it changes nothing.
    (ended,) = _apply(timelines, 2, _rating(3, "B", date(2026, 6, 1)))
    kept = timelines._held[KEY]
    assert ended.timeline != result.timeline
    assert _apply(timelines, 3, _rating(4, "B", date(2026, 7, 1))) == []
    after = timelines._held[KEY]
    assert after.groups is kept.groups and after.digest is kept.digest  # nothing swept, encoded or held again
    assert len(after.facts) == 4 and before.groups != kept.groups
    assert after.digest == digest(dump_timeline(rules_engine.timeline("enterprise", list(after.facts), RULES)))


def test_a_subject_read_from_the_tables_is_unchanged_when_its_timeline_is_the_stored_text():
    facts = (_rating(1, "D", date(2026, 2, 5)),)
    stored = dump_timeline(rules_engine.timeline("enterprise", list(facts), RULES))
    timelines = Timelines(RULES, cache_size=10)
    work = [Work(KEY, "enterprise", (_rating(2, "B", date(2026, 1, 1)),), frozenset())]  # earlier: the lowest stays latest
    assert timelines.compute(work, NOW, lambda keys: {KEY: (facts, stored)}, 1) == []
    work = [Work(KEY, "enterprise", (_rating(3, "B", date(2026, 6, 1)),), frozenset())]
    (changed,) = Timelines(RULES, cache_size=10).compute(work, NOW, lambda keys: {KEY: (facts, stored)}, 1)
    assert changed.timeline != stored


def test_a_timeline_is_encoded_as_compact_json_with_its_contributions_first():
    import json

    facts = [PlainFact("p1", "ANTI_SMUGGLING", "SMUGGLING_PENALTY", date(2026, 3, 1), 1),
             PlainFact("a1", "CUSTOMS", "RISK_ALERT", date(2026, 4, 1), 2, "", date(2026, 6, 30))]
    segments = rules_engine.timeline("individual", facts, RULES)
    text = dump_timeline(segments)
    assert text == json.dumps(json.loads(text), separators=(",", ":"))
    assert list(json.loads(text)) == ["contributions", "segments"]
    assert text.startswith('{"contributions":[["P-W","WATCHLIST",1772294400,')

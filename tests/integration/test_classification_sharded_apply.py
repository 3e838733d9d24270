"""The sharded, incremental path gives exactly the timelines of the straightforward one (hypothesis).

A feed over a few subjects, with corrections and withdrawals (R-4), objection marks (O-2) and
partners' records (X-2, X-3), is applied in batches of any size by a store whose timelines are
computed by shard worker processes, incrementally where a record only adds a fact; each
subject's stored timeline must be, byte for byte, ``engine.timeline`` over the facts that hold
at the end, and the changes must be numbered in order. The in-process incremental path is held
to the same.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secondline.rules_config import load_rules
from secondline.services.classification import engine as rules_engine
from secondline.services.classification.codec import dump_timeline
from secondline.services.classification.shards import Shards
from secondline.services.classification.store import ClassificationStore, Incoming
from secondline.services.classification.tables import Base
from secondline.storage import make_engine

RULES = load_rules()
NOW = datetime(2027, 1, 1, tzinfo=timezone.utc)
SUBJECTS = [("enterprise", "91460100MA5T0A3D5P"), ("enterprise", "91460100MA5T0A2C0H"), ("individual", "460100199001011234")]
KINDS = ["SMUGGLING_PENALTY", "SMUGGLING_CRIME", "OTHER_LEGAL_LISTING", "RISK_ALERT", "CREDIT_COMMITMENT",  # only add
         "AEO_GRANTED", "AEO_REVOKED", "INDUSTRY_RATING", "DISHONESTY_LISTED", "DISHONESTY_REMOVED",
         "PARTNER_RATING", "OBJECTION_OPENED", "OBJECTION_CLOSED"]


@st.composite
def feeds(draw):
    """Records in feed order; some correct or withdraw an earlier one that still holds."""
    found: list[Incoming] = []
    holding: list[Incoming] = []
    for cursor in range(1, draw(st.integers(1, 14)) + 1):
        if holding and draw(st.integers(0, 5)) == 0:
            target = draw(st.sampled_from(holding))
            holding.remove(target)
            withdraw = draw(st.booleans())
            record = target._replace(record_id=f"r{cursor}", cursor=cursor, kind="WITHDRAWAL" if withdraw else "CORRECTION",
                                     target_record_id=target.record_id,
                                     decided_on=target.decided_on + timedelta(days=draw(st.integers(0, 40))))
            if not withdraw:
                holding.append(record)
            found.append(record)
            continue
        subject_type, key = draw(st.sampled_from(SUBJECTS))
        kind = draw(st.sampled_from(KINDS if subject_type == "enterprise" else
                                    ["SMUGGLING_PENALTY", "SMUGGLING_CRIME", "RISK_ALERT", "DISHONESTY_LISTED",
                                     "DISHONESTY_REMOVED", "OBJECTION_OPENED", "OBJECTION_CLOSED"]))
        decided = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)))
        fields = {"source": "CUSTOMS"}
        if kind == "INDUSTRY_RATING":
            fields.update(source="TAX", grade=draw(st.sampled_from(["A", "D"])))
        elif kind == "PARTNER_RATING":  # a partner's grade, by its mapped effect
            kind = "INDUSTRY_RATING"
            fields.update(source="partner/GBA", grade="G", effect=draw(st.sampled_from(["AEO", "LOWEST", "SERIOUS_DISHONESTY", "NONE"])))
        elif kind in ("DISHONESTY_LISTED", "DISHONESTY_REMOVED"):
            fields.update(source="ANTI_SMUGGLING", list="ANTI_SMUGGLING")
            if kind == "DISHONESTY_LISTED":
                fields["severity"] = draw(st.sampled_from(["MINOR", "SERIOUS"]))
        elif kind in ("OBJECTION_OPENED", "OBJECTION_CLOSED"):  # O-2: the marks
            fields.update(source="MARK", objection_id=f"o{draw(st.integers(1, 2))}",
                          marked_at=datetime(decided.year, decided.month, decided.day, 3, tzinfo=timezone.utc),
                          marked_records=("r1",) if kind == "OBJECTION_OPENED" else ())
        if kind == "RISK_ALERT" or (kind == "AEO_GRANTED" and draw(st.booleans())):
            fields["valid_until"] = decided + timedelta(days=draw(st.integers(0, 400)))
        record = Incoming(record_id=f"r{cursor}", cursor=cursor, kind=kind, content_kind=kind, subject_type=subject_type,
                          subject_key=key, decided_on=decided, **fields)
        holding.append(record)
        found.append(record)
    return found


def batches(draw, feed: list[Incoming]) -> list[list[Incoming]]:
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(feed) - 1)), max_size=4)))
    return [feed[a:b] for a, b in zip([0, *cuts], [*cuts, len(feed)]) if feed[a:b]]


def expected_timelines(tmp_path, feed: list[Incoming]) -> dict[str, str]:
    """The straightforward path: one store, whole feed, then ``engine.timeline`` over what holds."""
    store = fresh_store(tmp_path, "expected", workers=0, incremental=False)
    store.apply(feed, NOW)
    return {key: dump_timeline(rules_engine.timeline(subject_type, store.facts(key), RULES))
            for subject_type, key in SUBJECTS if store.subject(key)}


def fresh_store(tmp_path, name, **options) -> ClassificationStore:
    engine = make_engine(f"sqlite:///{tmp_path}/{name}.sqlite")
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    return ClassificationStore(engine, RULES, **options)


def check(store: ClassificationStore, expected: dict[str, str]) -> None:
    got = {key: dump_timeline(store.subject(key)[0]) for _, key in SUBJECTS if store.subject(key)}
    assert got == expected
    revisions = [c.revision for c in store.changes_after(0, 1000)]
    assert revisions == list(range(1, len(revisions) + 1))
    for key, encoded in expected.items():  # the latest change of each subject carries its timeline
        assert dump_timeline([c for c in store.changes_after(0, 1000) if c.subject_key == key][-1].timeline) == encoded


@pytest.fixture(scope="module")
def shards():
    """Two shard workers for the whole module (worker processes are slow to start); each
    example's store has a database of its own, which the workers hold apart."""
    workers = Shards(RULES, count=2, cache_size=1000)
    yield workers
    workers.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(feeds(), st.data())
def test_shard_workers_give_the_timelines_of_the_straightforward_path(tmp_path_factory, shards, feed, data):
    tmp_path = tmp_path_factory.mktemp("sharded")
    expected = expected_timelines(tmp_path, feed)
    store = fresh_store(tmp_path, "sharded", shards=shards, shard_from=1)
    for batch in batches(data.draw, feed):
        store.apply(batch, NOW)
    check(store, expected)
    assert store.apply(feed, NOW) == 0  # applying the feed again changes nothing
    check(store, expected)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(feeds(), st.data())
def test_incremental_timelines_in_the_writer_are_the_straightforward_ones(tmp_path, feed, data):
    expected = expected_timelines(tmp_path, feed)
    store = fresh_store(tmp_path, "incremental", workers=0, incremental=True)
    for batch in batches(data.draw, feed):
        store.apply(batch, NOW)
    check(store, expected)
    assert store.apply(feed, NOW) == 0  # applying the feed again changes nothing
    check(store, expected)


class Crash(Exception):
    pass


def _crashing_at(store: ClassificationStore, call: int):
    """The store's transaction fails at its ``call``-th publication (after it prepared the next batch)."""
    publish, calls = store._publish, [0]

    def crashing(*args):
        calls[0] += 1
        if calls[0] == call:
            raise Crash()
        return publish(*args)
    store._publish = crashing


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(feeds(), st.data())
def test_the_writer_pipelined_with_the_shards_keeps_every_guarantee(tmp_path_factory, shards, feed, data):
    """Each batch applied with the next one given (the store sends it to the shards before it
    publishes and commits the first): the same timelines, changes numbered in order; a batch
    whose transaction fails leaves the cursor where it was and is applied again from there,
    changing nothing twice; a batch other than the one prepared is applied as given (R-4, I-2)."""
    tmp_path = tmp_path_factory.mktemp("pipelined")
    expected = expected_timelines(tmp_path, feed)
    store = fresh_store(tmp_path, "pipelined", shards=shards, shard_from=1)
    parts = batches(data.draw, feed)
    crash = data.draw(st.integers(0, len(parts)))  # 0: none
    if crash:
        _crashing_at(store, crash)
    swap = data.draw(st.booleans())  # give a copy of the prepared batch rather than the batch itself
    for i, batch in enumerate(parts):
        upcoming = parts[i + 1] if i + 1 < len(parts) else None
        given = list(batch) if swap and store.prepared_for(batch) else batch
        try:
            store.apply(given, NOW, upcoming)
        except Crash:
            assert not store.prepared_for(upcoming)
            break
    if crash:  # the follower's next stream starts after the stored cursor
        applied = store.cursor()
        rest = [r for r in feed if r.cursor > applied]
        assert store.cursor() == (parts[crash - 2][-1].cursor if crash > 1 else 0)
        parts = batches(data.draw, rest) if rest else []
        for i, batch in enumerate(parts):
            store.apply(batch, NOW, parts[i + 1] if i + 1 < len(parts) else None)
    check(store, expected)
    assert store.apply(feed, NOW, feed) == 0  # applying the feed again changes nothing
    check(store, expected)

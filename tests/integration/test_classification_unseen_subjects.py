"""A subject the writer's side does not hold is read from the tables, unless no record of it can
be there (``Timelines.compute``'s ``all_through_here``, ``ClassificationStore._all_through``).

A fresh catch-up reads none of the subjects it meets for the first time; every other case reads
them, and gives the timelines of one store applying the whole feed: a store on tables another
store filled, another writer applying a batch in between, a subject evicted from what is held,
shard workers started again. Without the read, each of those would compute a subject from its
new records alone and store a different timeline (T-4, R-4)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from secondline.rules_config import load_rules
from secondline.services.classification import engine as rules_engine
from secondline.services.classification.codec import dump_timeline
from secondline.services.classification.store import ClassificationStore, Incoming
from secondline.services.classification.tables import Base
from secondline.storage import make_engine

RULES = load_rules()
NOW = datetime(2027, 1, 1, tzinfo=timezone.utc)
KEYS = ["91460100MA5T0A3D5P", "91460100MA5T0A2C0H", "91460000MA5T00001X"]


def feed() -> list[Incoming]:
    """Three enterprises, each with records in every third of the feed: a penalty (E-W2), then
    an AEO grant (E-A), then a second penalty; a subject computed from a later third alone would
    have another timeline than from all of them."""
    kinds = [("SMUGGLING_PENALTY", date(2025, 3, 1)), ("AEO_GRANTED", date(2025, 6, 1)),
             ("SMUGGLING_PENALTY", date(2026, 2, 1))]
    found, cursor = [], 0
    for kind, decided in kinds:
        for key in KEYS:
            cursor += 1
            found.append(Incoming(record_id=f"r{cursor}", cursor=cursor, kind=kind, content_kind=kind, source="CUSTOMS",
                                  subject_type="enterprise", subject_key=key, decided_on=decided))
    return found


def thirds(records: list[Incoming]) -> list[list[Incoming]]:
    n = len(records) // 3
    return [records[:n], records[n:2 * n], records[2 * n:]]


def store_on(path, **options) -> ClassificationStore:
    return ClassificationStore(make_engine(f"sqlite:///{path}"), RULES, **options)


def fresh(path, **options) -> ClassificationStore:
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    return store_on(path, **options)


@pytest.fixture(scope="module")
def expected(tmp_path_factory) -> dict[str, str]:
    """The straightforward path: the whole feed in one batch, every timeline from all the facts."""
    store = fresh(tmp_path_factory.mktemp("expected") / "c.sqlite", workers=0, incremental=False)
    store.apply(feed(), NOW)
    found = {key: dump_timeline(rules_engine.timeline("enterprise", store.facts(key), RULES)) for key in KEYS}
    # The feed does what the docstring says: the last third alone gives other timelines.
    alone = fresh(tmp_path_factory.mktemp("alone") / "c.sqlite", workers=0, incremental=False)
    alone.apply(thirds(feed())[2], NOW)
    assert all(dump_timeline(alone.subject(key)[0]) != found[key] for key in KEYS)
    return found


def timelines(store: ClassificationStore) -> dict[str, str]:
    return {key: dump_timeline(store.subject(key)[0]) for key in KEYS}


def reads(store: ClassificationStore) -> tuple[int, int]:
    """Subjects the writer's own timelines read from the tables, and those it did not (new)."""
    counts = store._timelines.counts
    return counts["loaded"], counts["new"]


def test_a_fresh_catch_up_reads_no_subject_it_meets_first(tmp_path, expected):
    store = fresh(tmp_path / "c.sqlite", workers=0)
    for batch in thirds(feed()):
        store.apply(batch, NOW)
    assert timelines(store) == expected
    assert reads(store) == (0, len(KEYS))


def test_a_store_on_tables_another_store_filled_reads_what_it_does_not_hold(tmp_path, expected):
    first, second, third = thirds(feed())
    fresh(tmp_path / "c.sqlite", workers=0).apply(first, NOW)
    store = store_on(tmp_path / "c.sqlite", workers=0)  # the service started again
    store.apply(second, NOW)
    store.apply(third, NOW)
    assert timelines(store) == expected
    assert reads(store) == (len(KEYS), 0)


def test_another_writer_between_two_batches_makes_the_store_read(tmp_path, expected):
    first, second, third = thirds(feed())
    store = fresh(tmp_path / "c.sqlite", workers=0)
    store.apply(first, NOW)
    other = store_on(tmp_path / "c.sqlite", workers=0)
    other.apply(second, NOW)  # a second writer (a replica) applies the middle third
    store.apply(third, NOW)  # holds the subjects as of the first third: must read what the other stored
    assert timelines(store) == expected
    assert reads(store)[0] == len(KEYS)


def test_a_subject_evicted_from_what_is_held_is_read_again(tmp_path, expected):
    store = fresh(tmp_path / "c.sqlite", workers=0, cache_size=1)  # holds one subject at most
    for batch in thirds(feed()):
        store.apply(batch, NOW)
    assert timelines(store) == expected
    assert reads(store)[0] > 0


def test_shard_workers_taking_over_from_the_writer_read_what_it_computed(tmp_path, expected):
    """A catch-up's first batch is often small (the follower's first page), computed by the
    writer itself; the shards then take over the larger ones and must read those subjects."""
    first, second, third = thirds(feed())
    store = fresh(tmp_path / "c.sqlite", workers=2, shard_from=len(first) + 1)
    try:
        store.apply(first, NOW)  # the writer's own timelines
        assert reads(store) == (0, len(KEYS))
        store.apply(second + third, NOW)  # the shards
        assert timelines(store) == expected
        counts = store._shards.counts(store._url)
        assert counts["loaded"] == len(KEYS) and counts["new"] == 0
    finally:
        store.close()


def test_shard_workers_read_what_they_do_not_hold_once_started_again(tmp_path, expected):
    first, second, third = thirds(feed())
    store = fresh(tmp_path / "c.sqlite", workers=2, shard_from=1)
    try:
        store.apply(first, NOW)
        store.apply(second, NOW)
        url = store._url
        counts = store._shards.counts(url)
        assert counts["new"] == len(KEYS) and counts["loaded"] == 0
        store._shards.close()  # as after a worker died: started again, holding nothing
        store._shards._start()
        store.apply(third, NOW)
        assert timelines(store) == expected
        assert store._shards.counts(url)["loaded"] == len(KEYS)
    finally:
        store.close()


def test_subjects_are_read_in_lists_of_keys_across_every_list(database_url):
    """load_subjects reads its keys in lists of KEY_CHUNK: each subject's facts and timeline,
    whichever list it falls in, and nothing for a subject without records."""
    from secondline.services.classification.rows import KEY_CHUNK
    from secondline.services.classification.shards import load_subjects

    count = 2 * KEY_CHUNK + 7
    keys = [f"9146010{n:04d}MA5T0A" for n in range(count)]  # keys need not be valid USCCs here
    records = [Incoming(record_id=f"r{i}", cursor=i + 1, kind="SMUGGLING_PENALTY", content_kind="SMUGGLING_PENALTY",
                        source="CUSTOMS", subject_type="enterprise", subject_key=key, decided_on=date(2025, 3, 1))
               for i, key in enumerate(keys)]
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    ClassificationStore(engine, RULES, workers=0).apply(records, NOW)
    with engine.connect() as conn:
        found = load_subjects(conn, [*reversed(keys), "nobody"])
    engine.dispose()
    assert [facts[0].record_id for facts, _ in (found[key] for key in keys)] == [r.record_id for r in records]
    assert all(encoded is not None for _, encoded in (found[key] for key in keys))
    assert found["nobody"] == ((), None)

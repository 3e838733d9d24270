"""What the classification store knows of the subjects the tables cannot hold (coverage.py):
a side that has computed every subject since the tables were empty reads only those another
side computed before it; anything it cannot vouch for brings every read back."""

from __future__ import annotations

from types import SimpleNamespace

from secondline.services.classification.coverage import Coverage, identity


class Timelines:  # the writer's own side: known by the object itself
    pass


def shards(generation: int = 1):  # a side of shard workers: known by its pool and generation
    return SimpleNamespace(shards=SimpleNamespace(generation=generation))


def test_nothing_is_known_until_a_batch_finds_the_tables_empty():
    coverage, side = Coverage(), Timelines()
    assert not coverage.covers(side) and coverage.only(side, ["A"]) is None
    coverage.tables_empty(side)
    assert coverage.covers(side) and coverage.only(side, ["A", "B"]) == frozenset()
    coverage.lost()  # another writer went on
    assert coverage.only(side, ["A"]) is None


def test_a_side_taking_over_reads_what_the_one_before_it_held_and_only_that():
    coverage, own, pool = Coverage(), Timelines(), shards()
    coverage.tables_empty(own)
    coverage.handed_over(pool, {"A", "B"})
    assert not coverage.covers(own) and coverage.covers(pool)
    assert coverage.only(pool, ["A", "C"]) == frozenset({"A"})
    coverage.handed_over(own, None)  # what the shards held is not known to the writer
    assert coverage.only(own, ["A", "C"]) is None and coverage.only(pool, ["C"]) is None


def test_shards_started_again_are_another_side():
    pool = shards(1)
    coverage = Coverage()
    coverage.tables_empty(pool)
    pool.shards.generation = 2  # restarted: they hold nothing
    assert not coverage.covers(pool) and coverage.only(pool, ["A"]) is None
    assert identity(pool) == (id(pool.shards), 2)

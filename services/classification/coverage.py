"""Which subjects a side may skip reading from the tables: those the tables cannot hold.

A side computes timelines (the shards of one generation, or the writer's own ``Timelines``) and
reads each subject it does not hold from the tables, for its facts and its stored timeline.
While catching up from nothing, every subject is new and each read finds nothing: the tables
hold records only of subjects the side computing has seen, unless another side computed some
before it took over. :class:`Coverage` is what the store knows of that, and only while it is
the one writer (any other writer's batch, a restart of the shards, a side that drops what it
held, or a switch of sides it cannot vouch for ends it).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable


def identity(side) -> object:
    """A side as computing: the shards of one generation (started again, they hold nothing), or
    the writer's own timelines."""
    shards = getattr(side, "shards", None)
    return (id(shards), shards.generation) if shards is not None else id(side)


class Coverage:
    def __init__(self) -> None:
        self._whole: object = None
        """The side that has computed every subject the tables hold a record of (``identity``),
        but those in ``_elsewhere``; None: not known."""
        self._elsewhere: set[str] = set()
        """The subjects another side computed before this one took over."""

    def lost(self) -> None:
        """Not known any more: this store's first batch, or another writer went on."""
        self._whole = None

    def tables_empty(self, side) -> None:
        """The tables hold no record: ``side`` computes every subject from now on."""
        self._whole, self._elsewhere = identity(side), set()

    def covers(self, side) -> bool:
        return self._whole is not None and self._whole == identity(side)

    def handed_over(self, to, held: Collection[str] | None) -> None:
        """``to`` computes from now on; ``held``: the subjects the side before it held while it
        covered the tables (``to`` must read them), or None where it did not."""
        self._whole = None if held is None else identity(to)
        self._elsewhere.update(held or ())

    def only(self, side, keys: Iterable[str]) -> frozenset[str] | None:
        """Of ``keys``, the only ones ``side`` must read where it does not hold them
        (``Timelines.compute``'s ``only``), or None: every one."""
        if not self.covers(side):
            return None
        elsewhere = self._elsewhere
        return frozenset(key for key in keys if key in elsewhere) if elsewhere else frozenset()


__all__ = ["Coverage", "identity"]

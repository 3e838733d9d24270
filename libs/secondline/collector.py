"""Python's cyclic garbage collector, as a long-running service wants it.

By default the collector walks the young generation every 700 allocations and, every so often,
everything the process holds: in a service that keeps a large state (the gate's snapshot, the
classifier's subject cache) or that allocates a few hundred objects per request, that is a
large share of its CPU, and a full collection (tens of ms) lands in some caller's wait. Once a
service has started, what start-up made (modules, descriptors, settings, gRPC's objects) lives
as long as the process: :func:`settle` moves it out of the collector's sight (``gc.freeze``)
and collects the young generation less often. Reference counting still frees everything that
is not in a cycle at once; only cycles wait longer.

How often the young generation is collected is a trade: rarely costs less CPU, but a young
collection frees every cycle made since the last one in one pause. A service answering calls
whose each wait counts (the gate) collects at :data:`PER_CALL`, the others at :data:`YOUNG`.
"""

from __future__ import annotations

import gc

YOUNG = 50_000
"""Allocations between young-generation collections (Python's default: 700)."""

PER_CALL = 700
"""The same, for a service whose every call's wait counts: Python's default. gRPC's aio server
leaves about six objects of cyclic garbage per call (its method-handler lookup's closure, the
call's details and metadata), so at :data:`YOUNG` a young collection frees some 8,000 calls'
worth at once: 20-60 ms in the gate under load (bench/README.md, the gate's collector), in a
lane's wait. At 700, 2.5 ms at most, for no CPU that the gate's benchmark could measure."""


def settle(young: int = YOUNG) -> None:
    """Collect once, freeze what survives (start-up's objects), and collect the young
    generation every ``young`` allocations from now on. Call at the end of a service's start."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(young, 50, 100)


__all__ = ["PER_CALL", "YOUNG", "settle"]

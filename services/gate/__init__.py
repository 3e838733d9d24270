"""The lane gate: which lane each crossing at a second-line port goes to (RULES M, L-2, P-R).

It holds every subject that is not plain whitelist in memory, loaded from classification and
kept current from its change feed, and decides crossings from it without a database query or
a network call; every decision goes to the decision log, off the hot path, for replay. See
:mod:`.app` for the entry point.
"""

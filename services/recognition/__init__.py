"""The recognition service: partner regions and AEO mutual recognition (RULES X).

Partners send signed envelopes that enter ingestion as their records (R-7, X-3); the suite
sends signed credit reports and class changes (X-5); every envelope is logged in a Merkle log
with signed checkpoints (X-6). See :mod:`.app` for the entry point.
"""

"""The ingestion service: the append-only log of credit records (RULES S, R).

Departments file records (unary or streamed), operators backfill history, and every other
service follows the record feed. See :mod:`.app` for the entry point.
"""

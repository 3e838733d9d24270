"""The classification service: each subject's class over time (RULES T, S, E, P, L).

It follows ingestion's record feed, keeps every subject's timeline with reasons and scheduled
changes, answers classes as of any instant, and publishes the change feed that the lane gate
and the departments follow. See :mod:`.app` for the entry point.
"""

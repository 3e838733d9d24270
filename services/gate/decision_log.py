"""The decision log: every decision stored for audit and replay, off the Decide path.

Decide only appends the decision to a bounded in-memory queue (secondline.queued_log); a
thread of its own writes what has queued in one transaction every few milliseconds. When the
queue is full, a decision the log cannot take is counted as dropped: the count is reported by
GetGateStatus, by a metric and in the service's log, never silent.

What is lost in a crash: decisions answered in the last flush interval (tens of milliseconds)
before the process died. The lane has its answer either way; the trade is deliberate, since
waiting for a commit before answering would put a disk flush in every crossing's latency.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Engine, select

from secondline.queued_log import QueuedLog

from .tables import DecisionRow

decisions = DecisionRow.__table__


class Entry(NamedTuple):
    """A decision waiting to be written; the crossing is serialized by the writer thread, the
    decision is already its wire bytes (the ones answered: no second serialization).
    A tuple: made on every Decide, it costs a third of a dataclass of as many fields."""

    decision_id: str
    crossing_id: str
    at: object  # datetime
    decided_at: object  # datetime
    port: str
    lane: str
    refused: bool
    config_version: str
    classification_revision: int
    degraded: bool
    inputs: list  # the parties' PartyState tuples, written as JSON lists
    crossing: object  # gate_pb2.Crossing
    decision: bytes  # a gate_pb2.Decision's encoding, as answered (answers.decide_bytes)
    caller: str = ""
    """Who asked: ``lane/HAIKOU``, ``operator/li``."""

    def row(self) -> dict:
        return dict(zip(COLUMNS, self.values()))

    def values(self) -> list:
        """The row's values in the order of the fields (the table's columns' names)."""
        return [*self[:10], inputs_json(self.inputs), self.crossing.SerializeToString(), self.decision,
                self.caller]


COLUMNS = Entry._fields
assert set(COLUMNS) == set(decisions.c.keys()), "an Entry's fields are the decision log's columns"


def inputs_json(states: list) -> str:
    """The parties' states as compact JSON, ``[[class,flags,rules],...]``: three ints each,
    formatted directly (``json.dumps`` costs several times more, once per decision)."""
    return "[" + ",".join(f"[{klass:d},{flags:d},{rules:d}]" for klass, flags, rules in states) + "]"


class DecisionLog(QueuedLog):
    def __init__(self, engine: Engine, *, capacity: int = 100_000, flush_seconds: float = 0.02,
                 batch_rows: int = 5_000) -> None:
        super().__init__(engine, decisions, to_row=Entry.values, columns=COLUMNS, name="gate-decision-log",
                         capacity=capacity, flush_seconds=flush_seconds, batch_rows=batch_rows)

    def read(self, decision_id: str) -> dict | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(decisions).where(decisions.c.decision_id == decision_id)).mappings().first()
        return dict(row) if row is not None else None


__all__ = ["DecisionLog", "Entry"]

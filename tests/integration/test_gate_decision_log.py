"""The decision log: off the hot path, bounded, drops counted, failed writes retried, nothing half-stored."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import text

from secondline.gate.v1 import gate_pb2 as pb
from secondline.services.gate.decision_log import DecisionLog, Entry
from secondline.storage import make_engine, migrate

AT = datetime(2026, 3, 1, 2, tzinfo=timezone.utc)


def entry(n: int) -> Entry:
    crossing = pb.Crossing(crossing_id=f"c{n}", enterprise="91460100MA5T0A3D5P")
    decision = pb.Decision(decision_id=f"d{n}", crossing_id=f"c{n}", lane=pb.LANE_GREEN).SerializeToString()  # as answered
    return Entry(f"d{n}", f"c{n}", AT, AT, "", "GREEN", False, "v", 7, False, [[1, 0, 32]], crossing, decision)


def engine_for(url):
    engine = make_engine(url)
    migrate(engine, "secondline.services.gate.migrations", version_table="alembic_version_gate")
    return engine


def test_a_full_queue_drops_and_counts_and_what_was_taken_is_written(database_url):
    engine = engine_for(database_url)
    log = DecisionLog(engine, capacity=3)
    taken = [log.offer(entry(n)) for n in range(5)]  # the writer has not started: the queue fills
    assert taken == [True, True, True, False, False] and log.dropped == 2 and log.queued == 3
    log.start()
    assert log.flush(10)
    assert log.logged == 3 and log.queued == 0
    row = log.read("d1")
    assert row["crossing_id"] == "c1" and pb.Decision.FromString(row["decision"]).lane == pb.LANE_GREEN
    assert log.read("d4") is None
    log.close()
    engine.dispose()


def test_a_failing_database_keeps_the_decisions_queued_and_writes_them_once_it_is_back(database_url):
    engine = engine_for(database_url)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE gate_decisions RENAME TO gate_decisions_away"))
    log = DecisionLog(engine, capacity=100, flush_seconds=0.01)
    log.start()
    for n in range(10):
        log.offer(entry(n))
    assert not log.flush(0.5)  # every write fails: nothing acknowledged as logged, nothing lost
    assert log.logged == 0 and log.queued == 10 and log.dropped == 0
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE gate_decisions_away RENAME TO gate_decisions"))
    assert log.flush(10)
    assert log.logged == 10 and log.queued == 0
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM gate_decisions")) == 10
    log.close()
    engine.dispose()


def test_closing_writes_what_is_queued(database_url):
    engine = engine_for(database_url)
    log = DecisionLog(engine, flush_seconds=5.0)  # a slow timer: only close() writes them
    log.start()
    for n in range(50):
        log.offer(entry(n))
    log.close()
    assert log.logged == 50 and log.dropped == 0
    assert not log.offer(entry(99)) and log.dropped == 1  # a closed log takes nothing, and says so
    engine.dispose()

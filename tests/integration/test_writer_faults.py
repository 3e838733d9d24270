"""When the database fails, no caller is told its record was stored (and nothing half-stored)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from secondline.rules_config import load_rules
from secondline.services.ingestion.domain import RecordInput
from secondline.services.ingestion.store import RecordStore
from secondline.services.ingestion.validation import check_at_edge
from secondline.services.ingestion.writer import RecordWriter
from secondline.storage import Database, make_engine, migrate
from secondline.telemetry import setup_telemetry

ACME = "91460100MA5T0A3D5P"


def draft(source_id: str):
    raw = RecordInput(source_id=source_id, kind="SMUGGLING_PENALTY", subject_type="enterprise",
                      subject_text=ACME, decided_on=(2026, 2, 1))
    return check_at_edge(raw, source="ANTI_SMUGGLING", received_at=datetime(2026, 2, 2, tzinfo=timezone.utc), rules=load_rules())


def fail_second_commit(engine):
    """The database fails as the second write transaction commits, after its inserts ran."""
    commits = []

    def on_commit(conn):
        commits.append(conn)
        if len(commits) == 2:
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    event.listen(engine, "commit", on_commit)


async def test_a_failed_commit_answers_unavailable_and_stores_nothing_of_the_batch(database_url):
    engine = make_engine(database_url)
    migrate(engine, "secondline.services.ingestion.migrations", version_table="alembic_version_ingestion")
    db = Database(engine)
    store = RecordStore(engine, load_rules())
    fail_second_commit(engine)
    writer = RecordWriter(db, store, setup_telemetry("t"))
    writer.start()
    try:
        [ok] = await writer.submit([draft("a")])
        failed = await writer.submit([draft("b"), draft("c")])
        [later] = await writer.submit([draft("d")])
    finally:
        await writer.stop()
    assert ok.record is not None and later.record is not None
    assert [o.error.code for o in failed] == ["UNAVAILABLE", "UNAVAILABLE"]
    assert [r.source_id for r in store.feed(0, 10)] == ["a", "d"]
    db.close()

"""Migration 0005: a subject's timeline is read from its latest change once the subjects row no
longer holds it; subjects stored before the migration read as they did, and go on changing."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import inspect, select, text

from secondline.rules_config import load_rules
from secondline.services.classification.codec import load_timeline
from secondline.services.classification.rows import changes
from secondline.services.classification.store import ClassificationStore, Incoming
from secondline.storage import make_engine, migrate

RULES = load_rules()
PACKAGE, VERSIONS = "secondline.services.classification.migrations", "alembic_version_classification"
SUBJECT = "91460100MA5T0A3D5P"
NOW = datetime(2027, 1, 1, tzinfo=timezone.utc)


def _penalty(record_id: str, cursor: int, decided: date) -> Incoming:
    return Incoming(record_id=record_id, cursor=cursor, kind="SMUGGLING_PENALTY", content_kind="SMUGGLING_PENALTY",
                    source="CUSTOMS", subject_type="enterprise", subject_key=SUBJECT, decided_on=decided)


def test_subjects_stored_before_0005_keep_their_timelines_and_go_on_changing(database_url, tmp_path):
    # A real timeline as the service encodes it, from a store at the newest schema.
    scratch = make_engine(f"sqlite:///{tmp_path}/scratch.sqlite")
    migrate(scratch, PACKAGE, VERSIONS)
    ClassificationStore(scratch, RULES).apply([_penalty("r1", 1, date(2026, 6, 1))], NOW)
    with scratch.connect() as conn:
        encoded = conn.scalar(select(changes.c.timeline).where(changes.c.revision == 1))
    scratch.dispose()
    assert load_timeline(encoded), "the penalty gives the subject a timeline"

    engine = make_engine(database_url)
    migrate(engine, PACKAGE, VERSIONS, to="0004")
    with engine.begin() as conn:  # what 0004's service stored: the timeline in both rows
        conn.execute(text("INSERT INTO classification_records (record_id, cursor, subject_type, subject_key, kind,"
                          " content_kind, source, decided_on, grade, list, severity, valid_until, root_cursor, holds,"
                          " traceparent, objection_id, marked_records, effect, source_id) VALUES ('r1', 1, 'enterprise',"
                          " :key, 'SMUGGLING_PENALTY', 'SMUGGLING_PENALTY', 'CUSTOMS', :day, '', '', '', NULL, 1, :yes,"
                          " '', '', '', '', '')"), {"key": SUBJECT, "day": date(2026, 6, 1), "yes": True})
        conn.execute(text("INSERT INTO classification_subjects (subject_key, subject_type, timeline, revision,"
                          " next_change_at, notable) VALUES (:key, 'enterprise', :timeline, 1, NULL, :yes)"),
                     {"key": SUBJECT, "timeline": encoded, "yes": True})
        conn.execute(text("INSERT INTO classification_changes (revision, subject_key, subject_type, effective_at,"
                          " timeline, record_id, traceparent) VALUES (1, :key, 'enterprise', :at, :timeline, 'r1', '')"),
                     {"key": SUBJECT, "at": NOW, "timeline": encoded})
        conn.execute(text("INSERT INTO classification_cursor (name, value) VALUES ('ingestion', 1)"))

    migrate(engine, PACKAGE, VERSIONS)
    assert "timeline" not in {c["name"] for c in inspect(engine).get_columns("classification_subjects")}
    store = ClassificationStore(engine, RULES)
    assert store.subject(SUBJECT) == (load_timeline(encoded), 1)
    assert store.subjects_by_key([SUBJECT]) == {SUBJECT: (load_timeline(encoded), 1)}
    [(key, _, timeline, revision)] = store.notable("", 10)
    assert (key, timeline, revision) == (SUBJECT, load_timeline(encoded), 1)

    # Applying goes on from the migrated state: a second penalty is a new change of the subject.
    assert store.apply([_penalty("r2", 2, date(2026, 7, 1))], NOW) == 1
    timeline, revision = store.subject(SUBJECT)
    assert revision == 2 and timeline != load_timeline(encoded)
    with engine.connect() as conn:
        assert conn.scalar(select(changes.c.timeline).where(changes.c.revision == 2)) is not None
    engine.dispose()

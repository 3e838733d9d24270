"""What one batch looks up of the log (services/ingestion/rows.py), on both backends: the
statements are built once and bound per batch, so a batch of several departments, several
chunks of keys and corrections must still find every record it names (R-3, R-4)."""

from __future__ import annotations

from datetime import datetime, timezone

from secondline.rules_config import load_rules
from secondline.services.ingestion import rows
from secondline.services.ingestion.domain import RecordInput, RecordRef
from secondline.services.ingestion.store import RecordStore
from secondline.services.ingestion.validation import check_at_edge
from secondline.storage import make_engine, migrate
from tests.objection_helpers import uscc

RECEIVED = datetime(2026, 2, 2, tzinfo=timezone.utc)
GRADES = {"TAX": ("A", "B"), "CUSTOMS": ("CERTIFIED", "REGULAR"), "TRANSPORT": ("A", "B")}  # each one's scale


def draft(source: str, source_id: str, n: int, other: bool = False, corrects: str = ""):
    raw = RecordInput(source_id=source_id, kind="CORRECTION" if corrects else "INDUSTRY_RATING", subject_type="enterprise", subject_text=uscc(n),
                      decided_on=(2026, 2, 1), grade=GRADES[source][other],
                      corrects=RecordRef(source_id=corrects) if corrects else None)
    return check_at_edge(raw, source=source, received_at=RECEIVED, rules=load_rules())


def test_a_batch_of_two_departments_finds_each_ones_records_across_chunks(database_url, monkeypatch):
    monkeypatch.setattr(rows, "_LOOKUP_CHUNK", 4)  # several chunks, some of two departments
    engine = make_engine(database_url)
    migrate(engine, "secondline.services.ingestion.migrations", version_table="alembic_version_ingestion")
    store = RecordStore(engine, load_rules())
    try:
        first = store.store_batch([draft(source, f"s-{i}", i) for source in ("TAX", "CUSTOMS") for i in range(5)])
        assert all(o.record is not None and not o.replayed for o in first)
        again = store.store_batch([
            *(draft(source, f"s-{i}", i) for source in ("CUSTOMS", "TAX") for i in range(5)),  # replays
            draft("TAX", "s-2", 2, other=True),  # the same source id with other content: refused
            draft("CUSTOMS", "c-1", 1, other=True, corrects="s-1"),  # a correction of CUSTOMS' own s-1 (R-4)
            draft("TRANSPORT", "s-1", 1),  # another department's s-1: a record of its own
        ])
        by_key = {(o.source, o.source_id): o.record_id for o in (x.record for x in first)}
        replays = again[:10]
        assert all(o.replayed for o in replays)
        assert [(o.record.source, o.record.source_id, o.record.record_id) for o in replays] == [
            (s, f"s-{i}", by_key[(s, f"s-{i}")]) for s in ("CUSTOMS", "TAX") for i in range(5)]
        assert again[10].error is not None and again[10].error.reason == "SOURCE_ID_REUSED"
        correction, other = again[11].record, again[12].record
        assert correction.target_record_id == by_key[("CUSTOMS", "s-1")]
        assert other is not None and not again[12].replayed and other.source == "TRANSPORT"
        assert [r.source_id for r in store.feed(10, 100)] == ["c-1", "s-1"]  # the page after the first ten
        assert store.last_seq() == 12
    finally:
        engine.dispose()

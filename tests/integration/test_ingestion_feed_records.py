"""The record feed builds each record's message from its row and stored JSON, with no Content
(services/ingestion/rows.py FeedRecord): on both backends, a record of every shape the log holds
(a rating, a listing with an end, a partner's grant, an objection's marks, corrections and
withdrawals by record id and by source id) comes out of the feed exactly as it was answered
when filed and as GetRecord reads it back, and its content as the fields it states."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone

from secondline.common.v1 import common_pb2
from secondline.ingestion.v1 import ingestion_pb2
from secondline.rules_config import load_rules
from secondline.services.ingestion.convert import record_to_proto
from secondline.services.ingestion.domain import (
    Content, Draft, ObjectionMark, PartnerOrigin, RecordRef, Subject)
from secondline.services.ingestion.marks import MARK_SOURCE
from secondline.services.ingestion.store import RecordStore
from secondline.storage import make_engine, migrate

RECEIVED = datetime(2026, 2, 2, 3, 4, 5, 678901, tzinfo=timezone.utc)
FIRM = Subject("enterprise", "91460100MA5T0A3D5P")
PERSON = Subject("individual", "460100199001011234")


def _draft(source: str, source_id: str, content: Content, **extra) -> Draft:
    return Draft(**{"source": source, "source_id": source_id, "content": content, "submitted_at": RECEIVED,
                    "submitted_on": date(2026, 2, 2), "late": False, "digest": content.digest(), **extra})


def _first_batch() -> list[Draft]:
    return [
        _draft("TAX", "tax-1", Content(kind="INDUSTRY_RATING", subject=FIRM, decided_on=date(2026, 1, 20), grade="A"),
               traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        _draft("COURT", "court-1", Content(kind="OTHER_LEGAL_LISTING", subject=PERSON, decided_on=date(2026, 1, 21),
                                           legal_basis="《海南自由贸易港法》第三十二条 \"quoted\" \\ back",
                                           valid_until=date(2027, 1, 1)), late=True, backfilled=True),
        _draft("partner/SG", "sg-1", Content(kind="AEO_GRANTED", subject=Subject("foreign", "SG123456789012"),
                                              decided_on=date(2026, 1, 22),
                                              partner=PartnerOrigin("SG", grade="T1", table_version="2026-1",
                                                                    effect="AEO", score="9.5", envelope_hash="ab")),
               filed_by="service/recognition"),
        _draft("TAX", "tax-2", Content(kind="INDUSTRY_RATING", subject=FIRM, decided_on=date(2026, 1, 23), grade="B"),
               late=True),
    ]


def test_the_feed_gives_every_record_as_filed_and_as_read_back(database_url):
    engine = make_engine(database_url)
    migrate(engine, "secondline.services.ingestion.migrations", version_table="alembic_version_ingestion")
    store = RecordStore(engine, load_rules())
    try:
        first = store.store_batch(_first_batch())
        assert all(o.record is not None for o in first), [o.error for o in first]
        rating = first[0].record.record_id
        second = store.store_batch([
            _draft(MARK_SOURCE, "obj-1/opened", Content(
                kind="OBJECTION_OPENED", subject=FIRM, decided_on=date(2026, 2, 1), objection_id="obj-1",
                mark=ObjectionMark("obj-1", datetime(2026, 2, 1, 1, 2, 3, 456789, tzinfo=timezone.utc), (rating,))),
                filed_by="service/objection"),
            _draft("TAX", "tax-1-fix", Content(kind="CORRECTION", subject=FIRM, decided_on=date(2026, 2, 1), grade="B",
                                               target=RecordRef(record_id=rating), objection_id="obj-1")),
            _draft("TAX", "tax-2-gone", Content(kind="WITHDRAWAL", subject=None, decided_on=date(2026, 2, 1),
                                                target=RecordRef(source_id="tax-2"))),
        ])
        assert all(o.record is not None for o in second), [o.error for o in second]
        filed = [o.record for o in (*first, *second)]
        as_filed = {r.record_id: record_to_proto(r) for r in filed}

        fed = store.feed(0, 100)
        assert [r.record_id for r in fed] == [r.record_id for r in filed]
        for record in fed:
            message = record_to_proto(record)
            assert message == as_filed[record.record_id], record.record_id
            read_back = replace(store.get(record.record_id), superseded_by="")  # Content.from_json; the feed says no successor
            assert record_to_proto(read_back) == message
            assert record_to_proto(record, basic=True) == record_to_proto(read_back, basic=True)

        by_source = {m.input.source_id: m for m in map(record_to_proto, fed)}
        assert by_source["tax-1"].submitted_at.ToDatetime(tzinfo=timezone.utc) == RECEIVED
        assert by_source["tax-1"].traceparent.startswith("00-0af7")
        assert by_source["tax-1"].source == common_pb2.DEPARTMENT_TAX and not by_source["tax-1"].from_partner
        assert by_source["court-1"].input == ingestion_pb2.RecordInput(
            source_id="court-1", kind=common_pb2.RECORD_KIND_OTHER_LEGAL_LISTING,
            subject=common_pb2.SubjectId(individual=PERSON.key), decided_on=common_pb2.Date(year=2026, month=1, day=21),
            legal_basis="《海南自由贸易港法》第三十二条 \"quoted\" \\ back",
            valid_until=common_pb2.Date(year=2027, month=1, day=1))
        assert by_source["court-1"].late and by_source["court-1"].backfilled
        sg = by_source["sg-1"]
        assert sg.from_partner and sg.source == 0 and sg.filed_by == "service/recognition"
        assert sg.input.partner == common_pb2.PartnerOrigin(partner="SG", grade="T1", table_version="2026-1",
                                                            effect=common_pb2.PARTNER_EFFECT_AEO, score="9.5",
                                                            envelope_hash="ab")
        mark = by_source["obj-1/opened"]
        assert mark.source == 0 and mark.input.objection_id == "obj-1"
        assert list(mark.input.mark.record_ids) == [rating] and mark.input.mark.objection_id == "obj-1"
        assert mark.input.mark.at.ToDatetime(tzinfo=timezone.utc) == datetime(2026, 2, 1, 1, 2, 3, 456789, tzinfo=timezone.utc)
        fix = by_source["tax-1-fix"]
        assert fix.input.corrects.record_id == rating and not fix.input.HasField("withdraws")
        assert fix.target_record_id == rating and fix.content_kind == common_pb2.RECORD_KIND_INDUSTRY_RATING
        gone = by_source["tax-2-gone"]
        assert gone.input.HasField("withdraws") and gone.target_record_id == first[3].record.record_id
        assert [int(m.cursor) for m in map(record_to_proto, fed)] == list(range(1, 8))
        assert [r.source_id for r in store.feed(5, 1)] == ["tax-1-fix"]  # a page after a cursor, bounded
    finally:
        engine.dispose()

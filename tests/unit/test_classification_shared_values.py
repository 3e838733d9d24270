"""What a shard holds for many subjects shares its repeated values (the catch-up's memory, issue 13):
segments share their flag sets, and records from the feed share their kinds, sources and days."""

from __future__ import annotations

from datetime import date

import pytest

from secondline.common.v1 import common_pb2
from secondline.ingestion.v1 import ingestion_pb2
from secondline.rules_config import load_rules
from secondline.services.classification.background import incoming
from secondline.services.classification.domain import Fact
from secondline.services.classification.engine import timeline

RULES = load_rules()


def test_segments_of_different_subjects_share_one_flag_set_per_combination():
    first = timeline("individual", [Fact("r1", "CUSTOMS", "RISK_ALERT", date(2026, 1, 5), valid_until=date(2026, 3, 1))], RULES)
    second = timeline("individual", [Fact("r2", "CUSTOMS", "RISK_ALERT", date(2025, 7, 9), valid_until=date(2025, 9, 1))], RULES)
    flagged = [s for s in (*first, *second) if s.flags]
    assert [s.flags for s in flagged] == [frozenset({"RISK_ALERT"})] * 2  # P-R
    assert flagged[0].flags is flagged[1].flags


def _record(n: int) -> ingestion_pb2.Record:
    return ingestion_pb2.Record(
        record_id=f"id{n}", cursor=str(n), source=common_pb2.DEPARTMENT_TAX, content_kind=common_pb2.RECORD_KIND_INDUSTRY_RATING,
        input=ingestion_pb2.RecordInput(source_id=f"S-{n}", kind=common_pb2.RECORD_KIND_INDUSTRY_RATING,
                                        subject=common_pb2.SubjectId(enterprise=f"key{n}"), grade="A",
                                        decided_on=common_pb2.Date(year=2026, month=5, day=2)))


def test_records_from_the_feed_share_their_names_and_days_across_messages():
    (a,) = incoming(ingestion_pb2.StreamRecordsResponse(records=[_record(1)]))
    (b,) = incoming(ingestion_pb2.StreamRecordsResponse(records=[_record(2)]))
    assert (a.kind, a.content_kind, a.source, a.decided_on) == ("INDUSTRY_RATING", "INDUSTRY_RATING", "TAX", date(2026, 5, 2))
    assert a.kind is b.kind and a.content_kind is b.content_kind and a.source is b.source
    assert a.decided_on is b.decided_on
    assert (a.record_id, a.cursor, a.subject_key, b.record_id, b.cursor) == ("id1", 1, "key1", "id2", 2)


def test_a_record_from_the_feed_reads_every_field_the_store_takes():
    """A partner's record with a mark, a list, a severity and a last valid day, and a plain
    department's record beside it: each field where the store reads it (R-7, O-2, L-1, P-R)."""
    from datetime import datetime, timezone

    from secondline.services.classification.store import Incoming

    partner = ingestion_pb2.Record(
        record_id="p1", cursor="41", from_partner=True, content_kind=common_pb2.RECORD_KIND_DISHONESTY_LISTED,
        target_record_id="p0", traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        input=ingestion_pb2.RecordInput(
            source_id="HK-9", kind=common_pb2.RECORD_KIND_CORRECTION, subject=common_pb2.SubjectId(foreign="HK-ABC"),
            grade="C", list=common_pb2.DISHONESTY_LIST_MARITIME, severity=common_pb2.SEVERITY_GENERAL,
            decided_on=common_pb2.Date(year=2026, month=5, day=2), valid_until=common_pb2.Date(year=2027, month=1, day=31),
            partner=common_pb2.PartnerOrigin(partner="HK", effect=common_pb2.PARTNER_EFFECT_LOWEST),
            mark=ingestion_pb2.ObjectionMark(objection_id="o-1", record_ids=["r1", "r2"])))
    partner.input.mark.at.FromSeconds(1_780_000_000)
    found = incoming(ingestion_pb2.StreamRecordsResponse(records=[partner, _record(3)]))
    assert found == [
        Incoming(record_id="p1", cursor=41, kind="CORRECTION", content_kind="DISHONESTY_LISTED", source="partner/HK",
                 subject_type="foreign", subject_key="HK-ABC", decided_on=date(2026, 5, 2), grade="C", list="MARITIME",
                 severity="GENERAL", valid_until=date(2027, 1, 31), target_record_id="p0",
                 traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", objection_id="o-1",
                 marked_at=datetime.fromtimestamp(1_780_000_000, timezone.utc), marked_records=("r1", "r2"),
                 effect="LOWEST", source_id="HK-9"),
        Incoming(record_id="id3", cursor=3, kind="INDUSTRY_RATING", content_kind="INDUSTRY_RATING", source="TAX",
                 subject_type="enterprise", subject_key="key3", decided_on=date(2026, 5, 2), grade="A", source_id="S-3"),
    ]


def test_a_kind_this_build_does_not_know_is_refused_by_its_number():
    unknown = _record(4)
    unknown.content_kind = 999  # a newer ingestion's kind: proto3 keeps the number
    with pytest.raises(ValueError, match="999"):
        incoming(ingestion_pb2.StreamRecordsResponse(records=[unknown]))


def test_the_facts_timelines_are_computed_from_leave_out_what_no_rule_reads():
    from secondline.services.classification.rows import _fact, _held_fact, _row
    from secondline.services.classification.store import Incoming

    record = Incoming(record_id="r1", cursor=7, kind="INDUSTRY_RATING", content_kind="INDUSTRY_RATING", source="TAX",
                      subject_type="enterprise", subject_key="k", decided_on=date(2026, 5, 2), grade="D",
                      traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", source_id="TAX-2026-1")
    row = _row(record, 7)
    full, held = _fact(row), _held_fact(row)
    assert (full.traceparent, full.source_id) == (record.traceparent, "TAX-2026-1")  # what the file and I-2 show
    assert (held.traceparent, held.source_id) == ("", "")
    assert _as_fact(held) == full._replace(traceparent="", source_id="")
    assert timeline("enterprise", [held], RULES) == timeline("enterprise", [full], RULES)  # E-W1 alike


def _as_fact(fact) -> Fact:
    return Fact(*(getattr(fact, name) for name in Fact._fields))


def test_a_plain_fact_is_held_in_fewer_slots_and_reads_as_the_fact_it_stands_for():
    from secondline.services.classification.domain import PlainFact
    from secondline.services.classification.rows import _held_fact, _row
    from secondline.services.classification.store import Incoming

    rating = Incoming(record_id="r1", cursor=7, kind="INDUSTRY_RATING", content_kind="INDUSTRY_RATING", source="TAX",
                      subject_type="enterprise", subject_key="k", decided_on=date(2026, 5, 2), grade="D")
    alert = Incoming(record_id="r2", cursor=8, kind="RISK_ALERT", content_kind="RISK_ALERT", source="CUSTOMS",
                     subject_type="individual", subject_key="p", decided_on=date(2026, 5, 2), valid_until=date(2026, 8, 1))
    listing = Incoming(record_id="r3", cursor=9, kind="DISHONESTY_LISTED", content_kind="DISHONESTY_LISTED",
                       source="ANTI_SMUGGLING", subject_type="enterprise", subject_key="k", decided_on=date(2026, 5, 2),
                       list="ANTI_SMUGGLING", severity="SERIOUS")
    for record, order in ((rating, 3), (alert, 8)):
        held = _held_fact(_row(record, order))
        assert type(held) is PlainFact and len(held) < len(Fact._fields)
        assert _as_fact(held) == Fact(record.record_id, record.source, record.kind, record.decided_on, grade=record.grade,
                                      valid_until=record.valid_until, order=order)
    assert type(_held_fact(_row(listing, 9))) is Fact  # a list and a severity: every field
    held = [_held_fact(_row(r, r.cursor)) for r in (rating, listing)]
    assert timeline("enterprise", held, RULES) == timeline("enterprise", [_as_fact(f) for f in held], RULES)

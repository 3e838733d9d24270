"""What the edge checks' worker sends back (services/ingestion/check_worker.py): every draft made
again exactly, the plain ones as tuples of values and the others pickled."""

from __future__ import annotations

import marshal
from datetime import date, datetime, timezone

from secondline.auth import Principal
from secondline.cli.bench.ingest.records import CLOCK_START, generate
from secondline.ingestion.v1 import ingestion_pb2
from secondline.rules_config import load_rules
from secondline.services.ingestion.check_worker import check_message, decode, encode
from secondline.services.ingestion.validation import Limits
from tests.helpers import record

ACME = "91460100MA5T0B5Q7U"


def drafts_of(department: str, records, received_at=CLOCK_START) -> list:
    data = ingestion_pb2.SubmitRecordsRequest(records=records).SerializeToString()
    return check_message(load_rules(), Limits(), Principal("department", department), data, received_at, "00-tp")


def test_every_kind_of_generated_record_is_made_again_exactly():
    by_department: dict[str, list] = {}
    for department, msg in generate(2000, 7):
        by_department.setdefault(department, []).append(msg)
    for department, records in by_department.items():
        drafts = drafts_of(department, records)
        assert None not in drafts
        sent = encode(drafts, CLOCK_START)
        assert all(isinstance(t, tuple) for t in marshal.loads(sent))  # the plain form, not pickles
        again = decode(sent, CLOCK_START)
        assert again == drafts
        assert [d.digest for d in again] == [d.digest for d in drafts]
        assert [d.content.canonical_json for d in again] == [d.content.canonical_json for d in drafts]
        assert [(d.submitted_at, d.submitted_on, d.late, d.traceparent) for d in again] == \
               [(d.submitted_at, d.submitted_on, d.late, d.traceparent) for d in drafts]


def test_refusals_and_drafts_of_other_shapes_come_back_in_their_places():
    received = datetime(2026, 3, 1, 4, 0, tzinfo=timezone.utc)
    drafts = drafts_of("ANTI_SMUGGLING", [
        record(source_id="a", enterprise=ACME),
        record(source_id="bad", enterprise="91110000600037341N"),
        record(source_id="c", kind="CORRECTION", enterprise=ACME, decided_on=date(2026, 2, 1), corrects={"source_id": "a"}),
        record(source_id="w", kind="WITHDRAWAL", withdraws={"record_id": "r1"}),
        record(source_id="v", kind="RISK_ALERT", enterprise=ACME, valid_until=date(2026, 6, 1)),
    ], received)
    assert drafts[1] is None
    sent = encode(drafts, received)
    assert [type(t).__name__ for t in marshal.loads(sent)] == ["tuple", "NoneType", "bytes", "bytes", "tuple"]
    again = decode(sent, received)
    assert again == drafts
    assert [d.content.canonical_json for d in again if d] == [d.content.canonical_json for d in drafts if d]

"""The ingestion log's stored forms stay what they were (RULES R-3): a record's canonical JSON,
its digest (stored and compared to tell a replay from a conflict), and its record ids."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from datetime import date, datetime, timezone

from secondline.services.ingestion.domain import Content, ObjectionMark, PartnerOrigin, RecordRef, Subject
from secondline.services.ingestion.rows import _record_ids

CONTENTS = [
    Content(kind="INDUSTRY_RATING", subject=Subject("enterprise", "91460100MA5T0A3D5P"), decided_on=date(2026, 2, 20), grade="A"),
    Content(kind="OTHER_LEGAL_LISTING", subject=Subject("individual", "460100199001011234"), decided_on=date(2026, 2, 1),
            legal_basis="《海南自由贸易港法》第三十二条 \"quoted\" \\ back", valid_until=date(2027, 1, 1)),
    Content(kind="CORRECTION", subject=None, decided_on=date(2026, 2, 2), target=RecordRef(source_id="TAX-1"), objection_id="obj-1"),
    Content(kind="OBJECTION_OPENED", subject=Subject("enterprise", "91460100MA5T0A3D5P"), decided_on=date(2026, 2, 3),
            mark=ObjectionMark("obj-2", datetime(2026, 2, 3, 1, 2, 3, tzinfo=timezone.utc), ("r1", "r2"))),
    Content(kind="AEO_GRANTED", subject=Subject("foreign", "AEO:SG:123"), decided_on=date(2026, 2, 4),
            partner=PartnerOrigin("SG", grade="T1", table_version="2026-1", effect="AEO", score="9.5", envelope_hash="ab")),
]
# Their digests as the service computed them before its canonical JSON was made faster: rows
# stored then must still match the same content (R-3 replays, idempotency).
DIGESTS = [
    "5be9f57093725238ff0a5cb617f73b98ad1ad3f34a89a48993048e9d3c8ccac0",
    "489118a4d0c2b99ed97cb4c3ba245407b8c88c819bf2986140240340a5107e31",
    "efc11491379078307cf02ceb50e3eddd6d3845dda377bca01f7ef70821f30867",
    "ca6381e83752b13df23226811c924a77094e6fba75ff4123730b476019ba0b9e",
    "913f3cc9bac6f0980af23998892768a62f0311e4fcb47f44ab51afda934c0c79",
]


def test_canonical_json_is_sorted_compact_json_of_the_content_and_the_digest_its_sha256():
    for content in CONTENTS:
        expected = json.dumps(content.to_json(), sort_keys=True, separators=(",", ":"))
        assert content.canonical_json == expected
        assert content.digest() == hashlib.sha256(expected.encode()).hexdigest()


def test_digests_are_those_stored_before():
    assert [content.digest() for content in CONTENTS] == DIGESTS


def test_record_ids_are_distinct_time_ordered_uuids_in_hex():
    before = time.time_ns() // 1_000_000
    ids = list(_record_ids(2000))
    after = time.time_ns() // 1_000_000
    assert len(set(ids)) == 2000 and ids == sorted(ids)  # one call's ids go in at the index's end in turn
    for record_id in ids:
        parsed = uuid.UUID(hex=record_id)
        assert parsed.hex == record_id and parsed.version == 7 and parsed.variant == uuid.RFC_4122
        assert before <= parsed.int >> 80 <= after  # the first 48 bits: the instant in ms (RFC 9562)
    later = next(_record_ids(1))
    assert later[:12] >= max(ids)[:12]  # ids filed later sort after (at millisecond resolution)

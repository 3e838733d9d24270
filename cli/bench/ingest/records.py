"""The ingestion benchmark's records: what a real feed would carry, as messages and as raw rows."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone

from secondline.common.v1 import common_pb2
from secondline.errors import DomainError
from secondline.identifiers import USCC_ALPHABET, resident_id_check_character, uscc_check_character
from secondline.ingestion.v1 import ingestion_pb2
from secondline.services.ingestion.convert import input_from_proto
from secondline.services.ingestion.domain import StoredRecord
from secondline.services.ingestion.rows import _record_ids, _to_row
from secondline.services.ingestion.validation import check_at_edge


# The service's clock: 2026-03-01 12:00 CST. Every decision date is before it.
CLOCK_START = datetime(2026, 3, 1, 4, 0, tzinfo=timezone.utc)
TODAY_CST = date(2026, 3, 1)


MIX = [
    (24, "TAX", "INDUSTRY_RATING"),
    (10, "TRANSPORT", "INDUSTRY_RATING"),
    (8, "MARKET_REGULATION", "INDUSTRY_RATING"),
    (4, "POSTAL", "INDUSTRY_RATING"),
    (5, "CUSTOMS", "INDUSTRY_RATING"),
    (3, "MARITIME", "INDUSTRY_RATING"),
    (2, "AGRICULTURE", "INDUSTRY_RATING"),
    (1, "FORESTRY", "INDUSTRY_RATING"),
    (8, "ANTI_SMUGGLING", "SMUGGLING_PENALTY"),
    (4, "CUSTOMS", "SMUGGLING_PENALTY"),
    (3, "COAST_GUARD", "SMUGGLING_PENALTY"),
    (7, "CUSTOMS", "AEO_GRANTED"),
    (4, "CUSTOMS", "RISK_ALERT"),
    (3, "ANTI_SMUGGLING", "RISK_ALERT"),
    (2, "COAST_GUARD", "RISK_ALERT"),
    (2, "ANTI_SMUGGLING", "DISHONESTY_LISTED"),
    (2, "TAX", "CREDIT_COMMITMENT"),
    (2, "MARKET_REGULATION", "CREDIT_COMMITMENT"),
    (1, "COURT", "OTHER_LEGAL_LISTING"),
]
# Grades on each department's scale (rules.yaml, R-6), best first; weights favour the middle.
SCALES = {
    "TAX": ["A", "B", "M", "C", "D"],
    "TRANSPORT": ["AA", "A", "B", "C", "D"],
    "CUSTOMS": ["ADVANCED_CERTIFIED", "CERTIFIED", "REGULAR", "DISHONEST", "SERIOUSLY_DISHONEST"],
    "MARKET_REGULATION": ["NORMAL", "ABNORMAL_OPERATION", "SERIOUS_VIOLATION"],
    "MARITIME": ["A", "B", "C", "D"],
    "POSTAL": ["A", "B", "C", "D"],
    "AGRICULTURE": ["A", "B", "C", "D"],
    "FORESTRY": ["A", "B", "C", "D"],
}
INDIVIDUAL_SHARE = {"SMUGGLING_PENALTY": 0.3, "RISK_ALERT": 0.2, "CREDIT_COMMITMENT": 0.1}
# Administrative divisions: Hainan first (the second-line ports), then a few mainland ones.
AREAS = ["460100", "460105", "460106", "460200", "460300", "469001", "469005",
         "440300", "440524", "110105", "310115", "330106", "350203"]


def _day(d: date) -> common_pb2.Date:
    return common_pb2.Date(year=d.year, month=d.month, day=d.day)


def _usccs(rng: random.Random, count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        # registration authority 9 (market regulation), category 1 (enterprise), area, 9 more
        body = "91" + rng.choice(AREAS) + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
        codes.add(body + uscc_check_character(body))
    return sorted(codes)


def _resident_ids(rng: random.Random, count: int) -> list[str]:
    ids: set[str] = set()
    first, span = date(1950, 1, 1), (date(2005, 12, 31) - date(1950, 1, 1)).days
    while len(ids) < count:
        born = first + timedelta(days=rng.randrange(span))
        body = f"{rng.choice(AREAS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
        ids.add(body + resident_id_check_character(body))
    return sorted(ids)


def _decided_on(rng: random.Random) -> date:
    # Most decisions are filed within the 15-day deadline; some arrive late.
    back = rng.randint(1, 14) if rng.random() < 0.9 else rng.randint(15, 400)
    return TODAY_CST - timedelta(days=back)


def generate(n: int, seed: int, prefix: str = "B") -> list[tuple[str, ingestion_pb2.RecordInput]]:
    """``n`` valid, distinct records as (department, RecordInput), deterministic in ``seed``."""
    rng = random.Random(seed)
    enterprises = _usccs(rng, max(50, n // 5))
    individuals = _resident_ids(rng, max(20, n // 50))
    weights = [w for w, _, _ in MIX]
    counters: dict[str, int] = defaultdict(int)
    out = []
    for (_, dept, kind) in rng.choices(MIX, weights=weights, k=n):
        counters[dept] += 1
        msg = ingestion_pb2.RecordInput(
            source_id=f"{dept[:3]}-{prefix}{seed}-{counters[dept]:08d}",
            kind=common_pb2.RecordKind.Value("RECORD_KIND_" + kind),
        )
        if rng.random() < INDIVIDUAL_SHARE.get(kind, 0.0):
            msg.subject.individual = rng.choice(individuals)
        else:
            msg.subject.enterprise = rng.choice(enterprises)
        decided = _decided_on(rng)
        msg.decided_on.CopyFrom(_day(decided))
        if kind == "INDUSTRY_RATING":
            scale = SCALES[dept]
            msg.grade = rng.choices(scale, weights=[2, 5, 3, 1, 1][:len(scale)])[0]
        elif kind == "AEO_GRANTED":
            if rng.random() < 0.5:
                msg.valid_until.CopyFrom(_day(decided + timedelta(days=3 * 365)))
        elif kind == "RISK_ALERT":
            msg.valid_until.CopyFrom(_day(decided + timedelta(days=rng.randint(30, 365))))
        elif kind == "DISHONESTY_LISTED":
            msg.list = common_pb2.DISHONESTY_LIST_ANTI_SMUGGLING
            msg.severity = rng.choice([common_pb2.SEVERITY_MINOR, common_pb2.SEVERITY_GENERAL, common_pb2.SEVERITY_SERIOUS])
        elif kind == "CREDIT_COMMITMENT":
            msg.commitment = rng.choice([0, common_pb2.COMMITMENT_STATUS_MADE, common_pb2.COMMITMENT_STATUS_FULFILLED])
        elif kind == "OTHER_LEGAL_LISTING":
            msg.legal_basis = "Regulations on the Hainan Free Trade Port, art. 32"
        out.append((dept, msg))
    return out


def by_department(records, chunk: int, view: int = 0) -> dict[str, list[ingestion_pb2.SubmitRecordsRequest]]:
    """The request messages of each department's stream, ``chunk`` records each, in order."""
    grouped: dict[str, list] = defaultdict(list)
    for dept, msg in records:
        grouped[dept].append(msg)
    return {
        dept: [ingestion_pb2.SubmitRecordsRequest(records=msgs[i:i + chunk], view=view)
               for i in range(0, len(msgs), chunk)]
        for dept, msgs in sorted(grouped.items())
    }


def raw_rows(records, rules) -> list[dict]:
    """The rows the service would write for ``records``, made by the service's own code:
    its proto conversion, its checks at the edge, and its store's row mapping.

    Raises ValueError when the service's checks refuse a generated record (a bug here)."""
    traceparents = {}  # one trace per stream, as a traced SubmitRecords call would store
    rows = []
    ids = _record_ids(len(records))  # the service's own ids (time-ordered), as its index receives them
    for i, (dept, msg) in enumerate(records):
        tp = traceparents.setdefault(dept, f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01")
        try:
            draft = check_at_edge(input_from_proto(msg), source=dept, received_at=CLOCK_START, rules=rules)
        except DomainError as error:
            raise ValueError(f"generated record #{i} ({dept} {msg.source_id}) is refused: {error}") from None
        record = StoredRecord(
            record_id=next(ids), source=draft.source, source_id=draft.source_id, content=draft.content,
            content_kind=draft.content.kind, target_record_id="", submitted_at=draft.submitted_at,
            submitted_on=draft.submitted_on, late=draft.late, backfilled=False, traceparent=tp, seq=i + 1,
        )
        row = _to_row(record, draft.digest)
        row["seq"] = i + 1  # commit order, as the service's writer numbers its rows
        rows.append(row)
    return rows


"""The benchmark's record log: subjects and records generated from a seed, filed through ingestion's own store."""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta, timezone

from secondline.identifiers import resident_id_check_character, uscc_check_character
from secondline.rules_config import load_rules
from secondline.services.ingestion.domain import RecordInput
from secondline.services.ingestion.store import RecordStore
from secondline.services.ingestion.validation import check_at_edge
from secondline.storage import make_engine, migrate

NOW = datetime(2026, 11, 1, 4, tzinfo=timezone.utc)
# Departments and kinds in rough proportion to what they file (ratings dominate).
MIX = [("TAX", "INDUSTRY_RATING")] * 30 + [("TRANSPORT", "INDUSTRY_RATING")] * 15 + \
      [("MARKET_REGULATION", "INDUSTRY_RATING")] * 10 + [("CUSTOMS", "AEO_GRANTED")] * 8 + \
      [("ANTI_SMUGGLING", "SMUGGLING_PENALTY")] * 12 + [("CUSTOMS", "RISK_ALERT")] * 10 + \
      [("COAST_GUARD", "SMUGGLING_PENALTY")] * 5 + [("MARKET_REGULATION", "OTHER_LEGAL_LISTING")] * 5 + \
      [("CUSTOMS", "AEO_REVOKED")] * 5


def subjects(count: int, rng: random.Random) -> list[tuple[str, str]]:
    found = []
    for i in range(count):
        if i % 4 == 3:  # a quarter are individuals: drivers, declarants, travellers
            born = date(1950, 1, 1) + timedelta(days=rng.randrange(18000))
            body = f"460100{born:%Y%m%d}{i % 1000:03d}"
            found.append(("individual", body + resident_id_check_character(body)))
        else:
            body = f"91460100MA{i:07d}"
            found.append(("enterprise", body + uscc_check_character(body)))
    return found


def records(count: int, people: list[tuple[str, str]], rng: random.Random):
    rules = load_rules()
    scales = {d: rules.versions[-1].scale(d) for d in ("TAX", "TRANSPORT", "MARKET_REGULATION")}
    for i in range(count):
        subject_type, key = rng.choice(people)
        department, kind = rng.choice(MIX)
        if subject_type == "individual":
            department, kind = rng.choice([("ANTI_SMUGGLING", "SMUGGLING_PENALTY"), ("CUSTOMS", "RISK_ALERT")])
        decided = date(2024, 1, 1) + timedelta(days=rng.randrange(1000))
        raw = RecordInput(
            source_id=f"B-{i}", kind=kind, subject_type=subject_type, subject_text=key,
            decided_on=(decided.year, decided.month, decided.day),
            grade=rng.choice(scales[department]) if kind == "INDUSTRY_RATING" else "",
            valid_until=_raw(decided + timedelta(days=90)) if kind == "RISK_ALERT" else None)
        yield check_at_edge(raw, source=department, received_at=NOW, rules=rules, backfilled=True)


def _raw(day: date):
    return (day.year, day.month, day.day)


def fill(url: str, count: int, subject_count: int) -> int:
    engine = make_engine(url)
    migrate(engine, "secondline.services.ingestion.migrations", version_table="alembic_version_ingestion")
    store = RecordStore(engine, load_rules())
    rng = random.Random(2026)
    batch, started = [], time.perf_counter()
    for draft in records(count, subjects(subject_count, rng), rng):
        batch.append(draft)
        if len(batch) == 5000:
            store.store_batch(batch)
            batch = []
    if batch:
        store.store_batch(batch)
    last = store.last_seq()
    engine.dispose()
    print(f"  filled ingestion with {last:,} records in {time.perf_counter() - started:.0f} s (untimed)")
    return last

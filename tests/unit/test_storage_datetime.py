"""``UtcDateTime`` on SQLite binds exactly the text SQLAlchemy's own DATETIME would store.

The column type formats instants itself on SQLite (``isoformat``, one C call, where the
dialect formats seven fields through a dict); what is stored must not change, or rows written
before and after would compare and sort differently.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import DateTime
from sqlalchemy.dialects import postgresql, sqlite

from secondline.storage import UtcDateTime


def _instants(count: int):
    rng = random.Random(7)
    zones = [timezone.utc, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))]
    yield datetime(1, 1, 1, tzinfo=timezone.utc)
    yield datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)
    yield datetime(999, 3, 4, 5, 6, 7, 0, tzinfo=timezone.utc)
    for _ in range(count):
        moment = datetime(1, 2, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randrange(315_000_000_000),
                                                                    microseconds=rng.choice([0, 1, 999_999, rng.randrange(10**6)]))
        yield moment.astimezone(rng.choice(zones))


def test_sqlite_binds_the_text_sqlalchemy_would_store():
    dialect = sqlite.dialect()
    ours = UtcDateTime().bind_processor(dialect)
    theirs = DateTime(timezone=True).dialect_impl(dialect).bind_processor(dialect)
    for instant in _instants(20_000):
        assert ours(instant) == theirs(instant.astimezone(timezone.utc)), instant
    assert ours(None) is None


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
def test_an_instant_without_an_offset_is_refused(dialect):
    process = UtcDateTime().bind_processor(dialect)
    with pytest.raises(ValueError, match="has no UTC offset"):
        process(datetime(2026, 1, 1, 8, 0))

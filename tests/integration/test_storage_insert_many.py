"""``storage.insert_many`` stores exactly what ``conn.execute(insert(table), rows)`` stores, on
SQLite and PostgreSQL: dates, aware instants (UTC, UtcDateTime), booleans, NULLs, and an upsert
updates as SQLAlchemy's own does; ``storage.select_rows`` reads what ``conn.execute(select)`` reads."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, insert, select

from secondline.services.classification.tables import Base, RecordRow, SubjectRow
from secondline.storage import insert_many, make_engine, select_rows, upsert

CST = timezone(timedelta(hours=8))


def _record(record_id: str, **changes) -> dict:
    row = dict(record_id=record_id, cursor=7, subject_type="enterprise", subject_key="91460100MA5T0A3D5P", kind="RISK_ALERT",
               content_kind="RISK_ALERT", source="CUSTOMS", source_id="C-1", decided_on=date(2026, 2, 28), grade="", list="", severity="",
               valid_until=date(2026, 5, 29), root_cursor=7, holds=True, traceparent="00-ab-cd-01", objection_id="",
               marked_at=datetime(2026, 3, 1, 0, 30, 0, 123456, tzinfo=CST), marked_records="r1 r2", effect="")
    row.update(changes)
    return row


def test_insert_many_stores_what_sqlalchemys_own_insert_stores(database_url):
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    table = RecordRow.__table__
    rows = [_record("a"), _record("b", holds=False, valid_until=None, marked_at=None, cursor=2**40)]
    with engine.begin() as conn:
        conn.execute(insert(table), rows)
        insert_many(conn, insert(table), [dict(r, record_id="x" + r["record_id"]) for r in rows])
    with engine.connect() as conn:
        stored = {r.record_id: r._asdict() for r in conn.execute(select(table))}
    for name in ("a", "b"):
        theirs, ours = dict(stored[name]), dict(stored["x" + name])
        assert ours.pop("record_id") == "x" + name and theirs.pop("record_id") == name
        assert ours == theirs
    assert stored["xa"]["marked_at"] == datetime(2026, 2, 28, 16, 30, 0, 123456, tzinfo=timezone.utc)
    assert stored["xb"]["holds"] is False and stored["xb"]["valid_until"] is None
    engine.dispose()


def test_insert_many_runs_an_upsert_as_sqlalchemy_does(database_url):
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    table = SubjectRow.__table__
    first = {"subject_key": "k", "subject_type": "enterprise", "revision": 1, "next_change_at": None, "notable": False}
    with engine.begin() as conn:
        insert_many(conn, upsert(engine, table, ["subject_key"]), [first])
        insert_many(conn, upsert(engine, table, ["subject_key"]),
                    [dict(first, subject_type="individual", revision=2, notable=True, next_change_at=datetime(2027, 1, 1, tzinfo=CST))])
    with engine.connect() as conn:
        rows = [r._asdict() for r in conn.execute(select(table))]
    assert rows == [{"subject_key": "k", "subject_type": "individual", "revision": 2,
                     "next_change_at": datetime(2026, 12, 31, 16, tzinfo=timezone.utc), "notable": True}]
    engine.dispose()


def test_insert_many_converts_values_rows_share_and_values_that_only_look_alike(database_url):
    """A value object shared by rows is converted once for all of them; equal values of other
    types (0 and False, a date and a later one) are still converted each on its own."""
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    table = RecordRow.__table__
    instant, day = datetime(2026, 3, 1, 0, 30, tzinfo=CST), date(2026, 2, 28)
    rows = [_record("s1", marked_at=instant, decided_on=day, holds=True),
            _record("s2", marked_at=instant, decided_on=day, holds=True),
            _record("s3", marked_at=None, decided_on=date(2026, 2, 27), holds=False),
            _record("s4", marked_at=instant, decided_on=day, holds=False)]
    with engine.begin() as conn:
        conn.execute(insert(table), rows)
        insert_many(conn, insert(table), [dict(r, record_id="x" + r["record_id"]) for r in rows])
    with engine.connect() as conn:
        stored = {r.record_id: r._asdict() for r in conn.execute(select(table))}
    for row in rows:
        theirs, ours = dict(stored[row["record_id"]]), dict(stored["x" + row["record_id"]])
        theirs.pop("record_id"), ours.pop("record_id")
        assert ours == theirs
    assert [stored["x" + n]["holds"] for n in ("s1", "s2", "s3", "s4")] == [True, True, False, False]
    assert stored["xs3"]["marked_at"] is None and stored["xs4"]["marked_at"] == instant
    engine.dispose()


def test_a_duplicate_key_fails_the_insert_as_sqlalchemys_own_does_and_stores_nothing(database_url, monkeypatch):
    """On PostgreSQL a plain insert's rows go by COPY (bulk._copy_rows); its errors are
    SQLAlchemy's, as an INSERT's are, and the transaction stores none of the rows."""
    import secondline.bulk as bulk
    from sqlalchemy.exc import IntegrityError

    copied, copy_rows = [], bulk._copy_rows

    def counted(conn, table, columns, rows):
        copied.append(table.name)
        copy_rows(conn, table, columns, rows)
    monkeypatch.setattr(bulk, "_copy_rows", counted)
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    table = RecordRow.__table__
    with engine.begin() as conn:
        insert_many(conn, insert(table), [_record("a")])
    try:
        with engine.begin() as conn:
            insert_many(conn, insert(table), [_record("b"), _record("a")])
    except IntegrityError:
        pass
    else:
        raise AssertionError("a duplicate record_id was stored")
    with engine.connect() as conn:
        assert [r.record_id for r in conn.execute(select(table.c.record_id))] == ["a"]
    assert copied == (["classification_records"] * 2 if engine.dialect.name == "postgresql" else [])
    engine.dispose()


def test_a_large_upsert_leaves_each_keys_last_values_as_one_upsert_a_row_does(database_url, monkeypatch):
    """From COPY_UPSERT_FROM rows an upsert runs on PostgreSQL from a temporary table (COPY, then
    one INSERT ... SELECT ... ON CONFLICT): rows of the same key, in one call or in two calls of one
    transaction, leave what upserting the rows one after the other leaves, on either backend."""
    import secondline.bulk as bulk

    copied, copy_upsert = [], bulk._copy_upsert

    def counted(conn, table, columns, keys, rows):
        copied.append(len(rows))
        copy_upsert(conn, table, columns, keys, rows)
    monkeypatch.setattr(bulk, "_copy_upsert", counted)
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    table = SubjectRow.__table__
    statement = upsert(engine, table, ["subject_key"])
    at = datetime(2027, 1, 1, tzinfo=timezone.utc)
    first = [{"subject_key": f"k{i % 120}", "subject_type": "enterprise", "revision": i, "next_change_at": None,
              "notable": i % 2 == 0} for i in range(200)]  # keys k0..k79 twice: the later row wins
    second = [{"subject_key": f"k{i}", "subject_type": "individual", "revision": 1000 + i, "next_change_at": at,
               "notable": True} for i in range(100, 220)]
    with engine.begin() as conn:
        insert_many(conn, statement, first)
        insert_many(conn, statement, second)
        insert_many(conn, statement, second[:3])  # a small batch: the upsert a row of its own
    expected = {}
    for row in [*first, *second]:
        expected[row["subject_key"]] = row
    with engine.connect() as conn:
        stored = {r.subject_key: r._asdict() for r in conn.execute(select(table))}
    assert stored == expected
    assert copied == ([200, 120] if engine.dialect.name == "postgresql" else [])  # rows given; each key copied once
    engine.dispose()


def test_select_rows_reads_what_sqlalchemys_own_select_reads(database_url):
    """Every column type of the record table (dates, instants, booleans, NULLs, a large int),
    values repeated across rows (each converted once) and a bound LIMIT."""
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    table = RecordRow.__table__
    rows = [_record(f"r{i}", cursor=i, holds=i % 2 == 0, valid_until=None if i % 3 else date(2026, 5, 29 - i % 2),
                    marked_at=None if i == 4 else datetime(2026, 3, 1, 0, 30, i % 2, tzinfo=CST)) for i in range(6)]
    rows.append(_record("big", cursor=2**40))
    with engine.begin() as conn:
        conn.execute(insert(table), rows)
    query = select(table).where(table.c.cursor > bindparam("after")).order_by(table.c.cursor).limit(bindparam("limit"))
    with engine.connect() as conn:
        theirs = [tuple(r) for r in conn.execute(query, {"after": 0, "limit": 5})]
        ours = select_rows(conn, query, {"after": 0, "limit": 5})
        everything = select_rows(conn, query, {"after": -1, "limit": 100})
    assert ours == theirs and [r[0] for r in ours] == ["r1", "r2", "r3", "r4", "r5"]
    assert [type(v) for v in ours[1]] == [type(v) for v in theirs[1]]
    assert ours[3][table.c.keys().index("marked_at")] is None
    assert ours[0][table.c.keys().index("holds")] is False and ours[1][table.c.keys().index("holds")] is True
    assert len(everything) == 7 and everything[-1][1] == 2**40
    engine.dispose()


def test_select_rows_refuses_an_expanding_parameter(database_url):
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    table = RecordRow.__table__
    with engine.connect() as conn, pytest.raises(ValueError, match="expanding"):
        select_rows(conn, select(table).where(table.c.record_id.in_(bindparam("ids", expanding=True))), {"ids": ["a"]})
    engine.dispose()

"""Many rows at once. Writing: ``insert_many`` and ``insert_rows`` (each statement compiled
once, each value through its column type's own bind processor, the rows to the driver's
``executemany``), ``upsert``, and on PostgreSQL through psycopg, COPY. Reading:
``select_rows`` (a select compiled once, each distinct value through its column type's result
processor once).

``secondline.storage`` re-exports these: the services import them from there.
"""

from __future__ import annotations

import contextlib
import weakref

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.dml import Insert


def upsert(engine: Engine, table, keys: list[str]):
    """INSERT ... ON CONFLICT (keys) DO UPDATE every other column, on SQLite and PostgreSQL."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table)
    found = statement.on_conflict_do_update(
        index_elements=keys,
        set_={c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys},
    )
    _UPSERT_KEYS[found] = tuple(keys)
    return found


_UPSERT_KEYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""The conflict keys of each statement :func:`upsert` made (insert_rows runs a large batch of
them on PostgreSQL as one statement from COPY'd rows)."""
COPY_UPSERT_FROM = 100
"""Rows of an upsert from which insert_rows copies them to a temporary table first: below it,
the temporary table's statements cost more than they save."""


def insert_many(conn, statement, rows: list[dict]) -> None:
    """``conn.execute(statement, rows)`` for many rows of one table, at a fraction of the cost.

    ``statement`` is an ``insert(table)`` (or an :func:`upsert`); every row gives the same
    columns (those of the first row; a column none gives, such as an autoincrement key, takes
    its default in the database). SQLAlchemy processes each row's parameters
    through the statement compiler (about 25 µs a row of twenty columns); here the statement
    is compiled once and each value goes through its column type's own bind processor for the
    connection's dialect (the same conversions, so the same stored values), and the rows go to
    the driver's ``executemany`` in one call.
    """
    if not rows:
        return
    columns = tuple(rows[0])
    insert_rows(conn, statement, columns, [[row[name] for name in columns] for row in rows])


def insert_rows(conn, statement, columns: tuple[str, ...], rows: list[list]) -> None:
    """:func:`insert_many` for rows given as lists of values in the order of ``columns`` (a
    producer that knows its columns saves building a dict a row). The lists are converted in
    place."""
    if not rows:
        return
    sql, processors, named = _compiled(statement, conn.dialect, columns)
    order = [columns.index(name) for name, _ in processors]  # the compiled statement's order
    converting = [(index, process) for index, (_, process) in zip(order, processors) if process is not None]
    for index, process in converting:
        # Rows of one batch often share a value (its receipt instant, a flag): the very same
        # object is converted once. Identity, not equality: 1 == True, yet they convert apart.
        last, converted = _NOTHING, None
        for values in rows:
            value = values[index]
            if value is not last:
                last, converted = value, process(value)
            values[index] = converted
    if _by_copy(statement, conn.dialect, len(rows)):
        names = [name for name, _ in processors]
        ordered = rows if order == list(range(len(columns))) else [[values[i] for i in order] for values in rows]
        keys = _UPSERT_KEYS.get(statement)
        if keys is None:
            _copy_rows(conn, statement.table, names, ordered)
        else:
            _copy_upsert(conn, statement.table, names, keys, ordered)
        return
    if named:  # named / pyformat: by the columns' names
        params = [dict(zip(columns, values)) for values in rows]
    elif order == list(range(len(columns))):
        params = [tuple(values) for values in rows]
    else:
        params = [tuple(values[i] for i in order) for values in rows]
    conn.exec_driver_sql(sql, params)


def _by_copy(statement, dialect, count: int) -> bool:
    """Whether rows for ``statement`` go by COPY: on PostgreSQL through psycopg, a plain
    ``insert(table)`` (nothing returned), or an :func:`upsert` of ``COPY_UPSERT_FROM`` rows or more."""
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        return False
    if statement in _UPSERT_KEYS:
        return count >= COPY_UPSERT_FROM
    return type(statement) is Insert and not statement.returning_column_descriptions


def _copy_rows(conn, table, columns: list[str], rows: list[list]) -> None:
    """Rows (bind-processed values, in the order of ``columns``) into ``table`` by ``COPY ... FROM
    STDIN``, in the connection's transaction: on PostgreSQL a row costs the server and the client
    about a third of what an INSERT of its own in psycopg's pipelined ``executemany`` costs
    (bench/README). The driver's errors are raised as SQLAlchemy raises them for a statement
    (an ``IntegrityError`` for a duplicate key, as before)."""
    from psycopg import sql

    copy = sql.SQL("COPY {} ({}) FROM STDIN").format(_table_name(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
    with _driver_errors(conn, copy), conn.connection.driver_connection.cursor() as cursor, cursor.copy(copy) as writing:
        for values in rows:
            writing.write_row(values)


def _copy_upsert(conn, table, columns: list[str], keys: tuple[str, ...], rows: list[list]) -> None:
    """An :func:`upsert` of many rows on PostgreSQL: copied to a temporary table of the table's
    shape, then one ``INSERT ... SELECT ... ON CONFLICT (keys) DO UPDATE`` of every other column,
    as the upsert's own. Rows of the same key leave the last one's values, as one upsert a row in
    turn does (one statement may not update a row twice, so only the last is copied). About a
    fifth of the client's CPU and half the server's of an ``executemany`` (bench/README)."""
    from psycopg import sql

    at = [columns.index(key) for key in keys]
    last = {tuple(values[i] for i in at): values for values in rows}
    temporary, name = sql.Identifier(f"secondline_upsert_{table.name}"), _table_name(table)
    listed = sql.SQL(", ").join(map(sql.Identifier, columns))
    updated = sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c.name))
                                 for c in table.columns if c.name not in keys)
    statements = [
        sql.SQL("CREATE TEMPORARY TABLE IF NOT EXISTS {} (LIKE {} INCLUDING DEFAULTS)").format(temporary, name),
        sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} ON CONFLICT ({}) DO UPDATE SET {}").format(
            name, listed, listed, temporary, sql.SQL(", ").join(map(sql.Identifier, keys)), updated),
        sql.SQL("TRUNCATE {}").format(temporary),  # empty for the next (a rollback empties it too)
    ]
    copy = sql.SQL("COPY {} ({}) FROM STDIN").format(temporary, listed)
    driver = conn.connection.driver_connection
    with _driver_errors(conn, copy):
        with driver.cursor() as cursor:
            cursor.execute(statements[0])
            with cursor.copy(copy) as writing:
                for values in last.values():
                    writing.write_row(values)
            cursor.execute(statements[1])
            cursor.execute(statements[2])


def _table_name(table):
    """The table's name for psycopg's composed SQL, with its schema if it has one."""
    from psycopg import sql

    return sql.Identifier(*((table.schema,) if table.schema else ()), table.name)


@contextlib.contextmanager
def _driver_errors(conn, statement):
    """The driver's errors raised as SQLAlchemy raises them for a statement it runs (an
    ``IntegrityError`` for a duplicate key)."""
    try:
        yield
    except conn.dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(statement.as_string(conn.connection.driver_connection), None, error,
                                  conn.dialect.loaded_dbapi.Error, dialect=conn.dialect) from error


_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_NOTHING = object()


def _compiled(statement, dialect, keys: tuple[str, ...]):
    """The statement's SQL for these columns and each column's bind processor, compiled once
    per statement object, dialect and columns (a caller that keeps its statement, such as a
    queued log, compiles it once in all)."""
    by_statement = _COMPILED.setdefault(statement, {})
    found = by_statement.get((id(dialect), keys))
    if found is None:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        table = statement.table
        names = list(compiled.positiontup) if compiled.positiontup else list(keys)
        processors = [(name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in names]
        found = (str(compiled), processors, dialect.paramstyle not in ("qmark", "numeric", "format"))
        by_statement[(id(dialect), keys)] = (*found, dialect)  # the dialect held: its id stays its own
    return found[:3]


def select_rows(conn, statement, parameters: dict) -> list[tuple]:
    """``conn.execute(statement, parameters).all()`` for a large result, as plain tuples, at a
    fraction of the cost: the statement is compiled once per dialect, run as its SQL (through
    SQLAlchemy: events, tracing and errors as for any statement), and each column's result
    processor (the type's conversion of the driver's value, as ``conn.execute`` applies it) is
    applied once per distinct value of the column in the result. For a page of the record feed,
    SQLAlchemy's own processing of each row cost about as much as the driver's fetch; rows of a
    page share their receipt instant and day, which are converted once here.

    ``statement``: a ``select`` of columns, without expanding (``IN``) parameters."""
    sql, names, processors, compiled = _compiled_select(statement, conn.dialect)
    values = compiled.construct_params(parameters)
    rows = conn.exec_driver_sql(sql, tuple(values[name] for name in names) if names is not None else values).all()
    if not rows or not processors:
        return [tuple(row) for row in rows]
    columns = list(zip(*rows))
    for index, process in processors:
        converted: dict = {}
        column = columns[index]
        out = []
        for value in column:
            try:
                out.append(converted[value])
            except KeyError:
                converted[value] = result = process(value)
                out.append(result)
            except TypeError:  # unhashable (a driver's list or dict): converted each time
                out.append(process(value))
        columns[index] = out
    return list(zip(*columns))


_SELECTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _compiled_select(statement, dialect):
    by_statement = _SELECTS.setdefault(statement, {})
    found = by_statement.get(id(dialect))
    if found is None:
        compiled = statement.compile(dialect=dialect)
        if any(bind.expanding for bind in compiled.binds.values()):
            raise ValueError("select_rows: an expanding (IN) parameter is not supported")
        processors = []
        for index, column in enumerate(statement.selected_columns):
            process = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if process is not None:
                processors.append((index, process))
        names = list(compiled.positiontup) if compiled.positiontup else None
        found = (str(compiled), names, processors, compiled)
        by_statement[id(dialect)] = (*found, dialect)
    return found[:4]


__all__ = ["COPY_UPSERT_FROM", "insert_many", "insert_rows", "select_rows", "upsert"]

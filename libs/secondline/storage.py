"""Storage: SQLAlchemy 2.0 engines, migrations, and running blocking work off the event loop.

SQLite in WAL mode is the embedded default (``sqlite:///path/to/file``); PostgreSQL is chosen
by URL (``postgresql+psycopg://...``). Each service keeps its own tables and its own Alembic
history (its own version table), so services can share a database server without sharing
schema. Database work runs on worker threads: one writer (writes are serialised, which also
makes commit order equal to insertion order) and a small pool of readers.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, TypeVar

from datetime import timezone

from sqlalchemy import DateTime, Engine, create_engine, event, text
from sqlalchemy.types import TypeDecorator
from sqlalchemy.engine import make_url

# Writing many rows at once is secondline.bulk's; its names are storage's too, where the
# services import them from.
from secondline.bulk import COPY_UPSERT_FROM, insert_many, insert_rows, select_rows, upsert  # noqa: F401

T = TypeVar("T")


def make_engine(url: str, *, pool_size: int = 5) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take it over (SQLAlchemy's
        # documented recipe) so that a writer takes the write lock at once (BEGIN IMMEDIATE)
        # and waits for it, instead of failing when its read snapshot cannot be upgraded.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=0, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit is on disk before it is acknowledged, even across a power cut.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITES) else "BEGIN")


WRITES = "secondline_writes"


def writer(engine: Engine) -> Engine:
    """The engine for write transactions: on SQLite they begin IMMEDIATE."""
    return engine.execution_options(**{WRITES: True})


_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def lock_transaction(conn, key: int) -> None:
    """On PostgreSQL, hold the advisory lock ``key`` until the transaction ends: writers of
    other processes taking the same key wait for it (nothing on SQLite, whose writer's
    ``BEGIN IMMEDIATE`` already excludes the others)."""
    if conn.dialect.name == "postgresql":
        conn.execute(_ADVISORY_LOCK, {"key": key})


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def migrate(engine: Engine, migrations_package: str, version_table: str, *, to: str = "head") -> None:
    """Bring the schema to the newest revision of a service's Alembic history (or to ``to``,
    as a migration's test does to fill the schema before it).

    On PostgreSQL the upgrade holds a transaction-scoped advisory lock named after the version
    table: replicas (or init containers) starting together migrate one after the other, and
    the later ones find the schema current and change nothing.
    """
    from alembic import command
    from alembic.config import Config

    from importlib import resources

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files(migrations_package)))
    cfg.attributes["version_table"] = version_table
    # On SQLite the whole upgrade is one IMMEDIATE transaction: a process migrating the same
    # file at the same time waits for it (busy_timeout) and then finds the schema current,
    # instead of failing when its read snapshot cannot be upgraded to a write.
    with writer(engine).begin() as connection:
        lock_transaction(connection, zlib.crc32(version_table.encode()))
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, to)


class Database:
    """An engine plus the threads its blocking work runs on."""

    def __init__(self, engine: Engine, *, readers: int = 4) -> None:
        self.engine = engine
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
        self._readers = ThreadPoolExecutor(max_workers=readers, thread_name_prefix="db-reader")

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        return await self._run(self._writer, fn, *args)

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        return await self._run(self._readers, fn, *args)

    async def _run(self, pool: ThreadPoolExecutor, fn: Callable[..., T], *args: Any) -> T:
        # Carry the caller's context (its trace span) to the worker thread.
        call = functools.partial(contextvars.copy_context().run, fn, *args)
        return await asyncio.get_running_loop().run_in_executor(pool, call)

    def close(self) -> None:
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        self.engine.dispose()


class UtcDateTime(TypeDecorator):
    """An instant, stored in UTC on every backend and read back timezone-aware.

    SQLite keeps no offset: an aware value would be stored as its wall-clock time and read
    back as if it were UTC. Converting to UTC on the way in makes both backends agree.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"instant {value.isoformat()} has no UTC offset")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)

    def bind_processor(self, dialect):
        """On SQLite, the text SQLAlchemy's DATETIME would store (``YYYY-MM-DD HH:MM:SS.ffffff``),
        from ``datetime.isoformat`` in one C call, where the dialect formats seven fields
        through a dict; the same text (tests/unit/test_storage_datetime.py). Elsewhere, the usual."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        utc = timezone.utc

        def process(value):
            if value is None:
                return None
            if value.tzinfo is None:
                raise ValueError(f"instant {value.isoformat()} has no UTC offset")
            return value.astimezone(utc).replace(tzinfo=None).isoformat(" ", "microseconds")
        return process


def run_migrations(metadata) -> None:
    """The body of every service's ``migrations/env.py``, run by :func:`migrate`."""
    from alembic import context

    context.configure(
        connection=context.config.attributes["connection"],
        target_metadata=metadata,
        version_table=context.config.attributes["version_table"],
    )
    with context.begin_transaction():
        context.run_migrations()

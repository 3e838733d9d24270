"""The ingestion benchmark's databases: a fresh SQLite file or PostgreSQL schema per run."""

from __future__ import annotations

import os
import tempfile
import uuid

from sqlalchemy import create_engine, text

from secondline.services.ingestion.tables import RecordRow


DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MIGRATIONS = "secondline.services.ingestion.migrations"
VERSION_TABLE = "alembic_version_ingestion"
RECORDS_TABLE = RecordRow.__table__


class Backend:
    """Fresh, empty databases of one kind, each dropped when the backend closes."""

    name = ""

    def fresh(self, label: str) -> str:
        raise NotImplementedError

    def discard(self, url: str) -> None:
        """Drop one database made by fresh()."""

    def close(self) -> None:
        pass


class SqliteBackend(Backend):
    name = "sqlite"

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="secondline-bench-")

    def fresh(self, label: str) -> str:
        return f"sqlite:///{self._dir.name}/{label}-{uuid.uuid4().hex[:8]}.sqlite"

    def discard(self, url: str) -> None:
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)

    def close(self) -> None:
        self._dir.cleanup()


class PostgresBackend(Backend):
    name = "postgres"

    def __init__(self, url: str) -> None:
        self.url = url
        self._admin = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
        self._schemas: list[str] = []

    def answers(self) -> str | None:
        """The server version, or None when it does not answer."""
        try:
            with self._admin.connect() as conn:
                return conn.execute(text("SHOW server_version")).scalar()
        except Exception as exc:  # noqa: BLE001 - any failure means "skip PostgreSQL"
            self.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            return None

    def fresh(self, label: str) -> str:
        schema = f"bench_{label}_{uuid.uuid4().hex[:10]}"
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        self._schemas.append(schema)
        sep = "&" if "?" in self.url else "?"
        return f"{self.url}{sep}options=-csearch_path%3D{schema}"

    def discard(self, url: str) -> None:
        schema = url.rsplit("%3D", 1)[1]
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self._schemas.remove(schema)

    def close(self) -> None:
        try:
            if self._schemas:
                with self._admin.connect() as conn:
                    for schema in self._schemas:
                        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        finally:
            self._schemas.clear()
            self._admin.dispose()


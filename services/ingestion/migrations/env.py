"""Alembic environment for the ingestion service, run programmatically by secondline.storage."""

from secondline.services.ingestion.tables import Base
from secondline.storage import run_migrations

run_migrations(Base.metadata)

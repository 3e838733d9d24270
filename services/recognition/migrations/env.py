"""Alembic environment for the recognition service, run programmatically by secondline.storage."""

from secondline.services.recognition.tables import Base
from secondline.storage import run_migrations

run_migrations(Base.metadata)

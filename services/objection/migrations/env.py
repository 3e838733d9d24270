"""Alembic environment for the objection service, run programmatically by secondline.storage."""

from secondline.services.objection.tables import Base
from secondline.storage import run_migrations

run_migrations(Base.metadata)

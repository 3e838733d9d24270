"""Alembic environment for the classification service, run programmatically by secondline.storage."""

from secondline.services.classification.tables import Base
from secondline.storage import run_migrations

run_migrations(Base.metadata)

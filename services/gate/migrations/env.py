"""Alembic environment for the gate service, run programmatically by secondline.storage."""

from secondline.services.gate.tables import Base
from secondline.storage import run_migrations

run_migrations(Base.metadata)

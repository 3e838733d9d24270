"""Alembic environment for the classification service, run programmatically by secondline.storage."""

from alembic import context

from secondline.services.classification.tables import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=context.config.attributes["version_table"],
)
with context.begin_transaction():
    context.run_migrations()

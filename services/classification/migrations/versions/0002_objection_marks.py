"""Objection marks (O-2): the objection, the mark's instant and the disputed records.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("classification_records", sa.Column("objection_id", sa.String(64), nullable=False, server_default=""))
    op.add_column("classification_records", sa.Column("marked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("classification_records", sa.Column("marked_records", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("classification_records") as batch:
        batch.drop_column("marked_records")
        batch.drop_column("marked_at")
        batch.drop_column("objection_id")

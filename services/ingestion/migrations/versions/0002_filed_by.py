"""Who asked for a record filed on a department's behalf (O-4, L-4), and objection marks (O-2).

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
    op.add_column("ingestion_records", sa.Column("filed_by", sa.String(64), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("ingestion_records") as batch:
        batch.drop_column("filed_by")

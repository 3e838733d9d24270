"""The access log: who read a subject's records (RULES I-4); records keep their source ids (I-2).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from secondline.access_log import create_reads_table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_reads_table(op, "classification")
    op.add_column("classification_records", sa.Column("source_id", sa.String(128), nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("classification_records", "source_id")
    op.drop_table("classification_subject_reads")

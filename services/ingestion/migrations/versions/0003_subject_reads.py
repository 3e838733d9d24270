"""The access log: who read a subject's records (RULES I-4).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from secondline.access_log import create_reads_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_reads_table(op, "ingestion")


def downgrade() -> None:
    op.drop_table("ingestion_subject_reads")

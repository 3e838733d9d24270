"""The access log: who read a subject's records (RULES I-4).

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from secondline.access_log import create_reads_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_reads_table(op, "objection")


def downgrade() -> None:
    op.drop_table("objection_subject_reads")

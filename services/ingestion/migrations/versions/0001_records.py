"""The append-only record log.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingestion_records",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=False),
        sa.Column("record_id", sa.String(32), nullable=False, unique=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("source_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("content_kind", sa.String(32), nullable=False),
        sa.Column("subject_type", sa.String(16), nullable=False),
        sa.Column("subject_key", sa.String(64), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("backfilled", sa.Boolean(), nullable=False),
        sa.Column("target_record_id", sa.String(32), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("traceparent", sa.String(64), nullable=False),
        sa.UniqueConstraint("source", "source_id", name="uq_ingestion_records_source"),
        sa.UniqueConstraint("target_record_id", name="uq_ingestion_records_target"),
    )
    op.create_index("ix_ingestion_records_subject", "ingestion_records", ["subject_key", "seq"])
    op.create_index("ix_ingestion_records_received", "ingestion_records", ["submitted_on", "source"])


def downgrade() -> None:
    op.drop_table("ingestion_records")

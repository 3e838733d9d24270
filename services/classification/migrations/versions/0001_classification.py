"""Followed records, subject timelines, the change feed and the feed cursor.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "classification_records",
        sa.Column("record_id", sa.String(32), primary_key=True),
        sa.Column("cursor", BIG, nullable=False),
        sa.Column("subject_type", sa.String(16), nullable=False),
        sa.Column("subject_key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("content_kind", sa.String(32), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("grade", sa.String(32), nullable=False),
        sa.Column("list", sa.String(32), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("root_cursor", BIG, nullable=False),
        sa.Column("holds", sa.Boolean(), nullable=False),
        sa.Column("traceparent", sa.String(64), nullable=False),
    )
    op.create_index("ix_classification_records_subject", "classification_records", ["subject_key", "holds"])
    op.create_table(
        "classification_subjects",
        sa.Column("subject_key", sa.String(64), primary_key=True),
        sa.Column("subject_type", sa.String(16), nullable=False),
        sa.Column("timeline", sa.Text(), nullable=False),
        sa.Column("revision", BIG, nullable=False),
        sa.Column("next_change_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notable", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_classification_subjects_next_change", "classification_subjects", ["next_change_at"])
    op.create_index("ix_classification_subjects_notable", "classification_subjects", ["notable", "subject_key"])
    op.create_table(
        "classification_changes",
        sa.Column("revision", BIG, primary_key=True, autoincrement=False),
        sa.Column("subject_key", sa.String(64), nullable=False),
        sa.Column("subject_type", sa.String(16), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timeline", sa.Text(), nullable=False),
        sa.Column("record_id", sa.String(32), nullable=False),
        sa.Column("traceparent", sa.String(64), nullable=False),
    )
    op.create_table(
        "classification_cursor",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", BIG, nullable=False),
    )


def downgrade() -> None:
    for table in ("classification_cursor", "classification_changes", "classification_subjects", "classification_records"):
        op.drop_table(table)

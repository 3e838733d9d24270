"""Accepted envelopes with their delivery to ingestion, and the transparency log.

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
        "recognition_log",
        sa.Column("index", BIG, primary_key=True, autoincrement=False),
        sa.Column("envelope_hash", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("partner", sa.String(16), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "recognition_envelopes",
        sa.Column("log_index", BIG, primary_key=True, autoincrement=False),
        sa.Column("partner", sa.String(16), nullable=False),
        sa.Column("source_id", sa.String(128), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject_type", sa.String(16), nullable=False),
        sa.Column("subject_key", sa.String(64), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("grade", sa.String(32), nullable=False),
        sa.Column("valid_until", sa.Date()),
        sa.Column("score", sa.String(32), nullable=False),
        sa.Column("effect", sa.String(24), nullable=False),
        sa.Column("table_version", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered", sa.Boolean(), nullable=False),
        sa.Column("record_id", sa.String(32), nullable=False),
        sa.Column("record_cursor", sa.String(32), nullable=False),
        sa.UniqueConstraint("partner", "source_id", name="uq_recognition_envelopes_source"),
    )
    op.create_index("ix_recognition_envelopes_pending", "recognition_envelopes", ["delivered", "log_index"])
    op.create_index("ix_recognition_envelopes_subject", "recognition_envelopes", ["partner", "subject_key"])


def downgrade() -> None:
    op.drop_table("recognition_envelopes")
    op.drop_table("recognition_log")

"""The decision log.

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
        "gate_decisions",
        sa.Column("decision_id", sa.String(40), primary_key=True),
        sa.Column("crossing_id", sa.String(128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("port", sa.String(64), nullable=False),
        sa.Column("lane", sa.String(8), nullable=False),
        sa.Column("refused", sa.Boolean(), nullable=False),
        sa.Column("config_version", sa.String(64), nullable=False),
        sa.Column("classification_revision", BIG, nullable=False),
        sa.Column("degraded", sa.Boolean(), nullable=False),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column("crossing", sa.LargeBinary(), nullable=False),
        sa.Column("decision", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_gate_decisions_crossing", "gate_decisions", ["crossing_id"])
    op.create_index("ix_gate_decisions_decided_at", "gate_decisions", ["decided_at"])


def downgrade() -> None:
    op.drop_table("gate_decisions")

"""A partner's record keeps the effect its grade maps to (RULES R-7, X-3).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("classification_records", sa.Column("effect", sa.String(24), nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("classification_records", "effect")

"""A subject's timeline is read from its latest change, no longer kept in its subjects row.

Every write of a subjects row (a batch's publish, a scheduled change) inserts the change of the
same revision with the same timeline, so the column held a copy; dropping it makes each upsert
rewrite a row of some 60 bytes rather than one holding a timeline of about 0.6 KB.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("classification_subjects") as batch:  # SQLite rebuilds the table
        batch.drop_column("timeline")


def downgrade() -> None:
    with op.batch_alter_table("classification_subjects") as batch:
        batch.add_column(sa.Column("timeline", sa.Text(), nullable=False, server_default="[]"))
    op.execute("UPDATE classification_subjects SET timeline = (SELECT c.timeline FROM classification_changes c"
               " WHERE c.revision = classification_subjects.revision)")

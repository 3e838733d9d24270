"""The objection service's tables: objections, disputed records, repairs, the deadline journal,
the outbox into ingestion and the request ids seen (AIP-155).

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
    op.create_table('objection_journal',
    sa.Column('seq', BIG, autoincrement=True, nullable=False),
    sa.Column('parent_id', sa.String(length=32), nullable=False),
    sa.Column('record_id', sa.String(length=32), nullable=False),
    sa.Column('old_due', sa.DateTime(timezone=True), nullable=False),
    sa.Column('new_due', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('moved_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('seq')
    )
    op.create_index('ix_objection_journal_parent', 'objection_journal', ['parent_id', 'seq'], unique=False)
    op.create_table('objection_objections',
    sa.Column('seq', BIG, autoincrement=True, nullable=False),
    sa.Column('objection_id', sa.String(length=32), nullable=False),
    sa.Column('subject_type', sa.String(length=16), nullable=False),
    sa.Column('subject_key', sa.String(length=64), nullable=False),
    sa.Column('against_class', sa.Boolean(), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filed_by', sa.String(length=64), nullable=False),
    sa.Column('answer_due', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('objection_id')
    )
    op.create_index('ix_objection_objections_due', 'objection_objections', ['answer_due', 'seq'], unique=False)
    op.create_index('ix_objection_objections_subject', 'objection_objections', ['subject_key'], unique=False)
    op.create_table('objection_outbox',
    sa.Column('seq', BIG, autoincrement=True, nullable=False),
    sa.Column('parent_id', sa.String(length=32), nullable=False),
    sa.Column('purpose', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('on_behalf_of', sa.String(length=32), nullable=False),
    sa.Column('record', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('record_id', sa.String(length=32), nullable=False),
    sa.Column('cursor', BIG, nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('source_id', name='uq_objection_outbox_source_id')
    )
    op.create_index('ix_objection_outbox_parent', 'objection_outbox', ['parent_id'], unique=False)
    op.create_index('ix_objection_outbox_pending', 'objection_outbox', ['delivered_at', 'seq'], unique=False)
    op.create_table('objection_records',
    sa.Column('objection_id', sa.String(length=32), nullable=False),
    sa.Column('record_id', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('extension_reason', sa.Text(), nullable=False),
    sa.Column('due', sa.DateTime(timezone=True), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('remedy', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('objection_id', 'record_id')
    )
    op.create_index('ix_objection_records_owner', 'objection_records', ['owner'], unique=False)
    op.create_index('ix_objection_records_record', 'objection_records', ['record_id'], unique=False)
    op.create_table('objection_repairs',
    sa.Column('seq', BIG, autoincrement=True, nullable=False),
    sa.Column('repair_id', sa.String(length=32), nullable=False),
    sa.Column('subject_type', sa.String(length=16), nullable=False),
    sa.Column('subject_key', sa.String(length=64), nullable=False),
    sa.Column('listing_record_id', sa.String(length=32), nullable=False),
    sa.Column('list', sa.String(length=32), nullable=False),
    sa.Column('owner', sa.String(length=32), nullable=False),
    sa.Column('commitment', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filed_by', sa.String(length=64), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('due', sa.DateTime(timezone=True), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('repair_id')
    )
    op.create_index('ix_objection_repairs_listing', 'objection_repairs', ['listing_record_id'], unique=False)
    op.create_index('ix_objection_repairs_subject', 'objection_repairs', ['subject_key'], unique=False)
    op.create_table('objection_requests',
    sa.Column('principal', sa.String(length=80), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=False),
    sa.Column('result_id', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('principal', 'request_id')
    )


def downgrade() -> None:
    for table in ("objection_requests", "objection_outbox", "objection_journal", "objection_repairs",
                  "objection_records", "objection_objections"):
        op.drop_table(table)

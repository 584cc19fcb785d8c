"""initial

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 21:01:47.742111
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.migrations import create_event_tables, drop_event_tables

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('entries',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('owner_name', sa.String(length=50), nullable=False),
    sa.Column('owner_id_number_masked', sa.String(length=18), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('fields', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('attachment_ids', postgresql.ARRAY(sa.Uuid()), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('return_reason', sa.String(length=500), nullable=True),
    sa.Column('approved', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'approved', 'returned')", name=op.f('ck_entries_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entries'))
    )
    op.create_index('ix_entries_owner_type', 'entries', ['owner_id', 'type'], unique=False)
    op.create_index('ix_entries_review_queue', 'entries', ['unit_id', 'submitted_at'], unique=False, postgresql_where=sa.text("status = 'submitted'"))
    create_event_tables()


def downgrade() -> None:
    drop_event_tables()
    op.drop_index('ix_entries_review_queue', table_name='entries', postgresql_where=sa.text("status = 'submitted'"))
    op.drop_index('ix_entries_owner_type', table_name='entries')
    op.drop_table('entries')

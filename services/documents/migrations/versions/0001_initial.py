"""initial documents schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 21:05:55.117807
"""
import sqlalchemy as sa
from alembic import op

from shared.migrations import create_event_tables, drop_event_tables

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('files',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('object_key', sa.String(length=200), nullable=False),
    sa.Column('thumbnail_key', sa.String(length=200), nullable=True),
    sa.Column('kept', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('unreferenced_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_files')),
    sa.UniqueConstraint('object_key', name=op.f('uq_files_object_key'))
    )
    op.create_index('ix_files_cleanup', 'files', ['unreferenced_since'], unique=False, postgresql_where=sa.text('NOT kept'))
    op.create_index('ix_files_deleted', 'files', ['deleted_at'], unique=False, postgresql_where=sa.text('deleted_at IS NOT NULL'))
    op.create_index('ix_files_owner_created', 'files', ['owner_id', sa.literal_column('created_at DESC')], unique=False)
    op.create_table('claims',
    sa.Column('ref', sa.String(length=200), nullable=False),
    sa.Column('file_id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=True),
    sa.Column('lock', sa.Boolean(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['files.id'], name=op.f('fk_claims_file_id_files'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ref', 'file_id', name=op.f('pk_claims'))
    )
    op.create_index(op.f('ix_claims_file_id'), 'claims', ['file_id'], unique=False)
    op.create_index(op.f('ix_claims_unit_id'), 'claims', ['unit_id'], unique=False)
    create_event_tables()


def downgrade() -> None:
    drop_event_tables()
    op.drop_index(op.f('ix_claims_unit_id'), table_name='claims')
    op.drop_index(op.f('ix_claims_file_id'), table_name='claims')
    op.drop_table('claims')
    op.drop_index('ix_files_owner_created', table_name='files')
    op.drop_index('ix_files_deleted', table_name='files', postgresql_where=sa.text('deleted_at IS NOT NULL'))
    op.drop_index('ix_files_cleanup', table_name='files', postgresql_where=sa.text('NOT kept'))
    op.drop_table('files')

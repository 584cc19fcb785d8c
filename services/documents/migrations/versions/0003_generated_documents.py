"""generated PDFs and the submitted applications they are made from

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 15:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('application_data',
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('data', pg.JSONB(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('application_id', name=op.f('pk_application_data'))
    )
    op.create_table('generated_documents',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('source_event_id', sa.Uuid(), nullable=False),
    sa.Column('object_key', sa.String(length=200), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('superseded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_generated_documents')),
    sa.UniqueConstraint('object_key', name=op.f('uq_generated_documents_object_key')),
    sa.UniqueConstraint('source_event_id', 'kind', name=op.f('uq_generated_documents_source_event_id'))
    )
    op.create_index('ix_generated_current', 'generated_documents', ['application_id', 'kind'], unique=False,
                    postgresql_where=sa.text('NOT superseded'))


def downgrade() -> None:
    op.drop_index('ix_generated_current', table_name='generated_documents')
    op.drop_table('generated_documents')
    op.drop_table('application_data')

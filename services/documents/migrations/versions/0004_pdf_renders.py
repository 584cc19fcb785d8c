"""renders under way, for the progress of 导出

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pdf_renders',
    sa.Column('source_event_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('source_event_id', 'kind', name=op.f('pk_pdf_renders'))
    )
    op.create_index(op.f('ix_pdf_renders_application_id'), 'pdf_renders', ['application_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_pdf_renders_application_id'), table_name='pdf_renders')
    op.drop_table('pdf_renders')

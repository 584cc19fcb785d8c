"""claims name their record (shown in 我的附件)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 11:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('claims', sa.Column('label', sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.drop_column('claims', 'label')

"""where a submitted application is in the plan's review stages

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('applications', sa.Column('stage', sa.Integer(), nullable=True))
    op.add_column('applications', sa.Column('stage_name', sa.String(length=100), nullable=True))


def downgrade() -> None:
    op.drop_column('applications', 'stage_name')
    op.drop_column('applications', 'stage')

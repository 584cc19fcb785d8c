"""units read models

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 20:45:30.751454
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('person_units',
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('binding_id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('unit_name', sa.String(length=200), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_person_units_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_person_units'))
    )
    op.create_table('unit_reviewers',
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_unit_reviewers_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'unit_id', name=op.f('pk_unit_reviewers'))
    )
    op.add_column('unit_accounts', sa.Column('unit_id', sa.Uuid(), nullable=True))


def downgrade() -> None:
    op.drop_column('unit_accounts', 'unit_id')
    op.drop_table('unit_reviewers')
    op.drop_table('person_units')

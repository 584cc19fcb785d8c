"""initial units schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 20:47:55.473152
"""
import sqlalchemy as sa
from alembic import op

from shared.migrations import create_event_tables, drop_event_tables

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")  # the unit-name search index
    op.create_table('departments',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_departments')),
    sa.UniqueConstraint('name', name=op.f('uq_departments_name'))
    )
    op.create_table('units',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('contact_name', sa.String(length=50), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('department_code', sa.String(length=20), nullable=False),
    sa.Column('legal_account_id', sa.Uuid(), nullable=False),
    sa.Column('legal_person_name', sa.String(length=50), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_code'], ['departments.code'], name=op.f('fk_units_department_code_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_units_credit_code')),
    sa.UniqueConstraint('legal_account_id', name=op.f('uq_units_legal_account_id'))
    )
    op.create_index('ix_units_name_trgm', 'units', ['name'], unique=False, postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})
    op.create_table('bindings',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('person_name', sa.String(length=50), nullable=False),
    sa.Column('id_number_masked', sa.String(length=18), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('reject_reason', sa.String(length=500), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=500), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected', 'ended', 'withdrawn')", name=op.f('ck_bindings_status')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_bindings_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bindings'))
    )
    op.create_index(op.f('ix_bindings_person_id'), 'bindings', ['person_id'], unique=False)
    op.create_index('ix_bindings_unit_status', 'bindings', ['unit_id', 'status'], unique=False)
    op.create_index('uq_bindings_one_approved', 'bindings', ['person_id'], unique=True, postgresql_where=sa.text("status = 'approved'"))
    op.create_index('uq_bindings_one_pending', 'bindings', ['person_id'], unique=True, postgresql_where=sa.text("status = 'pending'"))
    op.create_table('reviewers',
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('id_number_masked', sa.String(length=18), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_reviewers_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('unit_id', 'person_id', name=op.f('pk_reviewers'))
    )
    op.create_index(op.f('ix_reviewers_person_id'), 'reviewers', ['person_id'], unique=False)
    create_event_tables()


def downgrade() -> None:
    drop_event_tables()
    op.drop_index(op.f('ix_reviewers_person_id'), table_name='reviewers')
    op.drop_table('reviewers')
    op.drop_index('uq_bindings_one_pending', table_name='bindings', postgresql_where=sa.text("status = 'pending'"))
    op.drop_index('uq_bindings_one_approved', table_name='bindings', postgresql_where=sa.text("status = 'approved'"))
    op.drop_index('ix_bindings_unit_status', table_name='bindings')
    op.drop_index(op.f('ix_bindings_person_id'), table_name='bindings')
    op.drop_table('bindings')
    op.drop_index('ix_units_name_trgm', table_name='units', postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})
    op.drop_table('units')
    op.drop_table('departments')

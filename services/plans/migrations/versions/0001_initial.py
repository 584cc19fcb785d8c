"""initial plans schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 20:54:12.200799
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
    op.create_table('organizers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizers')),
    sa.UniqueConstraint('name', name=op.f('uq_organizers_name'))
    )
    op.create_table('persons',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('id_number_masked', sa.String(length=18), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persons'))
    )
    op.create_index(op.f('ix_persons_name'), 'persons', ['name'], unique=False)
    op.create_table('organizer_admins',
    sa.Column('organizer_id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('assigned_by', sa.String(length=100), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organizer_id'], ['organizers.id'], name=op.f('fk_organizer_admins_organizer_id_organizers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organizer_id', 'person_id', name=op.f('pk_organizer_admins'))
    )
    op.create_index(op.f('ix_organizer_admins_person_id'), 'organizer_admins', ['person_id'], unique=False)
    op.create_table('plans',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organizer_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('committee', sa.String(length=200), nullable=False),
    sa.Column('levels', postgresql.ARRAY(sa.String(length=30)), nullable=False),
    sa.Column('plan_type', sa.String(length=30), nullable=False),
    sa.Column('series', sa.String(length=30), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('has_interview', sa.Boolean(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('majors', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('titles', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('forms', postgresql.ARRAY(sa.String(length=30)), nullable=False),
    sa.Column('stages', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('attachments', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('standard', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'published', 'closed')", name=op.f('ck_plans_status')),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_plans_window')),
    sa.ForeignKeyConstraint(['organizer_id'], ['organizers.id'], name=op.f('fk_plans_organizer_id_organizers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans')),
    sa.UniqueConstraint('organizer_id', 'year', 'name', name='uq_plans_organizer_year_name')
    )
    op.create_index('ix_plans_levels', 'plans', ['levels'], unique=False, postgresql_using='gin')
    op.create_index('ix_plans_listing', 'plans', ['status', sa.literal_column('year DESC'), sa.literal_column('start_date DESC')], unique=False)
    create_event_tables()


def downgrade() -> None:
    drop_event_tables()
    op.drop_index('ix_plans_listing', table_name='plans')
    op.drop_index('ix_plans_levels', table_name='plans', postgresql_using='gin')
    op.drop_table('plans')
    op.drop_index(op.f('ix_organizer_admins_person_id'), table_name='organizer_admins')
    op.drop_table('organizer_admins')
    op.drop_index(op.f('ix_persons_name'), table_name='persons')
    op.drop_table('persons')
    op.drop_table('organizers')

"""the committee online: expert pool (评委专家库), panel draw (专家遴选), votes and tallies

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('experts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organizer_id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('id_number_masked', sa.String(length=18), nullable=False),
    sa.Column('series', sa.String(length=30), nullable=False),
    sa.Column('majors', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('level', sa.String(length=30), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('unit_name', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experts')),
    sa.UniqueConstraint('organizer_id', 'person_id', name='uq_experts_organizer_person')
    )
    op.create_index('ix_experts_organizer_series', 'experts', ['organizer_id', 'series', 'active'], unique=False)
    op.create_table('committees',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('organizer_id', sa.Uuid(), nullable=False),
    sa.Column('stage_id', sa.Uuid(), nullable=False),
    sa.Column('panel_size', sa.Integer(), nullable=False),
    sa.Column('reserve_count', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('candidates', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('exclusions', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('panel', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('reserves', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('drawn_by_id', sa.Uuid(), nullable=False),
    sa.Column('drawn_by', sa.String(length=100), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('plan_id', name=op.f('pk_committees'))
    )
    op.create_table('votes',
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('expert_id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('expert_name', sa.String(length=50), nullable=False),
    sa.Column('choice', sa.String(length=10), nullable=False),
    sa.Column('opinion', sa.String(length=2000), nullable=False),
    sa.Column('voted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_votes_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('application_id', 'expert_id', name=op.f('pk_votes'))
    )
    op.create_index('ix_votes_expert', 'votes', ['expert_id', 'plan_id'], unique=False)
    op.create_table('tallies',
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('agree', sa.Integer(), nullable=False),
    sa.Column('disagree', sa.Integer(), nullable=False),
    sa.Column('abstain', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_tallies_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('application_id', name=op.f('pk_tallies'))
    )
    op.create_index('ix_tallies_plan', 'tallies', ['plan_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_tallies_plan', table_name='tallies')
    op.drop_table('tallies')
    op.drop_index('ix_votes_expert', table_name='votes')
    op.drop_table('votes')
    op.drop_table('committees')
    op.drop_index('ix_experts_organizer_series', table_name='experts')
    op.drop_table('experts')

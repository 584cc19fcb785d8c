"""organiser administrators, 免面试, interviews with their 准考证号 counters

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organizer_admins',
    sa.Column('organizer_id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('organizer_id', 'person_id', name=op.f('pk_organizer_admins'))
    )
    op.create_index('ix_organizer_admins_person', 'organizer_admins', ['person_id'], unique=False)
    op.create_table('ticket_counters',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('plan_no', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('plan_id', name=op.f('pk_ticket_counters')),
    sa.UniqueConstraint('year', 'plan_no', name='uq_ticket_counters_year_plan_no')
    )
    op.create_table('exemptions',
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=2000), nullable=False),
    sa.Column('file_ids', postgresql.ARRAY(sa.Uuid()), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decider_id', sa.Uuid(), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=False),
    sa.Column('decision_reason', sa.String(length=2000), nullable=False),
    sa.Column('previous', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_exemptions_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('application_id', name=op.f('pk_exemptions'))
    )
    op.create_index('ix_exemptions_plan', 'exemptions', ['plan_id', 'status', 'requested_at'], unique=False)
    op.create_table('interviews',
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('ticket_no', sa.String(length=20), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('scheduler_id', sa.Uuid(), nullable=False),
    sa.Column('scheduled_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_interviews_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('application_id', name=op.f('pk_interviews')),
    sa.UniqueConstraint('plan_id', 'ticket_no', name='uq_interviews_plan_ticket')
    )


def downgrade() -> None:
    op.drop_table('interviews')
    op.drop_index('ix_exemptions_plan', table_name='exemptions')
    op.drop_table('exemptions')
    op.drop_table('ticket_counters')
    op.drop_index('ix_organizer_admins_person', table_name='organizer_admins')
    op.drop_table('organizer_admins')

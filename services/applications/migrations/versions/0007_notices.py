"""公示 (notices), the applications they list, 异议 (objections)

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notices',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('plan_name', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=True),
    sa.Column('organizer_id', sa.Uuid(), nullable=True),
    sa.Column('publisher_name', sa.String(length=200), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('workdays', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('publisher_id', sa.Uuid(), nullable=False),
    sa.Column('published_by', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices'))
    )
    op.create_index('ix_notices_end', 'notices', ['end_date'], unique=False)
    op.create_index('ix_notices_plan', 'notices', ['plan_id', 'kind'], unique=False)
    op.create_table('notice_entries',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('notice_id', sa.Uuid(), nullable=False),
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('unit_name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=30), nullable=False),
    sa.Column('major', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_notice_entries_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_entries_notice_id_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_entries')),
    sa.UniqueConstraint('application_id', 'kind', name='uq_notice_entries_application_kind')
    )
    op.create_index('ix_notice_entries_notice', 'notice_entries', ['notice_id', 'position'], unique=False)
    op.create_table('objections',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('notice_id', sa.Uuid(), nullable=False),
    sa.Column('entry_id', sa.Uuid(), nullable=False),
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('objector_id', sa.Uuid(), nullable=False),
    sa.Column('objector_name', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.String(length=2000), nullable=False),
    sa.Column('file_ids', postgresql.ARRAY(sa.Uuid()), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolver_id', sa.Uuid(), nullable=True),
    sa.Column('resolved_by', sa.String(length=100), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_objections_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['notice_entries.id'], name=op.f('fk_objections_entry_id_notice_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_objections_notice_id_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objections'))
    )
    op.create_index('ix_objections_application', 'objections', ['application_id'], unique=False)
    op.create_index('ix_objections_notice', 'objections', ['notice_id', 'filed_at'], unique=False)
    op.create_index('ix_objections_objector', 'objections', ['objector_id', 'filed_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_objections_objector', table_name='objections')
    op.drop_index('ix_objections_notice', table_name='objections')
    op.drop_index('ix_objections_application', table_name='objections')
    op.drop_table('objections')
    op.drop_index('ix_notice_entries_notice', table_name='notice_entries')
    op.drop_table('notice_entries')
    op.drop_index('ix_notices_plan', table_name='notices')
    op.drop_index('ix_notices_end', table_name='notices')
    op.drop_table('notices')

"""review stages: deciders, steps

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('department_staff',
    sa.Column('department_code', sa.String(length=20), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('department_name', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('department_code', 'person_id', name=op.f('pk_department_staff'))
    )
    op.create_index('ix_department_staff_person', 'department_staff', ['person_id'], unique=False)
    op.create_table('stage_assignees',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('stage_id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('plan_id', 'stage_id', 'person_id', name=op.f('pk_stage_assignees'))
    )
    op.create_index('ix_stage_assignees_person', 'stage_assignees', ['person_id'], unique=False)
    op.create_table('units',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('department_code', sa.String(length=20), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units'))
    )
    op.create_table('steps',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('stage_name', sa.String(length=100), nullable=False),
    sa.Column('party', sa.String(length=20), nullable=True),
    sa.Column('actor_id', sa.Uuid(), nullable=False),
    sa.Column('actor_name', sa.String(length=100), nullable=False),
    sa.Column('acted_for', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.String(length=2000), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_steps_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_steps'))
    )
    op.create_index('ix_steps_application', 'steps', ['application_id', 'at'], unique=False)
    op.create_index('ix_steps_decider', 'steps', ['actor_id', 'at'], unique=False)
    op.add_column('applications', sa.Column('stage_id', sa.Uuid(), nullable=True))
    op.add_column('applications', sa.Column('stage_party', sa.String(length=20), nullable=True))
    op.add_column('applications', sa.Column('department_code', sa.String(length=20), nullable=True))
    op.add_column('applications', sa.Column('reason', sa.String(length=2000), server_default='', nullable=False))
    op.create_index('ix_applications_waiting_department', 'applications', ['department_code'], unique=False, postgresql_where=sa.text("status = 'in_review' AND stage_party = 'department'"))
    op.create_index('ix_applications_waiting_stage', 'applications', ['plan_id', 'stage_id'], unique=False, postgresql_where=sa.text("status = 'in_review'"))
    op.create_index('ix_applications_waiting_unit', 'applications', ['unit_id'], unique=False, postgresql_where=sa.text("status = 'in_review' AND stage_party = 'unit'"))
    # Applications submitted before: their stage's id and party from the plan they were submitted to.
    op.execute("""
        UPDATE applications a SET stage_id = (p.data->'stages'->a.stage->>'id')::uuid,
               stage_party = coalesce(p.data->'stages'->a.stage->>'party', p.data->'stages'->a.stage->>'reviewer')
        FROM plans p WHERE p.id = a.plan_id AND a.stage IS NOT NULL
    """)


def downgrade() -> None:
    op.drop_index('ix_applications_waiting_unit', table_name='applications', postgresql_where=sa.text("status = 'in_review' AND stage_party = 'unit'"))
    op.drop_index('ix_applications_waiting_stage', table_name='applications', postgresql_where=sa.text("status = 'in_review'"))
    op.drop_index('ix_applications_waiting_department', table_name='applications', postgresql_where=sa.text("status = 'in_review' AND stage_party = 'department'"))
    op.drop_column('applications', 'reason')
    op.drop_column('applications', 'department_code')
    op.drop_column('applications', 'stage_party')
    op.drop_column('applications', 'stage_id')
    op.drop_index('ix_steps_decider', table_name='steps')
    op.drop_index('ix_steps_application', table_name='steps')
    op.drop_table('steps')
    op.drop_table('units')
    op.drop_index('ix_stage_assignees_person', table_name='stage_assignees')
    op.drop_table('stage_assignees')
    op.drop_index('ix_department_staff_person', table_name='department_staff')
    op.drop_table('department_staff')

"""initial identity schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 20:31:54.606522
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.migrations import create_event_tables, drop_event_tables

# Name, identity number, gender and birth date of a person are fixed for ever: the database
# refuses a change whatever code path attempts it.
IMMUTABLE_PERSON = """
CREATE FUNCTION persons_immutable() RETURNS trigger AS $$
BEGIN
  IF NEW.id_number <> OLD.id_number OR NEW.name <> OLD.name OR NEW.gender <> OLD.gender
     OR NEW.birth_date <> OLD.birth_date THEN
    RAISE EXCEPTION 'persons: name, id_number, gender and birth_date are immutable'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql
"""
IMMUTABLE_TRIGGER = """
CREATE TRIGGER persons_immutable BEFORE UPDATE ON persons
  FOR EACH ROW EXECUTE FUNCTION persons_immutable()
"""

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('persons',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('gender', sa.String(length=6), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('mobile', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=120), nullable=True),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persons')),
    sa.UniqueConstraint('id_number', name=op.f('uq_persons_id_number'))
    )
    op.create_table('signing_keys',
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('private_jwk', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('kid', name=op.f('pk_signing_keys'))
    )
    op.create_table('unit_accounts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('unit_name', sa.String(length=200), nullable=False),
    sa.Column('legal_person_name', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_accounts')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_unit_accounts_credit_code'))
    )
    op.create_table('integrity_records',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('ban_from', sa.Date(), nullable=False),
    sa.Column('ban_until', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_integrity_records_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integrity_records'))
    )
    op.create_index(op.f('ix_integrity_records_person_id'), 'integrity_records', ['person_id'], unique=False)
    op.create_table('role_grants',
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('granted_by', sa.String(length=100), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_role_grants_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'role', name=op.f('pk_role_grants'))
    )
    op.create_table('sessions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=True),
    sa.Column('unit_account_id', sa.Uuid(), nullable=True),
    sa.Column('sso_claims', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_sessions_person_id_persons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_account_id'], ['unit_accounts.id'], name=op.f('fk_sessions_unit_account_id_unit_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sessions_token_hash'))
    )
    op.create_index('ix_sessions_person_id', 'sessions', ['person_id'])
    op.execute(IMMUTABLE_PERSON)
    op.execute(IMMUTABLE_TRIGGER)
    create_event_tables()


def downgrade() -> None:
    drop_event_tables()
    op.execute('DROP TRIGGER persons_immutable ON persons')
    op.execute('DROP FUNCTION persons_immutable()')
    op.drop_table('sessions')
    op.drop_table('role_grants')
    op.drop_index(op.f('ix_integrity_records_person_id'), table_name='integrity_records')
    op.drop_table('integrity_records')
    op.drop_table('unit_accounts')
    op.drop_table('signing_keys')
    op.drop_table('persons')

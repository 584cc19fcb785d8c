"""certificates (电子职称证书)

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('certificates',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('id_number_masked', sa.String(length=18), nullable=False),
    sa.Column('series', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('major', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=30), nullable=False),
    sa.Column('obtained_on', sa.Date(), nullable=False),
    sa.Column('committee', sa.String(length=200), nullable=False),
    sa.Column('organizer_name', sa.String(length=200), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_certificates_application_id_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('application_id', name=op.f('uq_certificates_application_id')),
    sa.UniqueConstraint('number', name=op.f('uq_certificates_number'))
    )
    op.create_index('ix_certificates_person', 'certificates', ['person_id', 'issued_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_certificates_person', table_name='certificates')
    op.drop_table('certificates')

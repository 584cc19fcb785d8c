"""read models of units' facts keep the facts' times (events may be handled out of order)

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("person_units", "since", new_column_name="changed_at")
    op.add_column("person_units", sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column("unit_reviewers", sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column("unit_reviewers", sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                                              nullable=False))


def downgrade() -> None:
    op.execute("DELETE FROM unit_reviewers WHERE NOT active")
    op.execute("DELETE FROM person_units WHERE NOT active")
    op.drop_column("unit_reviewers", "changed_at")
    op.drop_column("unit_reviewers", "active")
    op.drop_column("person_units", "active")
    op.alter_column("person_units", "changed_at", new_column_name="since")

"""the identity role "reviewer" is now "expert" (评审专家): a unit's 经办人 keep the word reviewer

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A person granted both keeps one row (the primary key is person and role).
    op.execute("DELETE FROM role_grants r WHERE role = 'reviewer' AND EXISTS ("
               "SELECT 1 FROM role_grants e WHERE e.person_id = r.person_id AND e.role = 'expert')")
    op.execute("UPDATE role_grants SET role = 'expert' WHERE role = 'reviewer'")


def downgrade() -> None:
    op.execute("UPDATE role_grants SET role = 'reviewer' WHERE role = 'expert'")

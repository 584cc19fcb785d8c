"""services load the revoked sessions and access changes of the last hour from the outbox

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_revocations", "outbox", ["created_at"], postgresql_where=sa.text(
        "type IN ('identity.session.ended', 'identity.access.changed')"))


def downgrade() -> None:
    op.drop_index("ix_outbox_revocations", table_name="outbox")

"""A notice entry per submission: a resubmitted application gets a new 单位申报公示

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('notice_entries', sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True))
    # The submission a notice listed: the application's last one before the notice was published.
    op.execute("""
        UPDATE notice_entries e SET submitted_at = COALESCE(
            (SELECT max(s.at) FROM steps s JOIN notices n ON n.id = e.notice_id
             WHERE s.application_id = e.application_id AND s.kind = 'submitted' AND s.at <= n.published_at),
            (SELECT a.submitted_at FROM applications a WHERE a.id = e.application_id))
    """)
    op.alter_column('notice_entries', 'submitted_at', nullable=False)
    op.drop_constraint('uq_notice_entries_application_kind', 'notice_entries', type_='unique')
    op.create_unique_constraint('uq_notice_entries_submission', 'notice_entries',
                                ['application_id', 'kind', 'submitted_at'])


def downgrade() -> None:
    op.drop_constraint('uq_notice_entries_submission', 'notice_entries', type_='unique')
    # Only the latest entry of each application and kind can stay under the old rule.
    op.execute("""
        DELETE FROM notice_entries e USING notice_entries later
        WHERE later.application_id = e.application_id AND later.kind = e.kind AND later.submitted_at > e.submitted_at
    """)
    op.create_unique_constraint('uq_notice_entries_application_kind', 'notice_entries', ['application_id', 'kind'])
    op.drop_column('notice_entries', 'submitted_at')

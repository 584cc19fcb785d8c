"""a stage's party (was reviewer), resubmit_from, stage assignees

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Each stage of every plan with its keys renamed, in the stages' order; stages already renamed
# (or without the old key) stay as they are.
RENAME = """
UPDATE plans SET stages = (
    SELECT jsonb_agg(CASE WHEN s ? '{old}'
                          THEN (s - '{old}' - '{old}_name')
                               || jsonb_build_object('{new}', s -> '{old}',
                                                     '{new}_name', coalesce(s -> '{old}_name', '""'::jsonb))
                          ELSE s END ORDER BY i)
    FROM jsonb_array_elements(stages) WITH ORDINALITY AS t(s, i))
WHERE jsonb_typeof(stages) = 'array' AND jsonb_array_length(stages) > 0
  AND EXISTS (SELECT 1 FROM jsonb_array_elements(stages) AS s WHERE s ? '{old}')
"""


def upgrade() -> None:
    op.execute(RENAME.format(old="reviewer", new="party"))
    op.add_column("plans", sa.Column("resubmit_from", sa.String(length=10), server_default="first", nullable=False))
    op.create_check_constraint(op.f("ck_plans_resubmit_from"), "plans", "resubmit_from IN ('first', 'returning')")
    op.create_table(
        "stage_assignees",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("stage_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("assigned_by", sa.String(length=100), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_stage_assignees_plan_id_plans"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("plan_id", "stage_id", "person_id", name=op.f("pk_stage_assignees")),
    )
    op.create_index(op.f("ix_stage_assignees_person_id"), "stage_assignees", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_stage_assignees_person_id"), table_name="stage_assignees")
    op.drop_table("stage_assignees")
    op.drop_constraint(op.f("ck_plans_resubmit_from"), "plans", type_="check")
    op.drop_column("plans", "resubmit_from")
    op.execute(RENAME.format(old="party", new="reviewer"))

"""staff (工作人员) of the 主管部门, and the read model of registered persons they are chosen from

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
    op.create_table(
        "persons",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("id_number_masked", sa.String(length=18), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
    )
    op.create_index(op.f("ix_persons_name"), "persons", ["name"], unique=False)
    op.create_table(
        "department_staff",
        sa.Column("department_code", sa.String(length=20), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("person_name", sa.String(length=50), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["department_code"], ["departments.code"],
                                name=op.f("fk_department_staff_department_code_departments")),
        sa.PrimaryKeyConstraint("department_code", "person_id", name=op.f("pk_department_staff")),
    )
    op.create_index(op.f("ix_department_staff_person_id"), "department_staff", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_department_staff_person_id"), table_name="department_staff")
    op.drop_table("department_staff")
    op.drop_index(op.f("ix_persons_name"), table_name="persons")
    op.drop_table("persons")

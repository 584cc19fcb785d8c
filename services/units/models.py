from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import declarative_base, utcnow

Base = declarative_base()


class Department(Base):
    """主管部门: the competent departments a unit chooses from (reference data)."""

    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    position: Mapped[int] = mapped_column(default=0)


class DepartmentStaff(Base):
    """工作人员 of a 主管部门, named by an operator: they decide at the 主管部门 stage over the
    applications of the department's units."""

    __tablename__ = "department_staff"

    department_code: Mapped[str] = mapped_column(sa.ForeignKey("departments.code"), primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, index=True)
    person_name: Mapped[str] = mapped_column(sa.String(50))
    added_by: Mapped[str] = mapped_column(sa.String(100))  # the operator's name
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Person(Base):
    """Read model of identity's registered persons (identity.person.registered): whom an
    operator may name staff of a department, found by name."""

    __tablename__ = "persons"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50), index=True)
    id_number_masked: Mapped[str] = mapped_column(sa.String(18))
    registered_at: Mapped[dt.datetime]


class Unit(Base):
    __tablename__ = "units"
    __table_args__ = (sa.Index("ix_units_grams", "grams", postgresql_using="gin"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(sa.String(200))
    credit_code: Mapped[str] = mapped_column(sa.String(18), unique=True)
    address: Mapped[str] = mapped_column(sa.String(200))
    contact_name: Mapped[str] = mapped_column(sa.String(50))
    contact_phone: Mapped[str] = mapped_column(sa.String(20))
    department_code: Mapped[str] = mapped_column(sa.ForeignKey("departments.code"))
    # identity's legal-person account that registered the unit (one unit per account).
    legal_account_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    legal_person_name: Mapped[str] = mapped_column(sa.String(50))
    registered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Every two-character piece of the name, indexed: Chinese searches are often two characters
    # ("医院", "福州"), which a trigram index cannot serve (see search.py).
    grams: Mapped[str] = mapped_column(pg.TSVECTOR, sa.Computed("zc_bigrams(name)", persisted=True))


class Reviewer(Base):
    """经办人: a registered person the legal person named to review for the unit."""

    __tablename__ = "reviewers"

    unit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, index=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    id_number_masked: Mapped[str] = mapped_column(sa.String(18))
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


BINDING_STATUSES = ("pending", "approved", "rejected", "ended", "withdrawn")


class Binding(Base):
    """A person's request to belong to a unit, and (once approved) the membership itself.

    At most one pending and one approved binding per person: partial unique indexes make the
    database the referee when two requests race."""

    __tablename__ = "bindings"
    __table_args__ = (
        sa.Index("uq_bindings_one_pending", "person_id", unique=True, postgresql_where=sa.text("status = 'pending'")),
        sa.Index("uq_bindings_one_approved", "person_id", unique=True,
                 postgresql_where=sa.text("status = 'approved'")),
        sa.Index("ix_bindings_unit_status", "unit_id", "status"),
        sa.CheckConstraint(f"status IN {BINDING_STATUSES}", name="status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(index=True)
    person_name: Mapped[str] = mapped_column(sa.String(50))
    id_number_masked: Mapped[str] = mapped_column(sa.String(18))
    unit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("units.id"))
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    note: Mapped[str] = mapped_column(sa.String(500))  # 申请说明
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None]
    decided_by: Mapped[str | None] = mapped_column(sa.String(100))  # the reviewer's name
    reject_reason: Mapped[str | None] = mapped_column(sa.String(500))
    ended_at: Mapped[dt.datetime | None]
    end_reason: Mapped[str | None] = mapped_column(sa.String(500))

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import declarative_base, utcnow

Base = declarative_base({list[Any]: pg.JSONB, list[str]: pg.ARRAY(sa.String(30))})


class Organizer(Base):
    """组建单位: the body that forms a review committee and publishes its plans."""

    __tablename__ = "organizers"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class OrganizerAdmin(Base):
    """A person who administers an organiser's plans (with the plan_admin role of their token)."""

    __tablename__ = "organizer_admins"

    organizer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizers.id", ondelete="CASCADE"),
                                                    primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, index=True)
    assigned_by: Mapped[str] = mapped_column(sa.String(100))
    assigned_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Person(Base):
    """Read model of identity's registered persons (identity.person.registered): whom an
    operator may make an administrator, and the names shown for administrators."""

    __tablename__ = "persons"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50), index=True)
    id_number_masked: Mapped[str] = mapped_column(sa.String(18))
    registered_at: Mapped[dt.datetime]


class Plan(Base):
    """评审计划 with its 评审标准. Majors, titles, stages, attachments and the standard are parts
    of the plan that are always read and replaced whole, so they are JSON documents validated by
    the service (see plans.py and standards.py); the ids inside them stay stable across edits."""

    __tablename__ = "plans"
    __table_args__ = (
        # One plan of a name per organiser and year; also serves "this organiser's plans".
        sa.UniqueConstraint("organizer_id", "year", "name", name="uq_plans_organizer_year_name"),
        sa.CheckConstraint("status IN ('draft', 'published', 'closed')", name="status"),
        sa.CheckConstraint("end_date >= start_date", name="window"),
        sa.CheckConstraint("resubmit_from IN ('first', 'returning')", name="resubmit_from"),
        sa.Index("ix_plans_listing", "status", sa.text("year DESC"), sa.text("start_date DESC")),
        # 评审级别 search: levels @> {level}.
        sa.Index("ix_plans_levels", "levels", postgresql_using="gin"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organizer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizers.id"))
    year: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(200))
    committee: Mapped[str] = mapped_column(sa.String(200))
    levels: Mapped[list[str]]
    plan_type: Mapped[str] = mapped_column(sa.String(30))
    series: Mapped[str] = mapped_column(sa.String(30))
    start_date: Mapped[dt.date]
    end_date: Mapped[dt.date]
    has_interview: Mapped[bool]
    scope: Mapped[str] = mapped_column(sa.Text)
    content: Mapped[str] = mapped_column(sa.Text)
    majors: Mapped[list[Any]]
    titles: Mapped[list[Any]]
    forms: Mapped[list[str]]
    stages: Mapped[list[Any]]
    # Where an application returned for changes starts again (shared.vocabulary.RESUBMIT_FROM).
    resubmit_from: Mapped[str] = mapped_column(sa.String(10), default="first", server_default="first")
    attachments: Mapped[list[Any]]
    standard: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(sa.String(10), default="draft")
    revision: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[uuid.UUID | None]  # None: demo data
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]

    organizer: Mapped[Organizer] = relationship(lazy="joined", innerjoin=True)


class StageAssignee(Base):
    """A person a plan's administrators named to decide at one of its stages (those whose party
    is in shared.vocabulary.ASSIGNABLE_PARTIES). ``stage_id`` is a stage's id inside the plan's
    ``stages`` document; the rows go when the stage goes."""

    __tablename__ = "stage_assignees"

    plan_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True)
    stage_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, index=True)  # index: "my assignments"
    assigned_by: Mapped[str] = mapped_column(sa.String(100))
    assigned_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

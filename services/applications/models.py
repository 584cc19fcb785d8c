"""applications' tables: the applications with their imported items, and the read models of
other services' facts (plans, approved library snapshots, persons, memberships, integrity bans),
fed by events so that filling a draft never waits on another service."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import declarative_base, utcnow

Base = declarative_base({list[Any]: pg.JSONB})


class Application(Base):
    """申报: one person's application to one plan. The draft's data are JSON documents that the
    checks (开始检测) read whole, without I/O; ``version`` guards every save (If-Match)."""

    __tablename__ = "applications"
    __table_args__ = (
        # 一个申报年度只允许申报一次（不限系列和专业）: the database enforces it, not a check before insert.
        sa.UniqueConstraint("person_id", "plan_year", name="uq_applications_person_year"),
        sa.Index("ix_applications_person", "person_id", "created_at"),
        # The deciders' queues: what waits at a stage, by the scope each party decides over.
        sa.Index("ix_applications_waiting_unit", "unit_id", postgresql_where=sa.text(
            "status = 'in_review' AND stage_party = 'unit'")),
        sa.Index("ix_applications_waiting_department", "department_code", postgresql_where=sa.text(
            "status = 'in_review' AND stage_party = 'department'")),
        sa.Index("ix_applications_waiting_stage", "plan_id", "stage_id", postgresql_where=sa.text(
            "status = 'in_review'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID]
    plan_id: Mapped[uuid.UUID]
    plan_year: Mapped[int]
    plan_name: Mapped[str] = mapped_column(sa.String(200))
    series: Mapped[str] = mapped_column(sa.String(30))
    form: Mapped[str] = mapped_column(sa.String(20))
    major: Mapped[str] = mapped_column(sa.String(100))
    title: Mapped[str] = mapped_column(sa.String(100))
    level: Mapped[str] = mapped_column(sa.String(30))
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    version: Mapped[int] = mapped_column(default=1)
    # The unit the person was bound to when applying (its 经办人 review at the first stage).
    unit_id: Mapped[uuid.UUID]
    unit_name: Mapped[str] = mapped_column(sa.String(200))
    pledged_at: Mapped[dt.datetime]
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)  # 个人信息
    teacher_profile: Mapped[dict[str, Any]] = mapped_column(default=dict)  # 专业信息 (中小学)
    current_titles: Mapped[list[Any]] = mapped_column(default=list)  # 现有职称情况
    current_appointments: Mapped[list[Any]] = mapped_column(default=list)  # 现有职称评聘情况
    attachments: Mapped[list[Any]] = mapped_column(default=list)  # 附件上传: [{kind, file_id, name}]
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)  # 破格申报 / 转评申报 sections
    # The files documents was last told this application uses (see files.py).
    claimed_files: Mapped[list[uuid.UUID]] = mapped_column(pg.ARRAY(sa.Uuid), default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    # Where a submitted application is in the plan's review stages: index, id, name and party (who
    # decides there, shared.vocabulary.PARTIES). A returned application keeps the stage that returned it.
    stage: Mapped[int | None]
    stage_id: Mapped[uuid.UUID | None]
    stage_name: Mapped[str | None] = mapped_column(sa.String(100))
    stage_party: Mapped[str | None] = mapped_column(sa.String(20))
    # The 主管部门 of the unit when submitted (its staff decide at the 主管部门 stage).
    department_code: Mapped[str | None] = mapped_column(sa.String(20))
    # Why it was returned (退回修改) or not passed, shown wherever its status is.
    reason: Mapped[str] = mapped_column(sa.String(2000), default="", server_default="")


class Item(Base):
    """A library entry imported into a section of an application: a snapshot of the approved
    version, kept as it was whatever happens to the library entry afterwards."""

    __tablename__ = "items"
    __table_args__ = (
        # 已导入过的个人业绩库数据不允许二次导入 (anywhere in the application).
        sa.UniqueConstraint("application_id", "entry_id", name="uq_items_application_entry"),
        sa.Index("ix_items_section", "application_id", "section", "position"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    application_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(sa.String(40))  # a fixed section's code or a category id
    position: Mapped[int]
    entry_id: Mapped[uuid.UUID]
    entry_version: Mapped[int]
    type: Mapped[str] = mapped_column(sa.String(40))
    fields: Mapped[dict[str, Any]]
    attachment_ids: Mapped[list[uuid.UUID]] = mapped_column(pg.ARRAY(sa.Uuid), default=list)
    approved_at: Mapped[dt.datetime]
    highest: Mapped[bool] = mapped_column(default=False)  # 学历教育: 最高学历
    assessment: Mapped[str | None] = mapped_column(sa.String(10))  # 年度考核: 合格 / 不合格
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Step(Base):
    """What happened to an application after it was first submitted, in order: each submission
    and each decision (who, for whom, when, why). The applicant's timeline and the deciders' record."""

    __tablename__ = "steps"
    __table_args__ = (sa.Index("ix_steps_application", "application_id", "at"),
                      sa.Index("ix_steps_decider", "actor_id", "at"))

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    application_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))  # states.STEP_LABELS
    stage: Mapped[int]
    stage_name: Mapped[str] = mapped_column(sa.String(100))
    party: Mapped[str | None] = mapped_column(sa.String(20))  # who decided (None: the applicant submitted)
    actor_id: Mapped[uuid.UUID]
    actor_name: Mapped[str] = mapped_column(sa.String(100))
    acted_for: Mapped[str] = mapped_column(sa.String(200))  # the unit, department or body decided for
    reason: Mapped[str] = mapped_column(sa.String(2000), default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# --- read models ------------------------------------------------------------------------------
class Plan(Base):
    """plans' PlanSnapshot as last published (only a higher revision replaces it)."""

    __tablename__ = "plans"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    revision: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(10))
    year: Mapped[int]
    start_date: Mapped[dt.date]
    end_date: Mapped[dt.date]
    data: Mapped[dict[str, Any]]


class Snapshot(Base):
    """An approved version of a library entry (library.entry.approved)."""

    __tablename__ = "snapshots"
    __table_args__ = (sa.Index("ix_snapshots_owner_type", "owner_id", "type"),)

    entry_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[uuid.UUID]
    type: Mapped[str] = mapped_column(sa.String(40))
    fields: Mapped[dict[str, Any]]
    attachment_ids: Mapped[list[uuid.UUID]] = mapped_column(pg.ARRAY(sa.Uuid), default=list)
    approved_at: Mapped[dt.datetime]


class Person(Base):
    """identity's registered persons: the read-only 姓名, 性别, 出生年月 of 个人信息."""

    __tablename__ = "persons"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    gender: Mapped[str] = mapped_column(sa.String(10))
    birth_date: Mapped[dt.date]
    id_number_masked: Mapped[str] = mapped_column(sa.String(18))
    mobile: Mapped[str] = mapped_column(sa.String(20))
    changed_at: Mapped[dt.datetime]


class Membership(Base):
    """A person's approved unit (units.binding.approved / ended); the newest fact wins."""

    __tablename__ = "memberships"

    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    unit_id: Mapped[uuid.UUID]
    unit_name: Mapped[str] = mapped_column(sa.String(200))
    active: Mapped[bool]
    changed_at: Mapped[dt.datetime]


class Ban(Base):
    """诚信档案 records with a ban on applying (identity.integrity.recorded / revoked)."""

    __tablename__ = "bans"
    __table_args__ = (sa.Index("ix_bans_person", "person_id"),)

    record_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID]
    # Empty when the revocation arrived before the record (events may come out of order).
    ban_from: Mapped[dt.date | None]
    ban_until: Mapped[dt.date | None]
    revoked: Mapped[bool] = mapped_column(default=False)


class Unit(Base):
    """units' units with their 主管部门 (units.unit.registered / updated; the newest fact wins)."""

    __tablename__ = "units"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    department_code: Mapped[str] = mapped_column(sa.String(20))
    changed_at: Mapped[dt.datetime]


class DepartmentStaff(Base):
    """Who decides at the 主管部门 stage over the units of a department (units.department.staff_*)."""

    __tablename__ = "department_staff"
    __table_args__ = (sa.Index("ix_department_staff_person", "person_id"),)

    department_code: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    department_name: Mapped[str] = mapped_column(sa.String(100), default="")
    active: Mapped[bool]
    changed_at: Mapped[dt.datetime]


class StageAssignee(Base):
    """Who decides at a stage of a plan that its administrators staff (plans.stage.assignee_*)."""

    __tablename__ = "stage_assignees"
    __table_args__ = (sa.Index("ix_stage_assignees_person", "person_id"),)

    plan_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    stage_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    active: Mapped[bool]
    changed_at: Mapped[dt.datetime]


class OrganizerAdmin(Base):
    """The administrators of an organiser's plans (plans.organizer.admin_*): they decide 免面试
    requests and schedule interviews for the applications to those plans."""

    __tablename__ = "organizer_admins"
    __table_args__ = (sa.Index("ix_organizer_admins_person", "person_id"),)

    organizer_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    active: Mapped[bool]
    changed_at: Mapped[dt.datetime]


# --- 免面试 and interviews (interviews.py) ------------------------------------------------------
class Exemption(Base):
    """免面试: the applicant's request (one per application) and the organiser's decision. After a
    refusal the applicant may ask again: the refused request moves to ``previous``."""

    __tablename__ = "exemptions"
    __table_args__ = (sa.Index("ix_exemptions_plan", "plan_id", "status", "requested_at"),)

    application_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"),
                                                      primary_key=True)
    plan_id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(sa.String(20))  # requested / granted / refused
    reason: Mapped[str] = mapped_column(sa.String(2000))
    file_ids: Mapped[list[uuid.UUID]] = mapped_column(pg.ARRAY(sa.Uuid), default=list)
    requested_at: Mapped[dt.datetime]
    decided_at: Mapped[dt.datetime | None]
    decider_id: Mapped[uuid.UUID | None]
    decided_by: Mapped[str] = mapped_column(sa.String(100), default="")
    decision_reason: Mapped[str] = mapped_column(sa.String(2000), default="")
    # Earlier refused requests: [{reason, file_ids, requested_at, decided_at, decided_by, decision_reason}]
    previous: Mapped[list[Any]] = mapped_column(default=list)


class Interview(Base):
    """An interview scheduled for an application: 准考证号 (unique within the plan), when, where."""

    __tablename__ = "interviews"
    __table_args__ = (sa.UniqueConstraint("plan_id", "ticket_no", name="uq_interviews_plan_ticket"),)

    application_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"),
                                                      primary_key=True)
    plan_id: Mapped[uuid.UUID]
    ticket_no: Mapped[str] = mapped_column(sa.String(20))
    starts_at: Mapped[dt.datetime]
    place: Mapped[str] = mapped_column(sa.String(200))
    scheduled_at: Mapped[dt.datetime]
    scheduler_id: Mapped[uuid.UUID]
    scheduled_by: Mapped[str] = mapped_column(sa.String(100))


class TicketCounter(Base):
    """The 准考证号 counter of a plan: ``plan_no`` numbers the plans of a year in the order their
    first interview was scheduled; ``last`` is the plan's last sequence number. Taken FOR UPDATE,
    so concurrent batches of one plan number one after the other."""

    __tablename__ = "ticket_counters"
    __table_args__ = (sa.UniqueConstraint("year", "plan_no", name="uq_ticket_counters_year_plan_no"),)

    plan_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    year: Mapped[int]
    plan_no: Mapped[int]
    last: Mapped[int] = mapped_column(default=0)
class Certificate(Base):
    """电子职称证书: issued when an application passes its last stage (certificates.py). ``number``
    (证书编号) is random, so the database's unique constraint is what makes it unique."""

    __tablename__ = "certificates"
    __table_args__ = (sa.Index("ix_certificates_person", "person_id", "issued_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    number: Mapped[str] = mapped_column(sa.String(30), unique=True)
    application_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("applications.id"), unique=True)
    person_id: Mapped[uuid.UUID]
    name: Mapped[str] = mapped_column(sa.String(50))
    id_number_masked: Mapped[str] = mapped_column(sa.String(18))
    series: Mapped[str] = mapped_column(sa.String(30))  # shared.vocabulary.SERIES
    title: Mapped[str] = mapped_column(sa.String(100))
    major: Mapped[str] = mapped_column(sa.String(100))
    level: Mapped[str] = mapped_column(sa.String(30))  # shared.vocabulary.LEVELS
    obtained_on: Mapped[dt.date]  # 取得时间: the day the last stage passed (Asia/Shanghai)
    committee: Mapped[str] = mapped_column(sa.String(200))
    organizer_name: Mapped[str] = mapped_column(sa.String(200))
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# --- the committee online: expert pool, panel draw, votes (experts.py, panels.py, votes.py) -------
class Expert(Base):
    """评委专家库: a registered person in an organiser's pool of experts, with the series, majors,
    level of their own title and unit the draw matches and the 回避 rule reads."""

    __tablename__ = "experts"
    __table_args__ = (sa.UniqueConstraint("organizer_id", "person_id", name="uq_experts_organizer_person"),
                      sa.Index("ix_experts_organizer_series", "organizer_id", "series", "active"))

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organizer_id: Mapped[uuid.UUID]
    person_id: Mapped[uuid.UUID]
    name: Mapped[str] = mapped_column(sa.String(50))
    id_number_masked: Mapped[str] = mapped_column(sa.String(18))
    series: Mapped[str] = mapped_column(sa.String(30))  # shared.vocabulary.SERIES
    majors: Mapped[list[Any]] = mapped_column(default=list)
    level: Mapped[str] = mapped_column(sa.String(30))  # shared.vocabulary.LEVELS: their own title's
    unit_id: Mapped[uuid.UUID]
    unit_name: Mapped[str] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Committee(Base):
    """专家遴选 of a plan's 评委会 stage, as drawn (immutable but for the close): the seed, the sorted
    candidates, the exclusions and the panel with its reserves, in draw order — the same inputs
    give the same panel (panels.draw)."""

    __tablename__ = "committees"

    plan_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    organizer_id: Mapped[uuid.UUID]
    stage_id: Mapped[uuid.UUID]
    panel_size: Mapped[int]
    reserve_count: Mapped[int]
    deadline: Mapped[dt.datetime]  # 表决截止时间
    seed: Mapped[str] = mapped_column(sa.String(64))
    candidates: Mapped[list[Any]]  # [{person_id, name, unit_id, unit_name}] sorted by person_id
    exclusions: Mapped[list[Any]]  # [{person_id, name, reason, application_id, applicant}]
    panel: Mapped[list[Any]]  # person ids, draw order
    reserves: Mapped[list[Any]]  # person ids, draw order
    drawn_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    drawn_by_id: Mapped[uuid.UUID]
    drawn_by: Mapped[str] = mapped_column(sa.String(100))
    closed_at: Mapped[dt.datetime | None]
    closed_by: Mapped[str] = mapped_column(sa.String(100), default="")


class Vote(Base):
    """An expert's opinion and vote on an application assigned to them; changeable until the close."""

    __tablename__ = "votes"
    __table_args__ = (sa.Index("ix_votes_expert", "expert_id", "plan_id"),)

    application_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"),
                                                      primary_key=True)
    expert_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    plan_id: Mapped[uuid.UUID]
    expert_name: Mapped[str] = mapped_column(sa.String(50))
    choice: Mapped[str] = mapped_column(sa.String(10))  # shared.vocabulary.VOTE_CHOICES
    opinion: Mapped[str] = mapped_column(sa.String(2000), default="")
    voted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Tally(Base):
    """The count of an application's votes when the vote closed, kept for the record. ``passed`` is
    None when nobody voted (the application stays at the stage for its deciders)."""

    __tablename__ = "tallies"
    __table_args__ = (sa.Index("ix_tallies_plan", "plan_id"),)

    application_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"),
                                                      primary_key=True)
    plan_id: Mapped[uuid.UUID]
    agree: Mapped[int]
    disagree: Mapped[int]
    abstain: Mapped[int]
    passed: Mapped[bool | None]
    closed_at: Mapped[dt.datetime]
# --- 公示 and 异议 (notices.py) ---------------------------------------------------------------------
class Notice(Base):
    """A 公示: 单位申报公示 (``unit``: a unit's applicants to a plan, before the unit passes them) or
    评审结果公示 (``result``: a plan's passed applicants, before their certificates). It runs from
    ``start_date`` through ``end_date``, the last of ``workdays`` working days (shared.workdays)."""

    __tablename__ = "notices"
    __table_args__ = (sa.Index("ix_notices_end", "end_date"), sa.Index("ix_notices_plan", "plan_id", "kind"))

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(sa.String(10))  # unit / result
    plan_id: Mapped[uuid.UUID]
    plan_name: Mapped[str] = mapped_column(sa.String(200))
    unit_id: Mapped[uuid.UUID | None]  # the unit of a unit notice
    organizer_id: Mapped[uuid.UUID | None]  # the plan's organiser, of a result notice
    publisher_name: Mapped[str] = mapped_column(sa.String(200))  # the unit, or the plan's organiser
    start_date: Mapped[dt.date]
    end_date: Mapped[dt.date]
    workdays: Mapped[int]
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    publisher_id: Mapped[uuid.UUID]
    published_by: Mapped[str] = mapped_column(sa.String(100))


class NoticeEntry(Base):
    """An application a notice lists, with the only fields it shows in public, frozen when published.
    Each submission of an application is in at most one notice of each kind (the unique constraint):
    a resubmitted application is noticed again, the old entry stays in the old notice."""

    __tablename__ = "notice_entries"
    __table_args__ = (sa.UniqueConstraint("application_id", "kind", "submitted_at",
                                          name="uq_notice_entries_submission"),
                      sa.Index("ix_notice_entries_notice", "notice_id", "position"))

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    notice_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("notices.id", ondelete="CASCADE"))
    application_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(10))  # the notice's
    submitted_at: Mapped[dt.datetime]  # the application's, when listed: the submission the notice covers
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(50))
    unit_name: Mapped[str] = mapped_column(sa.String(200))
    title: Mapped[str] = mapped_column(sa.String(100))
    level: Mapped[str] = mapped_column(sa.String(30))
    major: Mapped[str] = mapped_column(sa.String(100))


class Objection(Base):
    """异议: a logged-in person's objection to an application a notice lists, during the notice, with
    evidence files (claimed at documents under the objection's own ref: they are the objector's),
    and how the unit or the organiser resolved it (sustained: the application is stopped)."""

    __tablename__ = "objections"
    __table_args__ = (sa.Index("ix_objections_notice", "notice_id", "filed_at"),
                      sa.Index("ix_objections_application", "application_id"),
                      sa.Index("ix_objections_objector", "objector_id", "filed_at"))

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    notice_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("notices.id", ondelete="CASCADE"))
    entry_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("notice_entries.id", ondelete="CASCADE"))
    application_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"))
    objector_id: Mapped[uuid.UUID]
    objector_name: Mapped[str] = mapped_column(sa.String(100))
    reason: Mapped[str] = mapped_column(sa.String(2000))
    file_ids: Mapped[list[uuid.UUID]] = mapped_column(pg.ARRAY(sa.Uuid), default=list)
    filed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")  # pending / sustained / dismissed
    resolved_at: Mapped[dt.datetime | None]
    resolver_id: Mapped[uuid.UUID | None]
    resolved_by: Mapped[str] = mapped_column(sa.String(100), default="")
    note: Mapped[str] = mapped_column(sa.String(2000), default="")

"""The sections a person fills in by hand: 个人信息, 专业信息 (中小学), 现有职称情况 and 现有职称评聘情况,
附件上传, 破格申报 / 转评申报. Each save replaces its section whole and answers what it adjusted."""
from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.applications import drafts
from services.applications.models import Application
from services.applications.schemas import (
    AttachmentIn,
    CurrentAppointmentIn,
    CurrentTitleIn,
    ExtraIn,
    ProfileIn,
    TeacherProfileIn,
)
from shared.attachment_kinds import ATTACHMENT_KINDS
from shared.auth import Principal
from shared.errors import InvalidField


def clamp_profession_years(profile: dict) -> list[str]:
    """专业年限不能大于工作年限: a larger value is set to 工作年限, and the page says so."""
    work, profession = profile.get("years_of_work"), profile.get("years_in_profession")
    if work is not None and profession is not None and profession > work:
        profile["years_in_profession"] = work
        return [f"专业年限（{profession} 年）不能大于工作年限，已自动调整为工作年限 {work} 年"]
    return []


async def save_profile(db: AsyncSession, person: Principal, application_id: uuid.UUID, if_match: str | None,
                       data: ProfileIn) -> tuple[Application, list[str]]:
    app = await drafts.for_change(db, person, application_id, if_match)
    profile = data.model_dump(mode="json")
    notices = clamp_profession_years(profile)
    app.profile = profile
    await drafts.saved(db, app)
    return app, notices


async def save_teacher_profile(db: AsyncSession, person: Principal, application_id: uuid.UUID,
                               if_match: str | None, data: TeacherProfileIn) -> Application:
    app = await drafts.for_change(db, person, application_id, if_match)
    if not drafts.is_teacher(await drafts.plan_of(db, app.plan_id, known=True)):
        raise InvalidField("teacher_category", "专业信息仅适用于中小学教师系列的申报")
    if data.teaching_years is not None and data.rural_teaching_years is not None \
            and data.rural_teaching_years > data.teaching_years:
        raise InvalidField("rural_teaching_years", "农村教龄不能大于教龄")
    app.teacher_profile = data.model_dump(mode="json")
    await drafts.saved(db, app)
    return app


async def save_current_titles(db: AsyncSession, person: Principal, application_id: uuid.UUID,
                              if_match: str | None, rows: list[CurrentTitleIn]) -> Application:
    """现有职称情况 in the order given (↑/↓ send the list reordered)."""
    app = await drafts.for_change(db, person, application_id, if_match)
    for n, row in enumerate(rows, 1):
        if not row.title_name:
            raise InvalidField("title_name", f"第 {n} 条现有职称：请填写职称名称")
    app.current_titles = [r.model_dump(mode="json") for r in rows]
    await drafts.saved(db, app)
    return app


async def save_current_appointments(db: AsyncSession, person: Principal, application_id: uuid.UUID,
                                    if_match: str | None, rows: list[CurrentAppointmentIn]) -> Application:
    app = await drafts.for_change(db, person, application_id, if_match)
    for n, row in enumerate(rows, 1):
        if not row.title_name:
            raise InvalidField("title_name", f"第 {n} 条评聘情况：请填写聘任职称")
        if row.start_date and row.end_date and row.end_date < row.start_date:
            raise InvalidField("end_date", f"第 {n} 条评聘情况：截止时间不能早于起始时间")
    app.current_appointments = [r.model_dump(mode="json") for r in rows]
    await drafts.saved(db, app)
    return app


async def save_attachments(db: AsyncSession, person: Principal, application_id: uuid.UUID, if_match: str | None,
                           items: list[AttachmentIn]) -> Application:
    """附件上传: the kinds the plan's standard asks for, plus 其他附件; names as the person gives them."""
    app = await drafts.for_change(db, person, application_id, if_match)
    plan = await drafts.plan_of(db, app.plan_id, known=True)
    allowed = {a.kind for a in plan.standard.attachments} | {"other", "principal_training", "head_teacher_proof"}
    rows, seen = [], set()
    for item in items:
        if item.kind not in allowed:
            raise InvalidField("kind", f"该计划不需要上传“{ATTACHMENT_KINDS.get(item.kind, item.kind)}”")
        if item.file_id in seen:
            continue
        seen.add(item.file_id)
        rows.append({"kind": item.kind, "file_id": str(item.file_id),
                     "name": item.name or ATTACHMENT_KINDS.get(item.kind, item.kind)})
    app.attachments = rows
    await drafts.saved(db, app)
    return app


async def save_extra(db: AsyncSession, person: Principal, application_id: uuid.UUID, if_match: str | None,
                     data: ExtraIn) -> Application:
    app = await drafts.for_change(db, person, application_id, if_match)
    if app.form not in drafts.EXTRA_FORMS:
        raise InvalidField("reason", "只有破格申报或转评申报需要填写此项")
    app.extra = data.model_dump(mode="json")
    await drafts.saved(db, app)
    return app

"""Events applications consumes, into its read models: plans with their standards, approved
library snapshots, persons, memberships, integrity bans, and who decides at which stage (units
with their 主管部门, department staff, plan stage assignees, organisers' administrators). Facts may arrive out of order or
twice (a redelivery, a republish): each upsert lets only a newer fact change a row, so every
handler is idempotent by its key, with or without the inbox."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession

from services.applications.models import (
    Ban,
    DepartmentStaff,
    Membership,
    OrganizerAdmin,
    Person,
    Plan,
    Snapshot,
    StageAssignee,
    Unit,
)
from shared.db import Database
from shared.events import Envelope
from shared.events.catalogue import (
    BindingApproved,
    BindingEnded,
    DepartmentStaffAdded,
    DepartmentStaffRemoved,
    EntryApproved,
    IntegrityRecorded,
    IntegrityRevoked,
    OrganizerAdminAdded,
    OrganizerAdminRemoved,
    PersonRegistered,
    PersonUpdated,
    PlanSnapshot,
    StageAssigneeAdded,
    StageAssigneeRemoved,
    UnitRegistered,
    UnitUpdated,
)
from shared.events.consumer import Consumer
from shared.events.handlers import EventHandlers
from shared.settings import ServiceSettings

handlers = EventHandlers()


async def _upsert_newer(session: AsyncSession, model: Any, key: dict[str, Any], values: dict[str, Any],
                        newer: sa.ColumnElement[bool]) -> None:
    insert = pg.insert(model).values(**key, **values)
    await session.execute(insert.on_conflict_do_update(index_elements=list(key), set_=values, where=newer))


@handlers.on("plans.plan.published", "plans.plan.updated", "plans.plan.closed")
async def on_plan(session: AsyncSession, plan: PlanSnapshot, _: Envelope) -> None:
    values = {"revision": plan.revision, "status": plan.status, "year": plan.year, "start_date": plan.start_date,
              "end_date": plan.end_date, "data": plan.model_dump(mode="json")}
    await _upsert_newer(session, Plan, {"id": plan.id}, values, Plan.revision < plan.revision)


@handlers.on("library.entry.approved")
async def on_entry_approved(session: AsyncSession, data: EntryApproved, _: Envelope) -> None:
    s = data.snapshot
    await session.execute(pg.insert(Snapshot).values(
        entry_id=s.entry_id, version=s.version, owner_id=s.owner_id, type=s.type, fields=s.fields,
        attachment_ids=s.attachment_ids, approved_at=s.approved_at).on_conflict_do_nothing())


@handlers.on("identity.person.registered")
async def on_person_registered(session: AsyncSession, data: PersonRegistered, envelope: Envelope) -> None:
    values = {"name": data.name, "gender": data.gender, "birth_date": data.birth_date,
              "id_number_masked": data.id_number_masked, "mobile": data.mobile, "changed_at": envelope.occurred_at}
    await _upsert_newer(session, Person, {"id": data.person_id}, values, Person.changed_at < envelope.occurred_at)


@handlers.on("identity.person.updated")
async def on_person_updated(session: AsyncSession, data: PersonUpdated, envelope: Envelope) -> None:
    await session.execute(sa.update(Person).where(Person.id == data.person_id,
                                                  Person.changed_at < envelope.occurred_at)
                          .values(mobile=data.mobile, changed_at=envelope.occurred_at))


@handlers.on("units.binding.approved", "units.binding.ended")
async def on_membership(session: AsyncSession, data: BindingApproved | BindingEnded, envelope: Envelope) -> None:
    at = envelope.occurred_at
    values = {"unit_id": data.unit_id, "unit_name": data.unit_name, "active": isinstance(data, BindingApproved),
              "changed_at": at}
    await _upsert_newer(session, Membership, {"person_id": data.person_id}, values, Membership.changed_at < at)


@handlers.on("identity.integrity.recorded")
async def on_integrity_recorded(session: AsyncSession, data: IntegrityRecorded, _: Envelope) -> None:
    # A revocation that came first left a row without dates: fill them, keep it revoked.
    values = {"person_id": data.person_id, "ban_from": data.ban_from, "ban_until": data.ban_until}
    await session.execute(pg.insert(Ban).values(record_id=data.record_id, **values)
                          .on_conflict_do_update(index_elements=[Ban.record_id], set_=values))


@handlers.on("identity.integrity.revoked")
async def on_integrity_revoked(session: AsyncSession, data: IntegrityRevoked, _: Envelope) -> None:
    await session.execute(pg.insert(Ban).values(record_id=data.record_id, person_id=data.person_id, revoked=True)
                          .on_conflict_do_update(index_elements=[Ban.record_id], set_={"revoked": True}))


@handlers.on("units.unit.registered", "units.unit.updated")
async def on_unit(session: AsyncSession, data: UnitRegistered | UnitUpdated, envelope: Envelope) -> None:
    at = envelope.occurred_at
    values = {"name": data.name, "department_code": data.department_code, "changed_at": at}
    await _upsert_newer(session, Unit, {"id": data.unit_id}, values, Unit.changed_at < at)


@handlers.on("units.department.staff_added", "units.department.staff_removed")
async def on_department_staff(session: AsyncSession, data: DepartmentStaffAdded | DepartmentStaffRemoved,
                              envelope: Envelope) -> None:
    at = envelope.occurred_at
    values: dict[str, Any] = {"active": isinstance(data, DepartmentStaffAdded), "changed_at": at}
    if isinstance(data, DepartmentStaffAdded):
        values["department_name"] = data.department_name
    await _upsert_newer(session, DepartmentStaff, {"department_code": data.department_code,
                                                   "person_id": data.person_id}, values,
                        DepartmentStaff.changed_at < at)


@handlers.on("plans.stage.assignee_added", "plans.stage.assignee_removed")
async def on_stage_assignee(session: AsyncSession, data: StageAssigneeAdded | StageAssigneeRemoved,
                            envelope: Envelope) -> None:
    at = envelope.occurred_at
    await _upsert_newer(session, StageAssignee, {"plan_id": data.plan_id, "stage_id": data.stage_id,
                                                 "person_id": data.person_id},
                        {"active": isinstance(data, StageAssigneeAdded), "changed_at": at},
                        StageAssignee.changed_at < at)


@handlers.on("plans.organizer.admin_added", "plans.organizer.admin_removed")
async def on_organizer_admin(session: AsyncSession, data: OrganizerAdminAdded | OrganizerAdminRemoved,
                             envelope: Envelope) -> None:
    at = envelope.occurred_at
    await _upsert_newer(session, OrganizerAdmin, {"organizer_id": data.organizer_id, "person_id": data.person_id},
                        {"active": isinstance(data, OrganizerAdminAdded), "changed_at": at},
                        OrganizerAdmin.changed_at < at)


def consumers(db: Database, settings: ServiceSettings) -> list[Consumer]:
    return [handlers.consumer("applications.facts", db, settings)]

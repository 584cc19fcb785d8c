"""Person ↔ unit bindings and the unit's review of them.

A person has at most one pending request and one approved binding (the database enforces both).
Changing unit keeps the old binding in force until the new one is approved; the approval then
ends the old one in the same transaction. Nothing is deleted: the history stays."""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.units.access import acting_for, actor_name, get_unit
from services.units.models import Binding, Unit
from services.units.registration import PRODUCER
from services.units.schemas import STATUS_LABELS, BindingIn, BindingOut, MyUnit
from shared.auth import Principal
from shared.deps import PageParams
from shared.errors import Conflict, Forbidden, NotFound
from shared.events import record_event
from shared.events.catalogue import BindingApproved, BindingEnded, BindingRejected, BindingRequested, BindingWithdrawn
from shared.schemas import Paged


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def binding_out(b: Binding, unit_name: str) -> BindingOut:
    return BindingOut(id=b.id, person_id=b.person_id, person_name=b.person_name, id_number_masked=b.id_number_masked,
                      unit_id=b.unit_id, unit_name=unit_name, status=b.status, status_label=STATUS_LABELS[b.status],
                      note=b.note, requested_at=b.requested_at, decided_at=b.decided_at, decided_by=b.decided_by,
                      reject_reason=b.reject_reason, ended_at=b.ended_at, end_reason=b.end_reason)


async def request(db: AsyncSession, person: Principal, data: BindingIn) -> tuple[Binding, Unit]:
    unit = await get_unit(db, data.unit_id)
    current = await db.scalar(sa.select(Binding).where(Binding.person_id == person.id, Binding.status == "approved"))
    if current is not None and current.unit_id == unit.id:
        raise Conflict(f"您已绑定「{unit.name}」，无需重复申请", code="already_bound")
    binding = Binding(id=uuid.uuid4(), person_id=person.id, person_name=person.name or "",
                      id_number_masked=person.claims.get("id_number_masked", ""), unit_id=unit.id, note=data.note)
    try:
        async with db.begin_nested():  # a concurrent second request fails here, on the partial unique index
            db.add(binding)
            await db.flush()
    except IntegrityError:
        raise Conflict("您已有一条待审核的绑定申请，请等待单位审核或撤回后再申请", code="pending_exists") from None
    await record_event(db, PRODUCER, binding.id, BindingRequested(
        binding_id=binding.id, person_id=person.id, unit_id=unit.id, unit_name=unit.name, note=binding.note))
    return binding, unit


async def _binding(db: AsyncSession, binding_id: uuid.UUID) -> Binding:
    # FOR UPDATE: two reviewers deciding at once take turns, and the second sees the first's result.
    binding = await db.scalar(sa.select(Binding).where(Binding.id == binding_id).with_for_update())
    if binding is None:
        raise NotFound("未找到该绑定申请", code="binding_not_found")
    return binding


async def for_reviewer(db: AsyncSession, principal: Principal, binding_id: uuid.UUID) -> tuple[Binding, Unit]:
    binding = await _binding(db, binding_id)
    unit = await acting_for(db, principal, binding.unit_id)
    return binding, unit


def _must_be(binding: Binding, status: str, action: str) -> None:
    if binding.status != status:
        raise Conflict(f"该申请当前状态为「{STATUS_LABELS[binding.status]}」，不能{action}", code="wrong_status")


async def approve(db: AsyncSession, principal: Principal, binding_id: uuid.UUID) -> tuple[Binding, Unit]:
    binding, unit = await for_reviewer(db, principal, binding_id)
    if principal.kind == "person" and binding.person_id == principal.id:
        raise Forbidden("不能审核本人的绑定申请，请由单位其他经办人或法人审核", code="own_request")
    _must_be(binding, "pending", "通过")
    previous = await db.scalar(sa.select(Binding).where(Binding.person_id == binding.person_id,
                                                        Binding.status == "approved").with_for_update())
    if previous is not None:  # a change of unit: the old membership ends as the new one begins
        previous.status, previous.ended_at, previous.end_reason = "ended", _now(), f"变更单位至「{unit.name}」"
        await db.flush()
        old_unit = await get_unit(db, previous.unit_id)
        await record_event(db, PRODUCER, previous.id, BindingEnded(
            binding_id=previous.id, person_id=previous.person_id, unit_id=previous.unit_id,
            unit_name=old_unit.name, reason=previous.end_reason))
    binding.status, binding.decided_at, binding.decided_by = "approved", _now(), actor_name(principal, unit)
    await db.flush()
    await record_event(db, PRODUCER, binding.id, BindingApproved(
        binding_id=binding.id, person_id=binding.person_id, unit_id=unit.id, unit_name=unit.name,
        decided_by=binding.decided_by))
    return binding, unit


async def reject(db: AsyncSession, principal: Principal, binding_id: uuid.UUID, reason: str) -> tuple[Binding, Unit]:
    binding, unit = await for_reviewer(db, principal, binding_id)
    if principal.kind == "person" and binding.person_id == principal.id:
        raise Forbidden("不能审核本人的绑定申请", code="own_request")
    _must_be(binding, "pending", "退回")
    binding.status, binding.decided_at, binding.decided_by = "rejected", _now(), actor_name(principal, unit)
    binding.reject_reason = reason
    await db.flush()
    await record_event(db, PRODUCER, binding.id, BindingRejected(
        binding_id=binding.id, person_id=binding.person_id, unit_id=unit.id, unit_name=unit.name, reason=reason,
        decided_by=binding.decided_by))
    return binding, unit


async def end(db: AsyncSession, principal: Principal, binding_id: uuid.UUID, reason: str) -> tuple[Binding, Unit]:
    """The unit ends the membership of one of its staff (调离、离职…)."""
    binding, unit = await for_reviewer(db, principal, binding_id)
    _must_be(binding, "approved", "解除")
    binding.status, binding.ended_at, binding.end_reason = "ended", _now(), reason
    await db.flush()
    await record_event(db, PRODUCER, binding.id, BindingEnded(
        binding_id=binding.id, person_id=binding.person_id, unit_id=unit.id, unit_name=unit.name, reason=reason))
    return binding, unit


async def withdraw(db: AsyncSession, person: Principal, binding_id: uuid.UUID) -> tuple[Binding, Unit]:
    binding = await _binding(db, binding_id)
    if binding.person_id != person.id:
        raise NotFound("未找到该绑定申请", code="binding_not_found")
    _must_be(binding, "pending", "撤回")
    binding.status, binding.decided_at = "withdrawn", _now()
    await db.flush()
    unit = await get_unit(db, binding.unit_id)
    await record_event(db, PRODUCER, binding.id, BindingWithdrawn(
        binding_id=binding.id, person_id=binding.person_id, unit_id=unit.id, unit_name=unit.name))
    return binding, unit


async def mine(db: AsyncSession, person: Principal) -> MyUnit:
    rows = (await db.execute(
        sa.select(Binding, Unit.name).join(Unit, Unit.id == Binding.unit_id)
        .where(Binding.person_id == person.id).order_by(Binding.requested_at.desc())
    )).all()
    history = [binding_out(b, name) for b, name in rows]
    return MyUnit(current=next((b for b in history if b.status == "approved"), None),
                  pending=next((b for b in history if b.status == "pending"), None), history=history)


async def of_unit(db: AsyncSession, unit: Unit, status: str | None, page: PageParams) -> Paged[BindingOut]:
    where = [Binding.unit_id == unit.id, *([Binding.status == status] if status else [])]
    total = await db.scalar(sa.select(sa.func.count()).select_from(Binding).where(*where))
    order = Binding.requested_at.asc() if status == "pending" else Binding.requested_at.desc()
    rows = (await db.scalars(sa.select(Binding).where(*where).order_by(order, Binding.id)
                             .offset(page.offset).limit(page.page_size))).all()
    return Paged(items=[binding_out(b, unit.name) for b in rows], total=total or 0, page=page.page,
                 page_size=page.page_size)


async def visible(db: AsyncSession, principal: Principal, binding_id: uuid.UUID) -> BindingOut:
    """The owner, and the unit's reviewers, may see a binding; anyone else is told it is not there."""
    binding = await db.get(Binding, binding_id)
    if binding is None:
        raise NotFound("未找到该绑定申请", code="binding_not_found")
    if not (principal.kind == "person" and binding.person_id == principal.id):
        try:
            await acting_for(db, principal, binding.unit_id)
        except Forbidden:
            raise NotFound("未找到该绑定申请", code="binding_not_found") from None
    return binding_out(binding, (await get_unit(db, binding.unit_id)).name)

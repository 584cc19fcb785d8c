"""Registration, the profile a person may edit, and roles."""
from __future__ import annotations

import uuid
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.identity.models import Person, PersonUnit, RoleGrant, Session, UnitReviewer
from services.identity.schemas import ProfileUpdate, RegistrationForm, RegistrationIn
from shared.auth import ROLES
from shared.errors import AppError, Conflict, InvalidField, NotFound
from shared.events import record_event
from shared.events.catalogue import AccessChanged, PersonRegistered, PersonUpdated
from shared.idnumbers import InvalidNumber, mask_id_number, parse_id_number

PRODUCER = "identity"
FIXED_FIELDS = {"name": "姓名", "id_number": "身份证号码", "gender": "性别", "birth_date": "出生年月"}


def registration_form(session: Session) -> RegistrationForm:
    claims = session.sso_claims
    try:
        facts, error = parse_id_number(claims.get("id_number", "")), None
    except InvalidNumber as exc:
        facts, error = None, str(exc)
    return RegistrationForm(name=claims.get("name", ""), id_number=claims.get("id_number", ""),
                            gender=facts.gender if facts else None, birth_date=facts.birth_date if facts else None,
                            id_number_error=error, mobile=claims.get("phone"))


async def register(db: AsyncSession, session: Session, data: RegistrationIn) -> Person:
    """Turn a pending 闽政通 session into a registered person; the session becomes theirs."""
    claims = session.sso_claims
    for field in ("name", "id_number"):
        given = getattr(data, field)
        if given is not None and given.strip().upper() != str(claims.get(field, "")).upper():
            raise InvalidField(field, "来自闽政通，不可修改")
    try:
        facts = parse_id_number(claims.get("id_number", ""))
    except InvalidNumber as exc:
        raise InvalidField("id_number", f"{exc}。该号码来自闽政通，请联系闽政通核实后再登录") from None
    if await db.scalar(sa.select(Person.id).where(Person.id_number == facts.number)):
        raise Conflict("该身份证号码已注册，请重新登录", code="already_registered")
    person = Person(id=uuid.uuid4(), id_number=facts.number, name=claims["name"], gender=facts.gender,
                    birth_date=facts.birth_date, mobile=data.mobile, address=data.address,
                    email=str(data.email) if data.email else None)
    db.add(person)
    try:
        await db.flush()
    except IntegrityError:  # the same person registering twice at once
        raise Conflict("该身份证号码已注册，请重新登录", code="already_registered") from None
    session.kind, session.person_id, session.sso_claims = "person", person.id, {}
    await record_event(db, PRODUCER, person.id, PersonRegistered(
        person_id=person.id, name=person.name, gender=person.gender, birth_date=person.birth_date,
        id_number_masked=mask_id_number(person.id_number), mobile=person.mobile))
    return person


async def update_profile(db: AsyncSession, person_id: uuid.UUID, data: ProfileUpdate) -> Person:
    attempted = [label for field, label in FIXED_FIELDS.items() if field in (data.model_extra or {})]
    if attempted:
        raise AppError(f"{'、'.join(attempted)}为不可更改项", code="immutable_field", status_code=422,
                       errors=[{"field": f, "label": FIXED_FIELDS[f], "message": "不可更改"}
                               for f in FIXED_FIELDS if f in (data.model_extra or {})])
    person = await get_person(db, person_id)
    person.mobile, person.address = data.mobile, data.address
    person.email = str(data.email) if data.email else None
    await db.flush()
    await record_event(db, PRODUCER, person.id, PersonUpdated(
        person_id=person.id, mobile=person.mobile, address=person.address, email=person.email))
    return person


async def get_person(db: AsyncSession, person_id: uuid.UUID) -> Person:
    person = await db.get(Person, person_id)
    if person is None:
        raise NotFound("未找到该人员")
    return person


async def person_by_id_number(db: AsyncSession, id_number: str) -> Person:
    person = await db.scalar(sa.select(Person).where(Person.id_number == id_number.strip().upper()))
    if person is None:
        raise NotFound("未找到该身份证号码对应的注册人员", code="person_not_found")
    return person


class Standing(NamedTuple):
    person: Person
    roles: list[str]
    units: list[uuid.UUID]  # reviewed for as 经办人
    bound: PersonUnit | None  # the unit the person belongs to now, as units last said


async def standing(db: AsyncSession, person_id: uuid.UUID) -> Standing:
    """A person with their roles (granted, plus the implicit ones: everyone applies; a unit's 经办人
    is a unit_admin), the units they review for and their unit: one statement (asked by 个人首页 and
    at every token; each statement costs the service far more than the database)."""
    granted = sa.select(sa.func.array_agg(RoleGrant.role)).where(RoleGrant.person_id == Person.id)
    reviews = sa.select(sa.func.array_agg(UnitReviewer.unit_id)).where(UnitReviewer.person_id == Person.id,
                                                                      UnitReviewer.active)
    row = (await db.execute(sa.select(Person, PersonUnit, granted.scalar_subquery().label("granted"),
                                      reviews.scalar_subquery().label("reviews"))
                            .join(PersonUnit, PersonUnit.person_id == Person.id, isouter=True)
                            .where(Person.id == person_id))).first()
    if row is None:
        raise NotFound("未找到该人员")
    units = list(row.reviews or [])
    roles = sorted({"applicant", *(row.granted or []), *(["unit_admin"] if units else [])})
    bound = row.PersonUnit if row.PersonUnit is not None and row.PersonUnit.active else None
    return Standing(row.Person, roles, units, bound)


async def grant_role(db: AsyncSession, id_number: str, role: str, granted_by: str) -> Person:
    if role not in ROLES or role in ("applicant", "unit_admin"):
        raise InvalidField("role", "只能授予 operator、plan_admin 或 expert")
    person = await person_by_id_number(db, id_number)
    await db.execute(sa.dialects.postgresql.insert(RoleGrant)
                     .values(person_id=person.id, role=role, granted_by=granted_by).on_conflict_do_nothing())
    await record_event(db, PRODUCER, person.id, AccessChanged(subject=person.id))
    return person


async def revoke_role(db: AsyncSession, id_number: str, role: str) -> Person:
    person = await person_by_id_number(db, id_number)
    await db.execute(sa.delete(RoleGrant).where(RoleGrant.person_id == person.id, RoleGrant.role == role))
    await record_event(db, PRODUCER, person.id, AccessChanged(subject=person.id))
    return person

"""identity's HTTP API: /api/identity/* (public, through the gateway), /internal/* (services
only) and the JWKS."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.identity import integrity, people
from services.identity.deps import DbSession, ReadSession, Settings
from services.identity.models import UnitAccount
from services.identity.schemas import (
    BanStatus,
    IntegrityIn,
    IntegrityOut,
    PendingOut,
    PersonOut,
    PersonRef,
    ProfileUpdate,
    RegistrationForm,
    RegistrationIn,
    RevocationsOut,
    TokenOut,
    TokenRequest,
    UnitAccountOut,
)
from services.identity.sessions import live_session, revocations_since, session_by_id, subject_of
from services.identity.tokens import access_claims
from shared import clock
from shared.auth import (
    CurrentPerson,
    CurrentPrincipal,
    InternalCaller,
    Operator,
    Principal,
)
from shared.errors import Forbidden
from shared.idnumbers import mask_id_number

api = APIRouter(prefix="/api/identity", tags=["identity"])
internal = APIRouter(prefix="/internal", tags=["internal"])
wellknown = APIRouter(tags=["keys"])

# The gateway drops its cached access token when it sees this (the session changed kind).
SESSION_CHANGED = "X-Session-Changed"


async def person_out(db: DbSession, person_id: uuid.UUID) -> PersonOut:
    person, roles, _, bound = await people.standing(db, person_id)
    return PersonOut(id=person.id, name=person.name, id_number_masked=mask_id_number(person.id_number),
                     gender=person.gender, birth_date=person.birth_date, mobile=person.mobile,
                     address=person.address, email=person.email, roles=roles, registered_at=person.registered_at,
                     unit_id=bound.unit_id if bound else None, unit_name=bound.unit_name if bound else None)


@wellknown.get("/.well-known/jwks.json", summary="公钥（JWKS）")
async def jwks(request: Request, db: DbSession) -> dict:
    ring = request.app.state.keyring
    await ring.load(db)
    return ring.jwks()


@api.get("/me", summary="当前登录者", response_model=PersonOut | UnitAccountOut | PendingOut)
async def me(principal: CurrentPrincipal, db: ReadSession) -> PersonOut | UnitAccountOut | PendingOut:
    if principal.kind == "person":
        return await person_out(db, principal.id)
    if principal.kind == "unit":
        account = await db.get(UnitAccount, principal.id)
        return UnitAccountOut(id=account.id, unit_name=account.unit_name, credit_code=account.credit_code,
                              legal_person_name=account.legal_person_name, roles=["unit_admin"],
                              unit_id=account.unit_id)
    return PendingOut(name=principal.name)


def _pending(principal: Principal) -> None:
    if principal.kind != "pending":
        raise Forbidden("您已完成注册", code="already_registered")


@api.get("/registration", summary="注册页面信息（来自闽政通，只读）")
async def registration_form(principal: CurrentPrincipal, db: DbSession) -> RegistrationForm:
    _pending(principal)
    return people.registration_form(await session_by_id(db, principal.session_id))


@api.post("/registration", status_code=201, summary="完成注册")
async def register(data: RegistrationIn, principal: CurrentPrincipal, db: DbSession, response: Response) -> PersonOut:
    _pending(principal)
    person = await people.register(db, await session_by_id(db, principal.session_id), data)
    response.headers[SESSION_CHANGED] = "1"
    return await person_out(db, person.id)


@api.patch("/me", summary="修改可修改的个人信息")
async def update_me(data: ProfileUpdate, principal: CurrentPerson, db: DbSession) -> PersonOut:
    person = await people.update_profile(db, principal.id, data)
    return await person_out(db, person.id)


@api.post("/integrity-records", status_code=201, summary="记录诚信档案（运维人员）")
async def record_integrity(data: IntegrityIn, operator: Operator, db: DbSession) -> IntegrityOut:
    return IntegrityOut.model_validate(await integrity.record(db, data, recorded_by=operator.subject))


@api.get("/integrity-records", summary="查询某人的诚信档案（运维人员）")
async def list_integrity(person_id: uuid.UUID, _: Operator, db: DbSession) -> list[IntegrityOut]:
    return [IntegrityOut.model_validate(r) for r in await integrity.records_of(db, person_id)]


@api.post("/integrity-records/{record_id}/revoke", summary="撤销诚信档案记录（运维人员）")
async def revoke_integrity(record_id: uuid.UUID, operator: Operator, db: DbSession) -> IntegrityOut:
    return IntegrityOut.model_validate(await integrity.revoke(db, record_id, revoked_by=operator.subject))


@internal.get("/persons/{person_id}/application-ban", summary="某日是否处于禁止申报期")
async def application_ban(person_id: uuid.UUID, _: InternalCaller, db: DbSession,
                          on: Annotated[dt.date | None, Query()] = None) -> BanStatus:
    day = on or clock.today()
    records = await integrity.bans_on(db, person_id, day)
    return BanStatus(person_id=person_id, on=day, banned=bool(records),
                     records=[IntegrityOut.model_validate(r) for r in records])


@internal.post("/sessions/token", summary="用会话换取短期访问令牌（网关）")
async def session_token(data: TokenRequest, _: InternalCaller, request: Request, db: DbSession,
                        settings: Settings) -> TokenOut:
    session = await live_session(db, data.session_token)
    subject = await subject_of(db, session)
    ring = request.app.state.keyring
    await ring.load(db)
    lifetime = min(settings.access_token_seconds,
                   int((session.expires_at - dt.datetime.now(dt.UTC)).total_seconds()))
    claims = access_claims(issuer=settings.platform.jwt_issuer, audience=settings.platform.jwt_audience,
                           subject=subject.id, kind=subject.kind, roles=subject.roles, session_id=session.id,
                           name=subject.name, lifetime_seconds=lifetime, extra=subject.extra)
    return TokenOut(access_token=ring.sign(claims), expires_in=lifetime, kind=subject.kind)


@internal.get("/revocations", summary="某时刻以来结束的会话与权限变更（各服务拒绝相应的访问令牌）")
async def revocations(since: dt.datetime, _: InternalCaller, db: DbSession) -> RevocationsOut:
    return await revocations_since(db, since)


@internal.get("/persons/lookup", summary="按身份证号码查找已注册人员（单位指定经办人）")
async def lookup_person(id_number: str, _: InternalCaller, db: DbSession) -> PersonRef:
    person = await people.person_by_id_number(db, id_number)
    return PersonRef(id=person.id, name=person.name, id_number_masked=mask_id_number(person.id_number))

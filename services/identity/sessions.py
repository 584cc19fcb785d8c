"""Browser sessions: created at the end of a 闽政通 login, exchanged by the gateway for
short-lived access tokens, ended at logout."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.identity.models import Session, UnitAccount
from services.identity.people import PRODUCER, standing
from services.identity.schemas import RevocationsOut
from shared.errors import Unauthorized
from shared.events import record_event
from shared.events.catalogue import SessionEnded
from shared.events.outbox import outbox
from shared.idnumbers import mask_id_number
from shared.revocations import ROUTING_KEYS as REVOCATION_EVENTS


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_session(db: AsyncSession, *, kind: str, hours: int, person_id: uuid.UUID | None = None,
                         unit_account_id: uuid.UUID | None = None, sso_claims: dict[str, Any] | None = None) -> str:
    """Returns the session secret (the cookie value); only its hash is kept."""
    token = secrets.token_urlsafe(32)
    db.add(Session(token_hash=_hash(token), kind=kind, person_id=person_id, unit_account_id=unit_account_id,
                   sso_claims=sso_claims or {}, expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)))
    await db.flush()
    return token


async def live_session(db: AsyncSession, token: str) -> Session:
    session = await db.scalar(sa.select(Session).where(Session.token_hash == _hash(token)))
    if session is None or session.revoked_at is not None or session.expires_at <= dt.datetime.now(dt.UTC):
        raise Unauthorized("登录已失效，请重新登录", code="session_expired")
    return session


async def session_by_id(db: AsyncSession, session_id: str | uuid.UUID) -> Session:
    session = await db.get(Session, uuid.UUID(str(session_id)))
    if session is None or session.revoked_at is not None or session.expires_at <= dt.datetime.now(dt.UTC):
        raise Unauthorized("登录已失效，请重新登录", code="session_expired")
    return session


async def revoke_session(db: AsyncSession, token: str) -> None:
    """End the session; every service then refuses the access tokens issued for it."""
    ended = (await db.execute(
        sa.update(Session).where(Session.token_hash == _hash(token), Session.revoked_at.is_(None))
        .values(revoked_at=dt.datetime.now(dt.UTC))
        .returning(Session.id, Session.person_id, Session.unit_account_id))).first()
    if ended is not None:
        subject = ended.person_id or ended.unit_account_id or ended.id
        await record_event(db, PRODUCER, subject, SessionEnded(session_id=ended.id))


async def revocations_since(db: AsyncSession, since: dt.datetime) -> RevocationsOut:
    """Sessions ended and access changed since then, from identity's log of its own events."""
    rows = (await db.execute(sa.select(outbox.c.type, outbox.c.envelope).where(
        outbox.c.type.in_(REVOCATION_EVENTS), outbox.c.created_at >= since).order_by(outbox.c.created_at))).all()
    envelopes = [(r.type, r.envelope) for r in rows]
    return RevocationsOut(
        ended_sessions=[{"session_id": e["data"]["session_id"], "at": e["occurred_at"]}
                        for t, e in envelopes if t == "identity.session.ended"],
        access_changed=[{"subject": e["data"]["subject"], "at": e["occurred_at"]}
                        for t, e in envelopes if t == "identity.access.changed"])


@dataclass
class Subject:
    """What an access token for a session says: who, what kind, which roles, and for which units
    they act, so that every service can authorise from the token alone."""

    id: str
    kind: str
    roles: list[str]
    name: str | None
    extra: dict[str, Any] = field(default_factory=dict)


async def subject_of(db: AsyncSession, session: Session) -> Subject:
    if session.kind == "person":
        person, roles, units, bound = await standing(db, session.person_id)
        return Subject(str(person.id), "person", roles, person.name, {
            "units": [str(u) for u in units], "unit_id": str(bound.unit_id) if bound else None,
            "id_number_masked": mask_id_number(person.id_number)})
    if session.kind == "unit":
        account = await db.get(UnitAccount, session.unit_account_id)
        return Subject(str(account.id), "unit", ["unit_admin"], account.unit_name, {
            "units": [str(account.unit_id)] if account.unit_id else [], "credit_code": account.credit_code,
            "legal_person_name": account.legal_person_name})
    return Subject(str(session.id), "pending", [], session.sso_claims.get("name"))


async def prune_sessions(sessionmaker: async_sessionmaker[AsyncSession], *,
                         older_than: dt.timedelta = dt.timedelta(days=30)) -> int:
    """Forget sessions that ended (expired or logged out) long ago."""
    cutoff = dt.datetime.now(dt.UTC) - older_than
    async with sessionmaker() as db, db.begin():
        result = await db.execute(sa.delete(Session).where(
            sa.or_(Session.expires_at < cutoff, Session.revoked_at < cutoff)))
        return result.rowcount

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import declarative_base, utcnow

Base = declarative_base()


class Person(Base):
    """A registered person. Name, identity number, gender and birth date never change (a
    database trigger refuses it too, whatever code path tries)."""

    __tablename__ = "persons"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    id_number: Mapped[str] = mapped_column(sa.String(18), unique=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    gender: Mapped[str] = mapped_column(sa.String(6))
    birth_date: Mapped[dt.date]
    mobile: Mapped[str] = mapped_column(sa.String(20))
    address: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(120))
    registered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class UnitAccount(Base):
    """A unit's legal-person account as 闽政通 knows it (the unit itself lives in units)."""

    __tablename__ = "unit_accounts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    credit_code: Mapped[str] = mapped_column(sa.String(18), unique=True)
    unit_name: Mapped[str] = mapped_column(sa.String(200))
    legal_person_name: Mapped[str] = mapped_column(sa.String(50))
    # Set once the legal person registered the unit in units (units.unit.registered).
    unit_id: Mapped[uuid.UUID | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PersonUnit(Base):
    """Read model: the unit a person is bound to (units.binding.approved / ended). The row keeps
    the time of the fact it reflects, so that events handled out of order (they may be) never
    let an older fact overwrite a newer one; an ended membership stays as ``active = false``."""

    __tablename__ = "person_units"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True)
    binding_id: Mapped[uuid.UUID]
    unit_id: Mapped[uuid.UUID]
    unit_name: Mapped[str] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class UnitReviewer(Base):
    """Read model: the units a person reviews for as 经办人 (units.reviewer.added / removed),
    ordered by the facts' times like PersonUnit."""

    __tablename__ = "unit_reviewers"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=sa.func.now())


class RoleGrant(Base):
    """Roles beyond the implicit ones (every person is an applicant, every unit account a
    unit_admin): operator, plan_admin, expert (评审专家)."""

    __tablename__ = "role_grants"

    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    granted_by: Mapped[str] = mapped_column(sa.String(100))
    granted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Session(Base):
    """A browser session. Only the hash of its secret is stored; the secret is the cookie."""

    __tablename__ = "sessions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # person | unit | pending (must register first)
    person_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    unit_account_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("unit_accounts.id", ondelete="CASCADE"))
    # What 闽政通 said about a person who has not registered yet.
    sso_claims: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class SigningKey(Base):
    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    private_jwk: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(default=True)


class IntegrityRecord(Base):
    """诚信档案: a finding against a person, with the period in which they may not apply."""

    __tablename__ = "integrity_records"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(500))
    ban_from: Mapped[dt.date]
    ban_until: Mapped[dt.date]
    recorded_by: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(sa.String(100))

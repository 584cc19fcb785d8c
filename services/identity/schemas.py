from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from shared.errors import register_labels

register_labels({"record_id": "诚信档案记录", "on": "日期", "session_token": "会话", "since": "起始时间"})

MOBILE_PATTERN = r"^1[3-9]\d{9}$"


class ContactIn(BaseModel):
    """What a person may enter and later change."""

    mobile: str = Field(title="手机号码", pattern=MOBILE_PATTERN)
    address: str = Field(title="联系地址", min_length=2, max_length=200)
    email: EmailStr | None = Field(default=None, title="电子邮箱")

    @field_validator("email", mode="before")
    @classmethod
    def _blank_email_is_none(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("address", mode="before")
    @classmethod
    def _strip(cls, v: object) -> object:
        return v.strip() if isinstance(v, str) else v


class RegistrationIn(ContactIn):
    # Echoed from the form; they must equal what 闽政通 said (they are not editable).
    name: str | None = None
    id_number: str | None = None
    # 是否选择单位: binding to a unit happens in the units service.
    choose_unit: bool = False


class ProfileUpdate(ContactIn):
    model_config = ConfigDict(extra="allow")  # so that an attempt on a fixed field is named, not ignored


class RegistrationForm(BaseModel):
    """What the registration page shows: read-only facts from 闽政通 and the derived ones."""

    name: str
    id_number: str
    gender: Literal["male", "female"] | None
    birth_date: dt.date | None
    id_number_error: str | None
    mobile: str | None


class PersonOut(BaseModel):
    kind: Literal["person"] = "person"
    id: uuid.UUID
    name: str
    id_number_masked: str
    gender: Literal["male", "female"]
    birth_date: dt.date
    mobile: str
    address: str
    email: str | None
    roles: list[str]
    registered_at: dt.datetime
    unit_id: uuid.UUID | None = None
    unit_name: str | None = None


class PersonRef(BaseModel):
    id: uuid.UUID
    name: str
    id_number_masked: str


class UnitAccountOut(BaseModel):
    kind: Literal["unit"] = "unit"
    id: uuid.UUID
    unit_name: str
    credit_code: str
    legal_person_name: str
    roles: list[str]
    unit_id: uuid.UUID | None = None


class PendingOut(BaseModel):
    kind: Literal["pending"] = "pending"
    name: str | None


class IntegrityIn(BaseModel):
    id_number: str = Field(title="身份证号码", min_length=18, max_length=18)
    reason: str = Field(title="原因", min_length=2, max_length=500)
    ban_from: dt.date = Field(title="禁止申报起始日期")
    ban_until: dt.date = Field(title="禁止申报截止日期")


class IntegrityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    person_id: uuid.UUID
    reason: str
    ban_from: dt.date
    ban_until: dt.date
    recorded_by: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class BanStatus(BaseModel):
    person_id: uuid.UUID
    on: dt.date
    banned: bool
    records: list[IntegrityOut]


class TokenRequest(BaseModel):
    session_token: str = Field(min_length=10, max_length=200)


class EndedSession(BaseModel):
    session_id: uuid.UUID
    at: dt.datetime


class AccessChange(BaseModel):
    subject: uuid.UUID
    at: dt.datetime


class RevocationsOut(BaseModel):
    """What every service must refuse in access tokens (see shared.revocations)."""

    ended_sessions: list[EndedSession]
    access_changed: list[AccessChange]


class TokenOut(BaseModel):
    access_token: str
    expires_in: int
    kind: str

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.errors import register_labels

register_labels({"unit_id": "工作单位", "note": "申请说明", "credit_code": "统一社会信用代码", "address": "单位地址",
                 "contact_name": "联系人", "contact_phone": "联系电话", "department_code": "主管部门", "q": "单位名称",
                 "reason": "原因", "binding_id": "绑定申请", "status": "申请状态", "code": "主管部门",
                 "person_id": "人员"})

PHONE_PATTERN = r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$"
BindingStatus = Literal["pending", "approved", "rejected", "ended", "withdrawn"]
STATUS_LABELS = {"pending": "待单位审核", "approved": "已通过", "rejected": "已退回", "ended": "已解除", "withdrawn": "已撤回"}


class _Trimmed(BaseModel):
    @field_validator("*", mode="before")
    @classmethod
    def _strip(cls, v: object) -> object:
        return v.strip() if isinstance(v, str) else v


class UnitUpdate(_Trimmed):
    address: str = Field(min_length=2, max_length=200)
    contact_name: str = Field(min_length=2, max_length=50)
    contact_phone: str = Field(pattern=PHONE_PATTERN)
    department_code: str = Field(min_length=1, max_length=20)


class UnitIn(UnitUpdate):
    name: str = Field(min_length=2, max_length=200)
    credit_code: str = Field(min_length=18, max_length=18)


class Department(BaseModel):
    code: str
    name: str


class UnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    credit_code: str
    address: str
    contact_name: str
    contact_phone: str
    department_code: str
    department_name: str
    legal_person_name: str
    registered_at: dt.datetime


class UnitBrief(BaseModel):
    """What anyone searching for a unit sees."""

    id: uuid.UUID
    name: str
    department_name: str
    address: str


class BindingIn(_Trimmed):
    unit_id: uuid.UUID
    note: str = Field(min_length=2, max_length=500)


class ReasonIn(_Trimmed):
    reason: str = Field(min_length=2, max_length=500)


class BindingOut(BaseModel):
    id: uuid.UUID
    person_id: uuid.UUID
    person_name: str
    id_number_masked: str
    unit_id: uuid.UUID
    unit_name: str
    status: BindingStatus
    status_label: str
    note: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by: str | None
    reject_reason: str | None
    ended_at: dt.datetime | None
    end_reason: str | None


class MyUnit(BaseModel):
    """A person's view: where they belong now, and what they asked for."""

    current: BindingOut | None
    pending: BindingOut | None
    history: list[BindingOut]


class ReviewerIn(_Trimmed):
    id_number: str = Field(min_length=18, max_length=18, title="身份证号码")


class ReviewerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    person_id: uuid.UUID
    name: str
    id_number_masked: str
    added_at: dt.datetime


class DepartmentStaffIn(BaseModel):
    person_id: uuid.UUID


class DepartmentStaffOut(BaseModel):
    department_code: str
    person_id: uuid.UUID
    name: str
    id_number_masked: str
    added_by: str
    added_at: dt.datetime


class PersonOut(BaseModel):
    """A registered person as an operator finds them by name."""

    id: uuid.UUID
    name: str
    id_number_masked: str

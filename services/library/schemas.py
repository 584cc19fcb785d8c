from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.entry_types import ENTRY_TYPES
from shared.errors import register_labels

register_labels({"type": "业绩类型", "fields": "填报内容", "attachment_ids": "附件", "entry_ids": "业绩",
                 "reason": "退回原因", "entry_id": "业绩", "unit_id": "审核单位", "status": "审核状态", "action": "审核结果"})

# An entry's field is named as its form names it, where every type that has it agrees on the name.
_FIELD_NAMES: dict[str, set[str]] = {}
for _kind in ENTRY_TYPES.values():
    for _spec in _kind.fields:
        _FIELD_NAMES.setdefault(_spec.code, set()).add(_spec.label)
register_labels({f"fields.{code}": next(iter(names)) for code, names in _FIELD_NAMES.items() if len(names) == 1})

EntryStatus = Literal["draft", "submitted", "approved", "returned"]
STATUS_LABELS = {"draft": "草稿", "submitted": "待单位审核", "approved": "已通过", "returned": "已退回"}


class EntryIn(BaseModel):
    type: str = Field(max_length=40)
    fields: dict[str, Any]
    attachment_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)


class EntryUpdate(BaseModel):
    fields: dict[str, Any]
    attachment_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)


class ReasonIn(BaseModel):
    reason: str = Field(min_length=2, max_length=500)


class BatchDecision(BaseModel):
    entry_ids: list[uuid.UUID] = Field(min_length=1, max_length=100)
    action: Literal["approve", "return"]
    reason: str | None = Field(default=None, max_length=500)


class ApprovedVersion(BaseModel):
    version: int
    fields: dict[str, Any]
    attachment_ids: list[uuid.UUID]
    approved_at: dt.datetime
    approved_by: str


class EntryOut(BaseModel):
    id: uuid.UUID
    owner_id: uuid.UUID
    owner_name: str
    owner_id_number_masked: str
    type: str
    type_name: str
    title: str
    status: EntryStatus
    status_label: str
    version: int
    fields: dict[str, Any]
    attachment_ids: list[uuid.UUID]
    unit_id: uuid.UUID | None
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    decided_by: str | None
    return_reason: str | None
    approved: ApprovedVersion | None  # importable even while a newer version is being edited
    created_at: dt.datetime
    updated_at: dt.datetime


class TypeStats(BaseModel):
    type: str
    type_name: str
    counts: dict[str, int]  # status → count
    total: int


class FieldSpecOut(BaseModel):
    code: str
    label: str
    type: str
    required: bool
    choices: list[str]


class EntryTypeOut(BaseModel):
    code: str
    name: str
    series: str | None
    fields: list[FieldSpecOut]

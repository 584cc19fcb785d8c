from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from shared.errors import register_labels

register_labels({"file": "文件", "kind": "附件类型", "display_name": "附件名称", "kept": "保存到我的附件",
                 "file_ids": "附件", "owner_id": "申报人", "unit_id": "审核单位", "lock": "锁定", "public": "公开",
                 "ttl_seconds": "链接有效期", "ref": "引用记录", "download": "下载", "token": "查看链接", "file_id": "附件", "ids": "附件",
                 "label": "引用记录名称", "application_id": "申报", "kinds": "文书类型"})

# What a claim's ref looks like: "<service>:<record>:<id>[:…]", e.g. "library:entry:<uuid>:v2".
REF_PATTERN = r"^[a-z][a-z_]*:[A-Za-z0-9_.:-]{1,190}$"


class Kind(BaseModel):
    code: str
    label: str


class FileOut(BaseModel):
    id: uuid.UUID
    owner_id: uuid.UUID
    kind: str
    kind_label: str
    display_name: str
    content_type: str
    size: int
    sha256: str
    has_thumbnail: bool
    created_at: dt.datetime
    # Referenced by an entry under review or approved, or a submitted application: it cannot be deleted.
    locked: bool
    # Some record (entry, application, plan…) refers to it.
    referenced: bool
    # The records that use it, as their services name them (e.g. 业绩库：发表论文《…》); the owner's view only.
    used_by: list[str] = []
    # Kept in the owner's 我的附件 until they delete it.
    kept: bool
    # When the clean-up will delete it if nothing refers to it by then; null when it stays.
    cleanup_at: dt.datetime | None


class FileChange(BaseModel):
    """PATCH: rename (附件名称) and/or keep it in 我的附件."""

    display_name: str | None = Field(None, max_length=1000)  # 1–100 once trimmed: validation.display_name
    kept: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> FileChange:
        if self.display_name is None and self.kept is None:
            raise ValueError("请填写新的附件名称")
        return self


class LinkOut(BaseModel):
    url: str
    expires_at: dt.datetime


# At most this many files per POST /internal/files/links (an application has far fewer).
LINKS_MAX = 500


class LinksIn(BaseModel):
    """Short-lived links to files that ``ref`` claims, for the people its service lets see the record."""

    ref: str = Field(pattern=REF_PATTERN, max_length=200)
    file_ids: list[uuid.UUID] = Field(max_length=LINKS_MAX)
    ttl_seconds: int | None = Field(None, ge=1, le=3600)


GENERATED_KINDS = ("review_form", "exceptional_form", "transfer_form", "admission_ticket", "certificate")


class GeneratedLinksIn(BaseModel):
    """Links to an application's latest generated PDFs, for the people applications lets see it."""

    application_id: uuid.UUID
    kinds: list[Literal[GENERATED_KINDS]] | None = Field(None, max_length=5)  # type: ignore[valid-type]
    ttl_seconds: int | None = Field(None, ge=1, le=3600)


class GeneratedLink(BaseModel):
    kind: str
    kind_label: str
    url: str
    pages: int
    size: int
    created_at: dt.datetime
    expires_at: dt.datetime


class RenderProgress(BaseModel):
    """A PDF being made: ``label`` says where (正在排版第 7 页…)."""
    kind: str
    kind_label: str
    step: int
    page: int | None
    label: str
    started_at: dt.datetime
    updated_at: dt.datetime


class GeneratedLinks(BaseModel):
    items: list[GeneratedLink]
    rendering: list[RenderProgress]


class FileLink(BaseModel):
    file_id: uuid.UUID
    name: str
    kind: str
    kind_label: str
    content_type: str
    size: int
    has_thumbnail: bool
    url: str
    # A link to the JPEG preview, for <img src>; null when the file has none (PDF, OFD).
    thumbnail_url: str | None
    expires_at: dt.datetime


class ClaimIn(BaseModel):
    owner_id: uuid.UUID
    file_ids: list[uuid.UUID] = Field(max_length=200)
    unit_id: uuid.UUID | None = None
    lock: bool = False
    public: bool = False
    # How the record is named to the owner in 我的附件, e.g. 业绩库：发表论文《…》.
    label: str | None = Field(None, max_length=200)


class ClaimOut(ClaimIn):
    ref: str

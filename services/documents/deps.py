"""Typed dependencies of documents' handlers."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Request

from services.documents.settings import DocumentsSettings
from services.documents.storage import ObjectStore
from shared.deps import DbSession, Page, ReadSession

__all__ = ["DbSession", "Grace", "Page", "ReadSession", "Settings", "Store"]


async def _store(request: Request) -> ObjectStore:
    return request.app.state.store


async def _settings(request: Request) -> DocumentsSettings:
    return request.app.state.settings


async def _grace(request: Request) -> dt.timedelta:
    return dt.timedelta(hours=request.app.state.settings.orphan_grace_hours)


Store = Annotated[ObjectStore, Depends(_store)]
Settings = Annotated[DocumentsSettings, Depends(_settings)]
# How long an unreferenced file stays (FileOut.cleanup_at).
Grace = Annotated[dt.timedelta, Depends(_grace)]

"""Typed dependencies of applications' handlers."""
from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Depends, Header, Request

from shared.deps import DbSession, Page, ReadSession

__all__ = ["DbSession", "Documents", "Identity", "IfMatch", "Page", "ReadSession"]


async def _documents(request: Request) -> httpx.AsyncClient:
    return request.app.state.documents


async def _identity(request: Request) -> httpx.AsyncClient:
    return request.app.state.identity


# identity's internal API (the experts an import names by 身份证号).
Identity = Annotated[httpx.AsyncClient, Depends(_identity)]
# documents' internal API (claims on the files an application uses).
Documents = Annotated[httpx.AsyncClient, Depends(_documents)]
# The version a save was made on (the ETag of the GET); required by every change.
IfMatch = Annotated[str | None, Header(alias="If-Match", description="申报的版本号（读取时的 ETag）")]

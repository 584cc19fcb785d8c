"""Typed dependencies of plans' handlers."""
from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Depends, Request

from shared.auth import Principal, bearer_token, current_principal
from shared.deps import DbSession, Page, ReadSession

__all__ = ["DbSession", "Documents", "MaybePrincipal", "Page", "ReadSession"]


async def _maybe_principal(request: Request) -> Principal | None:
    # Published plans are public (首页 lists them to visitors); a token, when sent, must be valid.
    return await current_principal(request) if bearer_token(request) else None


MaybePrincipal = Annotated[Principal | None, Depends(_maybe_principal)]


async def _documents(request: Request) -> httpx.AsyncClient:
    return request.app.state.documents


# documents' internal API (claims on plan attachments).
Documents = Annotated[httpx.AsyncClient, Depends(_documents)]

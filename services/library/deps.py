"""Typed dependencies of library's handlers."""
from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Depends, Request

from shared.deps import DbSession, Page, ReadSession

__all__ = ["DbSession", "Documents", "Page", "ReadSession"]


async def _documents(request: Request) -> httpx.AsyncClient:
    return request.app.state.documents


# documents' internal API (claims on attachments).
Documents = Annotated[httpx.AsyncClient, Depends(_documents)]

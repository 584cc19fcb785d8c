"""Typed dependencies of units' handlers."""
from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Depends, Request

from shared.deps import DbSession, Page, ReadSession

__all__ = ["DbSession", "Identity", "Page", "ReadSession"]


async def _identity(request: Request) -> httpx.AsyncClient:
    return request.app.state.identity


# identity's internal API (looking up a person by 身份证号 when naming a reviewer).
Identity = Annotated[httpx.AsyncClient, Depends(_identity)]

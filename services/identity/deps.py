"""Typed dependencies of identity's handlers."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.identity.settings import IdentitySettings
from shared.deps import DbSession, ReadSession

__all__ = ["DbSession", "ReadSession", "Settings"]


async def _settings(request: Request) -> IdentitySettings:
    return request.app.state.settings


Settings = Annotated[IdentitySettings, Depends(_settings)]

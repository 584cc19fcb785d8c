"""Dependencies every service's handlers share."""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession


async def _db(request: Request) -> AsyncIterator[AsyncSession]:
    async for session in request.app.state.db.session():
        yield session


async def _reader(request: Request) -> AsyncIterator[AsyncSession]:
    async for session in request.app.state.db.session(read_only=True):
        yield session


# scope="function": commit before the response goes out, so a failed commit is a failed request.
DbSession = Annotated[AsyncSession, Depends(_db, scope="function")]
# The reads asked on every page (个人首页, 个人业绩库, the draft…): no BEGIN and COMMIT around them, two
# round trips fewer; a write through it raises (shared.db). Not for a GET that writes (the login callback).
ReadSession = Annotated[AsyncSession, Depends(_reader, scope="function")]


class PageParams(BaseModel):
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


async def _page(page: Annotated[int, Query(ge=1, le=10_000)] = 1,
          page_size: Annotated[int, Query(ge=1, le=100)] = 20) -> PageParams:
    return PageParams(page=page, page_size=page_size)


# Dependencies are async, here and in every service: FastAPI runs a plain ``def`` dependency in its
# thread pool, a hand-off to another thread on every request.
Page = Annotated[PageParams, Depends(_page)]

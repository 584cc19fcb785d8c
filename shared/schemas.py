"""Response shapes every service shares."""
from __future__ import annotations

import uuid
from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Paged(BaseModel, Generic[T]):
    """A page of a list: stable order, and the total so that a UI can page."""

    items: list[T]
    total: int
    page: int
    page_size: int


class BatchResult(BaseModel):
    """A batch whose items are handled each on its own (a savepoint each): what was done, and why
    the others were not, in Chinese, by id."""

    done: list[uuid.UUID]
    failed: dict[str, str]

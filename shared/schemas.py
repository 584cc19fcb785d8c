"""Response shapes every service shares."""
from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Paged(BaseModel, Generic[T]):
    """A page of a list: stable order, and the total so that a UI can page."""

    items: list[T]
    total: int
    page: int
    page_size: int

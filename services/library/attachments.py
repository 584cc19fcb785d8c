"""Entries refer to files kept by documents. Saving, submitting and approving an entry tells
documents which files the entry uses (shared.documents): the owner's only, readable by the
reviewing unit once submitted, locked once approved (the approved version keeps its own claim)."""
from __future__ import annotations

import uuid

import httpx

from services.library.models import Entry
from shared import documents as claims


def _ref(entry: Entry, approved: bool = False) -> str:
    return f"library:entry:{entry.id}{':approved' if approved else ''}"


async def claim(documents: httpx.AsyncClient, entry: Entry, *, had: list[uuid.UUID] | None = None,
                unit_id: uuid.UUID | None, approved: bool = False) -> None:
    """The files the entry uses now (``had``: what it used before this change). An entry that
    never had attachments never calls documents."""
    if not entry.attachment_ids:
        if had and not approved:
            await release(documents, entry)  # the last attachment was removed
        return
    await claims.claim(documents, _ref(entry, approved), owner_id=entry.owner_id, file_ids=entry.attachment_ids,
                       field="attachment_ids", unit_id=unit_id, lock=approved)


async def release(documents: httpx.AsyncClient, entry: Entry, *, approved: bool = False) -> None:
    await claims.release(documents, _ref(entry, approved))

"""Entries refer to files kept by documents. Saving, submitting, deciding and withdrawing an entry
tells documents which files the entry uses (shared.documents): the owner's only, readable by the
reviewing unit once submitted, and locked while the unit has them (待单位审核) and once approved
(the approved version keeps its own locked claim); withdrawn or returned, they are free again."""
from __future__ import annotations

import uuid

import httpx

from services.library.fields import entry_type
from services.library.models import Entry
from shared import documents as claims
from shared.entry_types import title_of


def _ref(entry: Entry, approved: bool = False) -> str:
    return f"library:entry:{entry.id}{':approved' if approved else ''}"


def label(entry: Entry) -> str:
    """How 我的附件 names the entry: 业绩库：发表论文《…》."""
    title = title_of(entry.type, entry.fields)
    return f"业绩库：{entry_type(entry.type).name}《{title if len(title) <= 150 else title[:150] + '…'}》"


async def claim(documents: httpx.AsyncClient, entry: Entry, *, had: list[uuid.UUID] | None = None,
                unit_id: uuid.UUID | None, lock: bool = False, approved: bool = False) -> None:
    """The files the entry uses now (``had``: what it used before this change); ``lock`` while
    the unit reviews them; the approved version's claim is always locked. An entry that never
    had attachments never calls documents."""
    if not entry.attachment_ids:
        if had and not approved:
            await release(documents, entry)  # the last attachment was removed
        return
    await claims.claim(documents, _ref(entry, approved), owner_id=entry.owner_id, file_ids=entry.attachment_ids,
                       field="attachment_ids", unit_id=unit_id, lock=lock or approved, label=label(entry))


async def release(documents: httpx.AsyncClient, entry: Entry, *, approved: bool = False) -> None:
    await claims.release(documents, _ref(entry, approved))

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import declarative_base, utcnow

Base = declarative_base()


ENTRY_STATUSES = ("draft", "submitted", "approved", "returned")


class Entry(Base):
    """One entry of a person's library: the version being worked on, and (once a unit approved
    one) the approved version, which stays importable while an edit waits for review again."""

    __tablename__ = "entries"
    __table_args__ = (
        sa.Index("ix_entries_owner_type", "owner_id", "type"),
        # The unit's review queue: submitted entries of one unit, oldest first.
        sa.Index("ix_entries_review_queue", "unit_id", "submitted_at", postgresql_where=sa.text("status = 'submitted'")),
        sa.CheckConstraint(f"status IN {ENTRY_STATUSES}", name="status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[uuid.UUID]
    owner_name: Mapped[str] = mapped_column(sa.String(50))
    owner_id_number_masked: Mapped[str] = mapped_column(sa.String(18))
    type: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(10), default="draft")
    version: Mapped[int] = mapped_column(default=1)
    fields: Mapped[dict[str, Any]]
    attachment_ids: Mapped[list[uuid.UUID]] = mapped_column(pg.ARRAY(sa.Uuid), default=list)
    # The unit that reviews it: the person's unit when they submitted.
    unit_id: Mapped[uuid.UUID | None]
    submitted_at: Mapped[dt.datetime | None]
    decided_at: Mapped[dt.datetime | None]
    decided_by: Mapped[str | None] = mapped_column(sa.String(100))
    return_reason: Mapped[str | None] = mapped_column(sa.String(500))
    approved: Mapped[dict[str, Any] | None]  # the approved version's snapshot (see schemas.Snapshot)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

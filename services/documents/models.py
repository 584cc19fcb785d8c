from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import declarative_base, utcnow

Base = declarative_base()


class File(Base):
    """One stored file: its object (and thumbnail) in the bucket, its owner, kind and name.

    ``unreferenced_since`` is set while nothing refers to the file (from the upload, or from the
    release of its last claim) and cleared by a claim; the clean-up deletes files that stayed
    unreferenced past the grace period. ``deleted_at`` hides a file at once; the clean-up then
    removes its objects and its row (and retries if the bucket failed)."""

    __tablename__ = "files"
    __table_args__ = (
        sa.Index("ix_files_owner_created", "owner_id", sa.text("created_at DESC")),
        sa.Index("ix_files_cleanup", "unreferenced_since", postgresql_where=sa.text("NOT kept")),
        sa.Index("ix_files_deleted", "deleted_at", postgresql_where=sa.text("deleted_at IS NOT NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(sa.String(40))
    display_name: Mapped[str] = mapped_column(sa.String(100))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    # Generated, never derived from the client's name.
    object_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    thumbnail_key: Mapped[str | None] = mapped_column(sa.String(200))
    # Kept in the person's 我的附件 until they delete it, whether or not anything refers to it.
    kept: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    unreferenced_since: Mapped[dt.datetime | None]
    deleted_at: Mapped[dt.datetime | None]


class Claim(Base):
    """A record of another service (``ref``, e.g. ``library:entry:<id>:v2``) refers to a file.

    ``lock`` makes the file undeletable (submitted applications, approved entries); the
    reviewers of ``unit_id`` may read it; ``public`` lets every logged-in user read it (plan
    attachments that applicants download). ``label`` is how the claiming service names its
    record to the owner (``业绩库：发表论文《…》``), shown in 我的附件."""

    __tablename__ = "claims"

    ref: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    file_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("files.id", ondelete="CASCADE"), primary_key=True,
                                               index=True)
    owner_id: Mapped[uuid.UUID]
    unit_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    lock: Mapped[bool] = mapped_column(default=False)
    public: Mapped[bool] = mapped_column(default=False)
    label: Mapped[str | None] = mapped_column(sa.String(200))
    claimed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApplicationData(Base):
    """The latest submitted application (applications.application.submitted) as its event carried
    it: the 准考证 takes its name and photo from here. ``version`` only grows."""

    __tablename__ = "application_data"

    application_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID]
    data: Mapped[dict] = mapped_column(pg.JSONB())
    version: Mapped[int]


class GeneratedDocument(Base):
    """A PDF rendered from an event. ``(source_event_id, kind)`` is unique: the same event twice
    stores one PDF. A newer one of the same kind for the application supersedes the older."""

    __tablename__ = "generated_documents"
    __table_args__ = (
        sa.UniqueConstraint("source_event_id", "kind"),
        sa.Index("ix_generated_current", "application_id", "kind", postgresql_where=sa.text("NOT superseded")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(sa.String(40))
    application_id: Mapped[uuid.UUID]
    person_id: Mapped[uuid.UUID]
    source_event_id: Mapped[uuid.UUID]
    object_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    pages: Mapped[int]
    size: Mapped[int] = mapped_column(sa.BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    superseded: Mapped[bool] = mapped_column(default=False)


class PdfRender(Base):
    """A render under way: where it is (WeasyPrint's step, the page being laid out), for 导出's
    progress. Written outside the handler's transaction as the render goes; removed with the
    transaction that stores the PDF (or left to be overwritten by the retry of a failed one)."""

    __tablename__ = "pdf_renders"

    source_event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    application_id: Mapped[uuid.UUID] = mapped_column(index=True)
    step: Mapped[int] = mapped_column(default=0)
    page: Mapped[int | None]
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

"""Company imports: an organisation's CSV of companies, sent to both market-data services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from marketnav.models.base import utcnow

IMPORT_STATUSES = ("draft", "queued", "running", "completed", "failed", "cancelled")


class CompanyImport(SQLModel, table=True):
    """One uploaded file and its run. The file itself is in the object store (`storage_key`).

    `draft` = uploaded and previewed, not started; then queued -> running -> completed, failed
    or cancelled. `errors` holds the first rows that could not be imported (line, reason, name).
    """

    __tablename__ = "company_imports"

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organizations.id", index=True, ondelete="CASCADE")
    user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    file_name: str = Field(max_length=255)
    storage_key: str = Field(default="", max_length=500)
    size_bytes: int = 0
    layout: str = Field(default="generic", max_length=20)
    mapping: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="draft", max_length=20, index=True)
    message: str = Field(default="", max_length=1000)
    total_rows: int = 0
    valid_rows: int = 0
    error_count: int = 0
    created_count: int = 0
    merged_count: int = 0
    sent_count: int = 0
    to_send: int = 0
    errors: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    progress: float = 0.0
    cancel_requested: bool = False
    task_id: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class OrganizationDataDeletion(SQLModel, table=True):
    """A deleted organisation whose imported companies a service still has to delete.

    Written in the same transaction that deletes the organisation, so the delete is never
    lost: it is retried (beat) until every service confirmed it."""

    __tablename__ = "organization_data_deletions"

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(index=True)  # no foreign key: the organisation is gone
    pending: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    attempts: int = 0
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = Field(default=None, index=True)

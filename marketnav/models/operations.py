"""Audit log, progress events and system checks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from marketnav.models.base import utcnow


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_logs"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    organization_id: int | None = Field(
        default=None, foreign_key="organizations.id", index=True, ondelete="CASCADE"
    )
    action: str = Field(max_length=64, index=True)
    resource_type: str = Field(default="", max_length=64)
    resource_id: str = Field(default="", max_length=64)
    client: str = Field(default="", max_length=255)
    details: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ProgressEvent(SQLModel, table=True):
    """A progress event for a subject, read by pages polling the database bus."""

    __tablename__ = "progress_events"

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=128, index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class SystemCheck(SQLModel, table=True):
    """The result of one live check of every component, written by a Celery task."""

    __tablename__ = "system_checks"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    components: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))

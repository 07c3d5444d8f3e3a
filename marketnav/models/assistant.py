"""The assistant thread of a project: one shared thread per project."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from marketnav.models.base import utcnow


class AssistantMessage(SQLModel, table=True):
    """A user message or an assistant reply (pending, streaming, done or failed)."""

    __tablename__ = "assistant_messages"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    role: str = Field(max_length=16)  # user | assistant
    content: str = Field(default="", sa_column=Column(Text, nullable=False))
    status: str = Field(default="done", max_length=16)  # pending | streaming | done | failed
    active_modes: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # provider label, offline flag, saved fields, citations; `error` for a failed reply.
    details: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The user message this reply answers (for retry).
    reply_to_id: int | None = Field(
        default=None, foreign_key="assistant_messages.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow, index=True)

"""Projects and their nine inputs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from marketnav.models.base import utcnow


class Project(SQLModel, table=True):
    __tablename__ = "projects"

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organizations.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=255)
    description: str = ""
    status: str = Field(default="active", max_length=20, index=True)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ProjectInputs(SQLModel, table=True):
    """The nine questions of a project, with AI markers and confidences per field."""

    __tablename__ = "project_inputs"

    project_id: int = Field(foreign_key="projects.id", primary_key=True, ondelete="CASCADE")
    startup_name: str = ""
    startup_description: str = ""
    target_audience: str = ""
    current_stage: str = ""
    business_model: str = ""
    geographic_focus: str = ""
    research_goal: str = ""
    time_range: str = ""
    inspiration_sources: str = ""
    # {field: true} for values the assistant wrote; a manual edit removes the key.
    ai_generated: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # {field: 0..1} confidence of AI-written values.
    ai_confidence: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    completion_status: str = Field(default="incomplete", max_length=20)
    filled_via: str = Field(default="", max_length=20)
    inputs_hash: str = Field(default="", max_length=64)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")

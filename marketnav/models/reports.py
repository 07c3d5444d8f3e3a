"""Reports: one row per (project, type), a run per version, its steps, sections and timings.

Every run is a version (v1, v2, ...): its steps, sections and files belong to it, so an old
version shows its own content. A failed or cancelled run keeps its number; resuming it reuses
the same run (finished steps are skipped), so versions are never duplicated.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from marketnav.models.base import utcnow


class Report(SQLModel, table=True):
    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("project_id", "report_type"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    report_type: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
    # The newest run (any status) and the newest completed version, kept for cheap listing.
    latest_run_id: int | None = Field(default=None)
    latest_version: int = 0


class ReportRun(SQLModel, table=True):
    """One generation of a report: a version when it completes."""

    __tablename__ = "report_runs"
    __table_args__ = (UniqueConstraint("report_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="reports.id", index=True, ondelete="CASCADE")
    version: int
    # queued | running | completed | failed | cancelled
    status: str = Field(default="queued", max_length=16, index=True)
    inputs_hash: str = Field(default="", max_length=64)
    progress: int = 0
    current_step: str = Field(default="", max_length=255)
    error_message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    changes_summary: str = Field(default="", max_length=500)
    requested_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    # user | schedule (a market watch's refresh; counted against the organisation's limit)
    trigger: str = Field(default="user", max_length=16)
    celery_task_id: str = Field(default="", max_length=64)
    worker: str = Field(default="", max_length=255)
    cancel_requested: bool = False
    partial_data_confirmed: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    completed_at: datetime | None = None
    deadline_at: datetime | None = Field(default=None, index=True)
    # Written while a worker runs it: a stale heartbeat means the worker is gone.
    heartbeat_at: datetime | None = None
    # Summary figures for the cards (counts, verdict, keywords) and the files written.
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    files: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ReportStep(SQLModel, table=True):
    __tablename__ = "report_steps"
    __table_args__ = (UniqueConstraint("run_id", "step_key"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="report_runs.id", index=True, ondelete="CASCADE")
    step_number: int
    step_key: str = Field(max_length=100)
    step_name: str = Field(max_length=255)
    weight: int = 10
    # pending | running | completed | failed | skipped
    status: str = Field(default="pending", max_length=16)
    progress_percent: int = 0
    message: str = Field(default="", max_length=500)
    started_at: datetime | None = None
    completed_at: datetime | None = None
    duration_seconds: float | None = None
    error_message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    details: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    step_metadata: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # What a resumed run needs from this finished step (small; big data lives in storage).
    checkpoint: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ReportSection(SQLModel, table=True):
    __tablename__ = "report_sections"
    __table_args__ = (UniqueConstraint("run_id", "section_key"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="report_runs.id", index=True, ondelete="CASCADE")
    section_key: str = Field(max_length=100)
    title: str = Field(max_length=255)
    # markdown | company | chart
    kind: str = Field(default="markdown", max_length=16)
    company_name: str = Field(default="", max_length=255)
    position: int = 0
    markdown: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    section_data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class StepTiming(SQLModel, table=True):
    """How long a step took: the history the ETA is estimated from."""

    __tablename__ = "step_timings"
    __table_args__ = (Index("ix_step_timings_lookup", "report_type", "step_key", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    report_type: str = Field(max_length=32)
    step_key: str = Field(max_length=100)
    duration_seconds: float
    created_at: datetime = Field(default_factory=utcnow)


class ReportEvidence(SQLModel, table=True):
    """One piece of evidence a run used: a company record, a post or a computed aggregate.

    `ref` is stable within the run (`company:<slug>`, `post:<id>`, `aggregate:<name>`), so a
    section's citation markers and a later report built on this run point to the same record.
    """

    __tablename__ = "report_evidence"
    __table_args__ = (UniqueConstraint("run_id", "ref"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="report_runs.id", index=True, ondelete="CASCADE")
    ref: str = Field(max_length=160)
    # company | post | aggregate
    kind: str = Field(max_length=16)
    label: str = Field(max_length=255)
    # Where it came from, as a reader should see it ("Crunchbase · demo data set").
    source: str = Field(max_length=255)
    demo: bool = False
    url: str = Field(default="", max_length=1000)
    fetched_at: datetime | None = None
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

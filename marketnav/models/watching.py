"""Watching a market: a project's refresh schedule, who follows it, and what they are told.

A `MarketWatch` re-runs chosen reports of a project on a cadence (beat reads these rows; see
`services.watching.schedule`). People follow a project (`WatchFollower`); when a refreshed
version differs from the one before, each follower who can still open the project gets one
`Notification`, shown under the bell and, when they chose it, in an e-mail digest; each
active `OrganizationWebhook` of the organisation gets one `WebhookDelivery`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from marketnav.models.base import utcnow


class MarketWatch(SQLModel, table=True):
    __tablename__ = "market_watches"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", unique=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organizations.id", index=True, ondelete="CASCADE")
    created_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    # The person whose rights a scheduled run uses (the last to change the schedule).
    run_as: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    report_types: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    cadence: str = Field(max_length=16)  # daily | weekly | monthly
    # active | paused; stopping a watch deletes it.
    status: str = Field(default="active", max_length=16, index=True)
    # A fixed offset inside the cadence's start window, so watches do not all start at once.
    jitter_seconds: int = 0
    # When the next refresh is due (its jitter included).
    next_run_at: datetime
    # The reports of the current refresh not started yet (waiting for a free slot of the
    # organisation's limit, or for their sources to finish).
    pending_types: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # When the dispatcher should look at this watch next: next_run_at, or soon while reports
    # of a refresh are pending.
    check_at: datetime = Field(index=True)
    # A dispatcher holds the watch until then (two beats never start one refresh twice).
    lease_until: datetime | None = None
    lease_token: str = Field(default="", max_length=32)
    last_run_at: datetime | None = None
    # Why the last due refresh started nothing (or less than asked), for the project page.
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CompanyFollow(SQLModel, table=True):
    """A person following one company of a project's report: re-checked with its data source."""

    __tablename__ = "company_follows"
    __table_args__ = (UniqueConstraint("user_id", "project_id", "source", "company_slug"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    project_id: int = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    source: str = Field(max_length=16)  # crunchbase | tracxn (the report it was followed from)
    company_name: str = Field(max_length=255)
    company_slug: str = Field(max_length=160)
    website: str = Field(default="", max_length=1000)
    # What the last check (or the report it was followed from) said: funding_usd, status.
    last_facts: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    last_checked_at: datetime | None = None
    next_check_at: datetime = Field(default_factory=utcnow, index=True)
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class WatchFollower(SQLModel, table=True):
    """A person told about a project's changes (in the app; by e-mail when they chose it)."""

    __tablename__ = "watch_followers"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    email_digest: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class Notification(SQLModel, table=True):
    """What changed in one new version, for one follower (one row a person a version)."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("user_id", "run_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    project_id: int = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    # version: a new version's market changes | company: a followed company's re-check
    kind: str = Field(default="version", max_length=16)
    # The new version (None for a company re-check).
    run_id: int | None = Field(default=None, foreign_key="report_runs.id", ondelete="CASCADE")
    report_type: str = Field(max_length=32)
    version: int  # 0: the latest (a company re-check opens the report's newest version)
    since_version: int
    # What it is about ("Rover" for a followed company) and where its link opens.
    subject: str = Field(default="", max_length=255)
    anchor: str = Field(default="market-changes", max_length=160)
    summary: str = Field(max_length=500)
    change_count: int = 0
    created_at: datetime = Field(default_factory=utcnow, index=True)
    read_at: datetime | None = None
    # The e-mail digest: none (the follower takes no e-mail) | pending | sending:<claim> | sent.
    email_status: str = Field(default="none", max_length=48, index=True)
    emailed_at: datetime | None = None


class OrganizationWebhook(SQLModel, table=True):
    """Where an organisation's changes are posted (Slack-compatible JSON, HMAC-signed)."""

    __tablename__ = "organization_webhooks"

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organizations.id", index=True, ondelete="CASCADE")
    created_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    label: str = Field(default="", max_length=120)
    url: str = Field(max_length=1000)
    # The key receivers check signatures with: shown to the organisation's admins only.
    secret: str = Field(max_length=128)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class WebhookDelivery(SQLModel, table=True):
    """One post of one new version's changes to one webhook, with its attempts (the log)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("webhook_id", "run_id"),)

    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(foreign_key="organization_webhooks.id", index=True, ondelete="CASCADE")
    # None for a test post sent from the webhooks page.
    run_id: int | None = Field(default=None, foreign_key="report_runs.id", ondelete="CASCADE")
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # pending | sending:<claim> | delivered | failed (gave up after the last attempt)
    status: str = Field(default="pending", max_length=48, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    last_status_code: int | None = None
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    delivered_at: datetime | None = None

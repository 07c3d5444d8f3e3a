"""Shareable report links and the password attempts made on them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from marketnav.models.base import utcnow


class ShareLink(SQLModel, table=True):
    """A read-only link to a report (its latest version, or one pinned version).

    Only a SHA-256 of the token is stored: a database leak reveals no usable link.
    """

    __tablename__ = "share_links"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="reports.id", index=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organizations.id", index=True, ondelete="CASCADE")
    created_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    token_hash: str = Field(max_length=64, unique=True)
    # The last characters of the token, so people can tell their links apart.
    token_hint: str = Field(default="", max_length=8)
    label: str = Field(default="", max_length=120)
    pinned_version: int | None = None
    password_hash: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = Field(default=None, index=True)
    revoked_at: datetime | None = None
    views: int = 0  # page opens
    last_viewed_at: datetime | None = None
    downloads: int = 0  # files downloaded through the link, counted apart from views


class ShareAttempt(SQLModel, table=True):
    """One password try on a protected link (rate limit per link and per client)."""

    __tablename__ = "share_attempts"

    id: int | None = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="share_links.id", index=True, ondelete="CASCADE")
    client: str = Field(default="", max_length=255, index=True)
    succeeded: bool = False
    created_at: datetime = Field(default_factory=utcnow, index=True)


class ShareUnlock(SQLModel, table=True):
    """A browser's proof that it gave a protected link's password (its cookie's digest).

    `kind` "code": the one-time hand-over code the unlock event issues (60 s), redeemed by
    `/_share/unlock` for a "grant", whose raw value lives only in an HttpOnly cookie. Only
    SHA-256 digests are stored; a grant opens its own link and nothing else.
    """

    __tablename__ = "share_unlocks"

    digest: str = Field(primary_key=True, max_length=64)
    link_id: int = Field(foreign_key="share_links.id", index=True, ondelete="CASCADE")
    kind: str = Field(default="grant", max_length=8)
    expires_at: datetime = Field(index=True)

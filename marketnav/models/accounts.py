"""Users, their server-side sessions and login attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from marketnav.models.base import utcnow


class User(SQLModel, table=True):
    __tablename__ = "users"
    # Without INSTANCE_ADMIN_EMAILS the first account is the instance administrator; at most
    # one account carries the flag, so two first sign-ups at once cannot both get it.
    __table_args__ = (
        Index(
            "uq_users_one_instance_admin",
            "is_instance_admin",
            unique=True,
            sqlite_where=text("is_instance_admin"),
            postgresql_where=text("is_instance_admin"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=255, unique=True, index=True)
    name: str = Field(max_length=255)
    password_hash: str = Field(max_length=255)
    is_active: bool = True
    is_instance_admin: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None


class UserSession(SQLModel, table=True):
    """An opaque session token, stored only as its SHA-256 digest."""

    __tablename__ = "user_sessions"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)
    client: str = Field(default="", max_length=255)


class LoginAttempt(SQLModel, table=True):
    """One login try; failures within a window drive the rate limit."""

    __tablename__ = "login_attempts"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=255, index=True)
    client: str = Field(default="", max_length=255, index=True)
    succeeded: bool = False
    created_at: datetime = Field(default_factory=utcnow, index=True)

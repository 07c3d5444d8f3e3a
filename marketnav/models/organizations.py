"""Organisations and their members."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from marketnav.models.base import utcnow


class Organization(SQLModel, table=True):
    __tablename__ = "organizations"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255)
    is_personal: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    # Reports of this organisation also look for competitors on the open web (admins switch
    # it on; it sends the project's idea to the configured search engine).
    web_discovery: bool = False


class Membership(SQLModel, table=True):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("organization_id", "user_id", name="uq_membership"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organizations.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=20)
    invited_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    joined_at: datetime = Field(default_factory=utcnow)


class Invitation(SQLModel, table=True):
    """An invitation by e-mail, kept whether or not the e-mail has an account (so the inviter
    learns nothing about accounts); it becomes a membership when that account signs in."""

    __tablename__ = "organization_invitations"
    __table_args__ = (UniqueConstraint("organization_id", "email", name="uq_invitation"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organizations.id", index=True, ondelete="CASCADE")
    email: str = Field(max_length=255, index=True)
    role: str = Field(max_length=20)
    invited_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)

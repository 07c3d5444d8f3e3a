"""Small builders for test data through the real services."""

from __future__ import annotations

from sqlmodel import Session

from marketnav.models import Project, User
from marketnav.services import accounts, organizations, projects
from marketnav.services.permissions import Role


def make_user(db: Session, name: str = "Ada Lovelace", email: str | None = None) -> User:
    email = email or f"{name.split()[0].lower()}@example.com"
    result = accounts.register(db, name, email, "correct horse battery")
    db.commit()
    return result.user


def personal_org_id(db: Session, user: User) -> int:
    return organizations.list_for_user(db, user)[0][0].id


def make_project(
    db: Session, user: User, name: str = "Pet care", org_id: int | None = None
) -> Project:
    project = projects.create(db, user, org_id or personal_org_id(db, user), name)
    db.commit()
    return project


def add_member(db: Session, owner: User, org_id: int, user: User, role: Role) -> None:
    organizations.invite(db, owner, org_id, user.email, role.value)
    db.commit()

"""Who may do what: one role table and one `authorize` helper used by every event.

Objects are organisations or projects; a project is judged through its organisation. Someone who
is not a member gets `PermissionDenied` with the same message as for a missing object, so ids
reveal nothing. Instance-wide actions (the `INSTANCE` object: system status, every
organisation's queue, "Check now") need an instance administrator: an e-mail listed in
INSTANCE_ADMIN_EMAILS or, when that is empty, the account flagged at sign-up as the first one.
"""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import Session, select

from marketnav.models import Membership, Organization, Project, User
from marketnav.services.errors import PermissionDenied
from marketnav.settings import get_settings


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


class Action(StrEnum):
    ORG_VIEW = "org.view"
    ORG_RENAME = "org.rename"
    ORG_MANAGE_MEMBERS = "org.manage_members"
    ORG_VIEW_AUDIT = "org.view_audit"
    ORG_VIEW_SYSTEM = "org.view_system"
    ORG_DELETE = "org.delete"
    IMPORT_COMPANIES = "org.import_companies"
    ORG_MANAGE_WEBHOOKS = "org.manage_webhooks"
    ORG_MANAGE_SOURCES = "org.manage_sources"  # data sources such as web discovery
    PROJECT_CREATE = "project.create"
    PROJECT_VIEW = "project.view"
    PROJECT_EDIT = "project.edit"
    PROJECT_DELETE = "project.delete"
    REPORT_RUN = "report.run"
    REPORT_SHARE = "report.share"
    CHAT_SEND = "chat.send"
    CHAT_CLEAR = "chat.clear"
    # Instance-wide, on `INSTANCE`: only instance administrators.
    INSTANCE_VIEW_SYSTEM = "instance.view_system"
    INSTANCE_VIEW_QUEUES = "instance.view_queues"
    INSTANCE_RUN_CHECK = "instance.run_check"


class Instance:
    """The whole installation, the object of instance-wide actions."""

    def __repr__(self) -> str:
        return "INSTANCE"


INSTANCE = Instance()
INSTANCE_ACTIONS = frozenset(
    {Action.INSTANCE_VIEW_SYSTEM, Action.INSTANCE_VIEW_QUEUES, Action.INSTANCE_RUN_CHECK}
)
INSTANCE_ADMIN_MESSAGE = "Only instance administrators can open this page."


_READ = {Action.ORG_VIEW, Action.PROJECT_VIEW}
_WRITE = _READ | {
    Action.PROJECT_CREATE,
    Action.PROJECT_EDIT,
    Action.REPORT_RUN,
    Action.REPORT_SHARE,
    Action.CHAT_SEND,
}
_ADMIN = _WRITE | {
    Action.PROJECT_DELETE,
    Action.ORG_RENAME,
    Action.ORG_MANAGE_MEMBERS,
    Action.ORG_VIEW_AUDIT,
    Action.ORG_VIEW_SYSTEM,
    Action.CHAT_CLEAR,
    Action.IMPORT_COMPANIES,
    Action.ORG_MANAGE_WEBHOOKS,
    Action.ORG_MANAGE_SOURCES,
}

# The one table: what each role may do inside its organisation.
ROLE_PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.OWNER: frozenset(_ADMIN | {Action.ORG_DELETE}),
    Role.ADMIN: frozenset(_ADMIN),
    Role.MEMBER: frozenset(_WRITE),
    Role.VIEWER: frozenset(_READ),
}

NOT_FOUND_MESSAGE = "That item does not exist or you do not have access to it."


def role_in(session: Session, user: User, organization_id: int) -> Role | None:
    """The user's role in an organisation, or None when not a member."""
    membership = session.exec(
        select(Membership).where(
            Membership.organization_id == organization_id, Membership.user_id == user.id
        )
    ).first()
    return Role(membership.role) if membership else None


def can(role: Role | None, action: Action) -> bool:
    return role is not None and action in ROLE_PERMISSIONS[role]


def is_instance_admin(user: User | None) -> bool:
    """Listed in INSTANCE_ADMIN_EMAILS, or (when that is empty) the first account."""
    if user is None or not user.is_active:
        return False
    listed = get_settings().instance_admins
    if listed:
        return user.email.lower() in listed
    return bool(user.is_instance_admin)


def authorize(
    session: Session,
    user: User | None,
    action: Action,
    obj: Organization | Project | Instance,
) -> Role | None:
    """Return the user's role when `action` on `obj` is allowed, else raise PermissionDenied.

    Instance actions go with `INSTANCE` only (and return None: no organisation role applies).
    """
    if user is None or not user.is_active:
        raise PermissionDenied(NOT_FOUND_MESSAGE)
    if isinstance(obj, Instance) or action in INSTANCE_ACTIONS:
        if not (isinstance(obj, Instance) and action in INSTANCE_ACTIONS):
            raise PermissionDenied(NOT_FOUND_MESSAGE)
        if not is_instance_admin(user):
            raise PermissionDenied(INSTANCE_ADMIN_MESSAGE)
        return None
    organization_id = obj.organization_id if isinstance(obj, Project) else obj.id
    if isinstance(obj, Project) and obj.status == "deleted":
        raise PermissionDenied(NOT_FOUND_MESSAGE)
    role = role_in(session, user, organization_id)
    if role is None:
        raise PermissionDenied(NOT_FOUND_MESSAGE)
    if action not in ROLE_PERMISSIONS[role]:
        raise PermissionDenied(f"Your role ({role.value}) does not allow this.")
    return role

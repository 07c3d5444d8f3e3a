"""Organisations and membership: create, invite, change roles, remove, leave.

The last owner of an organisation can neither leave nor be demoted or removed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from marketnav.models import Invitation, Membership, Organization, User
from marketnav.services import audit
from marketnav.services.errors import PermissionDenied, ValidationFailed
from marketnav.services.permissions import (
    NOT_FOUND_MESSAGE,
    Action,
    Role,
    authorize,
    can,
    role_in,
)


@dataclass(frozen=True)
class MemberView:
    user_id: int
    name: str
    email: str
    role: str


def create(session: Session, user: User, name: str, *, personal: bool = False) -> Organization:
    """Create an organisation with `user` as its owner."""
    name = name.strip()
    if not name or len(name) > 255:
        raise ValidationFailed(
            "Enter an organisation name (up to 255 characters).", {"name": "Required."}
        )
    organization = Organization(name=name, is_personal=personal)
    session.add(organization)
    session.flush()
    session.add(Membership(organization_id=organization.id, user_id=user.id, role=Role.OWNER))
    audit.record(
        session,
        "org.create",
        user_id=user.id,
        organization_id=organization.id,
        resource_type="organization",
        resource_id=organization.id,
    )
    return organization


def get(
    session: Session, user: User, organization_id: int, action: Action = Action.ORG_VIEW
) -> Organization:
    """The organisation if `user` may do `action` on it."""
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise PermissionDenied(NOT_FOUND_MESSAGE)
    authorize(session, user, action, organization)
    return organization


def list_for_user(session: Session, user: User) -> list[tuple[Organization, Role]]:
    rows = session.exec(
        select(Organization, Membership.role)
        .join(Membership, col(Membership.organization_id) == col(Organization.id))
        .where(Membership.user_id == user.id)
        .order_by(col(Organization.is_personal).desc(), Organization.name)
    ).all()
    return [(org, Role(role)) for org, role in rows]


def allowing(session: Session, user: User, action: Action) -> list[Organization]:
    """The user's organisations in which their role allows `action`."""
    return [org for org, role in list_for_user(session, user) if can(role, action)]


def members(session: Session, user: User, organization_id: int) -> list[MemberView]:
    get(session, user, organization_id)
    rows = session.exec(
        select(Membership, User)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(Membership.organization_id == organization_id)
        .order_by(User.name)
    ).all()
    return [MemberView(u.id, u.name, u.email, m.role) for m, u in rows]


def _membership(session: Session, organization_id: int, user_id: int) -> Membership:
    membership = session.exec(
        select(Membership).where(
            Membership.organization_id == organization_id, Membership.user_id == user_id
        )
    ).first()
    if membership is None:
        raise ValidationFailed("That person is not a member of this organisation.")
    return membership


def _owner_count(session: Session, organization_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(Membership)
        .where(Membership.organization_id == organization_id, Membership.role == Role.OWNER)
    ).one()


def _parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationFailed(
            "Choose a role: owner, admin, member or viewer.", {"role": "Unknown role."}
        ) from None


def _check_can_grant(actor_role: Role, new_role: Role) -> None:
    # Only owners make owners; admins manage everyone below owner.
    if new_role == Role.OWNER and actor_role != Role.OWNER:
        raise PermissionDenied("Only an owner can make someone an owner.")


INVITED_MESSAGE = (
    "Invitation saved for {email} as {role}. If they have an account they join when they next "
    "sign in; if not, when they sign up with this e-mail."
)


def invite(session: Session, actor: User, organization_id: int, email: str, role: str) -> str:
    """Invite an e-mail with a role; the same answer whether or not it has an account.

    The invitation is stored for the e-mail (a repeat replaces its role) and becomes a
    membership when that account signs in or signs up (`accept_invitations`), so neither the
    answer nor the member list tells the inviter whether the e-mail has an account. Returns the
    message to show.
    """
    organization = get(session, actor, organization_id, Action.ORG_MANAGE_MEMBERS)
    actor_role = role_in(session, actor, organization_id)
    new_role = _parse_role(role)
    _check_can_grant(actor_role, new_role)
    from marketnav.services.accounts import EMAIL_RE  # accounts imports this module

    email = email.strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 255:
        raise ValidationFailed("Enter a valid e-mail address.", {"email": "Not an e-mail."})
    member = session.exec(
        select(Membership)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(Membership.organization_id == organization_id, User.email == email)
    ).first()
    # Members are listed on this page already, so saying so reveals nothing new.
    if member is not None:
        raise ValidationFailed("That person is already a member.", {"email": "Already a member."})
    invitation = session.exec(
        select(Invitation).where(
            Invitation.organization_id == organization_id, Invitation.email == email
        )
    ).first() or Invitation(organization_id=organization.id, email=email, role=new_role)
    invitation.role, invitation.invited_by_id = new_role.value, actor.id
    session.add(invitation)
    audit.record(
        session,
        "org.member_invited",
        user_id=actor.id,
        organization_id=organization_id,
        resource_type="invitation",
        resource_id=email,
        role=new_role.value,
    )
    return INVITED_MESSAGE.format(email=email, role=new_role.value)


def invitations(session: Session, user: User, organization_id: int) -> list[Invitation]:
    """Open invitations of an organisation (for those who may manage its members)."""
    get(session, user, organization_id, Action.ORG_MANAGE_MEMBERS)
    return list(
        session.exec(
            select(Invitation)
            .where(Invitation.organization_id == organization_id)
            .order_by(Invitation.email)
        ).all()
    )


def accept_invitations(session: Session, user: User) -> int:
    """Turn the open invitations for the user's e-mail into memberships; how many joined."""
    joined = 0
    for invitation in session.exec(select(Invitation).where(Invitation.email == user.email)).all():
        if role_in(session, user, invitation.organization_id) is None:
            session.add(
                Membership(
                    organization_id=invitation.organization_id,
                    user_id=user.id,
                    role=invitation.role,
                    invited_by_id=invitation.invited_by_id,
                )
            )
            audit.record(
                session,
                "org.member_added",
                user_id=invitation.invited_by_id,
                organization_id=invitation.organization_id,
                resource_type="user",
                resource_id=user.id,
                role=invitation.role,
            )
            joined += 1
        session.delete(invitation)
    return joined


def change_role(
    session: Session, actor: User, organization_id: int, user_id: int, role: str
) -> None:
    get(session, actor, organization_id, Action.ORG_MANAGE_MEMBERS)
    actor_role = role_in(session, actor, organization_id)
    new_role = _parse_role(role)
    membership = _membership(session, organization_id, user_id)
    _check_can_grant(actor_role, new_role)
    if membership.role == Role.OWNER and actor_role != Role.OWNER:
        raise PermissionDenied("Only an owner can change another owner's role.")
    if (
        membership.role == Role.OWNER
        and new_role != Role.OWNER
        and _owner_count(session, organization_id) <= 1
    ):
        raise ValidationFailed(
            "The last owner cannot be demoted. Make someone else an owner first."
        )
    old = membership.role
    membership.role = new_role
    session.add(membership)
    audit.record(
        session,
        "org.role_changed",
        user_id=actor.id,
        organization_id=organization_id,
        resource_type="user",
        resource_id=user_id,
        old_role=old,
        new_role=new_role.value,
    )


def remove_member(session: Session, actor: User, organization_id: int, user_id: int) -> None:
    if user_id == actor.id:
        leave(session, actor, organization_id)
        return
    get(session, actor, organization_id, Action.ORG_MANAGE_MEMBERS)
    membership = _membership(session, organization_id, user_id)
    if membership.role == Role.OWNER and role_in(session, actor, organization_id) != Role.OWNER:
        raise PermissionDenied("Only an owner can remove an owner.")
    if membership.role == Role.OWNER and _owner_count(session, organization_id) <= 1:
        raise ValidationFailed("The last owner cannot be removed.")
    session.delete(membership)
    audit.record(
        session,
        "org.member_removed",
        user_id=actor.id,
        organization_id=organization_id,
        resource_type="user",
        resource_id=user_id,
    )


def leave(session: Session, user: User, organization_id: int) -> None:
    get(session, user, organization_id)
    membership = _membership(session, organization_id, user.id)
    if membership.role == Role.OWNER and _owner_count(session, organization_id) <= 1:
        raise ValidationFailed("You are the last owner. Make someone else an owner before leaving.")
    session.delete(membership)
    audit.record(
        session,
        "org.member_left",
        user_id=user.id,
        organization_id=organization_id,
        resource_type="user",
        resource_id=user.id,
    )


def rename(session: Session, actor: User, organization_id: int, name: str) -> Organization:
    organization = get(session, actor, organization_id, Action.ORG_RENAME)
    name = name.strip()
    if not name or len(name) > 255:
        raise ValidationFailed(
            "Enter an organisation name (up to 255 characters).", {"name": "Required."}
        )
    organization.name = name
    session.add(organization)
    return organization


def set_web_discovery(
    session: Session, actor: User, organization_id: int, enabled: bool
) -> Organization:
    """Switch web discovery on or off for the organisation's reports (owners and admins).

    On, each report that searches for competitors sends search queries built from its
    project's idea to the configured web search engine and reads public pages."""
    organization = get(session, actor, organization_id, Action.ORG_MANAGE_SOURCES)
    if organization.web_discovery != enabled:
        organization.web_discovery = enabled
        session.add(organization)
        audit.record(
            session,
            "organization.web_discovery_" + ("on" if enabled else "off"),
            user_id=actor.id,
            organization_id=organization_id,
            resource_type="organization",
            resource_id=organization_id,
        )
    return organization


def delete(session: Session, actor: User, organization_id: int, *, client: str = "") -> str:
    """Delete an organisation (owners only; not a personal workspace) and everything in it.

    Its projects, reports, imports and members go with it (foreign keys cascade), its files
    are removed from the object store, and the deletion of its imported companies from both
    market-data services is scheduled in this same transaction (`company_import.deletion`),
    so it is never lost; the caller runs `deletion.purge` after the commit. Returns the name."""
    from marketnav.services.company_import import deletion
    from marketnav.services.storage import get_storage

    organization = get(session, actor, organization_id, Action.ORG_DELETE)
    if organization.is_personal:
        raise ValidationFailed("A personal workspace cannot be deleted.")
    name = organization.name
    deletion.schedule(session, organization_id)
    audit.record(
        session,
        "org.delete",
        user_id=actor.id,
        resource_type="organization",
        resource_id=organization_id,
        client=client,
        name=name,
    )
    session.delete(organization)
    session.flush()
    storage = get_storage()
    for key in storage.list(f"organizations/{organization_id}/"):
        storage.delete(key)
    return name

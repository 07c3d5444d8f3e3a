"""Every role x every action, on real objects, plus an outsider who gets nothing."""

from __future__ import annotations

import pytest

from marketnav.services.errors import PermissionDenied
from marketnav.services.permissions import (
    INSTANCE_ACTIONS,
    NOT_FOUND_MESSAGE,
    Action,
    Role,
    authorize,
)
from tests.factories import add_member, make_project, make_user, personal_org_id

A = Action
# Written out independently of ROLE_PERMISSIONS: what the product promises each role.
EXPECTED = {
    Role.VIEWER: {A.ORG_VIEW, A.PROJECT_VIEW},
    Role.MEMBER: {
        A.ORG_VIEW,
        A.PROJECT_VIEW,
        A.PROJECT_CREATE,
        A.PROJECT_EDIT,
        A.REPORT_RUN,
        A.REPORT_SHARE,
        A.CHAT_SEND,
    },
    # Only an owner deletes an organisation; owners and admins import companies.
    Role.ADMIN: set(Action) - {A.ORG_DELETE},
    Role.OWNER: set(Action),
}


@pytest.fixture
def world(db):
    owner = make_user(db, "Olga Owner")
    org_id = personal_org_id(db, owner)
    project = make_project(db, owner, "Shared project", org_id)
    users = {Role.OWNER: owner}
    for role in (Role.ADMIN, Role.MEMBER, Role.VIEWER):
        user = make_user(db, f"{role.value.title()} Person")
        add_member(db, owner, org_id, user, role)
        users[role] = user
    outsider = make_user(db, "Otto Outsider")
    return db, users, outsider, project


ORGANISATION_ACTIONS = [a for a in Action if a not in INSTANCE_ACTIONS]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", ORGANISATION_ACTIONS)
def test_role_action_matrix_on_project(world, role, action):
    db, users, _, project = world
    if action in EXPECTED[role]:
        assert authorize(db, users[role], action, project) == role
    else:
        with pytest.raises(PermissionDenied, match="does not allow"):
            authorize(db, users[role], action, project)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", sorted(INSTANCE_ACTIONS))
def test_instance_actions_are_never_allowed_on_a_project(world, role, action):
    """Instance-wide actions go with the INSTANCE object only, whatever the role."""
    db, users, _, project = world
    with pytest.raises(PermissionDenied, match="does not exist"):
        authorize(db, users[role], action, project)


@pytest.mark.parametrize("action", list(Action))
def test_outsider_gets_nothing_and_learns_nothing(world, action):
    db, _, outsider, project = world
    with pytest.raises(PermissionDenied) as err:
        authorize(db, outsider, action, project)
    assert str(err.value) == NOT_FOUND_MESSAGE


def test_anonymous_and_inactive_users_are_refused(world):
    db, users, _, project = world
    with pytest.raises(PermissionDenied):
        authorize(db, None, Action.PROJECT_VIEW, project)
    users[Role.OWNER].is_active = False
    with pytest.raises(PermissionDenied):
        authorize(db, users[Role.OWNER], Action.PROJECT_VIEW, project)

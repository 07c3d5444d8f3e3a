"""Membership rules: invite, roles, removal, leaving, and the last owner."""

from __future__ import annotations

import pytest
from sqlmodel import select

from marketnav.models import AuditLog
from marketnav.services import organizations
from marketnav.services.errors import PermissionDenied, ValidationFailed
from marketnav.services.permissions import Role, role_in
from tests.factories import add_member, make_user, personal_org_id


@pytest.fixture
def team(db):
    owner = make_user(db, "Olga Owner")
    admin = make_user(db, "Adam Admin")
    member = make_user(db, "Mia Member")
    org = organizations.create(db, owner, "Acme Research")
    db.commit()
    add_member(db, owner, org.id, admin, Role.ADMIN)
    add_member(db, owner, org.id, member, Role.MEMBER)
    return db, org.id, owner, admin, member


def test_invite_adds_existing_user_with_role_and_audit(team):
    db, org_id, _, _, member = team
    assert role_in(db, member, org_id) == Role.MEMBER
    actions = [
        a.action for a in db.exec(select(AuditLog).where(AuditLog.organization_id == org_id))
    ]
    assert actions.count("org.member_added") == 2


def test_invite_rejects_duplicate_and_bad_role(team):
    db, org_id, owner, _, member = team
    with pytest.raises(ValidationFailed, match="already a member"):
        organizations.invite(db, owner, org_id, member.email, "viewer")
    with pytest.raises(ValidationFailed, match="Choose a role"):
        organizations.invite(db, owner, org_id, "x@example.com", "superuser")


def test_member_and_outsider_cannot_manage(team):
    db, org_id, _, admin, member = team
    outsider = make_user(db, "Otto Outsider")
    with pytest.raises(PermissionDenied):
        organizations.invite(db, member, org_id, outsider.email, "member")
    with pytest.raises(PermissionDenied):
        organizations.members(db, outsider, org_id)
    with pytest.raises(PermissionDenied):
        organizations.change_role(db, member, org_id, admin.id, "viewer")


def test_admin_cannot_create_or_touch_owners(team):
    db, org_id, owner, admin, member = team
    with pytest.raises(PermissionDenied, match="Only an owner"):
        organizations.change_role(db, admin, org_id, member.id, "owner")
    with pytest.raises(PermissionDenied, match="Only an owner"):
        organizations.change_role(db, admin, org_id, owner.id, "member")
    with pytest.raises(PermissionDenied, match="Only an owner"):
        organizations.remove_member(db, admin, org_id, owner.id)
    organizations.change_role(db, admin, org_id, member.id, "viewer")
    assert role_in(db, member, org_id) == Role.VIEWER


def test_last_owner_cannot_leave_be_demoted_or_removed(team):
    db, org_id, owner, admin, _ = team
    with pytest.raises(ValidationFailed, match="last owner"):
        organizations.leave(db, owner, org_id)
    with pytest.raises(ValidationFailed, match="last owner"):
        organizations.change_role(db, owner, org_id, owner.id, "admin")
    # With a second owner, the first may leave.
    organizations.change_role(db, owner, org_id, admin.id, "owner")
    organizations.leave(db, owner, org_id)
    db.commit()
    assert role_in(db, owner, org_id) is None


def test_remove_and_leave_write_audit_rows(team):
    db, org_id, owner, admin, member = team
    organizations.remove_member(db, owner, org_id, member.id)
    organizations.leave(db, admin, org_id)
    db.commit()
    actions = {
        a.action for a in db.exec(select(AuditLog).where(AuditLog.organization_id == org_id))
    }
    assert {"org.member_removed", "org.member_left"} <= actions
    assert role_in(db, member, org_id) is None


def test_list_for_user_puts_personal_workspace_first(team):
    db, org_id, owner, _, _ = team
    names = [o.name for o, _ in organizations.list_for_user(db, owner)]
    assert names[0] == "Olga Owner's workspace"
    assert personal_org_id(db, owner) != org_id
    assert "Acme Research" in names


def test_rename_validates_and_needs_admin(team):
    db, org_id, owner, _, member = team
    with pytest.raises(ValidationFailed):
        organizations.rename(db, owner, org_id, "   ")
    with pytest.raises(PermissionDenied):
        organizations.rename(db, member, org_id, "Mine now")
    assert organizations.rename(db, owner, org_id, "Acme Labs").name == "Acme Labs"


def test_web_discovery_is_off_until_an_admin_switches_it_on_and_is_audited(team):
    db, org_id, owner, admin, member = team
    assert organizations.get(db, owner, org_id).web_discovery is False
    with pytest.raises(PermissionDenied):
        organizations.set_web_discovery(db, member, org_id, True)
    outsider = make_user(db, "Otto Outsider")
    with pytest.raises(PermissionDenied):
        organizations.set_web_discovery(db, outsider, org_id, True)
    assert organizations.set_web_discovery(db, admin, org_id, True).web_discovery is True
    organizations.set_web_discovery(db, admin, org_id, True)  # no change: no second audit row
    organizations.set_web_discovery(db, owner, org_id, False)
    db.commit()
    actions = [
        a.action
        for a in db.exec(select(AuditLog).where(AuditLog.organization_id == org_id))
        if a.action.startswith("organization.web_discovery")
    ]
    assert actions == ["organization.web_discovery_on", "organization.web_discovery_off"]

"""Reflex state handlers called directly: the thin layer between the page and the services."""

from __future__ import annotations

import pytest
import reflex as rx
from reflex.istate.data import RouterData

from marketnav.state.admin import AccountState, AuditState, StatusState
from marketnav.state.dashboard import DashboardState
from marketnav.state.organizations import OrganizationsState
from marketnav.state.project import ProjectState
from marketnav.state.session import SessionState

PASSWORD = "correct horse battery"


def make_state(cls, path: str = "/", token: str = ""):
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    root.router = RouterData.from_router_data(
        {"asPath": path, "pathname": path, "headers": {"origin": "http://test"}, "ip": "127.0.0.1"}
    )
    state.token = token
    return state


def signed_up(db, name="Ada Lovelace", email="ada@example.com") -> str:
    state = make_state(SessionState)
    state.register(
        {"name": name, "email": email, "password": PASSWORD, "password_confirm": PASSWORD}
    )
    assert state.auth_error == ""
    return state.token


def test_register_sets_token_and_user(db):
    state = make_state(SessionState)
    result = state.register(
        {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        }
    )
    assert state.token and state.user_name == "Ada Lovelace" and state.user_initials == "AL"
    assert isinstance(result, rx.event.EventSpec)


def test_register_mismatch_keeps_user_out_and_says_why(db):
    state = make_state(SessionState)
    state.register({"name": "A", "email": "a@b.co", "password": PASSWORD, "password_confirm": "x"})
    assert state.token == ""
    assert state.auth_field_errors == {"password_confirm": "The passwords do not match."}


def test_login_logout_and_safe_next_redirect(db):
    signed_up(db)
    state = make_state(SessionState, "/login")
    state.router = RouterData.from_router_data(
        {"asPath": "/login?next=//evil.example", "pathname": "/login", "headers": {}}
    )
    state.login({"email": "ada@example.com", "password": "wrong"})
    assert state.auth_error == "Wrong e-mail or password." and state.token == ""
    state.login({"email": "ada@example.com", "password": PASSWORD})
    assert state.token and state._next_path() == "/dashboard"
    state.logout()
    assert state.token == "" and state.user_id == 0


def test_protected_page_redirects_strangers(db):
    state = make_state(DashboardState, "/dashboard", token="forged")
    assert state.require_login() is not None
    assert state.token == ""


def test_dashboard_create_rename_archive_delete(db):
    token = signed_up(db)
    state = make_state(DashboardState, "/dashboard", token)
    state.load()
    assert state.total == 0 and len(state.create_orgs) == 1
    state.create_project({"name": "", "description": ""})
    assert state.field_errors == {"name": "Required."}
    state.create_project({"name": "Pet care", "description": "Sitters"})
    state.load()
    (item,) = state.items
    state.open_rename(item["id"], item["name"])
    state.rename({"name": "Pet care EU"})
    assert state.items[0]["name"] == "Pet care EU"
    state.set_archived(item["id"], True)
    assert state.total == 0
    state.toggle_archived(True)
    assert state.total == 1
    state.open_delete(item["id"], "Pet care EU")
    state.confirm_delete()
    assert state.total == 0 and "Deleted" in state.notice


def _project_state(db, token: str):
    dash = make_state(DashboardState, "/dashboard", token)
    dash.load()
    dash.create_project({"name": "Pet care", "description": ""})
    dash.load()
    project_id = dash.items[0]["id"]
    return make_state(ProjectState, f"/projects/{project_id}", token), project_id


def test_project_inputs_edit_cancel_reverts_and_save_persists(db):
    token = signed_up(db)
    state, project_id = _project_state(db, token)
    state.load()
    assert state.can_edit and state.completion_status == "incomplete"
    state.start_editing()
    state.set_draft("startup_name", "PawPal")
    state.cancel_editing()
    assert state.draft["startup_name"] == "" and not state.editing
    state.start_editing()
    state.set_draft("startup_name", "PawPal")
    state.set_draft("current_stage", "x" * 200)
    state.save_inputs()
    assert "current_stage" in state.field_errors and state.editing
    state.set_draft("current_stage", "mvp")
    state.save_inputs()
    assert state.notice == "Inputs saved." and not state.editing
    fresh = make_state(ProjectState, f"/projects/{project_id}", token)
    fresh.load()
    assert fresh.inputs["startup_name"] == "PawPal" and fresh.completion_status == "partial"


def test_other_user_cannot_open_or_edit_project_by_url(db):
    owner_token = signed_up(db)
    _, project_id = _project_state(db, owner_token)
    intruder = signed_up(db, "Eve Intruder", "eve@example.com")
    state = make_state(ProjectState, f"/projects/{project_id}", intruder)
    state.load()
    assert state.not_found and state.inputs == {} and state.name == ""
    state.current_id = project_id
    state.draft = {"startup_name": "pwned"}
    state.save_inputs()
    assert "do not have access" in state.error


def test_panels_toggle_and_mobile_panel(db):
    state = make_state(ProjectState)
    state.toggle_left()
    assert state.left_collapsed == "1"
    state.toggle_left()
    assert state.left_collapsed == "0"
    state.open_mobile("right")
    assert state.mobile_panel == "right"
    state.open_mobile("bogus")
    assert state.mobile_panel == ""


def test_organizations_invite_and_role_change(db):
    owner_token = signed_up(db)
    signed_up(db, "Mia Member", "mia@example.com")
    state = make_state(OrganizationsState, "/organizations", owner_token)
    state.load()
    state.invite({"email": "nobody@example.com"})
    assert "sign up" in state.error
    state.set_invite_role("viewer")
    state.invite({"email": "mia@example.com"})
    mia = next(m for m in state.members if m["email"] == "mia@example.com")
    assert mia["role"] == "viewer"
    state.change_role(mia["user_id"], "admin")
    assert next(m for m in state.members if m["email"] == "mia@example.com")["role"] == "admin"
    state.leave()
    assert "last owner" in state.error


def test_admin_pages_refuse_plain_members(db):
    owner_token = signed_up(db)
    member_token = signed_up(db, "Mia Member", "mia@example.com")
    orgs = make_state(OrganizationsState, "/organizations", owner_token)
    orgs.load()
    orgs.create({"name": "Team"})
    orgs.set_invite_role("member")
    orgs.invite({"email": "mia@example.com"})
    # Mia owns her personal workspace, so she may see audit there but not the team's.
    audit = make_state(AuditState, "/audit", member_token)
    audit.load()
    assert orgs.selected_id not in {o["id"] for o in audit.orgs}
    owner_audit = make_state(AuditState, "/audit", owner_token)
    owner_audit.select(orgs.selected_id)
    assert any(r["action"] == "org.member_added" for r in owner_audit.rows)
    status = make_state(StatusState, "/status", member_token)
    status.load()
    assert status.allowed  # owner of her own workspace


def test_change_password_handler(db):
    token = signed_up(db)
    state = make_state(AccountState, "/account", token)
    state.change_password({"current": PASSWORD, "new": "new password 1", "confirm": "nope"})
    assert state.field_errors == {"confirm": "The new passwords do not match."}
    state.change_password({"current": "bad", "new": "new password 1", "confirm": "new password 1"})
    assert "not correct" in state.error
    state.change_password(
        {"current": PASSWORD, "new": "new password 1", "confirm": "new password 1"}
    )
    assert "Password changed" in state.notice


@pytest.mark.parametrize("path", ["/projects/abc", "/projects/999999"])
def test_bad_project_urls_show_not_found(db, path):
    state = make_state(ProjectState, path, signed_up(db))
    state.load()
    assert state.not_found

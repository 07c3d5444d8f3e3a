"""Rough edges of #13 through the real state handlers and services (session_scope, database):
stale field messages, new projects' first answers, assistant modes per project, share links
(downloads counted apart from views, the dialog closed after a reload, password shown)."""

from __future__ import annotations

import pytest

from marketnav.models import ShareLink
from marketnav.services import share_links
from marketnav.state.assistant import AssistantState
from marketnav.state.dashboard import DashboardState
from marketnav.state.project import ProjectState
from marketnav.state.session import FIELDS_MESSAGE, SessionState
from marketnav.state.share import ShareState
from marketnav.state.share_links import ShareLinksState
from tests.factories import reported_project
from tests.support.session_cookie import make_state, sign_in

PASSWORD = "correct horse battery"


def _signed_up(name: str = "Ada Lovelace", email: str = "ada@example.com") -> str:
    state = make_state(SessionState, "/register")
    state.register(
        {"name": name, "email": email, "password": PASSWORD, "password_confirm": PASSWORD}
    )
    assert state.auth_error == ""
    return sign_in(email, PASSWORD)


def _new_project(token: str, name: str, description: str = "") -> int:
    dash = make_state(DashboardState, "/dashboard", token)
    dash.load()
    dash.create_project({"name": name, "description": description})
    dash.load()
    return next(i["id"] for i in dash.items if i["name"] == name)


def test_a_field_message_goes_when_the_field_changes(db):
    state = make_state(SessionState, "/register")
    state.register({"name": "", "email": "ada@example.com", "password": PASSWORD,
                    "password_confirm": PASSWORD})  # fmt: skip
    assert state.auth_field_errors == {"name": "Enter your name."}
    assert state.auth_error == FIELDS_MESSAGE
    state.clear_auth_field_error("email")  # another field: the name's message stays
    assert "name" in state.auth_field_errors
    state.clear_auth_field_error("name")
    # The only message was the name's: the form's summary goes with it.
    assert state.auth_field_errors == {} and state.auth_error == ""
    # And a valid submit leaves no message at all.
    state.register({"name": "Ada Lovelace", "email": "ada@example.com", "password": PASSWORD,
                    "password_confirm": PASSWORD})  # fmt: skip
    assert state.auth_field_errors == {} and state.auth_error == ""


def test_an_input_message_goes_when_that_input_is_edited(db):
    token = _signed_up()
    project_id = _new_project(token, "Pet care")
    state = make_state(ProjectState, f"/projects/{project_id}", token)
    state.load()
    state.start_editing()
    state.set_draft("current_stage", "x" * 200)
    state.set_draft("time_range", "y" * 200)
    state.save_inputs()
    assert {"current_stage", "time_range"} <= set(state.field_errors)
    state.set_draft("current_stage", "mvp")
    assert "current_stage" not in state.field_errors and "time_range" in state.field_errors


def test_a_new_project_starts_with_its_name_and_description_as_answers(db):
    token = _signed_up()
    project_id = _new_project(token, "PawPal", "Trusted pet sitters, insured and vetted.")
    state = make_state(ProjectState, f"/projects/{project_id}", token)
    state.load()
    assert state.inputs["startup_name"] == "PawPal"
    assert state.inputs["startup_description"] == "Trusted pet sitters, insured and vetted."
    assert state.completion_status == "partial"
    assert not any(state.ai_generated.values())


def test_assistant_modes_do_not_follow_the_user_to_another_project(db):
    token = _signed_up()
    first = _new_project(token, "First")
    second = _new_project(token, "Second")
    panel = make_state(AssistantState, f"/projects/{first}", token)
    panel.load()
    panel.toggle_mode("research")
    panel.toggle_mode("editing")
    assert set(panel.active_modes) == {"research", "editing"}
    # The same tab opens the other project: same state object, new route.
    panel.router = make_state(AssistantState, f"/projects/{second}", token).router
    panel.load()
    assert panel.thread_project_id == second and panel.active_modes == []
    panel.toggle_mode("research")
    # The report page of the same project keeps the modes.
    panel.router = make_state(
        AssistantState, f"/projects/{second}/reports/quick_report", token
    ).router
    panel.load()
    assert panel.active_modes == ["research"]


@pytest.fixture
def link(db, monkeypatch):
    owner, project = reported_project(db, monkeypatch)
    created = share_links.create(db, owner, project.id, "quick_report", password="open sesame")
    plain = share_links.create(db, owner, project.id, "quick_report")
    db.commit()
    return db, owner, project, created, plain


def test_downloads_are_counted_apart_from_views(link):
    db, owner, project, protected, plain = link
    path = f"/share/{plain.token}"
    visitor = make_state(ShareState, path)
    visitor.load()  # one view
    assert visitor.share_status == "ready"
    for fmt in ("html", "md"):
        assert visitor.download(fmt) is not None  # the file goes to the browser
    db.expire_all()
    row = db.get(ShareLink, plain.link.id)
    assert (row.views, row.downloads) == (1, 2)
    # A protected link refuses the file before unlocking, and counts nothing.
    locked = make_state(ShareState, f"/share/{protected.token}")
    locked.load()
    assert locked.download("html") is None and locked.share_status == "password"
    db.expire_all()
    assert db.get(ShareLink, protected.link.id).downloads == 0
    listed = {
        r["id"]: r for r in share_links.list_for_report(db, owner, project.id, "quick_report")
    }
    assert (listed[plain.link.id]["views"], listed[plain.link.id]["downloads"]) == (1, 2)
    assert listed[protected.link.id]["password"] == "required"
    assert listed[plain.link.id]["password"] == "none"


def test_the_share_dialog_is_closed_after_a_reload(link):
    db, owner, project, *_ = link
    token = sign_in_user(db, owner)
    state = make_state(ShareLinksState, f"/projects/{project.id}/reports/quick_report", token)
    state.open_dialog(project.id, "quick_report")
    assert state.share_open and len(state.links) == 2
    state.create({"password": "", "label": "Investors"})
    assert state.created_url
    state.reset_dialog()  # what the page's on_load runs on a reload
    assert not state.share_open and state.created_url == ""


def sign_in_user(db, user) -> str:
    """A session for a factory user (they have no password): set one, then log in."""
    from marketnav.services import passwords

    user.password_hash = passwords.hash_password(PASSWORD)
    db.add(user)
    db.commit()
    return sign_in(user.email, PASSWORD)

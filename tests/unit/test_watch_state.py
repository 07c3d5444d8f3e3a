"""The watch card's and the bell's state handlers, as a tab calls them (real session cookie)."""

from __future__ import annotations

from sqlmodel import select

from marketnav.models import MarketWatch
from marketnav.services.permissions import Role
from marketnav.services.watching import notifications
from marketnav.state.notifications import NotificationsState
from marketnav.state.watch import WatchState
from tests.factories import (
    PET_SITTER_INPUTS,
    add_member,
    make_project,
    make_user,
    personal_org_id,
    version_with_changes,
)
from tests.support.session_cookie import make_state, sign_in

PASSWORD = "correct horse battery"


def _project(db, owner):
    from marketnav.services import projects

    project = make_project(db, owner, "Pet care")
    projects.save_inputs(db, owner, project.id, PET_SITTER_INPUTS)
    db.commit()
    return project


def test_the_card_keeps_the_choice_when_saving_fails_and_saves_it_when_valid(db):
    owner = make_user(db, "Olga Owner")
    project = _project(db, owner)
    token = sign_in(owner.email, PASSWORD)
    state = make_state(WatchState, f"/projects/{project.id}", token)
    state.load()
    assert state.watch_project_id == project.id and not state.watching and state.watch_can_change

    state.open_form()
    assert state.form_types == ["crunchbase", "tracxn"] and state.form_cadence == "weekly"
    state.toggle_type("crunchbase", False)
    state.toggle_type("tracxn", False)
    state.save()
    assert state.watch_error == "Choose at least one report to refresh."
    assert state.form_open and state.form_types == []  # nothing lost, the form stays open
    state.toggle_type("verdict", True)
    state.set_form_cadence("monthly")
    state.save()
    assert state.watch_error == "" and not state.form_open
    assert state.watching and state.watch_types == ["verdict"]
    assert state.watch_cadence_label == "Every month" and state.watch_next.endswith("UTC")
    state.pause()
    assert state.watch_status == "paused" and state.watch_notice == "Paused."
    state.stop()
    assert not state.watching and db.exec(select(MarketWatch)).all() == []


def test_a_viewer_follows_but_the_schedule_handlers_refuse_them(db):
    owner = make_user(db, "Olga Owner")
    org_id = personal_org_id(db, owner)
    project = _project(db, owner)
    viewer = make_user(db, "Vera Viewer")
    add_member(db, owner, org_id, viewer, Role.VIEWER)
    state = make_state(WatchState, f"/projects/{project.id}", sign_in(viewer.email, PASSWORD))
    state.load()
    assert not state.watch_can_change
    state.form_types, state.form_cadence = ["crunchbase"], "daily"
    state.save()  # sent by hand: the page offers no such button to a viewer
    assert state.watch_error == "Your role (viewer) does not allow this."
    assert db.exec(select(MarketWatch)).all() == []
    state.set_following(True)
    assert state.following and state.watch_notice == "Following its changes."
    state.set_email_digest(False)
    assert state.following and not state.email_digest


def test_the_bell_counts_and_the_changes_page_opens_only_its_own_links(db):
    owner = make_user(db, "Olga Owner")
    project = _project(db, owner)
    notifications.follow(db, owner, project.id)
    run = version_with_changes(db, project, [{"kind": "entered", "text": "x"}])
    notifications.record(db, run)
    db.commit()

    state = make_state(NotificationsState, "/changes", sign_in(owner.email, PASSWORD))
    assert state.load_bell() is not None  # starts the live listener
    assert state.unread == 1 and state.unread_label == "1"
    state.load_changes()
    (item,) = state.items
    assert state.open_change(item["id"], "https://evil.example/") is None  # not its link
    assert state.unread == 0
    redirect = state.open_change(item["id"], item["href"])
    assert redirect is not None

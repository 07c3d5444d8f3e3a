"""Instance administrators: who they are, and the system pages through their real handlers.

System status, "Check now" and every organisation's queue are instance-wide: only an e-mail of
INSTANCE_ADMIN_EMAILS, or (when that is empty) the first account, may see them. Owning a
personal workspace, which everyone does, is not enough.
"""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from marketnav.models import AuditLog, Organization, SystemCheck, User
from marketnav.services import system_status
from marketnav.services.errors import PermissionDenied, RateLimited
from marketnav.services.permissions import (
    INSTANCE,
    INSTANCE_ADMIN_MESSAGE,
    Action,
    authorize,
    is_instance_admin,
)
from marketnav.services.reports import queue_admin, runs
from marketnav.state.admin import StatusState
from marketnav.state.queues import QueueState
from marketnav.state.session import SessionState
from tests.conftest import clear_caches
from tests.factories import fill_inputs, make_project, make_user, personal_org_id
from tests.support.session_cookie import make_state, sign_in

PASSWORD = "correct horse battery"


def test_the_first_account_is_the_instance_admin_and_only_it(db):
    first = make_user(db, "Ada First")
    second = make_user(db, "Bob Second")
    assert first.is_instance_admin and not second.is_instance_admin
    assert is_instance_admin(first) and not is_instance_admin(second)
    authorize(db, first, Action.INSTANCE_VIEW_SYSTEM, INSTANCE)
    for action in (Action.INSTANCE_VIEW_SYSTEM, Action.INSTANCE_RUN_CHECK):
        with pytest.raises(PermissionDenied, match="instance administrators"):
            authorize(db, second, action, INSTANCE)
    with pytest.raises(PermissionDenied):
        authorize(db, None, Action.INSTANCE_VIEW_SYSTEM, INSTANCE)
    first.is_active = False
    assert not is_instance_admin(first)


def test_instance_actions_need_the_instance_object_and_org_actions_refuse_it(db):
    admin = make_user(db, "Ada First")

    org = db.get(Organization, personal_org_id(db, admin))
    with pytest.raises(PermissionDenied):
        authorize(db, admin, Action.INSTANCE_VIEW_SYSTEM, org)
    with pytest.raises(PermissionDenied):
        authorize(db, admin, Action.ORG_VIEW, INSTANCE)


def test_a_second_flagged_account_is_refused_by_the_database(db):
    make_user(db, "Ada First")
    db.add(User(name="Eve", email="eve@example.com", password_hash="x", is_instance_admin=True))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def test_the_setting_names_the_admins_instead_of_the_first_account(db, monkeypatch):
    first = make_user(db, "Ada First")
    ops = make_user(db, "Otto Ops", "OPS@example.com")
    monkeypatch.setenv("INSTANCE_ADMIN_EMAILS", " ops@example.com , root@example.com")
    clear_caches()
    assert is_instance_admin(ops) and not is_instance_admin(first)


def _signed_up(db, name: str, email: str) -> str:
    state = make_state(SessionState, "/register")
    state.register(
        {"name": name, "email": email, "password": PASSWORD, "password_confirm": PASSWORD}
    )
    return sign_in(email, PASSWORD)


def test_status_page_refuses_an_ordinary_user_and_shows_an_instance_admin(db):
    admin_token = _signed_up(db, "Ada Admin", "ada@example.com")
    user_token = _signed_up(db, "Uma User", "uma@example.com")
    db.add(SystemCheck(components=[{"name": "Database", "kind": "database", "ok": True,
                                    "latency_ms": 1.0, "detail": "sqlite"}]))  # fmt: skip
    db.commit()
    refused = make_state(StatusState, "/status", user_token)
    assert refused.require_login() is None
    assert not refused.instance_admin and refused.administers_an_org
    refused.load()
    assert not refused.allowed and refused.error == INSTANCE_ADMIN_MESSAGE
    assert refused.components == [] and refused.checked_at == ""
    shown = make_state(StatusState, "/status", admin_token)
    shown.require_login()
    assert shown.instance_admin
    shown.load()
    assert shown.allowed and shown.error == "" and shown.components[0]["name"] == "Database"


def test_check_now_is_for_instance_admins_and_one_at_a_time(db):
    admin = make_user(db, "Ada Admin")
    other = make_user(db, "Uma User")
    with pytest.raises(PermissionDenied):
        system_status.request_check(db, other)
    system_status.request_check(db, admin, "10.0.0.1")
    db.commit()
    with pytest.raises(RateLimited, match="already queued"):
        system_status.request_check(db, admin)
    # A result that lands after the request ends the wait.
    db.add(SystemCheck(components=[]))
    db.commit()
    system_status.request_check(db, admin)
    db.commit()
    rows = db.exec(select(AuditLog).where(AuditLog.action == "system.check_requested")).all()
    assert [r.user_id for r in rows] == [admin.id, admin.id]


def test_queues_show_every_organisation_to_the_instance_admin_only(db):
    admin = make_user(db, "Ada Admin")
    owner = make_user(db, "Olga Owner")
    stranger = make_user(db, "Sam Stranger")
    project = make_project(db, owner, "Pets")
    fill_inputs(db, owner, project)
    run = runs.start(db, owner, project.id, "quick_report")
    db.commit()
    seen_by_admin = queue_admin.active_runs(db, admin)
    assert [r["run_id"] for r in seen_by_admin] == [run.id]
    assert seen_by_admin[0]["can_cancel"] is False  # not a member of Olga's workspace
    seen_by_owner = queue_admin.active_runs(db, owner)
    assert [r["run_id"] for r in seen_by_owner] == [run.id] and seen_by_owner[0]["can_cancel"]
    assert queue_admin.active_runs(db, stranger) == []


def test_queue_page_handler_scopes_runs_and_workers(db):
    admin_token = _signed_up(db, "Ada Admin", "ada@example.com")
    owner_token = _signed_up(db, "Olga Owner", "olga@example.com")
    owner = db.exec(select(User).where(User.email == "olga@example.com")).one()
    project = make_project(db, owner, "Pets")
    fill_inputs(db, owner, project)
    runs.start(db, owner, project.id, "quick_report")
    db.commit()
    admin_page = make_state(QueueState, "/queues", admin_token)
    assert admin_page.load() is QueueState.load_workers  # workers: instance admins only
    assert admin_page.allowed and admin_page.instance_wide and len(admin_page.runs) == 1
    owner_page = make_state(QueueState, "/queues", owner_token)
    assert owner_page.load() is None
    assert owner_page.allowed and not owner_page.instance_wide and len(owner_page.runs) == 1
    signed_out = make_state(QueueState, "/queues", "forged")
    signed_out.load()
    assert not signed_out.allowed and signed_out.runs == []

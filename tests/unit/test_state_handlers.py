"""Reflex state handlers called directly: the thin layer between the page and the services."""

from __future__ import annotations

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import col, select

from marketnav.models import AuditLog, LoginAttempt, ShareAttempt, ShareUnlock
from marketnav.services import accounts, login_throttle, share_links
from marketnav.services.permissions import INSTANCE_ADMIN_MESSAGE
from marketnav.settings import get_settings
from marketnav.state.admin import AccountState, AuditState, StatusState
from marketnav.state.dashboard import DashboardState
from marketnav.state.organizations import OrganizationsState
from marketnav.state.project import ProjectState
from marketnav.state.session import SessionState
from marketnav.state.share import ShareState
from marketnav.web import cookies
from tests.factories import COMPLETE_INPUTS, reported_project
from tests.support.session_cookie import (
    cookie_from,
    exchange,
    handoff_of,
    http_client,
    make_state,
    session_token_from,
    sign_in,
)

PASSWORD = "correct horse battery"


def signed_up(db, name="Ada Lovelace", email="ada@example.com") -> str:
    """Sign up and log in as the pages do; the session token the browser's cookie holds."""
    state = make_state(SessionState, "/register")
    state.register(
        {"name": name, "email": email, "password": PASSWORD, "password_confirm": PASSWORD}
    )
    assert state.auth_error == ""
    return sign_in(email, PASSWORD)


def test_register_creates_the_account_and_sends_the_user_to_log_in(db):
    state = make_state(SessionState, "/register")
    result = state.register(
        {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        }
    )
    assert state.auth_notice == accounts.REGISTERED_MESSAGE and state.auth_error == ""
    assert isinstance(result, rx.event.EventSpec) and state.user_id == 0
    token = sign_in("ada@example.com", PASSWORD)
    state = make_state(DashboardState, "/dashboard", token)
    assert state.require_login() is None
    assert state.user_name == "Ada Lovelace" and state.user_initials == "AL"


def test_register_mismatch_keeps_user_out_and_says_why(db):
    state = make_state(SessionState)
    state.register({"name": "A", "email": "a@b.co", "password": PASSWORD, "password_confirm": "x"})
    assert state.token == "" and state.auth_notice == ""
    assert state.auth_field_errors == {"password_confirm": "The passwords do not match."}


def test_login_logout_and_safe_next_redirect(db):
    signed_up(db)
    state = make_state(SessionState, "/login")
    state.router = RouterData.from_router_data(
        {"asPath": "/login?next=//evil.example", "pathname": "/login", "headers": {}}
    )
    assert state.login({"email": "ada@example.com", "password": "wrong"}) is None
    assert state.auth_error == "Wrong e-mail or password." and state.token == ""
    handoff = handoff_of(state.login({"email": "ada@example.com", "password": PASSWORD}))
    assert handoff.next_path == "/dashboard"
    answer = exchange(handoff)
    assert answer.status_code == 303 and answer.headers["location"] == "/dashboard"
    token = session_token_from(answer)
    assert accounts.user_for_token(db, token).email == "ada@example.com"
    signed_in = make_state(DashboardState, "/dashboard", token)
    assert signed_in.require_login() is None and signed_in.user_email == "ada@example.com"
    spec = signed_in.logout()
    assert isinstance(spec, rx.event.EventSpec) and signed_in.user_id == 0
    assert accounts.user_for_token(db, token) is None
    cleared = http_client().get("/_auth/logout", follow_redirects=False)
    assert cleared.headers["location"] == "/login"
    assert 'mn_session=""' in cleared.headers["set-cookie"]
    assert "Max-Age=0" in cleared.headers["set-cookie"]


def _audited(db, action: str) -> list[AuditLog]:
    return db.exec(select(AuditLog).where(AuditLog.action == action)).all()


def _login(email: str, password: str) -> SessionState:
    """A login as the page sends it: a fresh handler call with its own session scope."""
    state = make_state(SessionState, "/login")
    state.login({"email": email, "password": password})
    return state


def test_wrong_passwords_through_the_handler_are_recorded_and_make_the_client_wait(db):
    signed_up(db)
    limit = get_settings().login_max_attempts
    for _ in range(limit):
        state = _login("ada@example.com", "wrong password")
        assert state.auth_error == accounts.LOGIN_FAILED_MESSAGE and state.token == ""
    # (signing up logged in once: one successful attempt before these)
    attempts = db.exec(select(LoginAttempt).where(col(LoginAttempt.succeeded).is_(False))).all()
    assert [(a.email, a.client, a.succeeded) for a in attempts] == [
        ("ada@example.com", "127.0.0.1", False)
    ] * limit
    failures = _audited(db, "auth.login_failed")
    assert len(failures) == limit and {f.client for f in failures} == {"127.0.0.1"}
    # The right password from the same client is refused during its wait; nobody signs in.
    state = _login("ada@example.com", PASSWORD)
    assert "Too many failed attempts" in state.auth_error
    assert state.token == "" and state.user_id == 0
    assert len(_audited(db, "auth.login")) == 1  # only the sign-up's own login


def test_wrong_passwords_through_the_handler_exhaust_the_client_budget(db):
    signed_up(db)
    budget = get_settings().login_max_attempts * login_throttle.WIDE_FACTOR
    for i in range(budget):
        assert _login(f"guess{i}@example.com", "wrong password").token == ""
    failed = select(LoginAttempt).where(col(LoginAttempt.succeeded).is_(False))
    assert len(db.exec(failed).all()) == budget
    assert len(_audited(db, "auth.login_failed")) == budget
    # The same client with a real account's right password: refused while limited.
    state = _login("ada@example.com", PASSWORD)
    assert "Too many failed attempts" in state.auth_error and state.token == ""


@pytest.fixture
def protected_link(db, monkeypatch) -> str:
    """The token of a password-protected link to a completed Quick Report."""
    owner, project = reported_project(db, monkeypatch)
    created = share_links.create(db, owner, project.id, "quick_report", password="open sesame")
    db.commit()
    return created.token


def test_wrong_share_passwords_through_the_handler_are_recorded_and_hit_the_limit(
    db, protected_link
):
    path = f"/share/{protected_link}"
    for _ in range(share_links.MAX_ATTEMPTS_PER_LINK):
        state = make_state(ShareState, path)
        state.load()
        assert state.share_status == "password"
        state.unlock({"password": "wrong guess"})
        assert state.password_error == "That password is not right."
        assert state.share_status == "password" and state.sections == []
    attempts = db.exec(select(ShareAttempt)).all()
    assert [(a.client, a.succeeded) for a in attempts] == [
        ("127.0.0.1", False)
    ] * share_links.MAX_ATTEMPTS_PER_LINK
    failures = _audited(db, "share.password_failed")
    assert len(failures) == share_links.MAX_ATTEMPTS_PER_LINK
    # The right password is refused while the link is limited: nothing is shown or unlocked.
    state = make_state(ShareState, path)
    state.load()
    state.unlock({"password": "open sesame"})
    assert "Too many wrong passwords" in state.password_error
    assert state.share_status == "password" and state.sections == []
    assert db.exec(select(ShareUnlock)).all() == []  # no code, no grant
    assert db.exec(select(ShareAttempt).where(col(ShareAttempt.succeeded))).all() == []


def test_right_share_password_through_the_handler_unlocks(db, protected_link):
    path = f"/share/{protected_link}"
    state = make_state(ShareState, path)
    state.load()
    state.unlock({"password": "wrong guess"})
    spec = state.unlock({"password": "open sesame"})
    assert state.password_error == "" and state.unlocking
    assert [a.succeeded for a in db.exec(select(ShareAttempt)).all()] == [False, True]
    # The page trades the one-time code at `/_share/unlock` (the real route) for the cookie.
    handoff = handoff_of(spec)
    assert handoff.route == cookies.SHARE_UNLOCK_ROUTE and handoff.next_path == path
    assert "Path=/_share/" in handoff.cookie and "SameSite=Strict" in handoff.cookie
    response = exchange(handoff)
    assert response.status_code == 303 and response.headers["location"] == path
    name = cookies.unlock_cookie_name(share_links.hash_token(protected_link))
    grant = cookie_from(response, name)
    set_cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith(name))
    assert grant and "HttpOnly" in set_cookie and "Path=/;" in set_cookie
    assert exchange(handoff).status_code == 303 and not cookie_from(exchange(handoff), name)
    # Any tab of that browser, whatever its Reflex client token, is unlocked: a new state.
    for _ in range(2):
        again = make_state(ShareState, path, cookie=f"{name}={grant}")
        again.load()
        assert again.share_status == "ready" and again.sections
    # Only the grant's digest reaches the state (the middleware rewrites the cookie).
    assert grant not in again.router.headers.cookie
    # Without the cookie, or with another link's, it asks again.
    for cookie in ("", f"{cookies.unlock_cookie_name('0' * 64)}={grant}"):
        stranger = make_state(ShareState, path, cookie=cookie)
        stranger.load()
        assert stranger.share_status == "password" and stranger.sections == []


def test_protected_page_redirects_strangers(db):
    state = make_state(DashboardState, "/dashboard", token="forged")
    assert state.require_login() is not None
    assert state.user_id == 0 and not state.instance_admin


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
    # The project's name is already its first answer (#13).
    assert state.can_edit and state.completion_status == "partial"
    state.start_editing()
    state.set_draft("startup_name", "PawPal")
    state.cancel_editing()
    assert state.draft["startup_name"] == "Pet care" and not state.editing
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
    state.set_invite_role("viewer")
    state.invite({"email": "mia@example.com"})
    assert state.error == "" and "Invitation saved for mia@example.com" in state.notice
    assert state.invitations == [{"email": "mia@example.com", "role": "viewer"}]
    sign_in("mia@example.com", PASSWORD)  # she joins when she signs in
    state.load()
    assert state.invitations == []
    mia = next(m for m in state.members if m["email"] == "mia@example.com")
    assert mia["role"] == "viewer"
    state.change_role(mia["user_id"], "admin")
    assert next(m for m in state.members if m["email"] == "mia@example.com")["role"] == "admin"
    state.leave()
    assert "last owner" in state.error


def test_organizations_web_discovery_switch_for_owners_not_members(db, monkeypatch):
    owner_token = signed_up(db)
    orgs = make_state(OrganizationsState, "/organizations", owner_token)
    orgs.load()
    orgs.create({"name": "Team"})
    assert orgs.web_discovery is False and orgs.can_manage_sources
    assert orgs.web_engine == ""  # the page says no engine is configured
    orgs.set_web_discovery(True)
    assert orgs.error == "" and orgs.web_discovery is True
    assert "Web discovery is on" in orgs.notice
    orgs.set_invite_role("member")
    orgs.invite({"email": "mia@example.com"})
    signed_up(db, "Mia Member", "mia@example.com")
    member = make_state(OrganizationsState, "/organizations", sign_in("mia@example.com", PASSWORD))
    member.load()
    member.select(orgs.selected_id)
    assert member.web_discovery is True and not member.can_manage_sources
    member.set_web_discovery(False)
    assert member.error and member.web_discovery is True  # refused, nothing changed
    monkeypatch.setenv("WEB_SEARCH_ENGINE", "searxng")
    from marketnav.settings import get_settings

    get_settings.cache_clear()
    orgs.load()
    assert orgs.web_engine == "searxng"


def test_admin_pages_refuse_plain_members(db):
    owner_token = signed_up(db)
    member_token = signed_up(db, "Mia Member", "mia@example.com")
    orgs = make_state(OrganizationsState, "/organizations", owner_token)
    orgs.load()
    orgs.create({"name": "Team"})
    orgs.set_invite_role("member")
    orgs.invite({"email": "mia@example.com"})
    member_token = sign_in("mia@example.com", PASSWORD)  # joins at sign-in
    # Mia owns her personal workspace, so she may see audit there but not the team's.
    audit = make_state(AuditState, "/audit", member_token)
    audit.load()
    assert orgs.selected_id not in {o["id"] for o in audit.orgs}
    owner_audit = make_state(AuditState, "/audit", owner_token)
    owner_audit.select(orgs.selected_id)
    assert any(r["action"] == "org.member_added" for r in owner_audit.rows)
    # Owning her own workspace does not make her an instance administrator (Ada, the first
    # account, is one).
    status = make_state(StatusState, "/status", member_token)
    status.load()
    assert not status.allowed and status.error == INSTANCE_ADMIN_MESSAGE
    status = make_state(StatusState, "/status", owner_token)
    status.load()
    assert status.allowed and status.error == ""


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


def test_load_keeps_no_project_id_the_user_cannot_open_and_follow_refuses(db):
    from marketnav.state.assistant import AssistantState
    from marketnav.state.bus import may_follow
    from marketnav.state.report_viewer import ReportViewerState
    from marketnav.state.reports import ReportsState

    owner_token = signed_up(db)
    _, project_id = _project_state(db, owner_token)
    outsider_token = signed_up(db, "Eve Outsider", "eve@example.com")
    ids = {
        ProjectState: "current_id",
        AssistantState: "thread_project_id",
        ReportsState: "reports_project_id",
        ReportViewerState: "rv_project_id",
    }

    def path(cls) -> str:
        return f"/projects/{project_id}" + ("/reports/quick_report" * (cls is ReportViewerState))

    for token in (outsider_token, "", "forged"):
        for cls, var in ids.items():
            state = make_state(cls, path(cls), token)
            state.load()
            assert getattr(state, var) == 0, (cls.__name__, token)
        assert not may_follow(token, project_id)
    for cls, var in ids.items():
        state = make_state(cls, path(cls), owner_token)
        state.load()
        assert getattr(state, var) == project_id, cls.__name__
    assert may_follow(owner_token, project_id)
    assert not may_follow(owner_token, 0) and not may_follow(owner_token, project_id + 1)


@pytest.mark.parametrize("path", ["/projects/abc", "/projects/999999"])
def test_bad_project_urls_show_not_found(db, path):
    state = make_state(ProjectState, path, signed_up(db))
    state.load()
    assert state.not_found


def test_a_session_store_outage_keeps_the_user_on_the_page_with_a_clear_message(db, monkeypatch):
    """Redis restarting: require_login neither redirects to /login nor raises a stack trace."""
    from marketnav.services import sessions

    token = signed_up(db)
    state = make_state(DashboardState, "/dashboard", token)

    def unavailable(*_args, **_kwargs):
        raise sessions.SessionStoreUnavailable()

    monkeypatch.setattr(sessions, "user_id_for", unavailable)
    answer = state.require_login()
    assert "session store cannot be reached" in str(answer)
    assert "/login" not in str(answer)
    login_page = make_state(SessionState, "/login", token)
    assert "session store cannot be reached" in str(login_page.redirect_if_logged_in())


def test_a_card_read_from_the_database_is_never_taken_back_by_a_late_older_event(db):
    """Under load a listener is behind: a finished run re-reads every card from the database,
    and events of another run built before that read may still be queued. They must not take
    that card back (bench_live_load counted such inversions at 200 tabs)."""
    from marketnav.models import ReportRun, User
    from marketnav.services import projects
    from marketnav.services.reports import runs
    from marketnav.services.reports.tracker import ReportProgressTracker
    from marketnav.state.reports import ReportsState

    token = signed_up(db)
    _, project_id = _project_state(db, token)
    user = db.exec(select(User)).one()
    projects.save_inputs(db, user, project_id, COMPLETE_INPUTS)
    run = runs.start(db, user, project_id, "quick_report")
    run.status, run.worker = "running", "w1#attempt"
    db.add(run)
    db.commit()
    tracker = ReportProgressTracker(
        run.id, run.report_id, project_id, "quick_report", worker="w1#attempt", write_interval=0
    )
    tracker.start_step("init")
    older = tracker.snapshot()  # built now, delivered late
    tracker.complete_step("init")
    tracker.start_step("api_search")
    tracker.update_step_progress("api_search", 50)
    state = make_state(ReportsState, f"/projects/{project_id}", token)
    state.load()  # reads the card: init (5) and half of api_search (75): 42%
    assert state.cards["quick_report"]["progress"] == 42
    generation = state.reports_listener
    assert state._apply_batch(generation, [older])
    assert state.cards["quick_report"]["progress"] == 42  # not back to 0
    newer = tracker.snapshot()
    newer["progress"] = 60
    assert state._apply_batch(generation, [newer])
    assert state.cards["quick_report"]["progress"] == 60
    db.expire_all()
    assert db.get(ReportRun, run.id).status == "running"

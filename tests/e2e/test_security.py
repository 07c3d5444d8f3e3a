"""Issue #12 items 3, 5, 7 against the running app (`scripts/run_stack.py`, as `make run`).

- System status is for instance administrators: an ordinary user opening /status sees the
  refusal and no menu link; the instance administrator sees the page (desktop and phone).
- Every HTTP response carries the security headers (pages, a share page, backend routes).
- The session cookie is HttpOnly and SameSite=Lax, and page scripts cannot read it.
- Registering a taken e-mail answers exactly as registering a new one.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import (
    DESKTOP,
    E2E_INSTANCE_ADMIN,
    PASSWORD,
    log_in,
    new_page,
    sign_up,
)

pytestmark = pytest.mark.e2e

EXPECTED = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
}


def _register(page: Page, app_url: str, name: str, email: str) -> str:
    """Submit the sign-up form; the notice the login page then shows."""
    page.goto(f"{app_url}/register")
    page.fill("#name", name)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/login")
    notice = page.get_by_test_id("auth-notice")
    notice.wait_for()
    return notice.inner_text()


def _csp_violations(page: Page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return found


def _open_user_menu(page: Page) -> None:
    page.get_by_test_id("user-menu").click()
    expect(page.get_by_test_id("logout")).to_be_visible()


def test_status_page_refuses_an_ordinary_user_and_shows_an_instance_admin(
    browser: Browser, app_url: str, viewport: dict
):
    ordinary = sign_up(browser, app_url, viewport, "Olaf Ordinary").page
    violations = _csp_violations(ordinary)
    ordinary.goto(f"{app_url}/status")
    expect(ordinary.get_by_test_id("error")).to_have_text(
        "Only instance administrators can open this page."
    )
    expect(ordinary.get_by_test_id("run-check")).to_have_count(0)
    expect(ordinary.get_by_test_id("status-row")).to_have_count(0)
    _open_user_menu(ordinary)
    expect(ordinary.get_by_test_id("menu-status")).to_have_count(0)
    expect(ordinary.get_by_test_id("menu-queues")).to_be_visible()  # owns a workspace

    # The instance administrator (INSTANCE_ADMIN_EMAILS of the e2e app). The second viewport's
    # run registers the same e-mail again: the same answer, and the old password still works.
    admin = new_page(browser, viewport)
    notice = _register(admin, app_url, "Root Admin", E2E_INSTANCE_ADMIN)
    assert notice.startswith("Thanks. If this e-mail is new")
    log_in(admin, E2E_INSTANCE_ADMIN)
    violations += _csp_violations(admin)
    _open_user_menu(admin)
    admin.get_by_test_id("menu-status").click()
    admin.wait_for_url("**/status")
    expect(admin.get_by_test_id("run-check")).to_be_visible()
    expect(admin.get_by_test_id("flower-link")).to_have_attribute("href", "http://localhost:5555")
    expect(admin.get_by_test_id("error")).to_have_count(0)
    admin.goto(f"{app_url}/queues")
    expect(admin.get_by_test_id("queue-scope")).to_contain_text("Every organisation's runs")
    expect(admin.get_by_role("heading", name="Workers")).to_be_visible()
    assert violations == []


def _get(url: str) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, method="GET")
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as err:  # a 4xx still carries the headers
        return err.code, {k.lower(): v for k, v in err.headers.items()}


@pytest.mark.parametrize(
    ("path", "referrer"),
    [
        ("/", "strict-origin-when-cross-origin"),
        ("/login", "strict-origin-when-cross-origin"),
        ("/share/" + "x" * 43, "no-referrer"),
        ("/ping", "strict-origin-when-cross-origin"),
        ("/_event/?EIO=4&transport=polling", "strict-origin-when-cross-origin"),
        ("/_auth/session", "strict-origin-when-cross-origin"),
    ],
)
def test_every_response_carries_the_security_headers(app_url: str, path: str, referrer: str):
    status, headers = _get(app_url + path)
    assert status < 500, (path, status)
    for name, value in EXPECTED.items():
        assert headers.get(name) == value, (path, name, headers.get(name))
    assert headers.get("referrer-policy") == referrer
    csp = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert "object-src 'none'" in csp


def test_the_session_cookie_is_http_only_and_scripts_cannot_read_or_forge_it(
    browser: Browser, app_url: str
):
    person = sign_up(browser, app_url, DESKTOP, "Cora Cookie")
    page = person.page
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["mn_session"]
    assert session["httpOnly"] is True and session["sameSite"] == "Lax"
    assert session["secure"] is False  # APP_URL is http here; "auto" sets it behind https
    assert session["path"] == "/" and len(session["value"]) >= 40
    assert "mn_handoff" not in cookies  # the one-time code is used up and cleared
    assert "mn_session" not in page.evaluate("document.cookie")
    # A script cannot overwrite it either: the browser keeps the HttpOnly cookie.
    page.evaluate("document.cookie = 'mn_session=forged; path=/'")
    page.goto(f"{app_url}/dashboard")
    expect(page.get_by_test_id("user-menu")).to_be_visible()
    assert {c["name"]: c for c in page.context.cookies()}["mn_session"]["value"] == (
        session["value"]
    )
    # Logging out clears it, and the old token no longer opens a page.
    _open_user_menu(page)
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r"/login/?$"))
    assert "mn_session" not in {c["name"] for c in page.context.cookies()}
    other = new_page(browser, DESKTOP)
    other.context.add_cookies(
        [{"name": "mn_session", "value": session["value"], "url": app_url, "httpOnly": True}]
    )
    other.goto(f"{app_url}/dashboard")
    other.wait_for_url(re.compile(r"/login\?next=/dashboard/?$"))


def test_registering_a_taken_email_answers_like_a_new_one(browser: Browser, app_url: str):
    page = new_page(browser, DESKTOP)
    email = f"twice-{uuid.uuid4().hex[:8]}@example.com"
    first = _register(page, app_url, "Tia Twice", email)
    second = _register(page, app_url, "Someone Else", email)
    assert first == second
    log_in(page, email)  # the first password still signs in: nothing was changed

"""axe-core on every page, desktop and phone, light and dark: no serious or critical violation.

One signed-in instance administrator (so /status and /queues show their content) owns a
project with a completed Quick Report and a share link; each page is opened in a fresh context
with that session, at each size and colour scheme, and checked once it has loaded (and again
with its dialog, menu or phone panel open where it has one).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.a11y import axe_violations, describe, ensure_axe
from tests.e2e.conftest import (
    DESKTOP,
    E2E_INSTANCE_ADMIN,
    PASSWORD,
    PHONE,
    create_project,
    fill_inputs,
    log_in,
    new_page,
)

pytestmark = pytest.mark.e2e


@dataclass
class World:
    storage_state: dict
    project_url: str
    report_url: str
    share_url: str


@pytest.fixture(scope="module")
def world(browser: Browser, app_url: str) -> World:
    ensure_axe()
    page = new_page(browser, DESKTOP)
    # Registering an e-mail that has an account answers the same, so this works in any order.
    page.goto(f"{app_url}/register")
    page.fill("#name", "Root Admin")
    page.fill("#email", E2E_INSTANCE_ADMIN)
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/login")
    page.get_by_test_id("auth-notice").wait_for()
    log_in(page, E2E_INSTANCE_ADMIN)
    project_url = create_project(page, "Accessible pets")
    fill_inputs(page)
    page.get_by_test_id("start-quick_report").click()
    expect(page.get_by_test_id("report-card-quick_report")).to_have_attribute(
        "data-status", "completed", timeout=60_000
    )
    page.get_by_test_id("view-quick_report").click()
    page.wait_for_url("**/reports/quick_report")
    expect(page.get_by_test_id("report-title")).to_be_visible()
    report_url = page.url
    page.get_by_test_id("open-share").click()
    page.get_by_test_id("share-label").fill("Screen reader check")
    page.get_by_test_id("create-link").click()
    created = page.get_by_test_id("created-url").inner_text()
    share_url = app_url + "/share/" + created.split("/share/", 1)[1]
    page.keyboard.press("Escape")
    state = page.context.storage_state()
    page.context.close()
    return World(state, project_url, report_url, share_url)


def _open(page: Page, test_id: str, shown: str) -> None:
    page.get_by_test_id(test_id).click()
    expect(page.get_by_test_id(shown).first).to_be_visible()


def _open_role(page: Page, test_id: str, role: str) -> None:
    page.get_by_test_id(test_id).click()
    expect(page.get_by_role(role).first).to_be_visible()


@dataclass
class Check:
    name: str
    url: Callable[[World, str], str]
    ready: str  # a CSS selector that is visible once the page has loaded its data
    signed_in: bool = True
    extra: tuple[tuple[str, Callable[[Page], None]], ...] = ()
    phone_only_extra: bool = False


CHECKS = [
    Check("landing", lambda w, u: u + "/", "text=Start free", signed_in=False),
    Check("login", lambda w, u: u + "/login", "#email", signed_in=False),
    Check("register", lambda w, u: u + "/register", "#password_confirm", signed_in=False),
    Check(
        "dashboard",
        lambda w, u: u + "/dashboard",
        "[data-testid=project-card]",
        extra=(
            ("new project dialog", lambda p: _open_role(p, "new-project", "dialog")),
            ("user menu", lambda p: _open(p, "user-menu", "logout")),
        ),
    ),
    Check(
        "project",
        lambda w, u: w.project_url,
        "[data-testid=report-card-quick_report][data-status=completed]",
        extra=(
            ("assistant panel", lambda p: _open(p, "open-right", "chat-input")),
            ("projects panel", lambda p: _open(p, "open-left", "close-left")),
        ),
        phone_only_extra=True,
    ),
    Check(
        "report viewer",
        lambda w, u: w.report_url,
        "[data-testid=report-title]",
        extra=(("share dialog", lambda p: _open(p, "open-share", "create-link")),),
    ),
    Check("share page", lambda w, u: w.share_url, "[data-testid=report-title]", signed_in=False),
    Check("organisations", lambda w, u: u + "/organizations", "[data-testid=member-row]"),
    Check("imports", lambda w, u: u + "/imports", "[data-testid=import-upload]"),
    Check("account", lambda w, u: u + "/account", "#pw-current"),
    Check("queues", lambda w, u: u + "/queues", "[data-testid=queue-scope]"),
    Check(
        "status",
        lambda w, u: u + "/status",
        "[data-testid=run-check]",
        extra=(("a check's results", lambda p: _open(p, "run-check", "status-row")),),
    ),
    Check("audit", lambda w, u: u + "/audit", "[data-testid=audit-row]"),
    Check("changes", lambda w, u: u + "/changes", "[data-testid=no-changes]"),
    Check("webhooks", lambda w, u: u + "/webhooks", "[data-testid=hook-add]"),
]

SIZES = {"desktop": DESKTOP, "phone": PHONE}


def _check(
    browser: Browser,
    app_url: str,
    world: World,
    check: Check,
    size: str,
    theme: str,
    label: str = "",
    action: Callable[[Page], None] | None = None,
) -> str:
    """Open the page in a fresh context (optionally open its dialog or panel) and run axe."""
    context = browser.new_context(
        viewport=SIZES[size],
        color_scheme=theme,
        storage_state=world.storage_state if check.signed_in else None,
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(check.url(world, app_url))
        page.locator(check.ready).first.wait_for(state="visible")
        # The colour mode is applied (Reflex follows the emulated system preference).
        expect(page.locator("html")).to_have_class(re.compile(rf"\b{theme}\b"))
        if action is not None:
            action(page)
        where = f"{check.name}{' with ' + label if label else ''} ({size}, {theme})"
        return describe(where, axe_violations(page))
    finally:
        context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_no_serious_or_critical_axe_violation_on_any_page(
    browser: Browser, app_url: str, world: World, size: str, theme: str
):
    found: list[str] = []
    for check in CHECKS:
        found.append(_check(browser, app_url, world, check, size, theme))
        if check.phone_only_extra and size != "phone":
            continue
        for label, action in check.extra:
            found.append(_check(browser, app_url, world, check, size, theme, label, action))
    problems = "\n".join(text for text in found if text)
    assert not problems, problems

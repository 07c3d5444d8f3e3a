"""The whole app started with the README's run script, and headless Chromium driving it."""

from __future__ import annotations

import re
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import free_port
from tests.processes import child_env, running, wait_for_port
from tests.support.fixture_web import FixtureWeb

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery"
# The one instance administrator of the e2e app (the first account would depend on test order).
E2E_INSTANCE_ADMIN = "root-admin@example.com"


@pytest.fixture(scope="session")
def app_var_dir(tmp_path_factory) -> Path:
    """The VAR_DIR of the app that `app_url` starts (its SQLite database and progress bus)."""
    return tmp_path_factory.mktemp("e2e-var")


@pytest.fixture(scope="session")
def fixture_web() -> Iterator[FixtureWeb]:
    """The fixture web (company sites and a SearXNG-compatible search) the e2e app searches."""
    with FixtureWeb.start() as web:
        yield web


@pytest.fixture(scope="session")
def app_url(app_var_dir, fixture_web) -> Iterator[str]:
    var_dir = app_var_dir
    port = free_port()
    env = child_env(
        VAR_DIR=str(var_dir),
        FRONTEND_PORT=str(port),
        DATABASE_URL="",
        REDIS_URL="",
        S3_ENDPOINT="",
        CRUNCHBASE_API_URL=f"http://127.0.0.1:{free_port()}",
        TRACXN_API_URL=f"http://127.0.0.1:{free_port()}",
        INSTANCE_ADMIN_EMAILS=E2E_INSTANCE_ADMIN,
        # Beat looks at the market watches every second (a due refresh starts at once).
        WATCH_DISPATCH_INTERVAL_SECONDS="1",
        # Webhooks post to a receiver the test runs on loopback, every 5 s.
        WEBHOOK_ALLOW_PRIVATE_HOSTS="true",
        WEBHOOK_INTERVAL_SECONDS="5",
        # Web discovery searches the fixture web (each organisation's switch is off by default).
        **fixture_web.settings_env(),
    )
    # run_stack.py migrates the database, as `make run` does.
    log = var_dir / "stack.log"
    with running([sys.executable, "scripts/run_stack.py"], env, log) as proc:
        try:
            wait_for_port(port, 400, proc)
        except Exception:
            print(log.read_text()[-5000:])
            raise
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """This run's screenshot folder (under pytest's per-run basetemp; the last 3 runs are kept)."""
    folder = tmp_path_factory.mktemp("screenshots")
    print(f"e2e screenshots: {folder}")
    return folder


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Person:
    name: str
    email: str
    page: Page


def new_page(browser: Browser, viewport: dict) -> Page:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def sign_up(browser: Browser, app_url: str, viewport: dict, name: str = "Ada Lovelace") -> Person:
    page = new_page(browser, viewport)
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.com"
    page.goto(f"{app_url}/register")
    page.fill("#name", name)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    page.click("button[type=submit]")
    # Registration signs nobody in (its answer is the same for a taken e-mail): log in.
    page.wait_for_url("**/login")
    page.get_by_test_id("auth-notice").wait_for()
    log_in(page, email)
    return Person(name, email, page)


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Log in on the open /login page; the session cookie arrives from /_auth/session."""
    # The URL turns to /login before the page swaps, and the sign-up form has the same field
    # ids: wait for the login form itself, or the fill can land in the leaving form.
    page.get_by_role("heading", name="Log in to MarketNavigator").wait_for()
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    # A full page load (the cookie comes with an HTTP response): the static server adds "/".
    page.wait_for_url(re.compile(r"/dashboard/?$"))


def create_project(page: Page, name: str) -> str:
    page.click("[data-testid=new-project]")
    page.fill("#project-name", name)
    page.click("text=Create project")
    page.wait_for_url("**/projects/*")
    page.wait_for_selector("[data-testid=project-name]")
    return page.url


ANSWERS = {
    "startup_name": "PawPal",
    "startup_description": "A marketplace for trusted pet sitters.\nInsured and vetted.",
    "target_audience": "Urban pet owners",
    "current_stage": "mvp",
    "business_model": "15% commission per booking",
    "geographic_focus": "Western Europe",
    "research_goal": "Who competes with us and how are they funded?",
    "time_range": "Last 5 years",
    "inspiration_sources": "Rover, Wag",
}


def fill_inputs(page: Page, answers: dict[str, str] = ANSWERS) -> None:
    """Answer the nine questions on the open project page and save."""
    page.get_by_test_id("edit-inputs").click()
    for key, value in answers.items():
        page.fill(f"#input-{key}", value)
    page.get_by_test_id("save-inputs").click()
    page.get_by_text("Inputs saved.").wait_for()


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def viewport(request) -> dict:
    return request.param


@pytest.fixture
def stack_db(app_url, tmp_path_factory, monkeypatch):
    """Point this process's settings at the running stack's database (embedded SQLite)."""
    from tests.conftest import clear_caches

    base = tmp_path_factory.getbasetemp()
    dirs = {d.resolve() for d in base.glob("e2e-var*") if (d / "marketnav.db").is_file()}
    assert len(dirs) == 1, dirs
    monkeypatch.setenv("VAR_DIR", str(dirs.pop()))
    clear_caches()
    yield
    clear_caches()

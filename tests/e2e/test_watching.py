"""Watching a market in the browser: set a schedule, follow it, a due refresh runs on the
stack's own beat and worker, the bell counts it live, the change opens with its evidence; a
viewer can follow but not change the schedule; the card works on a phone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    ANSWERS,
    DESKTOP,
    PHONE,
    create_project,
    fill_inputs,
    sign_up,
)

pytestmark = pytest.mark.e2e

FOOD = {
    **ANSWERS,
    "startup_name": "DinnerDash",
    "startup_description": (
        "An app that brings hot meals from neighbourhood restaurants to your door in under "
        "30 minutes, with couriers on bikes and live order tracking."
    ),
    "target_audience": "Busy city dwellers ordering dinner at home",
    "business_model": "Commission on each order plus a delivery fee",
    "inspiration_sources": "Deliveroo",
}


def _make_due(project_id: int) -> None:
    """As if the week had passed: the watch is due now (beat looks every second in e2e)."""
    from sqlmodel import select

    from marketnav.db import session_scope
    from marketnav.models import MarketWatch
    from marketnav.models.base import utcnow

    with session_scope() as db:
        watch = db.exec(select(MarketWatch).where(MarketWatch.project_id == project_id)).one()
        watch.next_run_at = watch.check_at = utcnow() - timedelta(seconds=1)
        db.add(watch)


def test_watch_a_market_see_the_bell_and_open_the_change(browser, app_url, stack_db, screenshots):
    person = sign_up(browser, app_url, DESKTOP, "Wes Watcher")
    page = person.page
    project_url = create_project(page, "Dinner, watched weekly")
    project_id = int(project_url.rstrip("/").rsplit("/", 1)[1])
    fill_inputs(page, FOOD)
    card = page.get_by_test_id("report-card-crunchbase")
    page.get_by_test_id("start-crunchbase").click()
    expect(card).to_have_attribute("data-status", "completed", timeout=120_000)

    watch = page.get_by_test_id("watch-card")
    watch.get_by_test_id("watch-open").click()
    watch.get_by_test_id("watch-type-tracxn").click()  # pre-ticked: Crunchbase and Tracxn
    expect(watch.get_by_test_id("watch-type-tracxn")).to_have_attribute("data-state", "unchecked")
    watch.get_by_test_id("watch-save").click()
    expect(watch.get_by_test_id("watch-status")).to_have_text("Watching")
    expect(watch.get_by_test_id("watch-summary")).to_have_text("Crunchbase Analysis · Every week")
    expect(watch.get_by_test_id("watch-next")).to_contain_text(re.compile(r"\d{4}-\d\d-\d\d"))
    watch.get_by_test_id("watch-follow").click()
    expect(watch.get_by_test_id("watch-notice")).to_have_text("Following its changes.")
    expect(watch.get_by_test_id("watch-email")).to_be_visible()
    page.screenshot(path=screenshots / "watch-card.png", full_page=True)
    expect(page.get_by_test_id("bell-count")).to_have_count(0)

    # The founder names another competitor; then the weekly refresh comes due.
    fill_inputs(page, {**FOOD, "inspiration_sources": "Deliveroo, Instacart"})
    page.goto(f"{app_url}/dashboard")  # somewhere else: the bell follows on every page
    _make_due(project_id)
    expect(page.get_by_test_id("bell-count")).to_have_text("1", timeout=120_000)

    page.get_by_test_id("bell").click()
    page.wait_for_url(re.compile(r"/changes/?$"))
    item = page.get_by_test_id("change-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Dinner, watched weekly · Crunchbase Analysis v2")
    expect(item).to_contain_text("new competitor")
    expect(item.get_by_test_id("change-new")).to_be_visible()
    page.screenshot(path=screenshots / "changes-page.png", full_page=True)
    item.get_by_test_id("change-link").click()
    page.wait_for_url(re.compile(r"/reports/crunchbase\?version=2#market-changes$"))
    box = page.get_by_test_id("market-changes")
    expect(box).to_contain_text("Instacart (named by you) entered the competitor list")
    expect(page.get_by_test_id("bell-count")).to_have_count(0)  # read
    box.get_by_test_id("market-change").filter(has_text="Instacart").get_by_test_id(
        "change-now"
    ).click()
    expect(page.locator("#sec-company_instacart")).to_be_in_viewport()
    # Follow that one company: re-checked with its data source from now on.
    instacart = page.locator("#sec-company_instacart")
    instacart.get_by_test_id("follow-company").click()
    expect(page.get_by_test_id("follow-notice")).to_contain_text("Following Instacart")
    expect(instacart.get_by_test_id("follow-company")).to_have_text("Following")

    # Pause and resume keep the schedule; stop ends it.
    page.goto(project_url)
    expect(watch.get_by_test_id("followed-company")).to_have_text("Instacart")
    watch.get_by_test_id("watch-pause").click()
    expect(watch.get_by_test_id("watch-status")).to_have_text("Paused")
    watch.get_by_test_id("watch-resume").click()
    expect(watch.get_by_test_id("watch-status")).to_have_text("Watching")


def _add_viewer(owner_email: str, viewer_email: str, project_id: int) -> None:
    """The owner invites the viewer to the project's organisation; the viewer joins."""
    from sqlmodel import select

    from marketnav.db import session_scope
    from marketnav.models import Project, User
    from marketnav.services import organizations

    with session_scope() as db:
        owner = db.exec(select(User).where(User.email == owner_email)).one()
        viewer = db.exec(select(User).where(User.email == viewer_email)).one()
        org_id = db.get(Project, project_id).organization_id
        organizations.invite(db, owner, org_id, viewer.email, "viewer")
        organizations.accept_invitations(db, viewer)


def test_a_viewer_follows_but_cannot_change_the_schedule_and_the_card_fits_a_phone(
    browser, app_url, stack_db
):
    owner = sign_up(browser, app_url, DESKTOP, "Olive Owner")
    page = owner.page
    project_url = create_project(page, "Shared dinner")
    page.get_by_test_id("watch-open").click()
    page.get_by_test_id("watch-save").click()
    expect(page.get_by_test_id("watch-status")).to_have_text("Watching")
    viewer = sign_up(browser, app_url, PHONE, "Vic Viewer")
    _add_viewer(owner.email, viewer.email, int(project_url.rstrip("/").rsplit("/", 1)[1]))
    phone = viewer.page
    phone.goto(project_url)
    card = phone.get_by_test_id("watch-card")
    expect(card.get_by_test_id("watch-status")).to_have_text("Watching")
    expect(card.get_by_test_id("watch-edit")).to_have_count(0)
    expect(card.get_by_test_id("watch-stop")).to_have_count(0)
    card.get_by_test_id("watch-follow").click()
    expect(card.get_by_test_id("watch-notice")).to_have_text("Following its changes.")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _attempted(count: int) -> bool:
    from sqlmodel import select

    from marketnav.db import session_scope
    from marketnav.models import WebhookDelivery

    with session_scope() as db:
        return any(d.attempts >= count for d in db.exec(select(WebhookDelivery)).all())


def test_an_admin_adds_a_webhook_sees_its_secret_and_its_delivery_log(browser, app_url, stack_db):
    from tests.integration.test_webhooks import Receiver
    from tests.support.report_stack import wait_until

    receiver = Receiver([500])  # the first post fails, the retry (30 s later) is not waited for
    try:
        page = sign_up(browser, app_url, DESKTOP, "Hana Hooks").page
        page.goto(f"{app_url}/webhooks")
        page.fill("#hook-url", "ftp://nowhere")
        page.get_by_test_id("hook-add").click()
        expect(page.get_by_text("Enter the webhook's full URL")).to_be_visible()
        expect(page.locator("#hook-url")).to_have_value("ftp://nowhere")  # kept to correct
        page.fill("#hook-url", receiver.url)
        page.fill("#hook-label", "#market-watch")
        page.get_by_test_id("hook-add").click()
        hook = page.get_by_test_id("webhook")
        expect(hook).to_contain_text("#market-watch")
        expect(hook.get_by_test_id("hook-secret")).to_have_text("•" * 16)
        hook.get_by_test_id("hook-reveal").click()
        expect(hook.get_by_test_id("hook-secret")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
        hook.get_by_test_id("hook-test").click()
        # Beat posts it within seconds; the receiver answers 500: logged, to be retried.
        assert wait_until(lambda: _attempted(1), 60, 0.2)
        page.get_by_role("button", name="Refresh log").click()
        row = hook.get_by_test_id("delivery-row")
        expect(row.first).to_contain_text("pending")
        expect(row.first).to_contain_text("500")
        assert len(receiver.requests) == 1
    finally:
        receiver.close()

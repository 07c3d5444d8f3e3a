"""Report cards on the project page: start a report, watch steps arrive live, in two tabs."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, create_project, fill_inputs, new_page, sign_up

pytestmark = pytest.mark.e2e


def test_start_a_quick_report_and_watch_it_complete(browser, app_url, viewport):
    page = sign_up(browser, app_url, viewport, "Rita Reports").page
    create_project(page, "Pet sitters")
    card = page.get_by_test_id("report-card-quick_report")
    # Incomplete inputs: a clear message, nothing starts.
    page.get_by_test_id("start-quick_report").click()
    # (The project's name is already its Startup Name: the other questions are named.)
    expect(page.get_by_test_id("report-error")).to_contain_text("Target Audience")
    expect(card).to_have_attribute("data-status", "not_started")
    fill_inputs(page)
    page.get_by_test_id("start-quick_report").click()
    # Steps arrive (the timeline opens for a running report) and the run completes.
    expect(card.get_by_test_id("progress-step").first).to_be_visible()
    expect(card).to_have_attribute("data-status", "completed", timeout=60_000)
    expect(page.get_by_test_id("status-quick_report")).to_have_text("Completed")
    expect(page.get_by_test_id("view-quick_report")).to_be_visible()
    if not card.get_by_test_id("progress-step").first.is_visible():
        page.get_by_test_id("details-quick_report").click()
    steps = card.get_by_test_id("progress-step")
    expect(steps).to_have_count(4)
    # The web search comes first and is skipped (web discovery is off by default).
    expect(steps.nth(0)).to_have_attribute("data-status", "skipped")
    for index in range(1, 4):
        expect(steps.nth(index)).to_have_attribute("data-status", "completed")
        expect(steps.nth(index)).to_contain_text(re.compile(r"\d+\.\d+s"))
    # Verdict needs a source report: it says so and offers no start.
    expect(page.get_by_test_id("report-card-verdict")).to_contain_text("needs at least one")
    expect(page.get_by_test_id("start-verdict")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_second_tab_sees_the_same_progress_without_reloading(browser, app_url):
    first = sign_up(browser, app_url, DESKTOP, "Tom Tabs").page
    url = create_project(first, "Two tabs")
    fill_inputs(first)
    second = new_page(browser, DESKTOP)
    second.context.add_cookies(first.context.cookies())
    second.goto(url)
    expect(second.get_by_test_id("report-card-quick_report")).to_have_attribute(
        "data-status", "not_started"
    )
    first.get_by_test_id("start-quick_report").click()
    watched = second.get_by_test_id("report-card-quick_report")
    expect(watched).to_have_attribute("data-status", "completed", timeout=60_000)
    expect(second.get_by_test_id("view-quick_report")).to_be_visible()
    # Re-run: a new version; the version menu then lists both.
    second.get_by_test_id("start-quick_report").click()
    expect(first.get_by_test_id("report-card-quick_report")).to_have_attribute(
        "data-status", "completed", timeout=60_000
    )
    expect(first.get_by_role("button", name=re.compile(r"^v2"))).to_be_visible(timeout=30_000)


def test_verdict_on_partial_data_asks_first_then_runs(browser, app_url):
    page = sign_up(browser, app_url, DESKTOP, "Vera Verdict").page
    create_project(page, "Verdict pets")
    fill_inputs(page)
    page.get_by_test_id("start-social").click()
    expect(page.get_by_test_id("report-card-social")).to_have_attribute(
        "data-status", "completed", timeout=90_000
    )
    page.get_by_test_id("start-verdict").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Social Analysis")
    expect(dialog).to_contain_text("Crunchbase Analysis (missing)")
    page.get_by_test_id("confirm-partial").click()
    card = page.get_by_test_id("report-card-verdict")
    expect(card).to_have_attribute("data-status", "completed", timeout=90_000)
    page.get_by_test_id("view-verdict").click()
    page.wait_for_url("**/reports/verdict")
    expect(page.get_by_test_id("report-title")).to_have_text("Verdict Analysis Report")
    # Crunchbase and Tracxn are missing: Competition and Feasibility are unknown, named under
    # the radar (not drawn as 0), and the verdict's headline carries its uncertainty.
    expect(page.get_by_test_id("radar-unknown")).to_contain_text("Competition, Feasibility")
    expect(page.get_by_test_id("verdict-headline")).to_be_visible()
    expect(page.locator("#sec-scoring_competition")).to_contain_text("Score: unknown")


def test_queues_page_for_an_owner_and_no_status_page(browser, app_url):
    page = sign_up(browser, app_url, DESKTOP, "Quinn Queue").page
    page.goto(f"{app_url}/queues")
    expect(page.get_by_text("queued or running report runs")).to_be_visible()
    expect(page.get_by_text("Nothing is queued or running.")).to_be_visible()
    expect(page.get_by_test_id("queue-scope")).to_contain_text("organisations you administer")
    # System status is for instance administrators (tests/e2e/test_security.py).
    page.goto(f"{app_url}/status")
    expect(page.get_by_test_id("error")).to_contain_text("Only instance administrators")

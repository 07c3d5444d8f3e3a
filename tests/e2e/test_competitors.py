"""Competitor discovery as a founder sees it: named competitors, one not in the data, the floor."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from scraper_services.common.relevance import MODEL_PATH
from tests.e2e.conftest import (
    ANSWERS,
    DESKTOP,
    PHONE,
    create_project,
    fill_inputs,
    log_in,
    new_page,
    sign_up,
)

pytestmark = pytest.mark.e2e

FOOD_DELIVERY = {
    **ANSWERS,
    "startup_name": "DinnerDash",
    "startup_description": (
        "An app that brings hot meals from neighbourhood restaurants to your door in under "
        "30 minutes, with couriers on bikes and live order tracking."
    ),
    "target_audience": "Busy city dwellers ordering dinner at home",
    "business_model": "Commission on each order plus a delivery fee",
    "inspiration_sources": "Deliveroo, Glovo and Zzyzx Meals",
}
THREAT = re.compile(r"\(relevance (\d\.\d\d)\)(; named by you)?")


def test_named_competitors_and_the_relevance_floor_in_a_report(browser, app_url):
    page = sign_up(browser, app_url, DESKTOP, "Nina Named").page
    create_project(page, "Dinner delivery")
    fill_inputs(page, FOOD_DELIVERY)
    page.get_by_test_id("start-crunchbase").click()
    card = page.get_by_test_id("report-card-crunchbase")
    expect(card).to_have_attribute("data-status", "completed", timeout=120_000)
    page.get_by_test_id("view-crunchbase").click()
    sections = page.get_by_test_id("report-sections")
    expect(sections).to_contain_text("Zzyzx Meals: not in the data set used for this report")
    # A found company carries its citation marker (a superscript number) after its name.
    expect(sections).to_contain_text(re.compile(r"Deliveroo\d* \(named by you\)"))
    expect(sections).to_contain_text(re.compile(r"Glovo\d* \(named by you\)"))
    expect(sections).to_contain_text("Named by you: ")
    text = sections.inner_text()
    floor = json.loads(MODEL_PATH.read_text())["floor"]
    judged = THREAT.findall(text)
    assert judged, "every company memo states its relevance"
    for relevance, named in judged:
        assert named or float(relevance) >= floor, (relevance, floor)
    assert "Zzyzx Meals (named by you)" not in text


def test_a_new_version_says_what_changed_in_the_market_with_links_to_both(
    browser, app_url, screenshots
):
    """v1, then the founder names another company; v2 opens with what changed since v1, each
    change linking to its evidence in either version, demo data labelled; the phone shows it
    too, without sideways scrolling."""
    person = sign_up(browser, app_url, DESKTOP, "Walt Watcher")
    page = person.page
    project_url = create_project(page, "Dinner delivery, watched")
    fill_inputs(page, {**FOOD_DELIVERY, "inspiration_sources": "Deliveroo"})
    card = page.get_by_test_id("report-card-crunchbase")
    page.get_by_test_id("start-crunchbase").click()
    expect(card).to_have_attribute("data-status", "completed", timeout=120_000)
    page.get_by_test_id("view-crunchbase").click()
    expect(page.get_by_test_id("report-sections")).to_be_visible()
    expect(page.get_by_test_id("market-changes")).to_have_count(0)  # v1: nothing before it

    page.goto(project_url)
    fill_inputs(page, {**FOOD_DELIVERY, "inspiration_sources": "Deliveroo, Instacart"})
    page.get_by_test_id("start-crunchbase").click()
    expect(card).to_contain_text("v2", timeout=120_000)
    expect(card).to_have_attribute("data-status", "completed", timeout=120_000)
    page.get_by_test_id("view-crunchbase").click()
    box = page.get_by_test_id("market-changes")
    expect(box).to_contain_text("What changed in the market since v1")
    changes = box.get_by_test_id("market-change")
    instacart = changes.filter(has_text="Instacart (named by you) entered the competitor list")
    expect(instacart).to_have_attribute("data-kind", "entered")
    expect(instacart).to_contain_text("demo data")
    box.screenshot(path=screenshots / "report-market-changes.png")
    expect(instacart.get_by_test_id("change-was")).to_have_count(0)  # not in v1
    instacart.get_by_test_id("change-now").click()
    page.wait_for_url(re.compile(r"\?version=2#sec-company_instacart$"))
    expect(page.locator("#sec-company_instacart")).to_be_in_viewport()
    gone = box.get_by_test_id("market-change").filter(has=page.get_by_test_id("change-was"))
    if gone.count():  # a company the new list no longer holds links back to v1's memo
        gone.first.get_by_test_id("change-was").click()
        page.wait_for_url(re.compile(r"\?version=1#sec-company_"))

    phone = new_page(browser, PHONE)
    phone.goto(f"{app_url}/login")
    log_in(phone, person.email)
    phone.goto(f"{project_url}/reports/crunchbase")
    expect(phone.get_by_test_id("market-changes")).to_contain_text(
        "Instacart (named by you) entered"
    )
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.get_by_test_id("market-changes").screenshot(path=screenshots / "phone-market-changes.png")

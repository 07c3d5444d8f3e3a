"""Web discovery as a founder sees it: an admin switches it on for the organisation, and a
report on an idea whose real competitors are only on the (fixture) web lists them, each with
the pages it was found on as its sources.

The e2e app searches the fixture web (`tests/support/fixture_web.py`: fictional company sites
and a SearXNG-compatible engine on 127.0.0.2); none of its companies is in the demo data set.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, create_project, fill_inputs, sign_up
from tests.support.fixture_web import HOSTILE_HOST, load_ideas

pytestmark = pytest.mark.e2e

IDEA = next(i for i in load_ideas() if i["id"] == "grocery-shelf-monitoring-cv")
GOLD = {c["name"]: c["domain"] for c in IDEA["web_competitors"]}


def _switch_web_discovery_on(page, app_url: str) -> None:
    page.goto(f"{app_url}/organizations")
    switch = page.get_by_test_id("web-discovery-switch")
    expect(switch).to_have_attribute("data-state", "unchecked")  # off by default
    expect(page.get_by_test_id("web-discovery-no-engine")).to_have_count(0)
    # The words are the switch's label: clicking them toggles it.
    page.get_by_test_id("web-discovery").get_by_text("Web discovery: also look").click()
    expect(page.get_by_text("Web discovery is on: reports search the web")).to_be_visible()
    expect(switch).to_have_attribute("data-state", "checked")
    page.reload()
    expect(page.get_by_test_id("web-discovery-switch")).to_have_attribute("data-state", "checked")


def test_a_report_lists_competitors_found_only_on_the_web_with_their_pages(
    browser, app_url, viewport, fixture_web, screenshots
):
    page = sign_up(browser, app_url, viewport, "Wanda Web").page
    _switch_web_discovery_on(page, app_url)
    page.goto(f"{app_url}/dashboard")
    create_project(page, "Shelf monitoring")
    fill_inputs(page, IDEA["inputs"])
    page.get_by_test_id("start-crunchbase").click()
    card = page.get_by_test_id("report-card-crunchbase")
    expect(card).to_have_attribute("data-status", "completed", timeout=180_000)
    if not card.get_by_test_id("progress-step").first.is_visible():
        page.get_by_test_id("details-crunchbase").click()
    web_step = card.get_by_test_id("progress-step").filter(has_text="Searching the Web")
    expect(web_step).to_have_attribute("data-status", "completed")

    page.get_by_test_id("view-crunchbase").click()
    page.wait_for_url("**/reports/crunchbase")
    used = page.get_by_test_id("data-used")
    expect(used).to_contain_text("The open web (web discovery)")
    budget = re.compile(r"SearXNG at \S+: \d of 6 queries, \d+ of 25 pages read")
    expect(used).to_contain_text(budget)
    sections = page.get_by_test_id("report-sections")
    expect(sections).to_be_visible()
    text = sections.inner_text()
    found = [name for name in GOLD if name in text]
    assert len(found) >= 3, (found, text[:3000])

    # A company known only from the web says so, and its Sources entry lists the pages it was
    # found on, each a link to the page on its own site.
    memo = page.locator("[id^='sec-company_']").filter(has_text="known only from the web")
    expect(memo.first).to_be_visible()
    assert memo.count() >= 3
    first = memo.first
    first.locator("summary > span").first.click()  # a company memo opens from its name
    expect(first).to_contain_text("The open web")
    links = first.locator("ul.found-on a")
    expect(links.first).to_be_visible()
    hosts = {urlsplit(links.nth(i).get_attribute("href")).hostname for i in range(links.count())}
    assert hosts & set(GOLD.values()), hosts
    expect(first.locator("ul.found-on li").first).to_contain_text(
        re.compile(r"fetched \d{4}-\d\d-\d\d")
    )
    first.screenshot(path=screenshots / f"web-competitor-{viewport['width']}.png")

    # The pages were really fetched, and nothing private was.
    for domain in hosts & set(GOLD.values()):
        assert fixture_web.requests_to(domain), domain
    assert not fixture_web.requests_to(HOSTILE_HOST, "/private/")
    if viewport is PHONE:
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

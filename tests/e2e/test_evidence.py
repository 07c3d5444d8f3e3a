"""Evidence as a reader sees it: a footnote opens its source; demo data says demo everywhere.

A Crunchbase Analysis on the embedded defaults is built on the bundled demo data set: the
project's report card, the viewer's Data used box, each Sources entry, the share page and the
PDF say so. Clicking a citation marker brings its Sources entry into view, at both sizes.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ANSWERS, PHONE, create_project, fill_inputs, new_page, sign_up

pytestmark = pytest.mark.e2e


def _crunchbase_report(page) -> None:
    create_project(page, "Evidence pets")
    fill_inputs(page, ANSWERS)
    page.get_by_test_id("start-crunchbase").click()
    card = page.get_by_test_id("report-card-crunchbase")
    expect(card).to_have_attribute("data-status", "completed", timeout=120_000)
    expect(page.get_by_test_id("demo-crunchbase")).to_contain_text("demo data set")
    page.get_by_test_id("view-crunchbase").click()
    page.wait_for_url("**/reports/crunchbase")


def _footnote_opens_its_source(page) -> None:
    marker = page.locator("[data-testid=report-sections] sup.cite a").first
    expect(marker).to_be_visible(timeout=30_000)
    target = marker.get_attribute("href")
    assert target and re.fullmatch(r"#src-[\w-]+-\d+", target)
    marker.click()
    source = page.locator(f"li[id='{target[1:]}']")
    expect(source).to_be_in_viewport()
    expect(source).to_contain_text("demo data")
    assert page.evaluate("window.location.hash") == target


def test_a_demo_report_cites_and_says_demo_in_viewer_share_page_and_pdf(browser, app_url, viewport):
    page = sign_up(browser, app_url, viewport, "Eve Evidence").page
    _crunchbase_report(page)
    box = page.get_by_test_id("data-used")
    expect(box).to_contain_text("Data used")
    expect(box).to_contain_text("Built on demo data")
    expect(box).to_contain_text("bundled demo data set")
    _footnote_opens_its_source(page)
    if viewport is PHONE:
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        return

    # The share page shows the same box, and the PDF says demo too.
    page.get_by_test_id("open-share").click()
    page.get_by_test_id("share-label").fill("Investor")
    page.get_by_test_id("create-link").click()
    url = page.get_by_test_id("created-url").inner_text()
    page.keyboard.press("Escape")
    visitor = new_page(browser, PHONE)
    visitor.goto(url.replace(url.split("/share/")[0], app_url))
    expect(visitor.get_by_test_id("data-used")).to_contain_text("Built on demo data")
    _footnote_opens_its_source(visitor)
    with visitor.expect_download() as download:
        visitor.get_by_test_id("share-download-pdf").click()
    text = subprocess.run(
        ["pdftotext", "-layout", str(Path(download.value.path())), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Data used" in text and "demo data" in text.lower()


LIGHTHOUSE = {
    **ANSWERS,
    "startup_name": "Glimmerhook",
    "startup_description": (
        "Hand-forged brass fittings for restoring antique lighthouse lenses, sold to heritage "
        "lighthouse trusts."
    ),
    "target_audience": "Heritage lighthouse trusts and restorers",
    "business_model": "One-off commissions",
    "inspiration_sources": "",
}


def test_a_verdict_with_no_social_posts_says_demand_is_unknown_and_does_not_park(
    browser, app_url, viewport
):
    page = sign_up(browser, app_url, viewport, "Una Unknown").page
    create_project(page, "Lighthouse fittings")
    fill_inputs(page, LIGHTHOUSE)
    page.get_by_test_id("start-social").click()
    expect(page.get_by_test_id("report-card-social")).to_have_attribute(
        "data-status", "completed", timeout=90_000
    )
    page.get_by_test_id("start-verdict").click()
    page.get_by_test_id("confirm-partial").click()
    card = page.get_by_test_id("report-card-verdict")
    expect(card).to_have_attribute("data-status", "completed", timeout=90_000)
    page.get_by_test_id("view-verdict").click()
    page.wait_for_url("**/reports/verdict")
    # The social search found nothing: Demand is unknown, not 0, and named as such (with no
    # axis known there is no radar to draw).
    sections = page.get_by_test_id("report-sections")
    expect(page.locator("#sec-scoring_demand")).to_contain_text("Score: unknown")
    expect(sections).to_contain_text("Social data: 0 posts in the demo data set")
    expect(page.get_by_test_id("verdict-badge")).not_to_contain_text("PARK")
    expect(page.get_by_test_id("data-used")).to_contain_text("0 posts")

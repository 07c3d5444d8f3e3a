"""Competitor discovery as a founder sees it: named competitors, one not in the data, the floor."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from scraper_services.common.relevance import MODEL_PATH
from tests.e2e.conftest import ANSWERS, DESKTOP, create_project, fill_inputs, sign_up

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

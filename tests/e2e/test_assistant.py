"""The assistant panel end to end: Editing Mode fills the inputs live, markers persist."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, create_project, sign_up

pytestmark = pytest.mark.e2e

DESCRIPTION = (
    "We are PawPal, a marketplace for trusted pet sitters. Our customers are urban pet owners "
    "in Western Europe. We take a 15% commission per booking. We are at the MVP stage."
)
HIGHLIGHT = re.compile(r"\bmn-ai-filled\b")
# Records each class change (or new render) of one field, by test id: highlighted or not.
RECORD_HIGHLIGHTS = """(testId) => {
  window.__highlights = [];
  const note = (el) => window.__highlights.push(el.classList.contains("mn-ai-filled"));
  const selector = `[data-testid="${testId}"]`;
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes" && r.target.matches && r.target.matches(selector)) note(r.target);
      for (const node of r.addedNodes || []) {
        if (!node.querySelectorAll) continue;
        if (node.matches(selector)) note(node);
        node.querySelectorAll(selector).forEach(note);
      }
    }
  }).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["class"],
  });
}"""
HIGHLIGHT_CAME_AND_WENT = """() => {
  const log = window.__highlights || [];
  const on = log.indexOf(true);
  return on >= 0 && log.indexOf(false, on) > on;
}"""
FILLED = {
    "startup_name": "PawPal",
    "current_stage": "mvp",
    "geographic_focus": "Western Europe",
}


def test_editing_mode_fills_inputs_live_and_markers_survive_reload(browser, app_url):
    page = sign_up(browser, app_url, DESKTOP).page
    create_project(page, "Auto-fill")
    expect(page.get_by_test_id("chat-empty")).to_be_visible()
    page.get_by_test_id("mode-editing").click()
    expect(page.get_by_test_id("mode-editing")).to_have_attribute("aria-pressed", "true")
    page.evaluate(RECORD_HIGHLIGHTS, "field-startup_name")
    page.get_by_test_id("chat-input").fill(DESCRIPTION)
    page.get_by_test_id("chat-input").press("Enter")
    expect(page.get_by_test_id("user-message")).to_contain_text("PawPal")
    expect(page.get_by_test_id("ai-marker-startup_name")).to_be_visible(timeout=30_000)
    # The changed field is highlighted, then the highlight goes: both transitions are seen
    # by the page's own observer (no race with how long the highlight lasts).
    page.wait_for_function(HIGHLIGHT_CAME_AND_WENT, timeout=60_000)
    expect(page.get_by_test_id("field-startup_name")).not_to_have_class(HIGHLIGHT)
    for key, value in FILLED.items():
        expect(page.get_by_test_id(f"value-{key}")).to_have_text(value)
    reply = page.get_by_test_id("assistant-message")
    expect(reply).to_contain_text("Offline analysis")
    expect(page.get_by_test_id("reply-label")).to_have_text("Offline analysis")
    expect(page.get_by_test_id("completion-status")).to_have_text("partial")
    page.reload()
    for key in FILLED:
        expect(page.get_by_test_id(f"ai-marker-{key}")).to_be_visible()
    expect(page.get_by_test_id("assistant-message")).to_contain_text("saved")
    # A manual edit clears the marker of that field only.
    page.get_by_test_id("edit-inputs").click()
    page.fill("#input-startup_name", "PawPal Europe")
    page.get_by_test_id("save-inputs").click()
    expect(page.get_by_text("Inputs saved.")).to_be_visible()
    expect(page.get_by_test_id("ai-marker-startup_name")).to_have_count(0)
    expect(page.get_by_test_id("ai-marker-current_stage")).to_be_visible()


def test_phone_assistant_opens_fullscreen_and_fills(browser, app_url):
    page = sign_up(browser, app_url, PHONE).page
    create_project(page, "Phone fill")
    page.get_by_test_id("open-right").click()
    expect(page.get_by_test_id("panel-right")).to_be_visible()
    page.get_by_test_id("mode-editing").click()
    page.get_by_test_id("chat-input").fill(DESCRIPTION)
    page.get_by_test_id("chat-send").click()
    expect(page.get_by_test_id("fill-summary")).to_be_visible(timeout=30_000)
    page.get_by_test_id("close-right").click()
    expect(page.get_by_test_id("ai-marker-startup_name")).to_be_visible()
    expect(page.get_by_test_id("value-startup_name")).to_have_text("PawPal")


def test_second_tab_sees_the_same_thread_live(browser, app_url):
    first = sign_up(browser, app_url, DESKTOP).page
    url = create_project(first, "Shared thread")
    second = first.context.new_page()
    second.goto(url)
    expect(second.get_by_test_id("chat-empty")).to_be_visible()
    first.get_by_test_id("chat-input").fill("What should I research first?")
    first.get_by_test_id("chat-input").press("Enter")
    expect(second.get_by_test_id("user-message")).to_contain_text("research first")
    expect(second.get_by_test_id("assistant-message")).to_contain_text(
        "Offline analysis", timeout=30_000
    )


def test_assistant_on_a_report_page_answers_from_that_report(browser, app_url):
    from tests.e2e.conftest import fill_inputs

    page = sign_up(browser, app_url, DESKTOP, "Rhea Research").page
    create_project(page, "Research pets")
    fill_inputs(page)
    page.get_by_test_id("start-quick_report").click()
    expect(page.get_by_test_id("report-card-quick_report")).to_have_attribute(
        "data-status", "completed", timeout=60_000
    )
    page.get_by_test_id("view-quick_report").click()
    page.wait_for_url("**/reports/quick_report")
    # Readiness: the report page (and its own assistant panel) has rendered, so the text goes
    # into the panel that stays, not the project page's one that is being replaced.
    expect(page.get_by_test_id("report-title")).to_be_visible()
    expect(page.get_by_test_id("mode-research")).to_be_visible()
    question = "Which regions and time range do we target?"
    page.get_by_test_id("chat-input").fill(question)
    expect(page.get_by_test_id("chat-input")).to_have_value(question)
    page.get_by_test_id("chat-input").press("Enter")
    reply = page.get_by_test_id("assistant-message").last
    expect(reply.get_by_test_id("citations")).to_be_visible(timeout=30_000)
    expect(reply).not_to_contain_text("[quick_report §")
    expect(reply).to_contain_text("About the Quick Report v1 report")
    # The Sources list shows the report and section titles, linked; not raw keys.
    sources = page.get_by_test_id("citations").last
    expect(sources).to_contain_text("Quick Report v1 · ")
    expect(sources).not_to_contain_text("§")


def test_a_research_mode_citation_opens_the_section_in_the_viewer(browser, app_url, viewport):
    from tests.e2e.conftest import fill_inputs

    page = sign_up(browser, app_url, viewport, "Cita Sources").page
    create_project(page, "Cited pets")
    fill_inputs(page)
    page.get_by_test_id("start-quick_report").click()
    expect(page.get_by_test_id("report-card-quick_report")).to_have_attribute(
        "data-status", "completed", timeout=60_000
    )
    if viewport == PHONE:
        page.get_by_test_id("open-right").click()
    page.get_by_test_id("mode-research").click()
    page.get_by_test_id("chat-input").fill("What should we research next?")
    page.get_by_test_id("chat-send").click()
    link = page.get_by_test_id("citation-link").first
    expect(link).to_be_visible(timeout=30_000)
    expect(link).to_contain_text("Quick Report v1 · ")
    href = link.get_attribute("href")
    # The last section, "What to Research Next": opening it means scrolling down to it.
    assert re.fullmatch(
        r"/projects/\d+/reports/quick_report\?version=1#sec-audience_analysis", href
    )
    # The numbered markers in the answer (one per quoted line) link to the same section.
    markers = page.locator(f'[data-testid=assistant-message] .mn-chat-md a[href="{href}"]')
    expect(markers.first).to_be_visible()
    assert {markers.nth(i).inner_text() for i in range(markers.count())} == {"[1]"}
    link.click()
    page.wait_for_url(re.compile(r"/reports/quick_report\?version=1#sec-"))
    section = page.locator(f"#{href.split('#')[1]}")
    expect(section).to_be_visible()
    expect(section).to_be_in_viewport()
    # It was scrolled to: its top sits near the top of the report column, not far below.
    page.wait_for_function(
        "(id) => { const r = document.getElementById(id).getBoundingClientRect();"
        " return r.top >= -2 && r.top < window.innerHeight / 2; }",
        arg=href.split("#")[1],
    )

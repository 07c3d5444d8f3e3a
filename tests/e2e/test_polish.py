"""Rough edges of #13 in headless Chromium, on the real stack: favicon, first answers, assistant
modes and scrolling, the viewer's wording, the live feed, share dialog and charts on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    DESKTOP,
    E2E_INSTANCE_ADMIN,
    PASSWORD,
    PHONE,
    create_project,
    log_in,
    new_page,
    sign_up,
)
from tests.e2e.test_report_viewer import (
    ANSWERS,
    add_rich_sections,
    first_version,
    save_inputs,
)

# stack_db (conftest): this process reads and writes the running stack's database.
pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("stack_db")]


def _project_id(url: str) -> int:
    return int(re.search(r"/projects/(\d+)", url).group(1))


def _owner(email: str):
    from sqlmodel import select

    from marketnav.db import session_scope
    from marketnav.models import User

    with session_scope() as db:
        user = db.exec(select(User).where(User.email == email)).one()
        db.expunge(user)
        return user


def _at_bottom(page: Page) -> bool:
    """The thread overflows and its newest message is in view at the bottom."""
    return page.get_by_test_id("chat-thread").evaluate(
        """(el) => {
             const items = el.querySelectorAll(
               '[data-testid=user-message], [data-testid=assistant-message]');
             const last = items[items.length - 1].getBoundingClientRect();
             const box = el.getBoundingClientRect();
             return el.scrollHeight > el.clientHeight + 50
               && last.bottom <= box.bottom + 2 && last.bottom >= box.top;
           }"""
    )


def test_favicon_first_answers_modes_and_scrolling(browser, app_url):
    from marketnav.db import session_scope
    from marketnav.models import AssistantMessage

    person = sign_up(browser, app_url, DESKTOP, "Fay Favicon")
    page = person.page
    icon = page.request.get(f"{app_url}/favicon.ico")
    assert icon.status == 200 and icon.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file

    # Name and description given at creation are the first two answers.
    page.click("[data-testid=new-project]")
    page.fill("#project-name", "Gusto Labs")
    page.fill("#project-desc", "Meal kits from local farms.")
    page.click("text=Create project")
    page.wait_for_url("**/projects/*")
    expect(page.get_by_test_id("value-startup_name")).to_have_text("Gusto Labs")
    expect(page.get_by_test_id("value-startup_description")).to_have_text(
        "Meal kits from local farms."
    )
    expect(page.get_by_test_id("value-target_audience")).to_contain_text("Not answered")
    first_url = page.url

    # A long thread opens at its newest message.
    owner = _owner(person.email)
    with session_scope() as db:
        for i in range(24):
            db.add(
                AssistantMessage(
                    project_id=_project_id(first_url),
                    user_id=owner.id,
                    role="user" if i % 2 == 0 else "assistant",
                    content=f"Message number {i}\n\n" + "A long line of text. " * 12,
                )
            )
    page.reload()
    expect(page.get_by_text("Message number 23")).to_be_visible()
    assert _at_bottom(page)
    # A new question and its reply: the thread follows them.
    page.get_by_test_id("chat-input").fill("What should we research first?")
    page.get_by_test_id("chat-send").click()
    replies = page.get_by_test_id("assistant-message")
    expect(replies).to_have_count(13)
    expect(replies.last.get_by_test_id("reply-label")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("thinking")).to_have_count(0)
    assert _at_bottom(page)

    # Research Mode switched on here is off in another project.
    research = page.get_by_test_id("mode-research")
    research.click()
    expect(research).to_have_attribute("aria-pressed", "true")
    page.goto(f"{app_url}/dashboard")
    second_url = create_project(page, "Other idea")
    assert second_url != first_url
    expect(page.get_by_test_id("mode-research")).to_have_attribute("aria-pressed", "false")
    page.goto(first_url)
    expect(page.get_by_test_id("mode-research")).to_have_attribute("aria-pressed", "false")


def test_viewer_wording_live_feed_and_share_dialog(browser, app_url):
    from marketnav.db import session_scope
    from marketnav.models import ReportRun
    from marketnav.services import progress
    from marketnav.services.reports import runs
    from marketnav.services.reports.tracker import subject_for_project

    person = sign_up(browser, app_url, DESKTOP, "Vera Viewer")
    page = person.page
    project_url = create_project(page, "Wording")
    save_inputs(page, ANSWERS)
    viewer_url = first_version(page, project_url)
    project_id = _project_id(project_url)
    owner = _owner(person.email)

    page.goto(f"{viewer_url}?version=99")
    expect(page.get_by_test_id("version-missing")).to_have_text(
        "Version 99 does not exist: this report has only v1. Showing the latest, v1."
    )
    expect(page.get_by_test_id("viewing-version")).to_have_text("Viewing v1")

    # The live feed shows company records by name, never "[object Object]".
    with session_scope() as db:
        run_id = runs.start(db, owner, project_id, "quick_report").id
    page.goto(viewer_url)
    live = page.get_by_test_id("live-progress")
    expect(live).to_contain_text("Queued")
    progress.publish(
        subject_for_project(project_id),
        {
            "type": "report_progress", "report_type": "quick_report", "run_id": run_id,
            "version": 2, "status": "running", "progress": 30, "current_step": "Searching",
            "error": "",
            "steps": [
                {"key": "api_search", "number": 1, "name": "Search", "status": "running",
                 "duration": None, "message": "", "error": "",
                 "details": [
                     {"type": "search_result", "message": "'pet sitting': 3 companies (Rover)",
                      "data": {"companies": [{"name": "Rover"}, {"name": "Wag", "rank": 2}]}},
                     {"type": "data_loaded", "message": "Social: 1 post (version 1)"},
                 ]},
            ],
        },
    )  # fmt: skip
    details = live.get_by_test_id("step-detail")
    expect(details).to_have_count(2)
    expect(details.nth(0)).to_have_text("'pet sitting': 3 companies (Rover) - Wag")
    expect(details.nth(1)).to_have_text("Social: 1 post (version 1)")  # one mark: the icon
    expect(details.nth(1).locator("svg")).to_have_count(1)
    assert "[object Object]" not in live.inner_text()
    with session_scope() as db:
        run = db.get(ReportRun, run_id)
        runs.mark_finished(run, "cancelled", "Cancelled.")
        db.add(run)
        # A report whose only run failed: its page does not say "In progress".
        failed = runs.start(db, owner, project_id, "crunchbase")
        runs.mark_finished(failed, "failed", "The market-data service did not answer.")
        db.add(failed)
    page.goto(f"{project_url}/reports/crunchbase")
    expect(page.get_by_test_id("last-failure")).to_be_visible()
    header = page.get_by_test_id("report-title").locator("xpath=..")
    expect(header).to_contain_text("No completed version: the last run failed")
    expect(header).not_to_contain_text("In progress")

    # Share: the list says which links need a password; revoking asks first; a reload does
    # not reopen the dialog.
    page.goto(viewer_url)
    page.get_by_test_id("open-share").click()
    dialog = page.get_by_role("dialog")
    page.get_by_test_id("share-label").fill("Investors")
    page.get_by_test_id("share-new-password").fill("open sesame 123")
    page.get_by_test_id("create-link").click()
    expect(page.get_by_test_id("created-url")).to_be_visible()
    row = page.get_by_test_id("share-link-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("required")
    page.reload()
    expect(page.get_by_test_id("viewing-version")).to_be_visible()
    expect(dialog).to_have_count(0)
    page.get_by_test_id("open-share").click()
    page.get_by_test_id("revoke-link").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("cannot be undone")
    confirm.get_by_role("button", name="Cancel").click()
    expect(row).to_contain_text("active")
    page.get_by_test_id("revoke-link").click()
    page.get_by_test_id("confirm-revoke").click()
    expect(row).to_contain_text("revoked")


def _boxes(page: Page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(
        selector,
        "(els) => els.filter((e) => e.getClientRects().length).map((e) => {"
        " const r = e.getBoundingClientRect();"
        " return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom, text: e.textContent}; })",
    )


def test_charts_fit_and_labels_do_not_collide_on_a_phone(browser, app_url):
    person = sign_up(browser, app_url, PHONE, "Pia Phone")
    page = person.page
    project_url = create_project(page, "Phone charts")
    save_inputs(page, ANSWERS)
    first_version(page, project_url)
    add_rich_sections(_project_id(project_url))
    page.reload()
    radar = page.get_by_test_id("verdict-radar")
    radar.scroll_into_view_if_needed()
    expect(
        radar.locator(".mn-narrow-only .recharts-polar-angle-axis-tick text").first
    ).to_be_visible()
    frame = _boxes(page, "[data-testid=verdict-radar] .mn-narrow-only svg.recharts-surface")
    assert len(frame) == 1, frame
    names = _boxes(page, "[data-testid=verdict-radar] .recharts-polar-angle-axis-tick text")
    assert {n["text"] for n in names} >= {"Competition", "Feasibility"}
    for name in names:  # no axis name cut at the chart's edges
        assert frame[0]["x0"] - 0.5 <= name["x0"] and name["x1"] <= frame[0]["x1"] + 0.5, name
    page.get_by_test_id("competitor-map").scroll_into_view_if_needed()
    labels = _boxes(page, "[data-testid=competitor-map] .recharts-label-list text")
    assert {label["text"] for label in labels} == {"Rover", "Wag", "Fetch"}
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            apart = (
                a["x1"] <= b["x0"] or b["x1"] <= a["x0"] or a["y1"] <= b["y0"] or b["y1"] <= a["y0"]
            )
            assert apart, (a["text"], b["text"])


def test_status_words_do_not_break_mid_word_on_a_phone(browser, app_url):
    page = new_page(browser, PHONE)
    page.goto(f"{app_url}/register")
    page.fill("#name", "Root Admin")
    page.fill("#email", E2E_INSTANCE_ADMIN)
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/login")
    log_in(page, E2E_INSTANCE_ADMIN)
    page.goto(f"{app_url}/status")
    page.get_by_test_id("run-check").click()
    expect(page.get_by_test_id("status-row").first).to_be_visible(timeout=90_000)
    # Every word of the table sits on one line: no word is wider than its cell's line box.
    # (At 320 px the former `overflow-wrap: anywhere` broke "configured", "demo-dataset"...)
    page.set_viewport_size({"width": 320, "height": 700})
    broken = page.eval_on_selector_all(
        "[data-testid=status-row] td, .mn-table-wrap th",
        """(cells) => cells.flatMap((cell) => {
             const out = [];
             const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
             for (let node = walker.nextNode(); node; node = walker.nextNode()) {
               const text = node.textContent;
               for (const m of text.matchAll(/\\S+/g)) {
                 const range = document.createRange();
                 range.setStart(node, m.index);
                 range.setEnd(node, m.index + m[0].length);
                 if (range.getClientRects().length > 1) out.push(m[0]);
               }
             }
             return out;
           })""",
    )
    assert broken == [], broken

"""Keyboard only, at desktop size: sign up and in, create a project, edit its inputs, start a
report, open the viewer and share it, with Tab / Shift+Tab, Enter, Space and Escape, and a
visible focus outline on every control reached. No mouse click, no `fill`.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ANSWERS, DESKTOP, PASSWORD, PHONE, create_project, new_page, sign_up

pytestmark = pytest.mark.e2e

# The focused element, or the field box around it (Radix draws a text field's ring on its
# root through :focus-within), shows an outline or a focus shadow.
_FOCUS_RING = """() => {
  let el = document.activeElement;
  for (let depth = 0; el && depth < 3; depth += 1, el = el.parentElement) {
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    if (outline || (s.boxShadow && s.boxShadow !== 'none')) return true;
  }
  return false;
}"""

_FOCUSED = "el => el === document.activeElement || el.contains(document.activeElement)"


def _describe_focus(page: Page) -> str:
    return page.evaluate("() => document.activeElement ? document.activeElement.outerHTML : ''")[
        :200
    ]


def tab_to(page: Page, selector: str, *, back: bool = False, limit: int = 80) -> None:
    """Press Tab (Shift+Tab with back) until the element is focused; it shows a focus ring."""
    target = page.locator(selector).first
    target.wait_for(state="visible")
    key = "Shift+Tab" if back else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if target.evaluate(_FOCUSED):
            assert page.evaluate(_FOCUS_RING), f"no visible focus on {_describe_focus(page)}"
            return
    raise AssertionError(f"{key} x{limit} never reached {selector}")


def focused(page: Page, selector: str) -> bool:
    return page.locator(selector).first.evaluate(_FOCUSED)


def type_into(page: Page, selector: str, text: str, *, back: bool = False) -> None:
    tab_to(page, selector, back=back)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text)


def test_every_flow_with_the_keyboard_only(browser: Browser, app_url: str):
    page = new_page(browser, DESKTOP)
    email = f"keys-{uuid.uuid4().hex[:8]}@example.com"

    # Sign up, then sign in: Tab through the fields, Enter submits.
    page.goto(f"{app_url}/register")
    page.locator("#password_confirm").wait_for()
    type_into(page, "#name", "Kay Board")
    type_into(page, "#email", email)
    type_into(page, "#password", PASSWORD)
    type_into(page, "#password_confirm", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/login")
    page.get_by_test_id("auth-notice").wait_for()
    type_into(page, "#email", email)
    type_into(page, "#password", PASSWORD)
    tab_to(page, "#email", back=True)  # Shift+Tab goes back to the e-mail field
    tab_to(page, "#password")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/dashboard/?$"))

    # The user menu opens with Enter and Escape closes it.
    tab_to(page, "[data-testid=user-menu]")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("logout")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("logout")).to_have_count(0)

    # Create a project: the dialog takes the focus, Escape closes it and gives the focus back.
    tab_to(page, "[data-testid=new-project]")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    assert focused(page, "[data-testid=new-project]")
    page.keyboard.press("Space")
    expect(dialog).to_be_visible()
    type_into(page, "#project-name", "Keyboard pets")
    page.keyboard.press("Enter")
    page.wait_for_url("**/projects/*")
    expect(page.get_by_test_id("project-name")).to_have_text("Keyboard pets")

    # Edit the nine inputs and save.
    tab_to(page, "[data-testid=edit-inputs]")
    page.keyboard.press("Enter")
    for key, value in ANSWERS.items():
        type_into(page, f"#input-{key}", value)
    tab_to(page, "[data-testid=save-inputs]", back=True)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Inputs saved.")).to_be_visible()
    expect(page.get_by_test_id("completion-status")).to_have_text("complete")

    # Start the Quick Report and open the viewer.
    tab_to(page, "[data-testid=start-quick_report]")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("report-card-quick_report")).to_have_attribute(
        "data-status", "completed", timeout=60_000
    )
    tab_to(page, "[data-testid=view-quick_report]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/reports/quick_report")
    expect(page.get_by_test_id("report-title")).to_be_visible()

    # Share: open the dialog, Escape closes it, create a link with Space on the button.
    tab_to(page, "[data-testid=open-share]")
    page.keyboard.press("Enter")
    create = page.get_by_test_id("create-link")
    expect(create).to_be_visible()
    page.keyboard.press("Escape")
    expect(create).to_have_count(0)
    assert focused(page, "[data-testid=open-share]")
    page.keyboard.press("Enter")
    expect(create).to_be_visible()
    type_into(page, "[data-testid=share-label]", "Keyboard investors")
    tab_to(page, "[data-testid=create-link]")
    page.keyboard.press("Space")
    url = page.get_by_test_id("created-url")
    expect(url).to_contain_text("/share/")
    shared = app_url + "/share/" + url.inner_text().split("/share/", 1)[1]
    expect(page.get_by_test_id("share-link-row").first).to_contain_text("Keyboard investors")
    page.keyboard.press("Escape")
    expect(create).to_have_count(0)

    # A visitor reaches the shared report's download with the keyboard too.
    visitor = new_page(browser, DESKTOP)
    visitor.goto(shared)
    expect(visitor.get_by_test_id("report-title")).to_be_visible()
    tab_to(visitor, "[data-testid=share-download-md]")
    with visitor.expect_download() as download:
        visitor.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".md")


def test_escape_closes_a_phone_panel_and_gives_the_focus_back(browser: Browser, app_url: str):
    page = sign_up(browser, app_url, PHONE, "Pia Phone").page  # set-up with the mouse
    create_project(page, "Phone keys")
    for side in ("right", "left"):
        tab_to(page, f"[data-testid=open-{side}]")
        page.keyboard.press("Enter")
        panel = page.get_by_test_id(f"panel-{side}")
        expect(panel).to_be_visible()
        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()
        assert focused(page, f"[data-testid=open-{side}]")

"""Sign up, projects, the nine inputs and the panels, in headless Chromium at both sizes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    ANSWERS,
    DESKTOP,
    PASSWORD,
    PHONE,
    create_project,
    new_page,
    sign_up,
)

pytestmark = pytest.mark.e2e


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_sign_up_create_project_fill_inputs_and_reload(browser, app_url, viewport):
    person = sign_up(browser, app_url, viewport)
    page = person.page
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    create_project(page, "Pet care marketplace")
    # The name given at creation is already the first answer (#13).
    expect(page.get_by_test_id("completion-status")).to_have_text("partial")
    expect(page.get_by_test_id("value-startup_name")).to_have_text("Pet care marketplace")
    page.get_by_test_id("edit-inputs").click()
    for key, value in ANSWERS.items():
        page.fill(f"#input-{key}", value)
    page.get_by_test_id("save-inputs").click()
    expect(page.get_by_text("Inputs saved.")).to_be_visible()
    expect(page.get_by_test_id("completion-status")).to_have_text("complete")
    page.reload()
    for key, value in ANSWERS.items():
        expect(page.get_by_test_id(f"value-{key}")).to_have_text(value)
    assert no_horizontal_scroll(page)
    page.goto(f"{app_url}/dashboard")
    card = page.get_by_test_id("project-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("complete")


def test_validation_message_and_cancel_really_reverts(browser, app_url):
    page = sign_up(browser, app_url, DESKTOP).page
    create_project(page, "Validation")
    page.get_by_test_id("edit-inputs").click()
    page.fill("#input-startup_name", "Kept")
    page.get_by_test_id("save-inputs").click()
    expect(page.get_by_text("Inputs saved.")).to_be_visible()
    page.get_by_test_id("edit-inputs").click()
    page.fill("#input-current_stage", "x" * 150)
    page.get_by_test_id("save-inputs").click()
    expect(page.get_by_text("Stage is too long (at most 100 characters).")).to_be_visible()
    page.fill("#input-startup_name", "Changed but cancelled")
    page.get_by_test_id("cancel-inputs").click()
    expect(page.get_by_test_id("value-startup_name")).to_have_text("Kept")
    page.reload()
    expect(page.get_by_test_id("value-startup_name")).to_have_text("Kept")
    # Never answered: says so (with the question's hint), unlike a saved value.
    expect(page.get_by_test_id("value-current_stage")).to_have_text(
        "Not answered (idea, mvp, growth)"
    )


def test_desktop_panels_collapse_expand_and_remember(browser, app_url):
    page = sign_up(browser, app_url, DESKTOP).page
    create_project(page, "Panels")
    left, right = page.get_by_test_id("panel-left"), page.get_by_test_id("panel-right")
    expect(left).to_be_visible()
    expect(right).to_be_visible()
    page.get_by_test_id("toggle-left").click()
    expect(left).to_have_class("mn-side mn-left mn-collapsed")
    page.wait_for_function(
        "document.querySelector('[data-testid=panel-left]').getBoundingClientRect().width < 1"
    )
    page.get_by_test_id("toggle-right").click()
    expect(right).to_have_class("mn-side mn-right mn-collapsed")
    page.reload()
    expect(page.get_by_test_id("project-name")).to_be_visible()
    expect(left).to_have_class("mn-side mn-left mn-collapsed")
    expect(right).to_have_class("mn-side mn-right mn-collapsed")
    page.get_by_test_id("toggle-left").click()
    page.get_by_test_id("toggle-right").click()
    page.wait_for_function(
        "document.querySelector('[data-testid=panel-left]').getBoundingClientRect().width > 250"
    )
    expect(right).to_have_class("mn-side mn-right")
    expect(page.get_by_test_id("assistant-panel")).to_be_visible()


def test_phone_panels_start_closed_and_open_fullscreen(browser, app_url):
    page = sign_up(browser, app_url, PHONE).page
    create_project(page, "Phone panels")
    left, right = page.get_by_test_id("panel-left"), page.get_by_test_id("panel-right")
    expect(left).to_be_hidden()
    expect(right).to_be_hidden()
    expect(page.get_by_test_id("toggle-left")).to_be_hidden()
    for side in ("left", "right"):
        page.get_by_test_id(f"open-{side}").click()
        panel = page.get_by_test_id(f"panel-{side}")
        expect(panel).to_be_visible()
        box = panel.bounding_box()
        assert box["width"] == PHONE["width"] and box["y"] == 52
        assert box["height"] == PHONE["height"] - 52
        expect(page.get_by_test_id("project-name")).to_be_hidden()
        page.get_by_test_id(f"close-{side}").click()
        expect(panel).to_be_hidden()
        expect(page.get_by_test_id("project-name")).to_be_visible()
    assert no_horizontal_scroll(page)


def test_second_user_cannot_open_first_users_project(browser, app_url, viewport):
    owner = sign_up(browser, app_url, viewport, "Olga Owner")
    url = create_project(owner.page, "Secret plan")
    intruder = sign_up(browser, app_url, viewport, "Eve Intruder")
    intruder.page.goto(url)
    expect(intruder.page.get_by_test_id("not-found")).to_contain_text("do not have access")
    expect(intruder.page.get_by_text("Secret plan")).to_have_count(0)


def test_logged_out_visitor_is_sent_to_login_and_back(browser, app_url):
    owner = sign_up(browser, app_url, DESKTOP, "Lou Login")
    url = create_project(owner.page, "Come back here")
    page = new_page(browser, DESKTOP)
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/login\?next=/projects/\d+$"))
    page.fill("#email", owner.email)
    page.fill("#password", "wrong password")
    page.click("button[type=submit]")
    expect(page.get_by_test_id("auth-error")).to_have_text("Wrong e-mail or password.")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(url)
    expect(page.get_by_test_id("project-name")).to_have_text("Come back here")


@pytest.mark.parametrize("width", [360, 1920])
def test_layout_has_no_horizontal_scroll(browser, app_url, width):
    page = sign_up(browser, app_url, {"width": width, "height": 900}).page
    assert no_horizontal_scroll(page)
    create_project(page, "A project with a rather long name that should wrap nicely on phones")
    assert no_horizontal_scroll(page)

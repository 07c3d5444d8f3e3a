"""Share links end to end: create from the viewer, open at phone size in a fresh browser
context, password, revoke, and an XSS payload in the inputs that stays inert."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    ANSWERS,
    DESKTOP,
    PHONE,
    create_project,
    fill_inputs,
    new_page,
    sign_up,
)

pytestmark = pytest.mark.e2e

XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def _completed_quick_report(page, app_url) -> None:
    create_project(page, "Shared pets")
    fill_inputs(page, {**ANSWERS, "startup_description": "Pet sitting marketplace " + XSS})
    page.get_by_test_id("start-quick_report").click()
    expect(page.get_by_test_id("report-card-quick_report")).to_have_attribute(
        "data-status", "completed", timeout=60_000
    )
    page.get_by_test_id("view-quick_report").click()
    page.wait_for_url("**/reports/quick_report")
    expect(page.get_by_test_id("report-title")).to_be_visible()


def _create_link(page, password: str = "") -> str:
    page.get_by_test_id("open-share").click()
    if password:
        page.get_by_test_id("share-new-password").fill(password)
    page.get_by_test_id("share-label").fill("Investors" if password else "Co-founder")
    page.get_by_test_id("create-link").click()
    url = page.get_by_test_id("created-url").inner_text()
    assert "/share/" in url
    page.keyboard.press("Escape")
    return url


def _visitor(browser, url: str):
    page = new_page(browser, PHONE)  # a fresh context: no cookies, no account
    errors: list[str] = []
    page.on("dialog", lambda d: (errors.append(d.message), d.dismiss()))
    page.goto(url)
    return page, errors


def test_share_open_on_a_phone_then_revoke(browser, app_url):
    owner = sign_up(browser, app_url, DESKTOP, "Sara Share").page
    _completed_quick_report(owner, app_url)
    url = _create_link(owner)
    local = url.replace(url.split("/share/")[0], app_url)
    visitor, dialogs = _visitor(browser, local)
    expect(visitor.get_by_test_id("report-title")).to_have_text("Quick Market Research Report")
    expect(visitor.get_by_test_id("share-download-pdf")).to_be_visible()
    expect(visitor.get_by_test_id("share-download-json")).to_have_count(0)
    expect(visitor.get_by_test_id("user-menu")).to_have_count(0)
    assert visitor.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The payload from the inputs is shown as text, never run.
    assert visitor.evaluate("window.__xss === undefined") and not dialogs
    visitor.get_by_test_id("open-left").click()
    expect(visitor.get_by_test_id("panel-left")).to_be_visible()
    visitor.get_by_test_id("close-left").click()
    with visitor.expect_download() as download:
        visitor.get_by_test_id("share-download-md").click()
    assert "Quick Market Research Report" in Path(download.value.path()).read_text()
    # The owner sees the views and revokes the link; the visitor gets the neutral page.
    owner.get_by_test_id("open-share").click()
    row = owner.get_by_test_id("share-link-row").first
    expect(row).to_contain_text("Co-founder")
    expect(row).to_contain_text("active")
    owner.get_by_test_id("revoke-link").first.click()
    owner.get_by_test_id("confirm-revoke").click()  # revoking asks first
    expect(row).to_contain_text("revoked")
    visitor.reload()
    expect(visitor.get_by_test_id("share-unavailable")).to_be_visible()
    unknown, _ = _visitor(browser, f"{app_url}/share/not-a-real-token")
    expect(unknown.get_by_test_id("share-unavailable")).to_be_visible()
    neutral = unknown.get_by_test_id("share-unavailable").text_content()
    assert neutral == visitor.get_by_test_id("share-unavailable").text_content()


def test_password_protected_link(browser, app_url):
    owner = sign_up(browser, app_url, DESKTOP, "Pia Password").page
    _completed_quick_report(owner, app_url)
    url = _create_link(owner, password="open sesame 42")
    visitor, _ = _visitor(browser, url.replace(url.split("/share/")[0], app_url))
    expect(visitor.get_by_test_id("share-password")).to_be_visible()
    expect(visitor.get_by_test_id("report-title")).to_have_count(0)
    visitor.get_by_test_id("share-password").fill("wrong password")
    visitor.get_by_test_id("share-unlock").click()
    expect(visitor.get_by_text("That password is not right.")).to_be_visible()
    visitor.get_by_test_id("share-password").fill("open sesame 42")
    visitor.get_by_test_id("share-unlock").click()
    expect(visitor.get_by_test_id("report-title")).to_be_visible()
    # The unlock is the link's HttpOnly grant cookie, not the tab's Reflex state: page scripts
    # cannot read it, and another tab of this browser (a fresh Reflex client token, as after
    # a reconnect) opens the report without the password; another browser still asks.
    grants = [c for c in visitor.context.cookies() if c["name"].startswith("mn_unlock_")]
    assert len(grants) == 1 and grants[0]["httpOnly"]
    assert "mn_unlock_" not in visitor.evaluate("document.cookie")
    other_tab = visitor.context.new_page()
    other_tab.goto(visitor.url)
    expect(other_tab.get_by_test_id("report-title")).to_be_visible()
    expect(other_tab.get_by_test_id("share-password")).to_have_count(0)
    stranger, _ = _visitor(browser, visitor.url)
    expect(stranger.get_by_test_id("share-password")).to_be_visible()

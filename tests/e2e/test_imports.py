"""Chromium: an admin imports a CSV with a broken row and sees the row's error; an outsider
sees neither the organisation nor its imports; an imported company is found by the
organisation's next report and never by another organisation's."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ANSWERS, DESKTOP, PHONE, create_project, fill_inputs, sign_up

pytestmark = pytest.mark.e2e

CSV = (
    "Organization Name,Website,Full Description,Industries,Headquarters Location,"
    "Founded Date,Total Funding Amount (in USD),Operating Status\n"
    "Quillbarge,https://quillbarge.example,Digital bills of lading and live tracking for river "
    'barge freight.,Logistics,"Vienna, Vienna, Austria",2021-04-01,"$4,500,000",Active\n'
    "Broken Row,https://broken.example,A row with a bad founding date.,Logistics,,someday,,Active\n"
    "Danubia Cargo,https://danubia.example,Inland waterway freight marketplace.,Logistics,,2019,"
    "12 M,Active\n"
)


def _services_ready(var_dir, timeout: float = 300.0) -> None:
    """Readiness probe: both market-data services of the stack answer /health with 200."""
    log = var_dir / "stack.log"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        urls = re.findall(r"Uvicorn running on (http://[\d.:]+)", text)
        if len(urls) >= 2:
            try:
                if all(httpx.get(f"{u}/health", timeout=2).status_code == 200 for u in urls):
                    return
            except httpx.HTTPError:
                pass
        time.sleep(0.2)  # poll interval of the probe
    raise TimeoutError("the market-data services did not become ready")


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1


def test_admin_imports_a_csv_and_sees_the_broken_row(
    browser, app_url, app_var_dir, viewport, tmp_path
):
    admin = sign_up(browser, app_url, viewport, "Ada Importer")
    page = admin.page
    path = tmp_path / "barges.csv"
    path.write_text(CSV, encoding="utf-8")
    page.goto(f"{app_url}/imports")
    page.locator("input[type=file]").set_input_files(str(path))
    expect(page.get_by_test_id("detected-layout")).to_have_text("Crunchbase export")
    expect(page.get_by_test_id("preview-row")).to_have_count(2)
    expect(page.get_by_test_id("preview-row").first).to_contain_text("Quillbarge")
    error = page.get_by_test_id("preview-error")
    expect(error).to_have_count(1)
    expect(error).to_contain_text("3")
    expect(error).to_contain_text("bad founded year 'someday'")
    _no_horizontal_scroll(page)

    _services_ready(app_var_dir)
    page.get_by_test_id("start-import").click()
    expect(page.get_by_test_id("import-status")).to_have_text("completed", timeout=90_000)
    expect(page.get_by_test_id("import-counts")).to_contain_text("3 rows · 2 valid · 1 with errors")
    expect(page.get_by_test_id("import-message")).to_contain_text("searchable now")
    row_error = page.get_by_test_id("import-error")
    expect(row_error).to_have_count(1)
    expect(row_error).to_contain_text("Broken Row")
    expect(row_error).to_contain_text("bad founded year 'someday'")
    expect(page.get_by_test_id("import-row")).to_have_count(1)
    expect(page.get_by_test_id("import-row")).to_contain_text("barges.csv")
    _no_horizontal_scroll(page)

    # Someone from another organisation: neither the organisation nor its import is offered.
    outsider = sign_up(browser, app_url, PHONE, "Otto Outsider")
    outsider.page.goto(f"{app_url}/imports")
    select = outsider.page.locator("#import-org")
    expect(select).to_be_visible()
    options = select.locator("option").all_inner_texts()
    assert options and all("Ada" not in o for o in options)
    expect(outsider.page.get_by_text("No import yet.")).to_be_visible()
    expect(outsider.page.get_by_text("barges.csv")).to_have_count(0)
    expect(outsider.page.get_by_text("Quillbarge")).to_have_count(0)
    _no_horizontal_scroll(outsider.page)


BARGE_PROJECT = {
    **ANSWERS,
    "startup_name": "RiverLedger",
    "startup_description": (
        "Digital bills of lading and live tracking for river barge freight on the Danube and "
        "the Rhine, so shippers see where their cargo is and skip the paperwork."
    ),
    "target_audience": "Inland waterway shippers and barge operators in Central Europe",
    "business_model": "Subscription per barge",
    "geographic_focus": "Central Europe",
    "inspiration_sources": "",
}


def _report_companies(page) -> str:
    page.get_by_test_id("start-crunchbase").click()
    card = page.get_by_test_id("report-card-crunchbase")
    expect(card).to_have_attribute("data-status", "completed", timeout=180_000)
    page.get_by_test_id("view-crunchbase").click()
    sections = page.get_by_test_id("report-sections")
    expect(sections).to_be_visible()
    return sections.inner_text()


def test_an_imported_company_is_found_by_its_organisations_report_only(
    browser, app_url, app_var_dir, tmp_path
):
    admin = sign_up(browser, app_url, DESKTOP, "Imke Importer")
    page = admin.page
    path = tmp_path / "barges.csv"
    path.write_text(CSV, encoding="utf-8")
    page.goto(f"{app_url}/imports")
    page.locator("input[type=file]").set_input_files(str(path))
    expect(page.get_by_test_id("preview-row")).to_have_count(2)
    _services_ready(app_var_dir)
    page.get_by_test_id("start-import").click()
    expect(page.get_by_test_id("import-status")).to_have_text("completed", timeout=90_000)

    page.goto(f"{app_url}/dashboard")
    create_project(page, "Barge paperwork")
    fill_inputs(page, BARGE_PROJECT)
    text = _report_companies(page)
    assert "Quillbarge" in text, text[:3000]
    data_used = page.get_by_test_id("data-used")
    expect(data_used).to_contain_text("import")

    # The same idea in another organisation: the imported companies are not in its data.
    outsider = sign_up(browser, app_url, DESKTOP, "Olga Outsider")
    create_project(outsider.page, "Barge paperwork")
    fill_inputs(outsider.page, BARGE_PROJECT)
    other = _report_companies(outsider.page)
    assert "Quillbarge" not in other and "Danubia Cargo" not in other

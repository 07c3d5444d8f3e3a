"""The report viewer in headless Chromium: TOC and scroll-spy, versions, diff, downloads, phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DESKTOP, PHONE, create_project, sign_up

pytestmark = pytest.mark.e2e

ANSWERS = {
    "startup_name": "PawPal",
    "startup_description": "A marketplace for trusted pet sitters.\nInsured and vetted.",
    "target_audience": "Urban pet owners",
    "current_stage": "mvp",
    "business_model": "15% commission per booking",
    "geographic_focus": "Western Europe",
    "research_goal": "Who competes with us and how are they funded?",
    "time_range": "Last 5 years",
    "inspiration_sources": "Rover, Wag",
}
SECTIONS = [
    "Strategic Overview",
    "Competitors Analysis",
    "Product Differentiation",
    "Detailed Personas",
    "Market Snapshot",
    "Audience Analysis",
]
RUN_TIMEOUT = 90_000


def save_inputs(page: Page, answers: dict[str, str]) -> None:
    page.get_by_test_id("edit-inputs").click()
    for key, value in answers.items():
        page.fill(f"#input-{key}", value)
    page.get_by_test_id("save-inputs").click()
    expect(page.get_by_text("Inputs saved.")).to_be_visible()


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def first_version(page: Page, project_url: str) -> str:
    """Open the never-run viewer, start the Quick Report there and wait for version 1."""
    viewer_url = f"{project_url}/reports/quick_report"
    page.goto(viewer_url)
    expect(page.get_by_test_id("report-empty")).to_be_visible()
    page.get_by_test_id("start-report").click()
    # The page follows the run and shows the report when it completes.
    expect(page.get_by_test_id("viewing-version")).to_have_text("Viewing v1", timeout=RUN_TIMEOUT)
    expect(page.get_by_test_id("report-empty")).to_have_count(0)
    return viewer_url


def test_viewer_toc_versions_diff_and_download(browser, app_url, tmp_path, screenshots):
    page = sign_up(browser, app_url, DESKTOP, "Vera Viewer").page
    project_url = create_project(page, "Pet sitters")
    save_inputs(page, ANSWERS)
    viewer_url = first_version(page, project_url)

    expect(page.get_by_test_id("report-title")).to_have_text("Quick Market Research Report")
    links = page.get_by_test_id("toc-link")
    expect(links).to_have_count(len(SECTIONS))
    for index, title in enumerate(SECTIONS):
        expect(links.nth(index)).to_contain_text(title)
    expect(page.get_by_test_id("report-section")).to_have_count(len(SECTIONS))
    # Scroll-spy: scrolling the report marks the section in view; a TOC click scrolls to it.
    expect(links.nth(0)).to_have_attribute("data-active", "true")
    page.evaluate("document.getElementById('sec-detailed_personas').scrollIntoView()")
    expect(links.nth(3)).to_have_attribute("data-active", "true")
    expect(links.nth(0)).not_to_have_attribute("data-active", "true")
    links.nth(1).click()
    expect(links.nth(1)).to_have_attribute("data-active", "true")
    page.wait_for_function(
        "Math.abs(document.getElementById('sec-competitors_analysis')"
        ".getBoundingClientRect().top - 52) < 80"
    )
    assert no_horizontal_scroll(page)
    page.screenshot(path=screenshots / "report-viewer-desktop.png")

    # Inputs change: the version is outdated; Re-run makes version 2.
    page.get_by_test_id("back-to-project").click()
    expect(page.get_by_test_id("project-name")).to_be_visible()
    save_inputs(page, {"geographic_focus": "Brazil"})
    page.goto(viewer_url)
    expect(page.get_by_test_id("outdated-banner")).to_be_visible()
    page.get_by_test_id("rerun").click()
    expect(page.get_by_test_id("live-progress").or_(page.get_by_text("Viewing v2"))).to_be_visible()
    expect(page.get_by_test_id("viewing-version")).to_have_text("Viewing v2", timeout=RUN_TIMEOUT)
    expect(page.get_by_test_id("outdated-banner")).to_have_count(0)

    # Version picker: newest first; an old version says so and links to the latest.
    page.get_by_test_id("version-picker").click()
    options = page.get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_contain_text("v2")
    options.nth(1).click()
    expect(page).to_have_url(re.compile(r"/reports/quick_report\?version=1$"))
    expect(page.get_by_test_id("viewing-version")).to_have_text("Viewing v1")
    expect(page.get_by_test_id("view-latest")).to_have_text("View latest (v2)")
    expect(page.get_by_test_id("outdated-banner")).to_be_visible()

    # Diff v1 -> v2: the region changed where the landscape has players (Brazil) or none.
    page.get_by_test_id("open-diff").click()
    panel = page.get_by_test_id("diff-panel")
    expect(panel).to_be_visible()
    changed = panel.locator("[data-testid=diff-section][data-status=changed]")
    expect(changed.first).to_be_visible()
    expect(panel.locator(".mn-diff-add").filter(has_text="Brazil").first).to_be_visible()
    expect(panel.locator(".mn-diff-del").filter(has_text="Europe").first).to_be_visible()
    expect(page.get_by_test_id("diff-counts")).to_contain_text("changed")
    page.screenshot(path=screenshots / "report-viewer-diff.png")
    page.get_by_test_id("diff-close").click()
    expect(panel).to_have_count(0)

    # Download the viewed version (v1) as Markdown.
    page.get_by_test_id("download-menu").click()
    with page.expect_download() as info:
        page.get_by_test_id("download-md").click()
    download = info.value
    assert download.suggested_filename == "pawpal-quick_report-v1.md"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    text = target.read_text()
    assert text.startswith("# Quick Market Research Report: PawPal")
    assert "_Version 1" in text and "## Strategic Overview" in text
    assert "No close competitor is based in Western Europe" in text  # version 1's own content

    page.get_by_test_id("view-latest").click()
    expect(page).to_have_url(re.compile(r"/reports/quick_report$"))
    expect(page.get_by_test_id("viewing-version")).to_have_text("Viewing v2")
    expect(page.get_by_test_id("view-latest")).to_have_count(0)

    # Wide screens: nothing scrolls sideways.
    page.set_viewport_size({"width": 1920, "height": 1000})
    assert no_horizontal_scroll(page)


def test_phone_toc_and_assistant_open_fullscreen(browser, app_url, screenshots):
    page = sign_up(browser, app_url, PHONE, "Pia Phone").page
    project_url = create_project(page, "Phone report")
    save_inputs(page, ANSWERS)
    first_version(page, project_url)
    left, right = page.get_by_test_id("panel-left"), page.get_by_test_id("panel-right")
    expect(left).to_be_hidden()
    expect(right).to_be_hidden()
    expect(page.get_by_test_id("toggle-left")).to_be_hidden()
    assert no_horizontal_scroll(page)
    page.screenshot(path=screenshots / "report-viewer-phone.png")

    page.get_by_test_id("open-left").click()
    expect(left).to_be_visible()
    box = left.bounding_box()
    assert box["width"] == PHONE["width"] and box["y"] == 52
    expect(page.get_by_test_id("report-title")).to_be_hidden()
    expect(left.get_by_test_id("toc-link")).to_have_count(len(SECTIONS))
    page.screenshot(path=screenshots / "report-viewer-phone-toc.png")
    # Choosing a section closes the panel and shows that section.
    left.get_by_test_id("toc-link").nth(4).click()
    expect(left).to_be_hidden()
    page.wait_for_function(
        "(() => { const r = document.getElementById('sec-market_snapshot')"
        ".getBoundingClientRect(); return r.top >= 0 && r.top < 200; })()"
    )
    page.get_by_test_id("open-left").click()
    expect(left).to_be_visible()
    page.get_by_test_id("close-left").click()
    expect(left).to_be_hidden()

    page.get_by_test_id("open-right").click()
    expect(right).to_be_visible()
    expect(page.get_by_test_id("assistant-panel")).to_be_visible()
    page.get_by_test_id("close-right").click()
    expect(right).to_be_hidden()
    expect(page.get_by_test_id("report-title")).to_be_visible()

    page.set_viewport_size({"width": 360, "height": 740})
    assert no_horizontal_scroll(page)


def test_strangers_and_unknown_reports_get_the_neutral_message(browser, app_url):
    owner = sign_up(browser, app_url, DESKTOP, "Olga Owner").page
    project_url = create_project(owner, "Secret report")
    intruder = sign_up(browser, app_url, DESKTOP, "Eve Intruder").page
    intruder.goto(f"{project_url}/reports/quick_report")
    expect(intruder.get_by_test_id("not-found")).to_contain_text("do not have access")
    expect(intruder.get_by_text("Secret report")).to_have_count(0)
    owner.goto(f"{project_url}/reports/no_such_report")
    expect(owner.get_by_test_id("not-found")).to_contain_text("do not have access")
    # A never-run report of the owner's: the empty state (inputs missing: a clear error).
    owner.goto(f"{project_url}/reports/quick_report")
    expect(owner.get_by_test_id("report-empty")).to_be_visible()
    owner.get_by_test_id("start-report").click()
    # (The project's name is already its Startup Name: the other questions are missing.)
    expect(owner.get_by_test_id("run-error")).to_contain_text("Target Audience")


# -- sections a Quick Report does not make: written into the stack's database ----------------


def add_rich_sections(project_id: int) -> int:
    """Funding chart, companies, a verdict and slides on the project's Quick Report v1."""
    from sqlmodel import select

    from marketnav.db import session_scope
    from marketnav.models import Report, ReportRun, ReportSection

    companies = [("Rover", 310e6, 0.91), ("Wag", 361.5e6, 0.84), ("Fetch", 45e6, 0.62)]
    with session_scope() as db:
        report = db.exec(select(Report).where(Report.project_id == project_id)).one()
        run = db.exec(select(ReportRun).where(ReportRun.report_id == report.id)).one()
        rows = [
            ReportSection(
                run_id=run.id,
                section_key="funding_overview",
                title="Funding Overview",
                kind="chart",
                position=20,
                markdown="Funding raised by the companies found.",
                section_data={
                    "funding_chart": [{"name": n, "funding_usd": usd} for n, usd, _ in companies]
                },
            ),
            *(
                ReportSection(
                    run_id=run.id,
                    section_key=f"company_{name.lower()}",
                    title=name,
                    company_name=name,
                    kind="company",
                    position=21 + i,
                    markdown=f"**{name}** books pet sitters.\n\n| Metric | Value |\n|---|---|\n"
                    f"| Funding | ${usd / 1e6:.0f}M |",
                    section_data={"funding_usd": usd, "score": score},
                )
                for i, (name, usd, score) in enumerate(companies)
            ),
            ReportSection(
                run_id=run.id,
                section_key="verdict_decision",
                title="Verdict Decision",
                position=30,
                markdown="Demand is acute; economics need proof.",
                section_data={
                    "verdict": "ITERATE",
                    "total_score": 63,
                    "scores": {
                        "demand": 78,
                        "competition": 45,
                        "differentiation": 60,
                        "economics": 40,
                        "feasibility": 82,
                    },
                },
            ),
            *(
                ReportSection(
                    run_id=run.id,
                    section_key=f"slide_{i}",
                    title=title,
                    kind="slide",
                    position=40 + i,
                    section_data={"bullets": bullets, "notes": "Keep it under a minute."},
                )
                for i, (title, bullets) in enumerate(
                    [
                        ("Problem", ["Pet owners cannot find sitters they trust", "Kennels"]),
                        ("Solution", ["Vetted, insured sitters", "Daily photo reports"]),
                    ]
                )
            ),
        ]
        db.add_all(rows)
        return run.id


def test_charts_companies_slides_and_live_progress(browser, app_url, stack_db, screenshots):
    from sqlmodel import select

    from marketnav.db import session_scope
    from marketnav.models import ReportRun, User
    from marketnav.services import progress
    from marketnav.services.reports import runs
    from marketnav.services.reports.tracker import subject_for_project

    person = sign_up(browser, app_url, DESKTOP, "Cara Charts")
    page = person.page
    project_url = create_project(page, "Charts")
    save_inputs(page, ANSWERS)
    viewer_url = first_version(page, project_url)
    project_id = int(project_url.rstrip("/").rsplit("/", 1)[1])
    add_rich_sections(project_id)
    page.reload()

    funding = page.get_by_test_id("funding-chart")
    expect(funding.locator(".recharts-bar-rectangle")).to_have_count(3)
    expect(funding).to_contain_text("Wag")
    expect(page.get_by_test_id("competitor-map").locator(".recharts-scatter-symbol")).to_have_count(
        3
    )
    expect(page.get_by_test_id("verdict-badge")).to_have_text("ITERATE")
    # Drawn twice (phone and wider geometry), one of them shown.
    radar = page.get_by_test_id("verdict-radar").locator(".mn-wide-only .recharts-radar-polygon")
    expect(radar).to_be_visible()
    # Company sections are collapsed until opened (from the TOC or their summary).
    rover = page.locator("#sec-company_rover details")
    expect(rover).not_to_have_attribute("open", "")
    page.get_by_test_id("toc-link").filter(has_text="Rover").click()
    expect(rover).to_have_attribute("open", "")
    expect(rover).to_contain_text("books pet sitters")
    page.locator("#sec-company_wag summary").click()
    expect(page.locator("#sec-company_wag details")).to_have_attribute("open", "")
    slides = page.locator(".mn-slide")
    expect(slides).to_have_count(2)
    expect(slides.nth(0)).to_contain_text("Slide 1")
    expect(slides.nth(0)).to_contain_text("Pet owners cannot find sitters they trust")
    expect(slides.nth(1)).to_contain_text("Speaker notes: Keep it under a minute.")
    assert no_horizontal_scroll(page)
    page.locator("#sec-funding_overview").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "report-viewer-charts.png")
    page.locator("#sec-verdict_decision").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "report-viewer-verdict.png")
    page.locator("#sec-slide_1").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "report-viewer-slides.png")

    # A run in progress (queued without a worker): progress events arrive live.
    with session_scope() as db:
        owner = db.exec(select(User).where(User.email == person.email)).one()
        run_id = runs.start(db, owner, project_id, "quick_report").id
    page.reload()
    live = page.get_by_test_id("live-progress")
    expect(live).to_contain_text("Queued")  # not "Waiting for a worker" (#16)
    progress.publish(
        subject_for_project(project_id),
        {
            "type": "report_progress",
            "report_type": "quick_report",
            "run_id": run_id,
            "version": 2,
            "status": "running",
            "progress": 42,
            "current_step": "3/6 sections written",
            "error": "",
            "steps": [
                {"key": "init", "number": 1, "name": "Preparing Request", "status": "completed",
                 "duration": 1.4, "message": "", "error": ""},
                {"key": "api_search", "number": 2, "name": "AI Analysis", "status": "running",
                 "duration": None, "message": "3/6 sections written", "error": ""},
                {"key": "save", "number": 3, "name": "Saving Report", "status": "pending",
                 "duration": None, "message": "", "error": ""},
            ],
            "eta": {"remaining_seconds": 65, "confidence": "low",
                    "steps": [{"step_key": "save", "avg_duration": 5}]},
        },
    )  # fmt: skip
    expect(live).to_contain_text("42%")
    expect(live.get_by_test_id("progress-step")).to_have_count(3)
    expect(live.get_by_test_id("progress-step").nth(0)).to_contain_text("1.4s")
    expect(live.get_by_test_id("progress-step").nth(2)).to_contain_text("~5s")
    expect(live.get_by_test_id("progress-eta")).to_contain_text("1m 05s")
    page.screenshot(path=screenshots / "report-viewer-progress.png")
    # The run ends (cancelled here): the page re-reads and says so.
    with session_scope() as db:
        run = db.get(ReportRun, run_id)
        runs.mark_finished(run, "cancelled", "Cancelled.")
        db.add(run)
    progress.publish(
        subject_for_project(project_id), {"type": "report_status", "report_type": "quick_report"}
    )
    expect(live).to_have_count(0)
    expect(page.get_by_test_id("last-failure")).to_contain_text("Version 2 did not complete")
    expect(page).to_have_url(viewer_url)
    page.set_viewport_size({"width": 360, "height": 740})
    assert no_horizontal_scroll(page)

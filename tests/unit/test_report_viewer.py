"""The report viewer's read model: access, versions, sanitised sections, charts, diff, exports."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from marketnav.models import Report, ReportRun, ReportSection
from marketnav.services import projects
from marketnav.services.errors import DomainError, PermissionDenied, ValidationFailed
from marketnav.services.permissions import NOT_FOUND_MESSAGE, Role
from marketnav.services.reports import runner, runs, viewer
from marketnav.services.storage import get_storage
from tests.conftest import clear_caches, free_port
from tests.factories import add_member, make_project, make_user, personal_org_id

ANSWERS = {
    "startup_name": "PawPal",
    "startup_description": "A marketplace for trusted pet sitters, insured and vetted.",
    "target_audience": "Urban pet owners",
    "current_stage": "mvp",
    "business_model": "15% commission per booking",
    "geographic_focus": "Western Europe",
    "research_goal": "Who competes with us and how are they funded?",
    "time_range": "Last 5 years",
    "inspiration_sources": "Rover, Wag",
}


@pytest.fixture(autouse=True)
def offline_market_data(monkeypatch, isolated_settings):
    """Nothing listens on the Crunchbase service's port: the quick report skips it at once."""
    monkeypatch.setenv("CRUNCHBASE_API_URL", f"http://127.0.0.1:{free_port()}")
    for key in ("OPENAI_API_KEY", "LIARA_API_KEY", "METIS_API_KEY", "AI_EXTRA_PROVIDERS"):
        monkeypatch.delenv(key, raising=False)
    clear_caches()


@pytest.fixture
def owner(db: Session):
    return make_user(db, "Olga Owner")


@pytest.fixture
def project(db: Session, owner):
    project = make_project(db, owner, "Pet care")
    projects.save_inputs(db, owner, project.id, ANSWERS)
    db.commit()
    return project


def run_quick(db: Session, user, project_id: int) -> ReportRun:
    run = runs.start(db, user, project_id, "quick_report")
    db.commit()
    outcome = runner.execute(run.id, "test")
    assert outcome.status == "completed", outcome.error
    db.expire_all()
    return db.get(ReportRun, run.id)


def set_markdown(db: Session, run_id: int, key: str, markdown: str, **changes) -> None:
    row = db.exec(
        select(ReportSection).where(
            ReportSection.run_id == run_id, ReportSection.section_key == key
        )
    ).one()
    row.markdown = markdown
    for name, value in changes.items():
        setattr(row, name, value)
    db.add(row)
    db.commit()


def add_section(db: Session, run_id: int, key: str, **fields) -> None:
    fields.setdefault("title", key.replace("_", " ").title())
    db.add(ReportSection(run_id=run_id, section_key=key, **fields))
    db.commit()


def test_a_never_run_report_is_an_empty_page_with_start_allowed(db, owner, project):
    page = viewer.report_page(db, owner, project.id, "quick_report")
    assert page.version == 0 and page.versions == [] and page.sections == []
    assert page.can_run and page.blocked == ""
    assert page.title == "Quick Market Research Report"
    assert [f["fmt"] for f in page.formats] == ["html", "md", "json", "pdf"]


def test_outsiders_unknown_types_and_viewers(db, owner, project):
    run_quick(db, owner, project.id)
    outsider = make_user(db, "Eve Outsider")
    for call in (
        lambda: viewer.report_page(db, outsider, project.id, "quick_report"),
        lambda: viewer.diff(db, outsider, project.id, "quick_report", 1, 2),
        lambda: viewer.export(db, outsider, project.id, "quick_report", 1, "md"),
        lambda: viewer.report_page(db, owner, project.id, "no_such_type"),
        lambda: viewer.report_page(db, owner, 999_999, "quick_report"),
    ):
        with pytest.raises(PermissionDenied) as err:
            call()
        assert str(err.value) == NOT_FOUND_MESSAGE
    reader = make_user(db, "Vic Viewer")
    add_member(db, owner, personal_org_id(db, owner), reader, Role.VIEWER)
    page = viewer.report_page(db, reader, project.id, "quick_report")
    assert page.version == 1 and page.sections
    assert not page.can_run  # viewers read, they do not run
    name, data, _ = viewer.export(db, reader, project.id, "quick_report", 1, "md")
    assert name.endswith("-v1.md") and data.startswith(b"# Quick Market Research Report")


def test_versions_newest_first_and_each_version_shows_its_own_sections(db, owner, project):
    first = run_quick(db, owner, project.id)
    set_markdown(db, first.id, "strategic_overview", "Version one text.")
    run_quick(db, owner, project.id)
    latest = viewer.report_page(db, owner, project.id, "quick_report")
    assert [v["version"] for v in latest.versions] == [2, 1]
    assert latest.version == latest.latest_version == 2
    assert "Version one text." not in latest.sections[0]["html"]
    old = viewer.report_page(db, owner, project.id, "quick_report", 1)
    assert old.version == 1 and old.latest_version == 2
    assert old.sections[0]["html"] == "<p>Version one text.</p>\n"
    assert [t["title"] for t in old.toc][:2] == ["Strategic Overview", "Competitors Analysis"]
    assert old.toc[0] == {
        "anchor": "sec-strategic_overview",
        "number": 1,
        "title": "Strategic Overview",
        "kind": "markdown",
    }
    missing = viewer.report_page(db, owner, project.id, "quick_report", 7)
    assert missing.version == 2
    assert missing.version_missing == (
        "Version 7 does not exist: this report has v1 and v2. Showing the latest, v2."
    )
    assert old.version_missing == ""
    assert old.offline and not old.outdated and old.generated_at.endswith("UTC")


def test_outdated_when_inputs_changed_since_the_version(db, owner, project):
    run_quick(db, owner, project.id)
    assert not viewer.report_page(db, owner, project.id, "quick_report").outdated
    projects.save_inputs(db, owner, project.id, {**ANSWERS, "current_stage": "growth"})
    db.commit()
    assert viewer.report_page(db, owner, project.id, "quick_report").outdated


def test_a_running_report_has_a_progress_snapshot(db, owner, project):
    run_quick(db, owner, project.id)
    queued = runs.start(db, owner, project.id, "quick_report")
    db.commit()
    page = viewer.report_page(db, owner, project.id, "quick_report")
    assert page.version == 1  # the last completed version stays readable
    assert page.active["run_id"] == queued.id and page.active["status"] == "queued"
    assert [s["key"] for s in page.active["steps"]] == []  # steps appear when a worker starts
    snapshot = viewer.present_snapshot(
        {
            "run_id": 3,
            "version": 2,
            "status": "running",
            "progress": 40,
            "current_step": "2/6 sections written",
            "steps": [
                {"key": "init", "status": "completed", "duration": 1.25},
                {"key": "api_search", "status": "running", "duration": None},
                {"key": "save", "status": "pending", "duration": None},
            ],
            "eta": {
                "remaining_seconds": 75,
                "confidence": "low",
                "steps": [{"step_key": "save", "avg_duration": 5}],
            },
        }
    )
    assert [s["timing"] for s in snapshot["steps"]] == ["1.2s", "…", "~5s"]
    assert snapshot["eta_text"] == "1m 15s" and snapshot["done_steps"] == 1


def test_a_failed_latest_run_is_reported_next_to_the_good_version(db, owner, project):
    run_quick(db, owner, project.id)
    failed = runs.start(db, owner, project.id, "quick_report")
    runs.mark_finished(failed, "failed", "The AI provider refused.")
    db.add(failed)
    db.commit()
    page = viewer.report_page(db, owner, project.id, "quick_report")
    assert page.version == 1
    assert page.last_failure == "Version 2 did not complete: The AI provider refused."


def test_scripts_in_section_markdown_never_reach_the_html(db, owner, project):
    run = run_quick(db, owner, project.id)
    set_markdown(
        db,
        run.id,
        "strategic_overview",
        '<script>alert(1)</script>\n\n[x](javascript:alert(2)) <img src=x onerror="alert(3)">'
        "\n\n**bold**",
    )
    html = viewer.report_page(db, owner, project.id, "quick_report").sections[0]["html"]
    assert "<script" not in html and "&lt;script&gt;" in html  # shown as text, never run
    assert 'href="javascript' not in html and "<img" not in html
    assert "<strong>bold</strong>" in html


def test_charts_from_section_data(db, owner, project):
    run = run_quick(db, owner, project.id)
    add_section(
        db,
        run.id,
        "funding_overview",
        position=10,
        kind="chart",
        markdown="Funding of the field.",
        section_data={
            "funding_chart": [
                {"name": "Rover", "funding_usd": 310_000_000},
                {"name": "Wag", "funding_usd": 361_500_000},
                {"name": "Broken", "funding_usd": "n/a"},
            ]
        },
    )
    for position, (name, usd, score) in enumerate(
        [("Rover", 310e6, 0.91), ("Wag", 361.5e6, 0.84), ("Tiny", None, 0.5)], start=11
    ):
        data = {"score": score} | ({"funding_usd": usd} if usd else {})
        add_section(
            db,
            run.id,
            f"company_{name.lower()}",
            position=position,
            kind="company",
            company_name=name,
            markdown=f"About {name}.",
            section_data=data,
        )
    add_section(
        db,
        run.id,
        "verdict_decision",
        position=20,
        markdown="ITERATE.",
        section_data={
            "verdict": "iterate",
            "total_score": 61.4,
            "scores": {
                "demand": 70,
                "competition": {"raw": 40, "weighted": 8},
                "differentiation": 55,
                "economics": 120,
                "feasibility": "65",
            },
        },
    )
    page = viewer.report_page(db, owner, project.id, "quick_report")
    assert page.funding_chart == [
        {"name": "Wag", "funding_usd": 361_500_000, "funding_musd": 361.5},
        {"name": "Rover", "funding_usd": 310_000_000, "funding_musd": 310.0},
    ]
    by_key = {s["key"]: s for s in page.sections}
    assert by_key["funding_overview"]["chart"] == "funding"
    assert by_key["verdict_decision"]["chart"] == "radar"
    assert by_key["company_rover"]["map_before"] and by_key["company_rover"]["kind"] == "company"
    assert page.verdict == {"verdict": "ITERATE", "total_score": 61, "colour": "amber"}
    assert {p["axis"]: p["score"] for p in page.radar_chart} == {
        "Demand": 70,
        "Competition": 40,
        "Differentiation": 55,
        "Economics": 100,
        "Feasibility": 65,
    }
    assert page.map_y_label == "Score"
    assert page.competitor_map == [
        {"name": "Rover", "funding_musd": 310.0, "y": 0.91},
        {"name": "Wag", "funding_musd": 361.5, "y": 0.84},
    ]


def test_pitch_deck_slides_carry_bullets_and_notes(db, owner, project):
    run = run_quick(db, owner, project.id)
    for position, title in enumerate(["Problem", "Solution"], start=10):
        add_section(
            db,
            run.id,
            f"slide_{title.lower()}",
            title=title,
            position=position,
            kind="slide",
            section_data={"bullets": [f"{title} one", "<b>two</b>"], "notes": "Say it slowly."},
        )
    slides = [
        s
        for s in viewer.report_page(db, owner, project.id, "quick_report").sections
        if s["kind"] == "slide"
    ]
    assert [s["slide_number"] for s in slides] == [1, 2]
    assert slides[0]["bullets"] == ["Problem one", "<b>two</b>"]  # rendered as text, escaped
    assert slides[1]["notes"] == "Say it slowly."


def test_diff_reports_added_removed_and_changed_sections(db, owner, project):
    first = run_quick(db, owner, project.id)
    second = run_quick(db, owner, project.id)
    set_markdown(db, first.id, "market_snapshot", "Line A\nLine B\nLine C")
    set_markdown(db, second.id, "market_snapshot", "Line A\nLine B changed\nLine C")
    add_section(db, first.id, "old_only", position=30, markdown="Gone now.")
    add_section(db, second.id, "new_only", position=30, markdown="Brand new.")
    result = viewer.diff(db, owner, project.id, "quick_report", 1, 2)
    by_key = {s["key"]: s for s in result["sections"]}
    assert set(by_key) == {"market_snapshot", "old_only", "new_only"}
    assert by_key["new_only"]["status"] == "added"
    assert by_key["new_only"]["lines"][-1] == {
        "kind": "add",
        "text": "Brand new.",
        "html": "Brand new.",
    }
    assert by_key["old_only"]["status"] == "removed"
    assert by_key["old_only"]["lines"][-1]["text"] == "Gone now."
    changed = by_key["market_snapshot"]
    assert changed["status"] == "changed" and (changed["added"], changed["removed"]) == (1, 1)
    kinds = [(line["kind"], line["text"]) for line in changed["lines"]]
    assert ("del", "Line B") in kinds and ("add", "Line B changed") in kinds
    assert ("ctx", "Line A") in kinds and kinds[0][0] == "hunk"
    assert result["counts"] == {"added": 1, "removed": 1, "changed": 1, "unchanged": 5}
    assert "Strategic Overview" in result["unchanged"]
    assert changed["lines"][0]["html"] == "From line 1"
    with pytest.raises(ValidationFailed):
        viewer.diff(db, owner, project.id, "quick_report", 2, 2)
    with pytest.raises(DomainError, match="Version 9"):
        viewer.diff(db, owner, project.id, "quick_report", 1, 9)


def test_export_serves_the_stored_file_and_falls_back_to_rendering(db, owner, project):
    run = run_quick(db, owner, project.id)
    assert set(run.files) == {"html", "md", "json", "pdf"}
    stored = get_storage().get(run.files["md"])
    name, data, content_type = viewer.export(db, owner, project.id, "quick_report", 1, "md")
    assert (name, data) == ("pawpal-quick_report-v1.md", stored)
    assert content_type.startswith("text/markdown")
    get_storage().put(run.files["json"], b'{"from": "store"}', "application/json")
    assert viewer.export(db, owner, project.id, "quick_report", 1, "json")[1] == (
        b'{"from": "store"}'
    )
    for fmt in ("md", "json", "pdf", "html"):
        get_storage().delete(run.files[fmt])
    _, md, _ = viewer.export(db, owner, project.id, "quick_report", 1, "md")
    # Rendered again from the sections: the same sections as the stored file.
    assert md.startswith(b"# Quick Market Research Report: PawPal\n\n_Version 1")
    sections = stored.index(b"## Strategic Overview")
    assert md.endswith(stored[sections:])
    _, raw, _ = viewer.export(db, owner, project.id, "quick_report", 1, "json")
    assert json.loads(raw)["version"] == 1
    _, pdf, content_type = viewer.export(db, owner, project.id, "quick_report", 1, "pdf")
    assert pdf.startswith(b"%PDF") and content_type == "application/pdf"
    _, html, _ = viewer.export(db, owner, project.id, "quick_report", 1, "html")
    assert b"<!doctype html>" in html
    with pytest.raises(ValidationFailed):
        viewer.export(db, owner, project.id, "quick_report", 1, "pptx")
    with pytest.raises(DomainError, match="Version 4"):
        viewer.export(db, owner, project.id, "quick_report", 4, "md")


def test_export_of_an_old_version_is_that_version(db, owner, project):
    first = run_quick(db, owner, project.id)
    set_markdown(db, first.id, "strategic_overview", "Only in version one.")
    for fmt in first.files.values():
        get_storage().delete(fmt)
    run_quick(db, owner, project.id)
    _, old, _ = viewer.export(db, owner, project.id, "quick_report", 1, "md")
    _, new, _ = viewer.export(db, owner, project.id, "quick_report", 2, "md")
    assert b"Only in version one." in old and b"Only in version one." not in new
    report = db.exec(select(Report)).one()
    assert report.latest_version == 2


# -- the page state, called directly ---------------------------------------------------------


def viewer_state(db: Session, user_email: str, path: str):
    import reflex as rx
    from reflex.istate.data import RouterData

    from marketnav.services import accounts
    from marketnav.state.report_viewer import ReportViewerState

    token = accounts.login(db, user_email, "correct horse battery", "127.0.0.1").token
    db.commit()
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(ReportViewerState.get_full_name().split(".")[1:])
    pathname = path.split("?")[0]
    # The session token arrives as the HttpOnly cookie of the tab's connection.
    headers = {"origin": "http://test", "cookie": f"mn_session={token}"}
    root.router = RouterData.from_router_data(
        {"asPath": path, "pathname": pathname, "headers": headers, "ip": "1"}
    )
    return state


def test_state_loads_a_version_and_follows_progress_events(db, owner, project):
    from marketnav.state.report_viewer import route_report

    assert route_report(f"/projects/{project.id}/reports/verdict") == (project.id, "verdict")
    assert route_report(f"/projects/{project.id}") == (0, "")
    run_quick(db, owner, project.id)
    second = run_quick(db, owner, project.id)
    base = f"/projects/{project.id}/reports/quick_report"
    state = viewer_state(db, owner.email, f"{base}?version=1")
    state.load()
    assert not state.not_found and state.version == 1 and state.latest_version == 2
    assert state.viewing_old and len(state.toc) == 6 and state.sections[0]["html"]
    assert state.version_items[0] == {
        "value": "2",
        "label": f"v2 · {state.versions[0]['completed_at']}",
    }
    assert state.pick_version("1") is None  # already shown
    assert state.pick_version(2) is not None  # Radix may hand over a number
    event = state.download("md")
    assert event is not None and state.run_error == ""
    state.open_diff()
    assert (state.diff_a, state.diff_b, state.diff_open) == ("1", "2", True)
    state.compute_diff()
    assert state.diff_error == "" and state.diff_counts["unchanged"] == 6
    # Live events: this report's newest run only; a finished run re-reads the page.
    progress_event = {
        "type": "report_progress",
        "report_type": "quick_report",
        "run_id": second.id + 1,
        "version": 3,
        "status": "running",
        "progress": 30,
        "steps": [],
        "eta": {},
    }
    assert state._apply({**progress_event, "report_type": "verdict"}) is False
    assert state.active == {}
    state._apply(progress_event)
    assert state.active["progress"] == 30 and state.running
    state._apply({**progress_event, "run_id": second.id, "progress": 99})
    assert state.active["progress"] == 30  # an older run's late event
    assert state._apply({**progress_event, "status": "completed"}) is True
    assert state.active == {} and not state.running  # re-read: nothing runs in the database


def test_state_shows_the_neutral_message_to_strangers(db, owner, project):
    run_quick(db, owner, project.id)
    stranger = make_user(db, "Sam Stranger")
    state = viewer_state(db, stranger.email, f"/projects/{project.id}/reports/quick_report")
    state.load()
    assert state.not_found and state.error == NOT_FOUND_MESSAGE and state.sections == []
    state = viewer_state(db, owner.email, f"/projects/{project.id}/reports/nope")
    state.load()
    assert state.not_found


def test_missing_version_and_header_wording():
    assert viewer.missing_version_text(99, [1]) == (
        "Version 99 does not exist: this report has only v1. Showing the latest, v1."
    )
    assert viewer.missing_version_text(4, [1, 2, 3]).startswith(
        "Version 4 does not exist: this report has v1, v2 and v3."
    )
    assert viewer.missing_version_text(2, []) == (
        "Version 2 does not exist: this report has no completed version yet."
    )
    # A failed first run is not "In progress".
    failed = "Version 1 did not complete: boom."
    assert viewer.header_status("", "failed", failed) == "No completed version: the last run failed"
    assert viewer.header_status("", "running", "") == "In progress"
    assert viewer.header_status("", "queued", "") == "Queued"
    assert viewer.header_status("", "", "") == "Not run yet"
    assert viewer.header_status("2026-01-02 10:00 UTC", "failed", failed) == "2026-01-02 10:00 UTC"


def test_diff_lines_are_rendered_markdown_not_raw(db, owner, project):
    first = run_quick(db, owner, project.id)
    second = run_quick(db, owner, project.id)
    set_markdown(db, first.id, "market_snapshot", "### Threats\n- **Stage**: idea\n| **A** | $5M |")
    set_markdown(
        db, second.id, "market_snapshot", "### Threats\n- **Stage**: mvp <b>x</b>\n| **A** | $5M |"
    )
    (section,) = viewer.diff(db, owner, project.id, "quick_report", 1, 2)["sections"]
    shown = {(line["kind"], line["html"]) for line in section["lines"]}
    assert ("add", "• <strong>Stage</strong>: mvp &lt;b&gt;x&lt;/b&gt;") in shown
    assert ("del", "• <strong>Stage</strong>: idea") in shown
    assert ("ctx", "<strong>Threats</strong>") in shown
    assert ("ctx", "<strong>A</strong> · $5M") in shown
    assert not any("**" in html for _, html in shown)
    from marketnav.services.markdown_render import line_html

    assert line_html("- **Crowded**: pet (8[^1] of 8[^1])") == (
        "• <strong>Crowded</strong>: pet (8<sup>1</sup> of 8<sup>1</sup>)"
    )

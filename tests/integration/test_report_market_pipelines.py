"""Crunchbase and Tracxn reports end to end: real services over HTTP, the runner in-process.

The scraper services run in threads on the bundled demo data set; the AI layer is either the
offline analyser (no key) or the OpenAI-compatible test server.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from marketnav.models import Project, Report, ReportRun, ReportSection, ReportStep
from marketnav.services import projects
from marketnav.services.reports import runner, runs, viewer
from marketnav.services.reports.catalog import spec_for
from marketnav.services.reports.context import version_prefix
from marketnav.services.storage import get_storage
from scraper_services.crunchbase.app import create_app as create_crunchbase
from scraper_services.crunchbase.app import demo_source as crunchbase_demo
from tests import ai_fixtures
from tests.conftest import clear_caches
from tests.factories import make_project, make_user
from tests.scraper_fixtures import (
    TOKEN,
    SlowDatasetSource,
    app_market_services,
    make_settings,
    serve_in_thread,
)
from tests.support.report_stack import MODEL_KEYWORDS, PET_INPUTS

ai_env = ai_fixtures.ai_env
fake_ai = ai_fixtures.fake_ai
openai_server = ai_fixtures.openai_server

pytestmark = pytest.mark.integration

MODEL_MARKDOWN = "### Model analysis\n\nWritten by the scripted model from the facts table."
ERROR_WORDS = re.compile(r"error|sorry|did not match|traceback", re.IGNORECASE)


@pytest.fixture
def services(tmp_path, monkeypatch) -> Iterator[None]:
    """Both market-data services on the demo data set, configured for the app."""
    with app_market_services(tmp_path / "services", monkeypatch):
        yield


def _project(db: Session):
    user = make_user(db)
    project = make_project(db, user, "Pet care")
    projects.save_inputs(db, user, project.id, PET_INPUTS)
    db.commit()
    return user, project


def _start(db: Session, user, project_id: int, report_type: str) -> int:
    run = runs.start(db, user, project_id, report_type)
    db.commit()
    return run.id


def _rows(db: Session, model, run_id: int) -> list:
    db.expire_all()
    return list(db.exec(select(model).where(model.run_id == run_id)).all())


def _sections(db: Session, run_id: int) -> list[ReportSection]:
    return sorted(_rows(db, ReportSection, run_id), key=lambda s: s.position)


def _steps(db: Session, run_id: int) -> dict[str, ReportStep]:
    return {s.step_key: s for s in _rows(db, ReportStep, run_id)}


def _assert_completed(db: Session, run_id: int, report_type: str, board: str, summary: str):
    run = db.get(ReportRun, run_id)
    assert run.status == "completed", run.error_message
    steps = _steps(db, run_id)
    assert set(steps) == set(spec_for(report_type).step_keys)
    assert steps["web_search"].status == "skipped"  # web discovery is off by default
    assert steps["web_search"].message.startswith("Web discovery is off")
    for key, step in steps.items():
        if key == "web_search":
            continue
        assert step.status == "completed", (key, step.status, step.error_message)
        assert step.duration_seconds is not None, key
    sections = _sections(db, run_id)
    keys = [s.section_key for s in sections]
    assert keys[:2] == [board, summary]  # board view first, then the summary, then companies
    companies = [s for s in sections if s.kind == "company"]
    assert len(companies) >= 3
    assert all(s.company_name and s.section_data["facts"]["name"] for s in companies)
    chart = next(s for s in sections if s.section_key == summary).section_data["funding_chart"]
    assert chart and all(point["funding_usd"] > 0 for point in chart)
    assert run.data["company_count"] == len(companies)
    assert run.data["sections_count"] == len(sections)
    assert run.data["total_funding_usd"] > 0
    prefix = version_prefix(*_org_and_project(db, run), report_type, run.version)
    stored = set(get_storage().list(prefix))
    for name in ("raw_data.json", "report.html", "report.md", "report.json", "report.pdf"):
        assert prefix + name in stored, name
    raw = json.loads(get_storage().get(prefix + "raw_data.json"))
    assert raw["top_companies"] and raw["keywords"] and raw["target_description"]
    return run, steps, sections, prefix


def _org_and_project(db: Session, run: ReportRun) -> tuple[int, int]:
    project = db.get(Project, db.get(Report, run.report_id).project_id)
    return project.organization_id, project.id


def test_both_reports_offline_end_to_end_and_idempotent(ai_env, db, services):
    user, project = _project(db)
    cb_run = _start(db, user, project.id, "crunchbase")
    assert runner.execute(cb_run, "test").status == "completed"
    tx_run = _start(db, user, project.id, "tracxn")
    assert runner.execute(tx_run, "test").status == "completed"

    run, steps, sections, prefix = _assert_completed(
        db, cb_run, "crunchbase", "fast_analysis", "strategic_summary"
    )
    cb_keywords = steps["init"].checkpoint["result"]["keywords"]
    assert steps["init"].message.startswith("Keywords ready: ")
    assert [d["message"] for d in steps["init"].details] == cb_keywords
    searches = [d for d in steps["api_search"].details if d["type"] == "search_result"]
    assert len(searches) == len(cb_keywords)
    assert any(re.search(r"\(#\d+\)", d["message"]) for d in searches)
    ranks = [d for d in steps["sorting"].details if d["type"] == "company_rank"]
    assert ranks and re.fullmatch(r"1\. .+ \(CB Rank: \d+\)", ranks[0]["message"])
    assert any(d["type"] == "company_found" for d in steps["fetching_details"].details)
    assert run.changes_summary == f"Full 3-part analysis: {run.data['company_count']} companies"
    assert all(s.markdown.startswith("_Offline analysis") for s in sections)
    assert all("Market Navigator" not in s.markdown for s in sections)
    memo = next(s for s in sections if s.company_name == "Rover")
    assert "$310M" in memo.markdown and "median" in memo.markdown and "PawPal" in memo.markdown
    html = get_storage().get(prefix + "report.html").decode()
    assert "Rover" in html and "Fast Analysis" in html

    _, tx_steps, _, _ = _assert_completed(
        db, tx_run, "tracxn", "flash_analysis", "executive_summary"
    )
    tx_keywords = tx_steps["init"].checkpoint["result"]["keywords"]
    ranks = [d for d in tx_steps["sorting"].details if d["type"] == "startup_rank"]
    assert ranks and re.fullmatch(r"1\. .+ \(Score: [\d.]+\)", ranks[0]["message"])
    # Each type has its own keyword style: phrases for Crunchbase, AND-joined or single words
    # for Tracxn.
    assert cb_keywords != tx_keywords
    assert all(2 <= len(k.split()) <= 3 and " AND " not in k for k in cb_keywords)
    assert all(" AND " in k or len(k.split()) == 1 for k in tx_keywords)

    # Running a completed run again does nothing.
    before = [(s.section_key, s.markdown) for s in sections]
    assert runner.execute(cb_run, "test").status == "skipped"
    assert [(s.section_key, s.markdown) for s in _sections(db, cb_run)] == before


def test_a_resumed_run_redoes_only_unfinished_steps(ai_env, db, services):
    user, project = _project(db)
    run_id = _start(db, user, project.id, "crunchbase")
    assert runner.execute(run_id, "test").status == "completed"
    before = [(s.section_key, s.markdown) for s in _sections(db, run_id)]
    search_done = _steps(db, run_id)["api_search"].completed_at
    # As if the worker died during the deep dives: those steps are unfinished again, and one
    # memo was not written yet.
    steps = _steps(db, run_id)
    for key in ("company_deep_dive", "html_gen", "save"):
        steps[key].status, steps[key].checkpoint = "pending", {}
        db.add(steps[key])
    run = db.get(ReportRun, run_id)
    run.status, run.worker = "queued", ""
    db.add(run)
    db.commit()
    prefix = version_prefix(*_org_and_project(db, run), "crunchbase", run.version)
    memos = [k for k in get_storage().list(prefix) if "/company_deep_dive/" in k]
    assert len(memos) == len([s for s in before if s[0].startswith("company_")])
    get_storage().delete(memos[0])
    assert runner.execute(run_id, "test").status == "completed"
    steps = _steps(db, run_id)
    assert steps["api_search"].completed_at == search_done  # not searched again
    assert steps["company_deep_dive"].status == "completed"
    assert [(s.section_key, s.markdown) for s in _sections(db, run_id)] == before
    assert memos[0] in get_storage().list(prefix)  # the missing memo was written again
    assert db.get(ReportRun, run_id).version == 1


def test_unreachable_service_fails_the_search_step_clearly(ai_env, db, monkeypatch):
    from tests.conftest import free_port

    monkeypatch.setenv("CRUNCHBASE_API_URL", f"http://127.0.0.1:{free_port()}")
    clear_caches()
    user, project = _project(db)
    run_id = _start(db, user, project.id, "crunchbase")
    outcome = runner.execute(run_id, "test")
    assert outcome.status == "failed"
    step = _steps(db, run_id)["api_search"]
    assert step.status == "failed" and "Crunchbase search failed" in step.error_message
    assert _steps(db, run_id)["sorting"].status == "pending"
    assert _sections(db, run_id) == []


def _has_detail(db: Session, run_id: int, step_key: str, detail_type: str) -> bool:
    step = _steps(db, run_id).get(step_key)
    return step is not None and any(d["type"] == detail_type for d in step.details)


def test_cancelling_a_run_stops_the_remote_search(ai_env, db, tmp_path, monkeypatch):
    slow = SlowDatasetSource(crunchbase_demo(), 0.5)
    app = create_crunchbase(make_settings(tmp_path / "services"), source=slow)
    with serve_in_thread(app) as url:
        monkeypatch.setenv("CRUNCHBASE_API_URL", url)
        monkeypatch.setenv("SCRAPER_SERVICE_TOKEN", TOKEN)
        clear_caches()
        registry = app.state.context.cancellations
        asked: list[str] = []
        original = registry.cancel
        monkeypatch.setattr(registry, "cancel", lambda rid: asked.append(rid) or original(rid))
        user, project = _project(db)
        run_id = _start(db, user, project.id, "crunchbase")
        worker = threading.Thread(target=runner.execute, args=(run_id, "test"))
        worker.start()
        deadline = time.monotonic() + 20
        while not _has_detail(db, run_id, "api_search", "search_result"):
            assert time.monotonic() < deadline, "no keyword result arrived"
            time.sleep(0.05)
        runs.cancel(db, user, run_id)
        db.commit()
        worker.join(timeout=20)
        assert not worker.is_alive()
    db.expire_all()
    assert db.get(ReportRun, run_id).status == "cancelled"
    step = _steps(db, run_id)["api_search"]
    assert step.status == "failed" and step.error_message == "Cancelled."
    assert asked == [f"crunchbase-{run_id}"]  # the service was told to stop scraping


def _model_answer() -> dict:
    """One JSON answer valid for keywords, the target description and a section."""
    return {
        "keywords": MODEL_KEYWORDS,
        "description": "Online marketplaces where pet owners book dog walkers and pet sitters.",
        "markdown": MODEL_MARKDOWN,
        "confidence": 0.8,
    }


def test_sections_come_from_the_configured_model(ai_env, fake_ai, db, services):
    ai_env.use_providers(fake_ai, "analyst")
    fake_ai.set_default_content("analyst", _model_answer())
    fake_ai.set_fixed_delay("analyst", 0.1)
    user, project = _project(db)
    run_id = _start(db, user, project.id, "crunchbase")
    assert runner.execute(run_id, "test").status == "completed"
    steps = _steps(db, run_id)
    assert steps["init"].checkpoint["result"]["keywords"] == MODEL_KEYWORDS
    # The summaries need only the facts: they run while the deep dives are being written.
    deep_dive = steps["company_deep_dive"]
    for key in ("strategic_summary", "fast_analysis"):
        assert steps[key].started_at < deep_dive.completed_at
        assert steps[key].completed_at < deep_dive.completed_at
    sections = _sections(db, run_id)
    assert len(sections) >= 5
    assert all(s.markdown == MODEL_MARKDOWN for s in sections)
    run = db.get(ReportRun, run_id)
    assert run.data["ai_sources"] == ["analyst · gpt-4o-mini"]
    assert not run.data.get("offline_analysis")
    prompts = [r["messages"][0]["content"] for r in fake_ai.requests("analyst")]
    memo_prompts = [p for p in prompts if "deep-dive investment memo" in p]
    assert len(memo_prompts) == len([s for s in sections if s.kind == "company"])
    assert all("PawPal" in p and "Market Navigator" not in p for p in memo_prompts)


def test_nonsense_keywords_still_find_the_projects_competitors(ai_env, fake_ai, db, services):
    """Keywords are only the feed: the project itself is the query, so useless keywords from
    the model do not empty the report (they did when keywords were matched literally)."""
    ai_env.use_providers(fake_ai, "analyst")
    nonsense = [f"zorblat quix{i}" for i in range(8)]
    fake_ai.set_default_content("analyst", {**_model_answer(), "keywords": nonsense})
    user, project = _project(db)
    run_id = _start(db, user, project.id, "crunchbase")
    outcome = runner.execute(run_id, "test")
    assert outcome.status == "completed", outcome.error
    steps = _steps(db, run_id)
    assert len([d for d in steps["api_search"].details if d["type"] == "search_result"]) == 8
    companies = [s.company_name for s in _sections(db, run_id) if s.kind == "company"]
    assert "Rover" in companies  # the pet-sitting project's closest competitor


def test_garbage_from_the_model_fails_the_step_without_error_text(ai_env, fake_ai, db, services):
    ai_env.use_providers(fake_ai, "good", "bad")
    ai_env.set(ai_route_keywords="good", ai_route_analysis="bad")
    fake_ai.set_default_content("good", _model_answer())
    fake_ai.set_default_content("bad", "Error: I'm sorry, I can't write that section.")
    user, project = _project(db)
    run_id = _start(db, user, project.id, "tracxn")
    outcome = runner.execute(run_id, "test")
    assert outcome.status == "failed"
    assert "did not match the expected format" in outcome.error
    steps = _steps(db, run_id)
    assert steps["fetching_details"].status == "completed"
    failed = [k for k, s in steps.items() if s.status == "failed"]
    assert "company_deep_dive" in failed
    assert all("did not match the expected format" in steps[k].error_message for k in failed)
    assert not any(ERROR_WORDS.search(s.markdown) for s in _sections(db, run_id))


def test_a_new_version_keeps_what_changed_in_the_market_with_its_evidence(ai_env, db, services):
    """v1 on the pet inputs; the founder then names Uber (in the data, not a pet company):
    v2 has it in the landscape, and the version records the change against v1 by code."""
    user, project = _project(db)
    first = _start(db, user, project.id, "crunchbase")
    assert runner.execute(first, "test").status == "completed"
    assert "market_changes" not in db.get(ReportRun, first).data  # nothing to compare with

    projects.save_inputs(db, user, project.id, {**PET_INPUTS, "inspiration_sources": "Uber"})
    db.commit()
    second = _start(db, user, project.id, "crunchbase")
    assert runner.execute(second, "test").status == "completed"
    db.expire_all()
    stored = db.get(ReportRun, second).data["market_changes"]
    assert stored["since"] == 1
    entered = next(c for c in stored["changes"] if c["subject"] == "Uber")
    assert entered["kind"] == "entered" and entered["old"] is None
    assert entered["new"]["ref"] == "crunchbase:company:uber"
    assert entered["new"]["demo"] and "demo data set" in entered["new"]["source"]
    assert stored["summary"].startswith(f"{len(stored['changes'])} change")

    page = viewer.report_page(db, user, project.id, "crunchbase")
    assert page.changes_since == 1
    shown = next(c for c in page.market_changes if c["text"].startswith("Uber"))
    assert shown["new_href"].endswith("?version=2#sec-company_uber") and shown["demo"]


def test_a_followed_company_is_looked_up_again_in_its_data_service(ai_env, services):
    """The re-check of a followed company reads the same facts the reports read, over HTTP."""
    import asyncio

    from marketnav.services.watching import company_follows

    rover = asyncio.run(company_follows.service_lookup("crunchbase", "Rover", ""))
    assert rover["funding_usd"] and rover["funding_usd"] > 100e6
    tracxn = asyncio.run(company_follows.service_lookup("tracxn", "Rover", ""))
    assert tracxn is not None and set(tracxn) == {"funding_usd", "status"}
    assert asyncio.run(company_follows.service_lookup("crunchbase", "Zzyzx Meals", "")) is None

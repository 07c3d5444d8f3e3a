"""Evidence end to end: real market-data services over HTTP, the runner in-process.

A report keeps the records it used, every section cites them, the Data used box says the
records are the demo data set, and the fact check marks what a model invented.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from marketnav.models import Project, Report, ReportEvidence, ReportRun, ReportSection
from marketnav.services import projects
from marketnav.services.reports import exports, runner, runs
from marketnav.services.reports.context import version_prefix
from marketnav.services.storage import get_storage
from scraper_services.common.money import format_usd
from tests import ai_fixtures
from tests.factories import make_project, make_user
from tests.scraper_fixtures import app_market_services
from tests.support.fabricating_analyst import FabricatingAnalyst
from tests.support.report_stack import PET_INPUTS

ai_env = ai_fixtures.ai_env
fake_ai = ai_fixtures.fake_ai
openai_server = ai_fixtures.openai_server

pytestmark = pytest.mark.integration


@pytest.fixture
def services(tmp_path, monkeypatch) -> Iterator[None]:
    with app_market_services(tmp_path / "services", monkeypatch):
        yield


def _run(db: Session, report_type: str, project=None, user=None) -> tuple[ReportRun, object]:
    if project is None:
        user = make_user(db)
        project = make_project(db, user, "Pet care")
        projects.save_inputs(db, user, project.id, PET_INPUTS)
        db.commit()
    run = runs.start(db, user, project.id, report_type)
    db.commit()
    assert runner.execute(run.id, "test").status == "completed"
    db.expire_all()
    return db.get(ReportRun, run.id), (user, project)


def _sections(db: Session, run_id: int) -> list[ReportSection]:
    return list(db.exec(select(ReportSection).where(ReportSection.run_id == run_id)))


def _prefix(db: Session, run: ReportRun) -> str:
    report = db.get(Report, run.report_id)
    project = db.get(Project, report.project_id)
    return version_prefix(project.organization_id, project.id, report.report_type, run.version)


def test_an_offline_report_cites_its_records_and_says_demo(ai_env, db, services):
    run, _ = _run(db, "crunchbase")
    rows = list(db.exec(select(ReportEvidence).where(ReportEvidence.run_id == run.id)))
    companies = [r for r in rows if r.kind == "company"]
    assert len(companies) == run.data["company_count"]
    assert all(r.demo and "demo data set" in r.source and r.fetched_at for r in companies)
    assert any(r.ref == "crunchbase:aggregate:median_funding" for r in rows)

    sections = _sections(db, run.id)
    for section in sections:
        sources = section.section_data.get("sources", [])
        numbers = {int(n) for n in re.findall(r"\[\^(\d+)\]", section.markdown)}
        # Every marker has its source and every listed source is cited in the text.
        assert numbers == set(range(1, len(sources) + 1)), section.section_key
        assert "[^?]" not in section.markdown  # code-written text is not fact-checked
    memo = next(s for s in sections if s.company_name == "Rover")
    assert "$310M[^" in memo.markdown
    labels = [s["label"] for s in memo.section_data["sources"]]
    assert "Rover" in labels and "Companies analysed" in labels  # "on 10 companies" is cited

    assert run.data["demo_data"] is True and run.data["unsupported_claims"] == 0
    line = run.data["data_used"][0]
    assert line["demo"] and line["records"] == len(companies) and line["noun"] == "companies"
    markdown = get_storage().get(_prefix(db, run) + "report.md").decode()
    assert "> **Data used**" in markdown and "Built on demo data" in markdown
    assert re.search(
        r"\[\^company_rover-\d+\]: Rover \(demo data\): total funding \$310M", markdown
    )
    html = exports.data_used_html(exports.load_document(db, run))
    assert "Built on demo data" in html


def test_a_social_report_cites_the_posts_it_quotes(ai_env, db, services):
    run, _ = _run(db, "social")
    posts = list(
        db.exec(
            select(ReportEvidence).where(
                ReportEvidence.run_id == run.id, ReportEvidence.kind == "post"
            )
        )
    )
    assert len(posts) == run.data["post_count"] > 0
    assert all(p.demo and p.url and p.label.startswith("@") for p in posts)
    cited = [s for sec in _sections(db, run.id) for s in sec.section_data.get("sources", [])]
    assert any(s["kind"] == "post" for s in cited)
    # The post count the overview states cites the stored aggregate.
    assert any(s["ref"] == "social:aggregate:posts_found" for s in cited)
    (line,) = run.data["data_used"]
    assert line["noun"] == "posts" and line["records"] == len(posts) and line["demo"]


def test_a_report_built_on_others_cites_their_records(ai_env, db, services):
    first, (user, project) = _run(db, "crunchbase")
    second, _ = _run(db, "tracxn", project, user)
    deck, _ = _run(db, "pitch_deck", project, user)
    used = deck.data["data_used"]
    assert {line["report"] for line in used} == {"Crunchbase Analysis v1", "Tracxn Insights v1"}
    assert all(line["demo"] for line in used) and deck.data["demo_data"]
    cited = [s for sec in _sections(db, deck.id) for s in sec.section_data.get("sources", [])]
    assert any(s["ref"].startswith("crunchbase:company:") for s in cited)
    stored = {
        r.ref
        for r in db.exec(
            select(ReportEvidence).where(ReportEvidence.run_id.in_([first.id, second.id]))
        )
    }
    # The deck keeps no records of its own: each citation is a source report's record.
    assert {s["ref"] for s in cited} <= stored
    # One figure, one computation: the deck states each source report's stored median.
    medians = {
        r.ref.split(":")[0]: r.data["value"]
        for r in db.exec(select(ReportEvidence).where(ReportEvidence.ref.like("%median_funding")))
        if r.run_id in (first.id, second.id)
    }
    deck_text = "\n".join(sec.markdown for sec in _sections(db, deck.id))
    for kind, label in (("crunchbase", "Crunchbase"), ("tracxn", "Tracxn")):
        assert f"{format_usd(medians[kind])}" in deck_text, kind
        assert re.search(rf"{re.escape(format_usd(medians[kind]))}\[\^\d+\] \({label}", deck_text)


def test_the_fact_check_marks_every_fabrication_and_no_supported_figure(
    ai_env, fake_ai, db, services
):
    analyst = FabricatingAnalyst(seed=11, per_answer=3)
    ai_env.use_providers(fake_ai, "analyst")
    fake_ai.set_responder("analyst", analyst)
    run, _ = _run(db, "crunchbase")
    assert not run.data.get("offline_analysis")
    text = "\n".join(s.markdown for s in _sections(db, run.id))
    assert analyst.injected and analyst.supported
    for token in analyst.injected:
        assert f"{token}[^?]" in text, token
    for token in analyst.supported:
        assert f"{token}[^?]" not in text, token
    assert text.count("[^?]") == len(analyst.injected)
    assert run.data["unsupported_claims"] == len(analyst.injected)

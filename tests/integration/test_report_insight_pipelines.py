"""Social Analysis, Verdict and Pitch deck end to end, in-process, on the offline analyser.

Runs start through `runs.start` and execute with `runner.execute(run_id, "test")` on SQLite and
local storage. Completed Crunchbase and Tracxn runs are seeded with `raw_data.json` in the
market services' shape (built from the bundled demo companies), so these tests do not depend on
the market pipelines or their services. One verdict runs against the OpenAI test server to show
the model's scores are parsed and its verdict ignored in favour of the rules.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator

import pytest
from pptx import Presentation
from sqlmodel import Session, select

from marketnav.models import Report, ReportRun, ReportSection, ReportStep
from marketnav.models.base import utcnow
from marketnav.services import projects
from marketnav.services.errors import DomainError
from marketnav.services.reports import runner, runs, verdict_decision, verdict_rules
from marketnav.services.reports.catalog import PITCH_SLIDES, SOCIAL_CATEGORIES, spec_for
from marketnav.services.reports.context import version_prefix
from marketnav.services.reports.pipelines.verdict import change_summary
from marketnav.services.storage import get_storage
from marketnav.services.wording import plural
from scraper_services.common.demo_catalogue import load_demo_companies
from scraper_services.crunchbase.company_data import record_from_demo as crunchbase_record
from scraper_services.tracxn.full_data import record_from_demo as tracxn_record
from tests import ai_fixtures
from tests.ai_fixtures import SAMPLE_INPUTS
from tests.factories import make_project, make_user
from tests.scraper_fixtures import app_market_services
from tests.support.openai_test_server import Behaviour

ai_env = ai_fixtures.ai_env
fake_ai = ai_fixtures.fake_ai
openai_server = ai_fixtures.openai_server

pytestmark = pytest.mark.integration

FOOD = ("food", "meal", "grocery", "delivery", "restaurant")


def _project(db: Session):
    user = make_user(db)
    project = make_project(db, user, "FreshBox")
    projects.save_inputs(db, user, project.id, SAMPLE_INPUTS)
    db.commit()
    return user, project


def _execute(db: Session, user, project, report_type: str, **kwargs) -> ReportRun:
    run = runs.start(db, user, project.id, report_type, **kwargs)
    db.commit()
    outcome = runner.execute(run.id, "test")
    assert outcome.status == "completed", outcome.error
    db.expire_all()
    return db.get(ReportRun, run.id)


def _steps(db: Session, run: ReportRun) -> dict[str, ReportStep]:
    rows = db.exec(select(ReportStep).where(ReportStep.run_id == run.id)).all()
    return {s.step_key: s for s in rows}


def _sections(db: Session, run: ReportRun) -> dict[str, ReportSection]:
    rows = db.exec(select(ReportSection).where(ReportSection.run_id == run.id)).all()
    return {s.section_key: s for s in rows}


def _prefix(project, report_type: str, version: int) -> str:
    return version_prefix(project.organization_id, project.id, report_type, version)


def _food_companies():
    return [
        c
        for c in load_demo_companies()
        if any(word in " ".join(c.categories).lower() for word in FOOD)
    ]


def _market_raw(report_type: str) -> dict:
    """A raw search answer as the market pipelines store it (`raw_data.json`)."""
    companies = _food_companies()
    top = []
    for rank, company in enumerate(companies[:10], start=1):
        if report_type == "crunchbase":
            record = crunchbase_record(company)
            top.append(
                {
                    "company_data": record.details,
                    "name": company.name,
                    "similarity_score": 0.5,
                    "cb_rank": record.cb_rank,
                    "combined_rank": rank,
                    "url": record.url,
                }
            )
        else:
            record = tracxn_record(company)
            top.append(
                {
                    "rank": rank,
                    "reference": record.key,
                    "name": company.name,
                    "tracxn_score": record.tracxn_score,
                    "full_data": record.details,
                }
            )
    everyone = [{"name": c.name, "description": c.description} for c in companies]
    return {
        "all_companies": everyone,
        "top_companies": top,
        "metadata": {"all_companies_count": len(everyone)},
        "keywords": ["meal kit", "food delivery"],
        "target_description": "Meal kit and food delivery companies",
        "source": "demo-dataset",
    }


def _seed_completed(db: Session, project, report_type: str) -> ReportRun:
    """A completed run of a market report with its raw data in storage."""
    report = Report(project_id=project.id, report_type=report_type)
    db.add(report)
    db.flush()
    run = ReportRun(
        report_id=report.id, version=1, status="completed", completed_at=utcnow(), progress=100
    )
    db.add(run)
    db.flush()
    report.latest_run_id, report.latest_version = run.id, 1
    db.add(report)
    db.add(
        ReportSection(
            run_id=run.id, section_key="fast_analysis", title="Fast Analysis", markdown="Seeded."
        )
    )
    db.commit()
    raw = json.dumps(_market_raw(report_type)).encode()
    get_storage().put(_prefix(project, report_type, 1) + "raw_data.json", raw, "application/json")
    return run


# -- Social ----------------------------------------------------------------------------------


def test_social_analysis_runs_end_to_end_on_the_demo_data(db):
    user, project = _project(db)
    run = _execute(db, user, project, "social")

    steps = _steps(db, run)
    assert set(steps) == set(spec_for("social").step_keys)
    assert all(s.status == "completed" for s in steps.values())
    init_details = [d for d in steps["init"].details if d["type"] == "keyword"]
    keywords = [d["message"] for d in init_details]
    assert len(keywords) == 3 and run.data["keywords"] == keywords
    results = [d for d in steps["api_search"].details if d["type"] == "search_result"]
    assert [d["data"]["keyword"] for d in results] == keywords  # one per keyword
    found = plural(results[0]["data"]["count"], "post")
    assert results[0]["message"].startswith(f"Found {found} for '")
    assert " - Top: " in results[0]["message"]

    raw = json.loads(get_storage().get(_prefix(project, "social", 1) + "raw_data.json"))
    ids = [p["id"] for p in raw["posts"]]
    assert len(ids) == len(set(ids)) > 0  # de-duplicated across keywords
    assert sum(raw["per_keyword"].values()) > len(ids)  # the keywords overlap
    assert raw["source"] == "Demo data set"
    assert all(p["source"] == "Demo data set" for p in raw["posts"])

    sections = _sections(db, run)
    expected = {"social_overview", "cross_cutting"} | {k for k, _, _ in SOCIAL_CATEGORIES}
    assert set(sections) == expected
    assert "Demo data set" in sections["social_overview"].markdown
    for key, title, _ in SOCIAL_CATEGORIES:
        section = sections[key]
        assert section.title == title
        assert "Demo data set" in section.markdown
        bullets = [line for line in section.markdown.splitlines() if line.startswith("- ")]
        assert 1 <= len(bullets) <= 6
    numbered = re.findall(r"^(\d+)\. ", sections["cross_cutting"].markdown, re.MULTILINE)
    assert numbered == [str(n) for n in range(1, 11)]

    summary = run.data
    assert summary["post_count"] == len(ids) and summary["source"] == "Demo data set"
    assert sum(summary["sentiment"].values()) == len(ids)
    assert summary["offline_analysis"] is True
    assert run.changes_summary == f"Analysis of {len(ids)} posts (Demo data set)"
    assert set(run.files) == {"html", "md", "json", "pdf"}
    html = get_storage().get(run.files["html"]).decode()
    assert "Pain Points &amp; Friction" in html and "Demo data set" in html


# -- Verdict ---------------------------------------------------------------------------------


def _assert_consistent_verdict(db: Session, run: ReportRun) -> dict:
    sections = _sections(db, run)
    decision = sections["verdict_decision"].section_data
    scores = decision["scores"]
    for key, _, weight in verdict_rules.VERDICT_AXES:
        axis = sections[f"scoring_{key}"].section_data
        assert {k: axis[k] for k in ("axis", "score", "weight")} == {
            "axis": key,
            "score": scores[key],
            "weight": weight,
        }
    risks = sections["risk_synthesis"].section_data
    classification = _steps(db, run)["scoring_demand"].checkpoint["result"]["classification"]
    expected = verdict_decision.decide(scores, classification, risks["killer"], risks["major"])
    assert decision["verdict"] == expected.verdict == run.data["verdict"]
    assert decision["total_score"] == expected.total_score == run.data["total_score"]
    assert decision["score_range"] == list(expected.score_range) == run.data["score_range"]
    assert decision["unknown_axes"] == list(expected.unknown_axes) == run.data["unknown_axes"]
    assert decision["headline"] == expected.headline
    assert run.data["killer_risks"] == risks["killer"]
    assert run.data["major_risks"] == risks["major"]
    assert run.changes_summary == change_summary(decision)
    return decision


def _risk_titles(db: Session, run: ReportRun) -> list[str]:
    result = _steps(db, run)["risk_synthesis"].checkpoint["result"]
    return [
        r["title"] for key in ("killer_risks", "major_risks", "minor_risks") for r in result[key]
    ]


def test_verdict_on_social_only_with_partial_data_confirmed(db):
    user, project = _project(db)
    social = _execute(db, user, project, "social")
    with pytest.raises(runs.PartialDataWarning):
        runs.start(db, user, project.id, "verdict")
    db.rollback()
    run = _execute(db, user, project, "verdict", confirm_partial=True)
    assert run.partial_data_confirmed

    steps = _steps(db, run)
    assert set(steps) == set(spec_for("verdict").step_keys)
    assert all(s.status == "completed" for s in steps.values())
    loaded = [d["message"] for d in steps["init"].details if d["type"] == "data_loaded"]
    missing = [d["message"] for d in steps["init"].details if d["type"] == "data_missing"]
    # The feed draws the check / cross as icons: the messages carry no mark of their own.
    assert loaded == [f"Social: {plural(social.data['post_count'], 'post')} (version 1)"]
    assert missing == ["Crunchbase: no completed report", "Tracxn: no completed report"]

    sections = _sections(db, run)
    assert set(sections) == {
        "executive_synthesis",
        *(f"scoring_{k}" for k, _, _ in verdict_rules.VERDICT_AXES),
        "risk_synthesis",
        "verdict_decision",
        "roadmap",
    }
    decision = _assert_consistent_verdict(db, run)
    # Competition and feasibility rest only on Crunchbase/Tracxn: unknown, not zero.
    assert decision["scores"]["competition"] is None and decision["scores"]["feasibility"] is None
    assert decision["unknown_axes"] == ["competition", "feasibility"]
    assert "**Score: unknown**" in sections["scoring_competition"].markdown
    assert "Crunchbase data: no completed report" in sections["scoring_competition"].markdown
    low, high = decision["score_range"]
    assert high - low == pytest.approx(35.0)  # Competition 20% + Feasibility 15%, at 0-100
    # Each missing dataset is a data gap, listed apart: never a risk.
    risk_md = sections["risk_synthesis"].markdown
    gaps = risk_md.split("### Data gaps (not risks)")[1]
    assert "Crunchbase data: no completed report" in gaps and "Tracxn data" in gaps
    assert "No Crunchbase data" not in risk_md.split("### Data gaps")[0]
    assert sections["risk_synthesis"].section_data["data_gaps"] >= 2
    assert run.data["data_gaps"][:2] == [
        "Crunchbase data: no completed report; run Crunchbase Analysis",
        "Tracxn data: no completed report; run Tracxn Insights",
    ]
    assert decision["confidence"] == "low"  # 35% of the weight is unknown
    decision_md = sections["verdict_decision"].markdown
    assert "| Competition | 20% | unknown | - |" in decision_md
    assert "### What data would change it" in decision_md
    assert run.data["sources_missing"] == ["crunchbase", "tracxn"]
    assert "Abort conditions" in sections["roadmap"].markdown
    assert "Week" in sections["roadmap"].markdown


def test_verdict_with_all_three_sources(db):
    user, project = _project(db)
    _seed_completed(db, project, "crunchbase")
    _seed_completed(db, project, "tracxn")
    _execute(db, user, project, "social")
    run = _execute(db, user, project, "verdict")  # nothing missing: no confirmation needed
    assert not run.partial_data_confirmed
    decision = _assert_consistent_verdict(db, run)
    assert run.data["sources_missing"] == []
    assert decision["scores"]["competition"] > 0 and decision["scores"]["feasibility"] > 0
    assert decision["unknown_axes"] == [] and run.data["data_gaps"] == []
    low, high = decision["score_range"]
    assert low == high == decision["total_score"]
    synthesis = _sections(db, run)["executive_synthesis"].markdown
    assert "- None: all three datasets are loaded and hold records." in synthesis
    loaded = [d for d in _steps(db, run)["init"].details if d["type"] == "data_loaded"]
    assert [d["data"]["source"] for d in loaded] == ["crunchbase", "tracxn", "social"]
    assert loaded[0]["data"]["records"] == len(_food_companies())
    best_funded = max(_food_companies()[:10], key=lambda c: c.total_funding_usd or 0)
    assert best_funded.name in _sections(db, run)["scoring_competition"].markdown


def _seed_empty_social(db: Session, project) -> ReportRun:
    """A completed Social Analysis that found 0 posts in the demo data set."""
    run = _seed_completed(db, project, "social")
    raw = {"posts": [], "keywords": ["freight visibility"], "source": "Demo data set"}
    get_storage().put(
        _prefix(project, "social", 1) + "raw_data.json",
        json.dumps(raw).encode(),
        "application/json",
    )
    return run


def test_verdict_with_zero_posts_leaves_demand_unknown_and_does_not_park_for_it(db):
    user, project = _project(db)
    _seed_completed(db, project, "crunchbase")
    _seed_completed(db, project, "tracxn")
    _seed_empty_social(db, project)
    run = _execute(db, user, project, "verdict")  # every report exists: no confirmation
    decision = _assert_consistent_verdict(db, run)
    sections = _sections(db, run)
    steps = _steps(db, run)

    loaded = [d["message"] for d in steps["init"].details if d["type"] == "data_loaded"]
    assert loaded[-1].startswith("Social: 0 posts (version 1); no records")
    assert decision["scores"]["demand"] is None and "demand" in decision["unknown_axes"]
    assert steps["scoring_demand"].checkpoint["result"]["proposed_by"] == "rules"
    demand_md = sections["scoring_demand"].markdown
    assert "**Score: unknown**" in demand_md
    assert "Social data: 0 posts in the demo data set" in demand_md
    low, high = decision["score_range"]
    assert high - low >= 25 - 1e-9
    # No killer risk from the empty source; it is a data gap.
    assert "No observable demand" not in _risk_titles(db, run)
    assert run.data["sources_empty"] == ["social"]
    gap = "Social data: 0 posts in the demo data set; connect a live source or import posts"
    assert gap in run.data["data_gaps"]
    assert gap in sections["verdict_decision"].markdown.split("What data would change it")[1]
    # Signals missing names the empty source, never "None".
    synthesis = sections["executive_synthesis"].markdown
    missing = synthesis.split("**Signals missing**")[1].split("**Scope**")[0]
    assert "Social data: 0 posts in the demo data set" in missing and "None" not in missing
    # Counting Demand as 0 (the range's low end, the old rule) would PARK; the known axes
    # say ITERATE, and the headline says the missing demand evidence could still change it.
    assert low < 50 <= decision["total_score"]
    assert decision["verdict"] == "ITERATE" and run.data["killer_risks"] == 0
    assert decision["headline"] == "ITERATE; could be PARK once Demand is known"


# -- Pitch deck ------------------------------------------------------------------------------


def test_pitch_deck_needs_both_market_reports(db):
    user, project = _project(db)
    _seed_completed(db, project, "crunchbase")
    with pytest.raises(DomainError, match="Crunchbase Analysis and Tracxn Insights"):
        runs.start(db, user, project.id, "pitch_deck")


def test_pitch_deck_runs_end_to_end_with_a_pptx(db):
    user, project = _project(db)
    _seed_completed(db, project, "crunchbase")
    _seed_completed(db, project, "tracxn")
    run = _execute(db, user, project, "pitch_deck")

    steps = _steps(db, run)
    assert list(sorted(steps, key=lambda k: steps[k].step_number)) == [
        "init",
        "gather_data",
        "ai_generation",
        "html_gen",
        "save",
    ]
    assert all(s.status == "completed" for s in steps.values())
    loaded = [d["data"]["source"] for d in steps["gather_data"].details]
    assert loaded == ["crunchbase", "tracxn"]
    facts = json.loads(get_storage().get(_prefix(project, "pitch_deck", 1) + "deck_data.json"))
    assert set(facts["market"]["by_source"]) == {"crunchbase", "tracxn"}  # Tracxn is used
    # Best funded first; undisclosed funding (None, never 0) comes after every known amount.
    amounts = [c["funding_usd"] for c in facts["competitors"]]
    known = [a for a in amounts if a is not None]
    assert known and amounts[: len(known)] == sorted(known, reverse=True)

    rows = sorted(_sections(db, run).values(), key=lambda s: s.position)
    assert [s.title for s in rows] == list(PITCH_SLIDES)
    assert all(s.kind == "slide" for s in rows)
    for row in rows:
        assert 3 <= len(row.section_data["bullets"]) <= 5
        assert row.section_data["notes"]
    competitors = rows[PITCH_SLIDES.index("Competitive Landscape")].section_data["bullets"]
    assert any("Crunchbase" in b and "Tracxn" in b for b in competitors)

    assert set(run.files) == {"html", "md", "json", "pdf", "pptx"}
    deck = Presentation(io.BytesIO(get_storage().get(run.files["pptx"])))
    assert len(deck.slides) == 11
    titles = [s.shapes.title.text for s in deck.slides]
    assert titles[0] == "FreshBox" and titles[1:] == list(PITCH_SLIDES)
    assert run.data["slides"] == 10 and run.changes_summary == "Pitch deck: 10 slides"


# -- On the real market pipelines' output ----------------------------------------------------


@pytest.fixture
def market_services(tmp_path, monkeypatch) -> Iterator[None]:
    """Both market-data services on the demo data set, for the real market pipelines."""
    with app_market_services(tmp_path / "services", monkeypatch):
        yield


def test_deck_and_verdict_read_what_the_market_pipelines_store(db, market_services):
    user, project = _project(db)
    crunchbase = _execute(db, user, project, "crunchbase")
    tracxn = _execute(db, user, project, "tracxn")
    deck = _execute(db, user, project, "pitch_deck")
    facts = json.loads(get_storage().get(_prefix(project, "pitch_deck", 1) + "deck_data.json"))
    by_source = facts["market"]["by_source"]
    assert by_source["crunchbase"]["keywords"] == crunchbase.data["keywords"]
    assert by_source["tracxn"]["keywords"] == tracxn.data["keywords"]
    assert by_source["tracxn"]["funded"] > 0 and facts["competitors"]
    assert len(Presentation(io.BytesIO(get_storage().get(deck.files["pptx"]))).slides) == 11

    verdict = _execute(db, user, project, "verdict", confirm_partial=True)  # no Social yet
    loaded = [d for d in _steps(db, verdict)["init"].details if d["type"] == "data_loaded"]
    assert [d["data"]["origin"] for d in loaded] == ["analysis/companies.json"] * 2
    decision = _assert_consistent_verdict(db, verdict)
    assert decision["scores"]["demand"] is None  # no Social data: unknown, not zero
    assert decision["scores"]["competition"] > 0
    assert "demand" in decision["unknown_axes"]
    assert not any("Social" in r for r in _risk_titles(db, verdict))


# -- Verdict with a model (OpenAI test server) -------------------------------------------------


def _axis_answer(axis: str, score: int, classification: str) -> dict:
    return {
        "axis": axis,
        "score": score,
        "confidence": "High",
        "classification": classification,
        "key_evidence": [
            {"source": "Social", "finding": "Parents describe meal planning pain", "impact": "+"},
            {"source": "Crunchbase", "finding": "Incumbents raised $1B+", "impact": "-"},
        ],
        "reasoning": "Scored from the datasets given, as the rules require.",
        "data_gaps": [],
        "implications": "Test quickly.",
        "verdict": "GO",  # not part of the schema: must be ignored
    }


def test_verdict_with_a_model_parses_scores_and_ignores_its_verdict(db, ai_env, fake_ai):
    user, project = _project(db)
    _execute(db, user, project, "social")  # offline: no provider configured yet
    ai_env.use_providers(fake_ai, "alpha")
    ai_env.set(report_fan_out=1)  # axes in catalogue order, so the script order is known
    section = {"markdown": "The data shows an opportunity worth testing. " * 3, "confidence": 0.7}
    fake_ai.script(
        "alpha",
        Behaviour.content_reply(
            {
                "datasets": [
                    {"source": "Social", "role": "Demand & Social Signal", "records": 20},
                    {"source": "Project inputs", "role": "Concept/Idea intake", "records": 9},
                ],
                "gaps": ["Crunchbase", "Tracxn"],
            }
        ),
        Behaviour.content_reply(section),
        Behaviour.content_reply(_axis_answer("demand", 96.4, "Acute")),
        # competition and feasibility have no data at all: no model call
        Behaviour.content_reply(_axis_answer("differentiation", 90, "Structural moat")),
        Behaviour.content_reply(_axis_answer("economics", 95, "Price points observed")),
        Behaviour.content_reply({"killer_risks": [], "major_risks": [], "minor_risks": []}),
        Behaviour.content_reply(
            {
                "reasoning": "Demand is acute but nothing is known about rivals, so park it.",
                "key_factors": ["Acute demand"],
                "next_decision_point": "Now",
                "proposed_verdict": "PARK",
            }
        ),
        Behaviour.content_reply(
            {
                "seven_day_sprint": {
                    "objective": "Validate demand",
                    "hypothesis_to_test": "Parents pay",
                    "specific_actions": ["Day 1-2: a", "Day 3-4: b", "Day 5-7: c"],
                    "success_criteria": ["5 pre-orders"],
                },
                "thirty_day_sprint": {
                    "objective": "Pilot",
                    "weekly_milestones": [
                        {"week": w, "milestone": f"Milestone {w}"} for w in (4, 3, 2, 1)
                    ],
                },
                "abort_conditions": ["No pre-orders"],
            }
        ),
    )
    run = _execute(db, user, project, "verdict", confirm_partial=True)

    assert fake_ai.request_count("alpha") == 8
    bodies = fake_ai.requests("alpha")
    axis_call = bodies[2]
    assert axis_call["response_format"]["json_schema"]["name"] == "scoring_demand"
    assert "FreshBox" in axis_call["messages"][1]["content"]
    steps = _steps(db, run)
    demand = steps["scoring_demand"].checkpoint["result"]
    assert (demand["score"], demand["confidence"], demand["classification"]) == (
        96,
        "high",
        "Acute",
    )
    assert demand["proposed_by"] == "model" and "verdict" not in demand
    # Crunchbase evidence is dropped: that dataset was not loaded.
    assert [e["source"] for e in demand["key_evidence"]] == ["Social"]
    economics = steps["scoring_economics"].checkpoint["result"]
    assert economics["proposed_score"] == 95  # the demo posts name prices: no cap
    assert steps["scoring_competition"].checkpoint["result"]["proposed_by"] == "rules"

    decision = _assert_consistent_verdict(db, run)
    # Over the known axes: (96*25 + 90*20 + 95*20) / 65 = 93.85; competition and feasibility
    # are unknown (no company data: no model call), so the total could be 61-96: the score is
    # above 75 but a GO would rest on missing data, so it is an ITERATE that could be GO.
    assert decision["scores"] == {
        "demand": 96,
        "competition": None,
        "differentiation": 90,
        "economics": 95,
        "feasibility": None,
    }
    assert (decision["verdict"], decision["total_score"]) == ("ITERATE", 93.85)
    assert decision["score_range"] == [61.0, 96.0]
    assert decision["headline"] == (
        "ITERATE; could be GO once Competition and Feasibility are known"
    )
    assert decision["confidence"] == "low"
    assert run.data["major_risks"] == 0  # missing datasets are data gaps, never risks
    assert len(run.data["data_gaps"]) == 2
    notes = [d["message"] for d in steps["verdict_decision"].details if d["type"] == "info"]
    assert notes == ["The model proposed PARK; the rules decide ITERATE."]
    assert run.data.get("offline_analysis") is not True
    assert "alpha · gpt-4o-mini" in run.data["ai_sources"]

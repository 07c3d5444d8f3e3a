"""The offline Quick Report presents the landscape (competitors and why, funding spread with
unknowns, white space, what to research next), computed from the companies it lists."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlmodel import Session, col, select

from marketnav.models import ReportSection
from marketnav.services import projects
from marketnav.services.ai import ProjectInputsData
from marketnav.services.reports.pipelines import quick_landscape
from marketnav.services.reports.pipelines.company_facts import MarketCompany
from tests import ai_fixtures
from tests.factories import make_project, make_user, run_report
from tests.scraper_fixtures import app_market_services
from tests.support.report_stack import PET_INPUTS

ai_env = ai_fixtures.ai_env

INPUTS = ProjectInputsData(**PET_INPUTS)


def _company(name: str, **facts) -> MarketCompany:
    return MarketCompany(name=name, slug=name.lower(), match_rank=1, **facts)


COMPANIES = [
    _company(
        "Rover",
        description="Marketplace where pet owners book dog walking and pet sitting.",
        tags=["Pet Care", "Marketplace"],
        funding_usd=310e6,
        similarity=0.91,
        country="United States",
        city="Seattle",
        origin="demo-dataset",
    ),
    _company(
        "Pawshake",
        description="Pet sitting marketplace for cat and dog owners.",
        tags=["Pet Care"],
        funding_usd=None,
        similarity=0.84,
        country="Netherlands",
        origin="demo-dataset",
    ),
    _company(
        "Wag",
        description="On-demand dog walking app.",
        tags=["Pet Services"],
        funding_usd=10e6,
        similarity=0.62,
        country="United States",
        origin="demo-dataset",
    ),
]


def _land(companies=COMPANIES, inputs=INPUTS) -> quick_landscape.Landscape:
    return quick_landscape.landscape(inputs, companies, ["DogBuddy"], 0.5)


def test_competitors_are_listed_with_why_they_are_close():
    text = quick_landscape.competitors(_land())
    rover = next(line for line in text.splitlines() if line.startswith("| Rover"))
    assert "0.91 (direct)" in rover and "*pet*" in rover and "*sitting*" in rover
    assert "categories Pet Care" in rover and "$310M" in rover and "Seattle, United States" in rover
    assert "| Pawshake | 0.84 (direct) |" in text and "not disclosed" in text
    assert "**DogBuddy** (named by you): not in the data set" in text


def test_funding_spread_counts_unknown_funding_as_unknown():
    text = quick_landscape.funding(_land())
    # Median of the two known amounts ($10M, $310M), never of three with a zero.
    assert "median $160M over the 2 with public funding" in text
    assert "range $10M to $310M" in text
    assert "1 with no public funding (unknown, not counted as zero)" in text
    assert "**No public funding in the data**: Pawshake" in text
    one = quick_landscape.funding(_land(COMPANIES[:2]))
    assert "only 1 with public funding ($310M): too few for a median or a range" in one
    assert "range $310M to $310M" not in one
    nothing = quick_landscape.funding(_land([COMPANIES[1]]))
    assert "no public funding for any of the 1 company" in nothing and "median" not in nothing


def test_white_space_names_uncovered_terms_audiences_and_places():
    land = _land()
    text = quick_landscape.white_space(land)
    assert land.uncovered(land.terms) == ["commission"]  # no company says how it charges
    assert "none of the 3 close competitors mentions" in text
    assert "**Western Europe**: 1 company based there (Pawshake)" in text
    assert "Crowded terms" in text and "pet (3 of 3)" in text
    assert "Audiences no close competitor names" not in text  # owners are named
    update = {"geographic_focus": "Iran, DACH", "target_audience": "Dog owners and landlords"}
    lonely = _land(inputs=INPUTS.model_copy(update=update))
    text = quick_landscape.white_space(lonely)
    assert "**Audiences no close competitor names**: landlords" in text
    assert "**Iran**: no close competitor is based there" in text
    assert "**DACH**: no close competitor is based there" in text


def test_research_next_is_concrete_and_from_the_gaps():
    land = _land(inputs=INPUTS.model_copy(update={"geographic_focus": "Iran"}))
    text = quick_landscape.research_next(land)
    steps = [line for line in text.splitlines() if re.match(r"\d+\. ", line)]
    assert any(s.startswith("1. No close competitor in the data mentions *") and " in Iran:" in s
               for s in steps)  # fmt: skip
    assert any("No close competitor is based in Iran: look for local players" in s for s in steps)
    assert any(s.endswith("before comparing funding.") and "Pawshake" in s for s in steps)
    assert any("DogBuddy (named by you) is not in the data set" in s for s in steps)
    assert any("Read Rover's pricing" in s and "0.91" in s for s in steps)
    assert any("Confirm the landscape on live data" in s for s in steps)


def test_every_section_is_labelled_offline_and_demo():
    for key, (title, build) in quick_landscape.OFFLINE_SECTIONS.items():
        text = build(_land())
        assert text.startswith("_Offline analysis: computed from 3 companies (3 companies from "
                               "the bundled demo data set)"), key  # fmt: skip
        assert "Demo data: not Crunchbase's or Tracxn's live records." in text
        assert title


def test_the_origin_note_names_web_and_imported_companies_as_such():
    web = _company("Sitterly", origin="import:web", similarity=0.8)
    imported = _company("Petlist", origin="import:Nordic list", similarity=0.7)
    land = _land([*COMPANIES[:1], web, imported])
    table = quick_landscape.competitors(land)
    assert "| unknown (found on the web) |" in table and "| not disclosed |" in table
    note = land.origin_note()
    assert note == (
        "1 company from the bundled demo data set, 1 company found on the open web (web "
        "discovery), 1 company from your organisation's import Nordic list"
    )


def test_unreachable_market_data_is_said_not_hidden():
    land = quick_landscape.landscape(INPUTS, [], [], None, available=False)
    text = quick_landscape.overview(land)
    assert "market data service was unreachable" in text
    assert "Demo data" not in text
    assert "Confirm the landscape on live data" in quick_landscape.research_next(land)


@pytest.fixture
def services(tmp_path, monkeypatch) -> Iterator[None]:
    with app_market_services(tmp_path / "services", monkeypatch):
        yield


def test_offline_quick_report_on_the_demo_data_presents_the_landscape(db: Session, services):
    user = make_user(db)
    project = make_project(db, user, "Pets")
    projects.save_inputs(db, user, project.id, PET_INPUTS)
    db.commit()
    run = run_report(db, user, project)
    rows = db.exec(
        select(ReportSection)
        .where(ReportSection.run_id == run.id)
        .order_by(col(ReportSection.position))
    ).all()
    headings = [re.search(r"^### (.+)$", r.markdown, re.M).group(1) for r in rows]
    assert headings == [t for t, _ in quick_landscape.OFFLINE_SECTIONS.values()]
    assert rows[0].title == "Strategic Overview"  # the catalogue's titles stay
    text = "\n".join(r.markdown for r in rows)
    # No input is restated verbatim (beyond the startup's name).
    for key, value in PET_INPUTS.items():
        if key != "startup_name" and len(value.split()) > 2:
            assert value not in text, key
    assert "bundled demo data set" in text and "Demo data:" in text
    competitors = next(r for r in rows if r.section_key == "competitors_analysis").markdown
    table = [
        line for line in competitors.splitlines() if line.startswith("| ") and "---" not in line
    ]
    assert len(table) >= 3  # header + at least two companies
    assert all("shares *" in line or "categories" in line for line in table[1:3])
    funding = next(r for r in rows if r.section_key == "market_snapshot").markdown
    assert re.search(r"median \$[\d.]+[KMB]?(\[\^\d+\])? over the \d+ with public funding", funding)
    # Every funding figure shown is one of the listed companies' amounts or their median.
    cite = r"(?:\[\^\d+\])?"  # a citation marker after a name or a figure
    amounts = re.findall(rf"\| ([^|]+?){cite} \| (\$[\d.]+[KMB]?){cite} \|", funding)
    assert amounts

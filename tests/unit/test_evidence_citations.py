"""The evidence store, citation markers, the fact check of model-written text, Data used."""

from __future__ import annotations

import pytest

from marketnav.db import session_scope
from marketnav.models import ReportEvidence
from marketnav.services.reports import citations, evidence, evidence_render
from marketnav.services.reports.pipelines.company_facts import MarketCompany
from tests.factories import make_project, make_user


def _companies() -> list[MarketCompany]:
    return [
        MarketCompany(
            name="Deliveroo",
            slug="deliveroo",
            match_rank=1,
            funding_usd=1.7e9,
            founded_year=2013,
            website="https://deliveroo.co.uk",
        ),
        MarketCompany(name="Glovo", slug="glovo", match_rank=2, funding_usd=1.2e9),
        MarketCompany(name="Wolt", slug="wolt", match_rank=3, origin="import:Nordic list"),
    ]


@pytest.fixture
def items() -> list[evidence.EvidenceItem]:
    return evidence.market_items("crunchbase", "Crunchbase", _companies(), 37)


def test_market_evidence_names_its_sources_and_keeps_unknown_funding_out(items):
    by_ref = {i.ref: i for i in items}
    deliveroo = by_ref["crunchbase:company:deliveroo"]
    assert deliveroo.demo and "demo data set" in deliveroo.source
    wolt = by_ref["crunchbase:company:wolt"]
    assert not wolt.demo and "import “Nordic list”" in wolt.source
    assert wolt.values == [] and "not disclosed" in wolt.detail
    median = by_ref["crunchbase:aggregate:median_funding"]
    # The median of the two disclosed amounts; Wolt's unknown funding is not a zero.
    assert median.data["value"] == pytest.approx(1.45e9)
    assert median.data["inputs"]["left_out"] == ["Wolt"]
    assert not any(i.ref.startswith("tracxn:") for i in items)  # refs carry their report type


def test_cite_marks_companies_and_figures_with_one_number_per_record(items):
    text = (
        "Deliveroo raised $1.7B; Glovo $1.2B.\n\n"
        "| Company | Funding |\n|---|---|\n| Deliveroo | $1.7B |\n| Wolt | not disclosed |\n"
        "The median is $1.45B."
    )
    cited = citations.cite(text, items)
    assert cited.markdown.splitlines()[0] == "Deliveroo[^1] raised $1.7B[^1]; Glovo[^2] $1.2B[^2]."
    assert "| Deliveroo[^1] | $1.7B[^1] |" in cited.markdown
    assert "| Wolt[^3] |" in cited.markdown
    assert "$1.45B[^4]" in cited.markdown
    assert [s["label"] for s in cited.sources] == [
        "Deliveroo",
        "Glovo",
        "Wolt",
        "Median disclosed funding",
    ]
    assert cited.unsupported == []


def test_code_written_text_is_cited_but_never_marked(items):
    cited = citations.cite("Zentrix Labs raised $47.3M in 2021.", items, check=False)
    assert "[^?]" not in cited.markdown and cited.unsupported == []


def test_the_check_marks_every_fabrication_and_no_supported_figure(items):
    text = (
        "Deliveroo raised $1.7B and was founded in 2013; Glovo has $1.2B. Deliveroo has 1.4x "
        "Glovo's funding. 37 companies matched.\n"
        "Zentrix Labs raised $47.3M in 2021 and grew 340% after users said "
        '"the instant checkout is what we always wanted here".'
    )
    cited = citations.cite(text, items, check=True, known_text="Project: food delivery")
    first, second = cited.markdown.splitlines()
    assert "[^?]" not in first
    assert cited.unsupported == [
        "$47.3M",
        "2021",
        "340%",
        "“the instant checkout is what we always wanted here”",
        "Zentrix Labs",
    ]
    for claim in ("Zentrix Labs[^?]", "$47.3M[^?]", "2021[^?]", "340%[^?]"):
        assert claim in second


def test_the_check_accepts_what_the_model_was_given(items):
    known = 'Project inputs: Zentrix Labs, 42 places, "our riders love flexible shifts a lot"'
    text = 'Zentrix Labs serves 42 places; riders said "our riders love flexible shifts a lot".'
    cited = citations.cite(text, items, check=True, known_text=known)
    assert cited.unsupported == []


def test_section_html_links_markers_to_an_escaped_sources_list(items):
    nasty = evidence.EvidenceItem(
        ref="x:company:evil",
        kind="company",
        label='<script>alert("x")</script>',
        source="Crunchbase",
        url="javascript:alert(1)",
    )
    cited = citations.cite("Deliveroo leads.", [*items, nasty])
    sources = [*cited.sources, nasty.citation()]
    html = evidence_render.section_html(
        "<p>Deliveroo[^1] leads. X[^2] Y[^?] Z[^9]</p>", sources, "k"
    )
    assert '<a href="#src-k-1" aria-label="Source 1">1</a>' in html
    assert '<li id="src-k-1"><a href="https://deliveroo.co.uk"' in html
    assert "demo data" in html and "not in the data" in html and "[^9]" in html
    assert "<script>" not in html and "javascript:" not in html


def test_markdown_export_uses_footnotes(items):
    cited = citations.cite("Deliveroo raised $1.7B.", items)
    text = evidence_render.section_markdown(cited.markdown, cited.sources, "fast")
    assert text.startswith("Deliveroo[^fast-1] raised $1.7B[^fast-1].")
    assert "[^fast-1]: Deliveroo (demo data): total funding $1.7B" in text
    assert "<https://deliveroo.co.uk>" in text


def test_data_used_says_demo_and_counts_an_empty_source_as_unknown(items):
    lines = evidence.data_used(items)
    assert [(line["records"], line["demo"]) for line in lines] == [(2, True), (1, False)]
    lines.append(evidence.empty_source_line("Social · demo data set", "posts", True))
    html = evidence_render.data_used_html(lines)
    assert "Built on demo data" in html and html.count("demo-badge") == 2
    assert "0 posts: the source was searched and returned nothing (unknown, not zero)" in html
    markdown = evidence_render.data_used_markdown(lines)
    assert markdown.startswith("> **Data used**") and "Built on demo data" in markdown
    live = [{"source": "Crunchbase · live API", "records": 5, "noun": "companies"}]
    assert "Built on demo data" not in evidence_render.data_used_html(live)


def test_the_store_round_trips_and_overwrites(db, items):
    from marketnav.models import Report, ReportRun

    user = make_user(db)
    project = make_project(db, user, "Evidence")
    report = Report(project_id=project.id, report_type="crunchbase")
    db.add(report)
    db.flush()
    run = ReportRun(report_id=report.id, version=1)
    db.add(run)
    db.commit()
    with session_scope() as session:
        assert evidence.record(session, run.id, items) == len(items)
    with session_scope() as session:
        evidence.record(session, run.id, items[:1])  # a retried step: no duplicate
        loaded = evidence.for_run(session, run.id)
    assert [i.ref for i in loaded] == [i.ref for i in items]
    assert loaded[0].values == items[0].values and loaded[0].demo
    with pytest.raises(RuntimeError), session_scope() as session:
        evidence.record(session, run.id, [items[0].model_copy(update={"ref": "new:ref"})])
        raise RuntimeError("the step failed")
    with session_scope() as session:
        refs = [r.ref for r in session.query(ReportEvidence).filter_by(run_id=run.id)]
    assert "new:ref" not in refs


def test_a_quoted_post_is_cited_with_its_link_author_and_date():
    post = {
        "id": "p1",
        "text": "Finding a sitter for a nervous rescue dog took me three weeks of calls.",
        "author": {"username": "maya_k"},
        "created_at": "2025-05-02T01:52:10Z",
        "url": "https://news.ycombinator.com/item?id=1",
    }
    item = evidence.post_item("social", post, "Social · Hacker News", False)
    text = 'Owners struggle: "Finding a sitter for a nervous rescue dog took me three weeks".'
    cited = citations.cite(text, [item], check=True, known_text="")
    assert cited.unsupported == [] and cited.markdown.endswith('weeks"[^1].')
    (source,) = cited.sources
    assert source["label"] == "@maya_k" and source["fetched_at"] == "2025-05-02"
    assert source["url"] == "https://news.ycombinator.com/item?id=1"
    html = evidence_render.section_html(cited.markdown, cited.sources, "pain")
    assert "posted 2025-05-02" in html and 'href="https://news.ycombinator.com/item?id=1"' in html


def test_a_count_an_aggregate_holds_cites_it(items):
    cited = citations.cite("The search matched 37 companies; 3 were analysed.", items)
    assert cited.markdown == "The search matched 37[^1] companies; 3[^2] were analysed."
    assert [s["label"] for s in cited.sources] == [
        "Companies matched by the search",
        "Companies analysed",
    ]


def test_a_number_of_years_or_people_is_not_the_company_count(items):
    text = "Founded 2013 (3 years ago); 3 people; 3 of the companies are in Spain."
    cited = citations.cite(text, items)
    assert cited.markdown == (
        "Founded 2013 (3 years ago); 3 people; 3[^1] of the companies are in Spain."
    )


def test_a_table_row_number_is_not_a_count(items):
    cited = citations.cite("| 37 | Deliveroo |\n\nThe search matched 37 companies.", items)
    assert cited.markdown.startswith("| 37 | Deliveroo[^1] |")
    assert cited.markdown.endswith("matched 37[^2] companies.")


def test_a_company_name_inside_its_web_address_gets_no_marker(items):
    """Read as an investor: 'https://www.doctolib[^2].fr' was a broken link in every memo."""
    for text in (
        "Website: https://www.deliveroo.co.uk, run by Deliveroo.",
        "Write to hi@deliveroo.com or see deliveroo.com/riders: Deliveroo.",
    ):
        cited = citations.cite(text, items).markdown
        assert cited == text[:-1] + "[^1].", cited

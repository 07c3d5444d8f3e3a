"""The offline analyser: deterministic, data-derived, labelled, schema-valid."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from marketnav.services.ai import offline
from marketnav.services.ai.input_extraction import extract_values
from marketnav.services.ai.schemas import (
    CrunchbaseKeywords,
    ProjectInputsData,
    ReportSection,
    TracxnKeywords,
)
from tests.ai_fixtures import SAMPLE_INPUTS

INPUTS = ProjectInputsData(**SAMPLE_INPUTS)


def test_crunchbase_keywords_come_from_the_answers():
    keywords = offline.crunchbase_keywords(INPUTS).keywords
    assert 8 <= len(keywords) <= 12
    assert keywords[0] == "meal kit"
    assert all(2 <= len(k.split()) <= 3 for k in keywords)
    assert not any("freshbox" in k for k in keywords)  # the startup's own name is no term
    assert offline.crunchbase_keywords(INPUTS).keywords == keywords  # deterministic


def test_tracxn_keywords_use_and_syntax():
    keywords = offline.tracxn_keywords(INPUTS).keywords
    assert 5 <= len(keywords) <= 10
    assert "meal AND kit" in keywords
    assert all(" " not in k.replace(" AND ", "") for k in keywords)


def test_short_answers_are_padded_to_a_valid_list():
    tiny = ProjectInputsData(startup_description="Drones.")
    assert len(offline.crunchbase_keywords(tiny).keywords) >= 8
    assert len(offline.tracxn_keywords(tiny).keywords) >= 5


@settings(max_examples=60, deadline=None)
@given(
    description=st.text(alphabet=string.ascii_letters + " .,-'&\n", max_size=300),
    audience=st.text(alphabet=string.ascii_letters + " ", max_size=80),
)
def test_offline_keywords_always_satisfy_the_schemas(description, audience):
    data = ProjectInputsData(startup_description=description, target_audience=audience)
    CrunchbaseKeywords.model_validate_json(offline.crunchbase_keywords(data).model_dump_json())
    TracxnKeywords.model_validate_json(offline.tracxn_keywords(data).model_dump_json())


def test_target_description_is_labelled_and_built_from_inputs():
    text = offline.target_description(INPUTS).description
    assert text.startswith("Offline analysis: ")
    assert "busy families" in text and "Germany, Austria" in text


def test_input_extraction_patterns():
    text = (
        "Our startup is called PayLoop. We build invoicing software that helps freelancers get "
        "paid faster. We're at the MVP stage and we charge a monthly subscription. Our focus is "
        "the UK and Germany. Competitors are Stripe, Wave and FreshBooks. I want to understand "
        "the funding landscape for the last 3 years. Our customers are freelance designers."
    )
    values = extract_values(text)
    assert values["startup_name"] == "PayLoop"
    assert values["startup_description"].startswith("We build invoicing software")
    assert values["current_stage"] == "mvp"
    assert values["business_model"] == "monthly subscription"
    assert values["geographic_focus"] == "UK, Germany"
    assert values["time_range"] == "Last 3 years"
    assert values["inspiration_sources"] == "Stripe, Wave and FreshBooks"
    assert values["research_goal"].startswith("understand the funding landscape")
    assert values["target_audience"] == "freelance designers"


def test_extraction_asks_follow_ups_for_missing_required_inputs():
    result = offline.extract_project_inputs("We are in Germany.", ProjectInputsData())
    assert [f.key for f in result.fields] == ["geographic_focus"]
    assert result.follow_up_questions[0] == "What is your startup called?"
    assert len(result.follow_up_questions) == 3


def test_year_spans_and_stages():
    assert extract_values("Cover 2019 to 2024 please")["time_range"] == "2019-2024"
    assert extract_values("We just closed a pre-seed round")["current_stage"] == "early_stage"
    assert extract_values("it is still an idea")["current_stage"] == "idea"


SECTIONS = [
    ReportSection(
        report_type="crunchbase",
        section_key="fast_analysis",
        title="Fast analysis",
        markdown="## Funding\nHelloFresh raised over $300M in funding. The market consolidates.",
    ),
    ReportSection(
        report_type="tracxn",
        section_key="executive_summary",
        title="Executive summary",
        markdown="Meal kit funding fell after 2021. Investors prefer profitable models.",
    ),
]


def test_research_answer_is_extractive_with_citations():
    answer = offline.research_answer("How much funding did HelloFresh raise?", SECTIONS).answer
    assert answer.startswith("Offline analysis")
    first_claim = answer.splitlines()[2]
    assert first_claim == "- HelloFresh raised over $300M in funding. [crunchbase §fast_analysis]"


def test_research_answer_without_matches_says_so():
    answer = offline.research_answer("What about quantum sensors?", SECTIONS).answer
    assert answer.startswith("Offline analysis: the completed reports do not mention")
    assert "§" not in answer


def test_market_statistics_and_summary():
    companies = [
        offline.CompanyFacts(name="A", funding_usd=5e6, rank=3, country="DE", founded_year=2018),
        offline.CompanyFacts(name="B", funding_usd=15e6, rank=1, country="DE", founded_year=2020),
        offline.CompanyFacts(name="C", rank=2, country="AT", description="meal kit delivery"),
    ]
    stats = offline.market_statistics(companies)
    assert stats.company_count == 3 and stats.funded_count == 2
    assert stats.total_funding_usd == 20e6 and stats.median_funding_usd == 10e6
    assert stats.top_by_funding == ["B", "A"] and stats.top_by_rank == ["B", "C", "A"]
    assert stats.countries == {"DE": 2, "AT": 1} and stats.founded_range == (2018, 2020)
    summary = offline.market_summary_markdown(companies, "meal kits")
    assert summary.startswith("_Offline analysis")
    # One money format everywhere: the same figure reads "$20M" in every report and slide.
    assert "$20M across 2 companies (median $10M); 1 without disclosed funding" in summary
    assert "Highest ranked**: B, C, A" in summary


VERDICT_SECTIONS = [
    ReportSection(
        report_type="quick_report",
        section_key="strategic_overview",
        title="Strategic Overview",
        markdown="The market for pet sitting is crowded. Rover leads with $310M raised.",
    ),
    ReportSection(
        report_type="verdict",
        section_key="verdict_decision",
        title="Verdict Decision",
        markdown=(
            "## 🟡 PIVOT · weighted score 58.5/100\n\n"
            "| Axis | Weight | Score |\n|---|---|---|\n| Demand | 25% | 61 |\n\n"
            "**Rule applied**: score between 45 and 70.\n\n### Reasoning\n\n"
            "Demand exists but two funded players own the segment."
        ),
        report_label="Verdict v2",
        link="/projects/4/reports/verdict?version=2#sec-verdict_decision",
    ),
    ReportSection(
        report_type="verdict",
        section_key="risk_synthesis",
        title="Risk Synthesis",
        markdown="- **Major**: Rover could copy the GPS feature within months.",
        report_label="Verdict v2",
        link="/projects/4/reports/verdict?version=2#sec-risk_synthesis",
    ),
]


def test_research_answer_finds_the_verdicts_conclusion_by_meaning():
    # "conclude" appears in no section: the verdict is found through the topic's synonyms.
    answer = offline.research_answer("What did the verdict conclude?", VERDICT_SECTIONS).answer
    claims = answer.splitlines()[2:]
    assert claims[0] == "- 🟡 PIVOT · weighted score 58.5/100 [verdict §verdict_decision]"
    assert all("[verdict §verdict_decision]" in c for c in claims[:3])
    decision = offline.research_answer("So what's the decision?", VERDICT_SECTIONS).answer
    assert "PIVOT" in decision.splitlines()[2]


def test_research_answer_matches_threats_and_money_by_synonym():
    risk = offline.research_answer("Which dangers should worry us?", VERDICT_SECTIONS).answer
    assert risk.splitlines()[2].endswith("[verdict §risk_synthesis]")
    money = offline.research_answer("How much money did Rover get?", VERDICT_SECTIONS).answer
    assert "$310M raised" in money.splitlines()[2]


def test_citations_map_to_links_with_readable_text():
    from marketnav.services.ai.modes import citations_in, link_citations

    text = "PIVOT [verdict §verdict_decision]; risk [verdict §risk_synthesis]; [tracxn §nope]"
    citations = citations_in(text, VERDICT_SECTIONS)
    assert [c.known for c in citations] == [True, True, False]
    sources = [c.source() for c in citations if c.known]
    assert sources[0] == {
        "marker": "verdict §verdict_decision",
        "text": "Verdict v2 · Verdict Decision",
        "href": "/projects/4/reports/verdict?version=2#sec-verdict_decision",
    }
    linked = link_citations(text, sources)
    assert linked == (
        'PIVOT [[1]](/projects/4/reports/verdict?version=2#sec-verdict_decision "Verdict v2 · '
        'Verdict Decision"); risk [[2]](/projects/4/reports/verdict?version=2#sec-risk_synthesis'
        ' "Verdict v2 · Risk Synthesis"); [tracxn §nope]'
    )


def test_relative_section_links_survive_the_safe_markdown():
    from marketnav.services.markdown_render import to_safe_html

    html = to_safe_html('[[1]](/projects/4/reports/verdict?version=2#sec-x "Verdict v2 · X")')
    assert 'href="/projects/4/reports/verdict?version=2#sec-x"' in html
    assert 'title="Verdict v2 · X"' in html
    assert "href" not in to_safe_html("[x](javascript:alert(1))")


def test_a_sections_own_heading_names_its_topic():
    sections = [
        ReportSection(
            report_type="quick_report",
            section_key="audience_analysis",
            title="Audience Analysis",
            markdown="### What to Research Next\n\n1. Check local players in Iran first.",
        ),
        ReportSection(
            report_type="quick_report",
            section_key="strategic_overview",
            title="Strategic Overview",
            markdown="Players in Iran are few.",
        ),
    ]
    # No word of the question occurs in the sections: only the heading ties them to it.
    answer = offline.research_answer("What's the plan?", sections).answer
    assert "- Check local players in Iran first. [quick_report §audience_analysis]" in answer
    assert "§strategic_overview" not in answer

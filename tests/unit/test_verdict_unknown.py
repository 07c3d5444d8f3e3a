"""Unknown is not zero: an empty source is not negative evidence (issue #11, section 2).

A verdict with 0 posts leaves Demand unknown, widens the range and never parks for that
reason; posts that show no pain are real evidence and score Demand low. A missing report and
a report with 0 records are both unknown, described differently.
"""

from __future__ import annotations

import pytest

from marketnav.models import ReportSection
from marketnav.services.reports import verdict_axes as axes
from marketnav.services.reports import verdict_decision as decision_rules
from marketnav.services.reports import verdict_offline as vo
from marketnav.services.reports import verdict_rules as rules
from marketnav.services.reports import viewer
from marketnav.services.reports.pipelines.verdict import change_summary, with_data_gaps
from marketnav.services.reports.source_data import Company, SourceData
from marketnav.services.reports.verdict_data import VerdictData
from marketnav.services.reports.verdict_markdown import axis_markdown, decision_markdown
from marketnav.services.reports.verdict_models import RiskSynthesis

INPUTS = {
    "startup_name": "FreightEye",
    "startup_description": "Real-time freight visibility for mid-size shippers",
    # The founder's own price: context, never a pricing signal in the data.
    "business_model": "SaaS subscription at $99 per month per seat",
    "current_stage": "mvp",
}


def _post(text: str, likes: int = 5) -> dict:
    return {"id": str(abs(hash(text))), "text": text, "likes": likes, "author": {"username": "u"}}


def _companies(n: int = 8, description: str = "Freight tracking platform for carriers"):
    return [
        Company(name=f"Co{i}", description=description, funding_usd=(i + 1) * 10e6)
        for i in range(n)
    ]


def _data(posts: list[dict] | None, companies: list[Company] | None = None, label="Demo data set"):
    companies = _companies() if companies is None else companies
    return VerdictData(
        inputs=dict(INPUTS),
        sources={
            "crunchbase": SourceData(
                report_type="crunchbase",
                run_id=1,
                version=1,
                companies=companies,
                companies_found=len(companies),
                keywords=["freight visibility"],
            ),
            "tracxn": None,
            "social": SourceData(
                report_type="social", run_id=2, version=1, posts=posts, source_label=label
            )
            if posts is not None
            else None,
        },
    )


def _verdict(data: VerdictData):
    """The offline verdict as the pipeline computes it: axes, rules, risks, decision."""
    proposed = {axis: axes.axis_score(axis, data) for axis in rules.AXIS_WEIGHTS}
    rulings = {
        axis: rules.rule_axis(axis, p.score, p.confidence, data.records, data.pricing_state)
        for axis, p in proposed.items()
    }
    scores = {axis: r.score for axis, r in rulings.items()}
    risks = with_data_gaps(vo.risks(data, {}), data)
    decision = decision_rules.decide(
        scores,
        proposed["demand"].classification,
        risks.counts["killer"],
        risks.counts["major"],
        {axis: r.confidence for axis, r in rulings.items()},
        risks.data_gaps,
    )
    return proposed, scores, risks, decision


NO_PAIN = [_post(f"Shipped pallet {i} today, all on schedule") for i in range(40)]


def test_zero_posts_is_unknown_demand_not_a_low_one():
    empty_proposed, empty_scores, empty_risks, empty = _verdict(_data(posts=[]))
    negative_proposed, negative_scores, negative_risks, negative = _verdict(_data(NO_PAIN))

    # Empty source: Demand unknown, left out of the total, the range is wide.
    assert empty_scores["demand"] is None
    assert empty_proposed["demand"].classification == "Unknown"
    assert empty_proposed["demand"].reasoning.count("Social data: 0 posts in the demo data set")
    assert empty.unknown_axes == ("demand",)
    low, high = empty.score_range
    assert high - low == pytest.approx(25.0)  # Demand's weight, from 0 to 100
    assert low <= empty.total_score <= high
    assert empty.confidence == "low"
    # Negative evidence: 40 posts without pain or intent score Demand low, the range is a point.
    assert negative_scores["demand"] is not None and negative_scores["demand"] < 40
    assert negative_proposed["demand"].classification == "Latent"
    assert negative.unknown_axes == () and negative.score_range[0] == negative.score_range[1]
    # No killer risk from an empty source; the gap is listed apart from the risks.
    assert empty_risks.counts["killer"] == 0
    assert "Social data: 0 posts in the demo data set; connect a live source or import posts" in (
        empty_risks.data_gaps
    )
    assert not any("Social" in g for g in negative_risks.data_gaps)
    # The known total ignores Demand instead of counting it as 0.
    others = {k: v for k, v in empty_scores.items() if k != "demand"}
    weight = sum(rules.AXIS_WEIGHTS[k] for k in others)
    expected = round(sum(v * rules.AXIS_WEIGHTS[k] for k, v in others.items()) / weight, 2)
    assert empty.total_score == expected
    assert empty.total_score > negative.total_score


def test_the_user_case_no_longer_parks_on_missing_demand():
    # The run: Demand stored as 0 gave PARK 41.4. The same known axes without the 0:
    old = {
        "demand": 0,
        "competition": 60,
        "differentiation": 55,
        "economics": 50,
        "feasibility": 60,
    }
    assert decision_rules.decide(old, "Absent", 1, 1).verdict == "PARK"
    now = decision_rules.decide({**old, "demand": None}, "Unknown", killer_risks=0, major_risks=0)
    assert now.total_score == 56.0 and now.score_range == (42.0, 67.0)  # 4200 / 75
    assert now.verdict == "ITERATE"
    assert now.headline == "ITERATE; could be PARK once Demand is known"
    assert now.possible == ("ITERATE", "PARK")
    assert "demand is unknown, not Acute" in now.reasons
    assert now.reasons[-1] == (
        "Demand unknown (no evidence): the total could be 42-67 with it at 0-100"
    )


@pytest.mark.parametrize(
    ("known", "headline"),
    [
        (70, "ITERATE; could be GO or PARK once Demand and Economics are known"),
        (40, "PARK; could be ITERATE once Demand and Economics are known"),
        (5, "PARK"),  # even 100 on both unknown axes gives 47.75: PARK on the evidence
    ],
)
def test_a_range_that_straddles_a_threshold_says_so(known, headline):
    scores = {axis: known for axis in rules.AXIS_WEIGHTS} | {"demand": None, "economics": None}
    decision = decision_rules.decide(scores, "Unknown", 0, 0)
    assert decision.headline == headline
    assert decision.confidence == "low"  # 45% of the weight is unknown


def test_a_go_never_rests_on_an_unknown_axis():
    scores = {axis: 90 for axis in rules.AXIS_WEIGHTS} | {"competition": None}
    decision = decision_rules.decide(scores, "Acute", 0, 0, {a: "high" for a in rules.AXIS_WEIGHTS})
    # 90 over the known axes, but Competition at 0 would leave 72: not a GO on evidence.
    assert decision.verdict == "ITERATE" and decision.possible == ("GO", "ITERATE")
    assert decision.headline == "ITERATE; could be GO once Competition is known"
    assert any("a GO needs evidence on every axis" in r for r in decision.reasons)
    assert decision.confidence == "low"  # the range straddles 75
    # When even the worst case for the unknown axis stays above 75, the GO stands.
    strong = {axis: 100 for axis in rules.AXIS_WEIGHTS} | {"feasibility": None}
    assert decision_rules.decide(strong, "Acute", 0, 0).verdict == "GO"
    # Unknown demand can never GO: it is not Acute.
    no_demand = decision_rules.decide(
        {**scores, "competition": 90, "demand": None}, "Unknown", 0, 0
    )
    assert no_demand.verdict == "ITERATE" and "GO" in no_demand.possible


def test_unknowns_alone_never_park():
    nothing = {axis: None for axis in rules.AXIS_WEIGHTS}
    decision = decision_rules.decide(nothing, "Unknown", 0, 0)
    assert decision.verdict == "ITERATE" and decision.total_score is None
    assert decision.score_range == (0.0, 100.0) and decision.possible == ("GO", "ITERATE", "PARK")
    assert decision.total_text == "unknown"
    # A killer risk from evidence still parks, unknowns or not.
    assert decision_rules.decide({**nothing, "competition": 90}, "Unknown", 1, 0).verdict == "PARK"


def test_weighted_total_renormalises_over_known_axes():
    scores = {"demand": None, "competition": 80, "differentiation": 60}
    scores |= {"economics": 40, "feasibility": None}
    assert rules.weighted_total(scores) == 60.0  # (80+60+40)*20 / 60
    assert rules.score_range(scores) == (36.0, 76.0)
    assert rules.weighted_total({axis: None for axis in rules.AXIS_WEIGHTS}) is None
    with pytest.raises(ValueError, match="feasibility"):
        rules.weighted_total({"demand": None})


def test_verdict_confidence_levels():
    every = {axis: 80 for axis in rules.AXIS_WEIGHTS}
    high = {axis: "high" for axis in rules.AXIS_WEIGHTS}
    assert decision_rules.verdict_confidence(every, high, straddles=False) == "high"
    assert (
        decision_rules.verdict_confidence({**every, "feasibility": None}, high, False) == "medium"
    )
    assert decision_rules.verdict_confidence({**every, "demand": None}, high, False) == "low"  # 25%
    assert decision_rules.verdict_confidence(every, high, straddles=True) == "low"
    low = {axis: "low" for axis in rules.AXIS_WEIGHTS}
    assert decision_rules.verdict_confidence(every, low, straddles=False) == "low"


def test_missing_report_and_zero_records_are_both_unknown_but_described_differently():
    missing = axes.demand(_data(posts=None))
    empty = axes.demand(_data(posts=[]))
    assert missing.score is None and empty.score is None
    assert "Social data: no completed report; run Social Analysis" in missing.reasoning
    assert "Social data: 0 posts in the demo data set" in empty.reasoning
    live = axes.demand(_data(posts=[], label="Hacker News"))
    assert "0 posts from Hacker News; search other keywords or import posts" in live.reasoning
    no_companies = _data(posts=NO_PAIN, companies=[])
    competition = axes.competition(no_companies)
    assert competition.score is None and competition.classification == "Unknown"
    assert "Crunchbase data: 0 companies for the keywords freight visibility" in (
        competition.reasoning
    )
    assert "Tracxn data: no completed report" in competition.reasoning
    assert axes.feasibility(no_companies).score is None


def test_signals_missing_lists_each_gap_and_never_says_none_when_one_exists():
    text = vo.executive_synthesis(_data(posts=[]))
    missing = text.split("**Signals missing**")[1].split("**Scope**")[0]
    assert "- Tracxn data: no completed report; run Tracxn Insights." in missing
    assert "- Social data: 0 posts in the demo data set" in missing
    assert "None" not in missing
    complete = _data(posts=NO_PAIN)
    complete.sources["tracxn"] = complete.sources["crunchbase"].model_copy(
        update={"report_type": "tracxn"}
    )
    assert "- None: all three datasets are loaded and hold records." in (
        vo.executive_synthesis(complete)
    )


def test_pricing_signal_reads_only_the_datasets_and_shows_its_evidence():
    # The founder's "$99 per month" is in the inputs only: not a signal.
    silent = _data(posts=NO_PAIN)
    assert silent.pricing_state == rules.PRICING_NONE and not silent.pricing_signal
    assert "Pricing signal in the data: none found" in vo.executive_synthesis(silent)
    # A Social report with 0 posts still has a "Willingness to Pay" section: report prose
    # is not data.
    empty = _data(posts=[], companies=[Company(name="NoText")])
    empty.sources["social"].section_excerpts = [
        {"key": "willingness_to_pay", "title": "Willingness to Pay & Pricing", "excerpt": "x"}
    ]
    assert empty.pricing_state == rules.PRICING_UNKNOWN
    assert "Pricing signal in the data: unknown" in vo.executive_synthesis(empty)
    assert any(g.startswith("Pricing: no post or company text") for g in empty.gap_texts())
    priced = _data(posts=[*NO_PAIN, _post("We pay $400 a month for tracking and it is bad")])
    assert priced.pricing_signal
    evidence = priced.pricing_evidence()
    assert evidence == [
        {
            "where": "Social post 41 by u",
            "match": "$400",
            "excerpt": "We pay $400 a month for tracking and it is bad",
        }
    ]
    assert 'yes: Social post 41 by u: "We pay $400 a month' in vo.executive_synthesis(priced)


def test_economics_cap_only_when_texts_exist():
    capped = axes.economics(_data(posts=NO_PAIN))
    ruling = rules.rule_axis("economics", 80, "high", {"crunchbase": 8, "social": 40}, "none_found")
    assert ruling.score == 25 and capped.classification == "Unproven (no pricing signal)"
    no_text = _data(posts=[], companies=[Company(name="A", funding_usd=30e6)])
    unknown = axes.economics(no_text)
    assert unknown.classification == "Pricing unknown (no texts in the data)"
    assert "Pricing signal unknown" in " ".join(unknown.data_gaps)
    assert "no posts: unknown, half the points" in unknown.reasoning
    assert no_text.pricing_state == rules.PRICING_UNKNOWN
    assert not any(
        r.title == "Willingness to pay unvalidated" for r in vo.risks(no_text, {}).major_risks
    )


def test_model_risks_resting_on_empty_data_become_gaps():
    data = _data(posts=[])
    proposed = RiskSynthesis.model_validate(
        {
            "killer_risks": [
                {
                    "title": "No observable demand",
                    "description": "Nobody posts about it.",
                    "dataset_sources": ["Social"],
                },
                {
                    "title": "Mega-funded incumbent",
                    "description": "Co7 raised $80M.",
                    "dataset_sources": ["Crunchbase"],
                },
            ],
            "major_risks": [
                {"title": "No Tracxn data", "description": "Missing.", "missing_data": True}
            ],
        }
    )
    ruled = with_data_gaps(proposed, data)
    assert [r.title for r in ruled.killer_risks] == ["Mega-funded incumbent"]
    assert ruled.killer_risks[0].risk_id == "K1" and ruled.major_risks == []
    assert any(g.startswith("No observable demand: Nobody posts") for g in ruled.data_gaps)
    assert any(g.startswith("No Tracxn data") for g in ruled.data_gaps)
    assert ruled.data_gaps[0] == "Tracxn data: no completed report; run Tracxn Insights"


def test_markdown_shows_unknown_range_confidence_and_what_would_change_it():
    data = _data(posts=[])
    proposed, scores, risks, decision = _verdict(data)
    results = {}
    for axis, p in proposed.items():
        ruling = rules.rule_axis(axis, p.score, p.confidence, data.records, data.pricing_state)
        results[axis] = {
            **p.model_dump(mode="json"),
            "weight": rules.AXIS_WEIGHTS[axis],
            "score": ruling.score,
            "proposed_score": ruling.proposed,
            "confidence": ruling.confidence,
            "rule_notes": list(ruling.notes),
        }
    demand = axis_markdown(results["demand"])
    assert "**Score: unknown**" in demand and "Unknown is not zero" in demand
    text = decision_markdown(decision, results, vo.narrative(decision, scores))
    assert "| Demand | 25% | unknown | - | low | Unknown |" in text
    # The heading names the verdict in words (no emoji, which is a box without an emoji font).
    assert text.startswith(f"## Verdict: {decision.headline} · weighted score ")
    assert f"**range** {decision.score_range[0]:g}-{decision.score_range[1]:g}" in text
    assert "**Confidence**: low" in text
    assert (
        "- Social data: 0 posts in the demo data set; connect a live source or import posts"
        in (text.split("### What data would change it")[1])
    )
    roadmap = vo.roadmap(scores, risks)
    assert "unknown axis: Demand" in roadmap.seven_day_sprint.objective


def test_change_summary_names_the_range_only_when_something_is_unknown():
    known = {"verdict": "PARK", "total_score": 42.5, "unknown_axes": []}
    assert change_summary(known) == "Verdict: PARK (Score: 42.5)"
    unknown = {
        "verdict": "ITERATE",
        "total_score": 56.33,
        "unknown_axes": ["demand"],
        "score_range": [42.25, 67.25],
        "confidence": "low",
    }
    assert change_summary(unknown) == (
        "Verdict: ITERATE (Score: 56.33, range 42.25-67.25, low confidence)"
    )


# -- the viewer: unknown axes are not drawn as 0; old runs still render ---------------------


def _decision_row(data: dict) -> ReportSection:
    return ReportSection(
        run_id=1,
        section_key="verdict_decision",
        title="Verdict Decision",
        position=8,
        markdown="x",
        section_data=data,
    )


def test_viewer_leaves_unknown_axes_out_of_the_radar_and_names_them():
    data = {
        "verdict": "ITERATE",
        "total_score": 56.0,
        "scores": {
            "demand": None,
            "competition": 60,
            "differentiation": 55,
            "economics": 50,
            "feasibility": 60,
        },
        "score_range": [42.0, 67.0],
        "confidence": "low",
        "headline": "ITERATE; could be PARK once Demand is known",
        "unknown_axes": ["demand"],
    }
    badge, points = viewer._verdict([_decision_row(data)])
    assert [p["axis"] for p in points] == [
        "Competition",
        "Differentiation",
        "Economics",
        "Feasibility",
    ]
    assert all(p["score"] is not None for p in points)
    assert badge == {
        "verdict": "ITERATE",
        "total_score": 56,
        "colour": "amber",
        "unknown_axes": "Demand",
        "score_range": "42-67",
        "confidence": "low",
        "headline": "ITERATE; could be PARK once Demand is known",
    }
    nothing = {**data, "total_score": None, "scores": dict.fromkeys(data["scores"])}
    badge, points = viewer._verdict([_decision_row(nothing)])
    assert points == [] and badge["total_score"] == "unknown"


def test_viewer_renders_an_old_run_with_zeroed_scores_as_stored():
    old = {
        "verdict": "PARK",
        "total_score": 41.4,
        "scores": {
            "demand": 0,
            "competition": 60,
            "differentiation": 55,
            "economics": 50,
            "feasibility": 60,
        },
        "weights": dict(rules.AXIS_WEIGHTS),
    }
    badge, points = viewer._verdict([_decision_row(old)])
    assert badge == {"verdict": "PARK", "total_score": 41, "colour": "red"}
    assert {p["axis"]: p["score"] for p in points}["Demand"] == 0.0 and len(points) == 5

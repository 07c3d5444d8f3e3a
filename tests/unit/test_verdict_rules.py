"""The Verdict rules: weights, unknown axes (not zero), economics cap, GO/ITERATE/PARK."""

from __future__ import annotations

import pytest

from marketnav.services.reports import verdict_decision as decision_rules
from marketnav.services.reports import verdict_rules as rules
from marketnav.services.reports.catalog import VERDICT_AXES

ALL = ("crunchbase", "tracxn", "social")


def scores(total: float) -> dict[str, float]:
    """Every axis at `total`, so the weighted total is exactly `total`."""
    return {axis: total for axis, _, _ in VERDICT_AXES}


# -- weighted total --------------------------------------------------------------------------


def test_weights_come_from_the_catalogue_and_sum_to_100():
    assert rules.AXIS_WEIGHTS == {
        "demand": 25,
        "competition": 20,
        "differentiation": 20,
        "economics": 20,
        "feasibility": 15,
    }
    assert sum(rules.AXIS_WEIGHTS.values()) == 100


def test_weighted_total_uses_each_axis_weight():
    only_demand = {**scores(0), "demand": 100}
    assert rules.weighted_total(only_demand) == 25.0
    only_feasibility = {**scores(0), "feasibility": 100}
    assert rules.weighted_total(only_feasibility) == 15.0
    mixed = {"demand": 96, "competition": 0, "differentiation": 90, "economics": 95}
    assert rules.weighted_total({**mixed, "feasibility": 0}) == 61.0
    assert rules.weighted_total({**mixed, "feasibility": 33}) == 65.95


def test_weighted_total_clamps_and_needs_every_axis():
    assert rules.weighted_total(scores(140)) == 100.0
    assert rules.weighted_total(scores(-5)) == 0.0
    with pytest.raises(ValueError, match="feasibility"):
        rules.weighted_total(
            {k: 50 for k in ("demand", "competition", "differentiation")} | {"economics": 50}
        )


# -- decide: every branch and boundary ---------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "verdict"),
    [
        (49.99, "PARK"),
        (50, "ITERATE"),  # 50 is inside 50-75
        (62.5, "ITERATE"),
        (75, "ITERATE"),  # GO needs strictly more than 75
        (75.01, "GO"),
        (100, "GO"),
    ],
)
def test_score_boundaries_with_acute_demand_and_no_risks(total, verdict):
    decision = decision_rules.decide(scores(total), "Acute", killer_risks=0, major_risks=0)
    assert decision.verdict == verdict
    assert decision.total_score == round(total, 2)


def test_park_below_50_explains_why():
    decision = decision_rules.decide(scores(40), "Acute", 0, 0)
    assert decision.verdict == "PARK"
    assert decision.reasons == ("weighted score 40 is below 50",)


@pytest.mark.parametrize("total", [90, 76, 60])
def test_a_killer_risk_parks_whatever_the_score(total):
    decision = decision_rules.decide(scores(total), "Acute", killer_risks=1, major_risks=0)
    assert decision.verdict == "PARK"
    assert decision.reasons == ("1 killer risk open",)


def test_two_killer_risks_and_low_score_both_reported():
    decision = decision_rules.decide(scores(30), "Latent", killer_risks=2, major_risks=3)
    assert decision.verdict == "PARK"
    assert decision.reasons == ("weighted score 30 is below 50", "2 killer risks open")


def test_one_major_structural_risk_holds_a_high_score_at_iterate():
    decision = decision_rules.decide(scores(90), "Acute", killer_risks=0, major_risks=1)
    assert decision.verdict == "ITERATE"
    assert decision.reasons == ("1 major structural risk open",)


def test_several_major_risks_also_block_go_but_do_not_park():
    decision = decision_rules.decide(scores(90), "Acute", killer_risks=0, major_risks=3)
    assert decision.verdict == "ITERATE"
    assert decision.reasons == ("3 major structural risks open",)


def test_major_risks_do_not_rescue_a_low_score():
    assert decision_rules.decide(scores(45), "Acute", 0, 1).verdict == "PARK"


@pytest.mark.parametrize("classification", ["Latent", "Absent", "Not acute", ""])
def test_go_needs_acute_demand(classification):
    decision = decision_rules.decide(scores(90), classification, 0, 0)
    assert decision.verdict == "ITERATE"
    assert decision.reasons[-1].endswith("not Acute")


def test_iterate_in_band_lists_every_reason():
    decision = decision_rules.decide(scores(60), "Latent", 0, 1)
    assert decision.verdict == "ITERATE"
    assert decision.reasons == (
        "weighted score 60 is between 50 and 75",
        "1 major structural risk open",
        "demand is Latent, not Acute",
    )


def test_go_reasons():
    decision = decision_rules.decide(scores(80), "Acute - people search for fixes", 0, 0)
    assert decision.verdict == "GO"
    assert "demand is Acute" in decision.reasons


@pytest.mark.parametrize(
    ("text", "acute"),
    [("Acute", True), ("acute pain", True), ("  ACUTE", True), ("Latent", False), ("", False)],
)
def test_is_acute(text, acute):
    assert rules.is_acute(text) is acute


# -- axis rules ------------------------------------------------------------------------------


def test_an_axis_without_any_record_is_unknown_whatever_was_proposed():
    ruling = rules.rule_axis("competition", 88, "high", ["social"], pricing_signal=True)
    assert (ruling.score, ruling.proposed, ruling.confidence) == (None, 88, "low")
    assert ruling.unknown
    assert ruling.notes == (
        "Proposed 88 replaced by unknown: no evidence (Crunchbase: no completed report; "
        "Tracxn: no completed report); an axis without evidence is unknown, not scored.",
    )
    # A report with 0 records is no evidence either, and is described as such.
    empty = rules.rule_axis("demand", 70, "medium", {"social": 0, "crunchbase": 9}, True)
    assert empty.score is None and "Social: 0 posts" in empty.notes[0]
    missing = rules.rule_axis("demand", 70, "medium", {"social": None, "crunchbase": 9}, True)
    assert missing.score is None and "Social: no completed report" in missing.notes[0]


def test_no_proposed_score_is_unknown_even_with_evidence():
    ruling = rules.rule_axis("demand", None, "high", ALL, True)
    assert ruling.score is None and ruling.notes == ("No score was proposed for Demand: unknown.",)


def test_a_partly_missing_axis_keeps_its_score_with_lower_confidence():
    ruling = rules.rule_axis("differentiation", 70, "high", ["social"], True)
    assert (ruling.score, ruling.confidence, ruling.unknown) == (70, "medium", False)
    assert ruling.notes == (
        "No evidence from Crunchbase: no completed report, Tracxn: no completed report: "
        "confidence lowered to medium.",
    )
    low = rules.rule_axis("competition", 70, "low", ["tracxn"], True)
    assert low.confidence == "low" and low.score == 70
    counts = rules.rule_axis("competition", 70, "high", {"crunchbase": 0, "tracxn": 12}, True)
    assert counts.score == 70 and "Crunchbase: 0 companies" in counts.notes[0]


def test_all_sources_present_changes_nothing():
    ruling = rules.rule_axis("feasibility", 64.6, "high", ALL, True)
    assert (ruling.score, ruling.confidence, ruling.notes) == (65, "high", ())


def test_economics_is_capped_at_25_when_texts_name_no_price():
    capped = rules.rule_axis("economics", 80, "high", ALL, pricing_signal=False)
    assert (capped.score, capped.proposed, capped.capped) == (25, 80, True)
    assert capped.notes == (
        "Capped at 25 (proposed 80): the datasets' texts name no price, fee or cost.",
    )
    same = rules.rule_axis("economics", 80, "high", ALL, pricing_signal=rules.PRICING_NONE)
    assert same.score == 25
    below = rules.rule_axis("economics", 20, "high", ALL, pricing_signal=False)
    assert (below.score, below.capped) == (20, False)
    free = rules.rule_axis("economics", 80, "high", ALL, pricing_signal=True)
    assert (free.score, free.capped) == (80, False)
    # The cap only applies to economics.
    assert rules.rule_axis("demand", 80, "high", ALL, pricing_signal=False).score == 80


def test_no_texts_at_all_is_an_unknown_pricing_signal_not_a_cap():
    ruling = rules.rule_axis("economics", 60, "high", ALL, pricing_signal=rules.PRICING_UNKNOWN)
    assert (ruling.score, ruling.capped, ruling.confidence) == (60, False, "low")
    assert rules.pricing_state([]) == rules.PRICING_UNKNOWN
    assert rules.pricing_state(["", "  "]) == rules.PRICING_UNKNOWN
    assert rules.pricing_state(["love it"]) == rules.PRICING_NONE
    assert rules.pricing_state(["love it", "$9 a month"]) == rules.PRICING_FOUND


def test_unknown_wins_over_the_cap():
    ruling = rules.rule_axis("economics", 80, "high", [], pricing_signal=False)
    assert ruling.score is None and not ruling.capped


def test_unknown_axis_is_rejected():
    with pytest.raises(ValueError):
        rules.rule_axis("vibes", 50, "high", ALL, True)


def test_evidence_citing_a_missing_dataset_is_dropped():
    evidence = [
        {"source": "Social (Demo data set)", "finding": "a", "impact": "+"},
        {"source": "Crunchbase", "finding": "b", "impact": "-"},
        {"source": "crunchbase/Tracxn", "finding": "c", "impact": "-"},
        {"source": "Project inputs", "finding": "d", "impact": "0"},
    ]
    kept = rules.evidence_from_available(evidence, ["social"])
    assert [e["finding"] for e in kept] == ["a", "d"]
    assert rules.evidence_from_available(evidence, ALL) == evidence


def test_a_data_gap_says_missing_report_or_zero_records_and_the_axes():
    missing = rules.source_gap("social", None)
    assert missing["state"] == "missing" and missing["axes"] == [
        "Demand",
        "Differentiation",
        "Economics",
    ]
    assert missing["text"] == "Social data: no completed report; run Social Analysis"
    empty = rules.source_gap(
        "social", 0, "in the demo data set", "connect a live source or import posts"
    )
    assert empty["state"] == "empty"
    assert empty["text"] == (
        "Social data: 0 posts in the demo data set; connect a live source or import posts"
    )
    assert rules.source_gap("tracxn", None)["text"].endswith("run Tracxn Insights")
    assert "Competition" not in missing["axes"]


def test_risks_resting_only_on_absent_data_are_gaps():
    records = {"crunchbase": 10, "tracxn": None, "social": 0}
    gap = {"title": "No observable demand", "dataset_sources": ["Social"]}
    assert rules.rests_only_on_absent_data(gap, records)
    assert rules.rests_only_on_absent_data({"title": "x", "missing_data": True}, records)
    assert rules.rests_only_on_absent_data({"title": "x", "dataset_sources": ["Tracxn"]}, records)
    for sources in (["Crunchbase"], ["Social", "Crunchbase/Tracxn"], ["Project inputs"], []):
        assert not rules.rests_only_on_absent_data({"dataset_sources": sources}, records)


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Paying $14.99/month for this", True),
        ("12 EUR is fine", True),
        ("the price went up", True),
        ("commission of 20%", True),
        ("per seat pricing kills us", True),
        ("I love this app so much", False),
        ("priceless moments", False),
    ],
)
def test_pricing_signal(text, signal):
    assert rules.has_pricing_signal([text]) is signal

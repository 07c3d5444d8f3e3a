"""The five Verdict axes scored from the data alone (the offline analyser's judgement).

Demand from social volume, engagement, pain and buying intent; competition from the number of
companies, well-funded incumbents and funding concentration; differentiation from how much the
startup's description overlaps competitors' and from unmet feature requests; economics from
price points and the funding comparables attract; feasibility from operating comparables, the
stage and claims of breakthroughs. Each score spells out its arithmetic in the reasoning.

An axis none of whose sources holds a record is unknown (`unknown_axis`: score None,
classification "Unknown"), never 0: "Social data: 0 posts in the demo data set" says why.
Within a scored axis, a part that needs posts when there are none (price talk, unmet
feature demand) is scored at half its points and said to be unknown, as the uniqueness part
already is without competitor descriptions: only posts that exist and lack a signal score 0.
"""

from __future__ import annotations

import math
from statistics import median
from typing import Any

from marketnav.services.ai import OFFLINE_LABEL
from marketnav.services.ai.text_terms import jaccard
from marketnav.services.reports import social_insights as social
from marketnav.services.reports.source_data import Company
from marketnav.services.reports.verdict_data import (
    BIG_FUNDING,
    BREAKTHROUGH,
    STAGE_POINTS,
    VerdictData,
)
from marketnav.services.reports.verdict_models import (
    AxisScore,
    Evidence,
)
from marketnav.services.reports.verdict_rules import (
    AXIS_NAMES,
    AXIS_SOURCES,
    PRICING_NONE,
    UNKNOWN,
    axis_is_unknown,
)
from marketnav.services.wording import plural
from scraper_services.common.money import format_usd as _usd

COMPARABLE, COMPARABLES = "comparable company", "comparable companies"

# -- helpers -------------------------------------------------------------------------------


def _share(key: str, posts: list[dict[str, Any]]) -> float:
    return social.category_evidence(key, posts).share if posts else 0.0


def confidence_for(records: int, high: int, medium: int) -> str:
    return "high" if records >= high else "medium" if records >= medium else "low"


def _funding_hhi(companies: list[Company]) -> float:
    funded = [c.funding_usd for c in companies if c.funding_usd]
    total = sum(funded)
    return sum((f / total) ** 2 for f in funded) if total else 0.0


def _points(label: str, value: float, maximum: float) -> str:
    return f"{label} {value:.1f}/{maximum:g}"


def unknown_axis(axis: str, data: VerdictData) -> AxisScore:
    """An axis without evidence: unknown, with what was missing or empty and how to fill it."""
    gaps = [g for g in data.data_gaps() if g["source"] in AXIS_SOURCES[axis]]
    why = "; ".join(g["text"] for g in gaps)
    return AxisScore(
        axis=axis,
        score=None,
        confidence="low",
        classification=UNKNOWN,
        key_evidence=[],
        reasoning=f"{OFFLINE_LABEL}: no evidence for {AXIS_NAMES[axis]}: {why}. Unknown is not "
        "zero: this axis is left out of the weighted total and widens the verdict's range.",
        data_gaps=[g["text"] for g in gaps],
        implications="Fill the data gap before relying on this axis.",
    )


# -- the five axes ---------------------------------------------------------------------------


def demand(data: VerdictData) -> AxisScore:
    if axis_is_unknown("demand", data.records):
        return unknown_axis("demand", data)
    posts = data.posts
    n = len(posts)
    engagements = [social.engagement(p) for p in posts]
    med = median(engagements) if engagements else 0
    pain = _share("pain_points", posts)
    intent = _share("feature_demand", posts) + _share("willingness_to_pay", posts)
    volume_pts = min(n / 60, 1) * 35
    engagement_pts = min(math.log10(1 + med) / 2, 1) * 25
    pain_pts = min(pain / 0.4, 1) * 25
    intent_pts = min(intent / 0.5, 1) * 15
    score = round(volume_pts + engagement_pts + pain_pts + intent_pts)
    split = social.sentiment_split(posts)
    classification = "Acute" if pain >= 0.3 and n >= 15 else "Latent"
    evidence = [
        Evidence(
            source=f"Social ({data.social_label})",
            finding=f"{plural(n, 'post')}; median engagement {med:g}; "
            f"sentiment {split['positive']} "
            f"positive / {split['negative']} negative",
            impact="positive" if n >= 30 else "neutral: thin volume",
        )
    ]
    pains = social.category_evidence("pain_points", posts)
    if pains.top_posts:
        top = pains.top_posts[0]
        evidence.append(
            Evidence(
                source=f"Social ({data.social_label})",
                finding=f'Top pain post: "{top.get("text", "")[:200]}"',
                impact=f"positive: {len(pains.posts)} posts describe pain",
            )
        )
    gaps = []
    if n < 30:
        gaps.append(f"Only {n} posts: too few to size demand")
    if data.social_label == "Demo data set":
        gaps.append("Posts come from the demo data set, not real users")
    return AxisScore(
        axis="demand",
        score=score,
        confidence=confidence_for(n, 60, 15),
        classification=classification,
        key_evidence=evidence,
        reasoning=(
            f"{OFFLINE_LABEL}: {_points('volume', volume_pts, 35)} ({n} posts, full at 60); "
            f"{_points('engagement', engagement_pts, 25)} (median {med:g}, full at 100); "
            f"{_points('pain', pain_pts, 25)} ({pain:.0%} of posts describe pain, full at "
            f"40%); {_points('buying intent', intent_pts, 15)} ({intent:.0%} feature or price "
            f"talk, full at 50%) = {score}. Classified {classification}: acute needs pain in "
            "at least 30% of at least 15 posts."
        ),
        data_gaps=gaps,
        implications="Acute, visible pain supports a fast test; latent demand needs education "
        "and a longer sales cycle.",
    )


def competition(data: VerdictData) -> AxisScore:
    if axis_is_unknown("competition", data.records):
        return unknown_axis("competition", data)
    companies = data.companies
    n = data.companies_found
    big = [c for c in companies if (c.funding_usd or 0) >= BIG_FUNDING]
    hhi = _funding_hhi(companies)
    crowding = min(n / 25, 1) * 35
    incumbents = min(len(big) / 5, 1) * 30
    concentration = hhi * 15
    score = max(5, round(100 - crowding - incumbents - concentration)) if n else 70
    if n == 0:
        classification = "Open (unverified)"
    elif len(big) >= 3:
        classification = "Crowded with funded incumbents"
    elif hhi >= 0.4:
        classification = "Concentrated"
    elif n <= 5:
        classification = "Open"
    else:
        classification = "Fragmented"
    evidence = [
        Evidence(
            source="Crunchbase/Tracxn",
            finding=f"{plural(n, COMPARABLE, COMPARABLES)} found; {len(big)} with $50M+ funding",
            impact="negative" if big else "neutral",
        )
    ]
    for company in sorted(big, key=lambda c: -(c.funding_usd or 0))[:3]:
        evidence.append(
            Evidence(
                source="Crunchbase/Tracxn",
                finding=f"{company.name} raised {_usd(company.funding_usd or 0)}: "
                f"{company.description[:160]}",
                impact="negative: well-funded incumbent",
            )
        )
    return AxisScore(
        axis="competition",
        score=score,
        confidence=confidence_for(len(companies), 10, 4),
        classification=classification,
        key_evidence=evidence,
        reasoning=(
            f"{OFFLINE_LABEL}: 100 - crowding {crowding:.1f} ({n} companies, full penalty at "
            f"25) - incumbents {incumbents:.1f} ({len(big)} with $50M+, full at 5) - "
            f"concentration {concentration:.1f} (funding HHI {hhi:.2f}) = {score}. Higher is "
            "more room to enter."
            if n
            else f"{OFFLINE_LABEL}: the searches found no comparable companies: either white "
            "space or a mis-specified search; scored 70 with low confidence."
        ),
        data_gaps=[] if n else ["No comparable companies found"],
        implications="Well-funded incumbents converge on this space: enter through a niche "
        "they underserve."
        if big
        else "No dominant funded player: speed of execution decides.",
    )


def _similarities(data: VerdictData) -> list[tuple[float, Company]]:
    concept = " ".join(data.inputs.get(k, "") for k in ("startup_description", "target_audience"))
    scored = [(jaccard(concept, c.description), c) for c in data.companies if c.description]
    return sorted(scored, key=lambda item: -item[0])


def differentiation(data: VerdictData) -> AxisScore:
    if axis_is_unknown("differentiation", data.records):
        return unknown_axis("differentiation", data)
    similar = _similarities(data)
    top = [s for s, _ in similar[:3]]
    mean_top = sum(top) / len(top) if top else None
    uniqueness = (1 - min((mean_top or 0) / 0.25, 1)) * 45 if mean_top is not None else 22.5
    features = _share("feature_demand", data.posts)
    unmet = min(features / 0.3, 1) * 25 if data.posts else 12.5
    feature_note = f"{features:.0%} feature-request posts" if data.posts else "no posts: unknown"
    score = round(30 + uniqueness + unmet)
    overlap = f"{mean_top:.2f}" if mean_top is not None else "n/a (scored half)"
    if mean_top is None:
        classification = "Unknown (no competitor descriptions)"
    elif mean_top >= 0.2:
        classification = "Commodity"
    elif mean_top >= 0.1:
        classification = "Incremental"
    else:
        classification = "Distinct (moat unproven)"
    evidence = [
        Evidence(
            source="Crunchbase/Tracxn",
            finding=f"Closest description: {company.name} (word overlap {sim:.2f})",
            impact="negative: similar offer" if sim >= 0.15 else "neutral",
        )
        for sim, company in similar[:3]
    ]
    if data.posts:
        evidence.append(
            Evidence(
                source=f"Social ({data.social_label})",
                finding=f"{features:.0%} of posts request features",
                impact="positive: unmet needs to build on" if features else "neutral",
            )
        )
    gaps = [] if similar else ["No competitor descriptions to compare with"]
    if not data.posts:
        gaps.append("No social posts: unmet feature demand unknown")
    return AxisScore(
        axis="differentiation",
        score=score,
        confidence="medium" if similar and data.posts else "low",
        classification=classification,
        key_evidence=evidence,
        reasoning=(
            f"{OFFLINE_LABEL}: base 30 + uniqueness {uniqueness:.1f}/45 (mean word overlap "
            f"with the 3 closest competitors: {overlap}; full marks at 0, none at 0.25+) + "
            f"unmet demand {unmet:.1f}/25 ({feature_note}, full at 30%; half without posts) "
            f"= {score}."
        ),
        data_gaps=gaps,
        implications="Overlapping descriptions mean a commodity pitch: sharpen the wedge."
        if classification == "Commodity"
        else "Positioning looks distinct on paper; prove the moat with customers.",
    )


def economics(data: VerdictData) -> AxisScore:
    if axis_is_unknown("economics", data.records):
        return unknown_axis("economics", data)
    posts = data.posts
    wtp = _share("willingness_to_pay", posts)
    prices = data.price_points()
    funded = [c.funding_usd for c in data.companies if c.funding_usd]
    med_funding = median(funded) if funded else 0.0
    if posts:
        wtp_pts = min(wtp / 0.3, 1) * 30
        price_pts = 15 if len(prices) >= 3 else 7 if prices else 0
        wtp_note, price_note = f"{wtp:.0%} of posts", f"{len(prices)} amounts named"
    else:  # no posts to read price talk from: unknown, half the points
        wtp_pts, price_pts = 15.0, 7
        wtp_note = price_note = "no posts: unknown, half the points"
    funding_pts = 20 if med_funding >= 20e6 else 12 if med_funding >= 5e6 else 6 if funded else 0
    score = round(20 + wtp_pts + price_pts + funding_pts)
    signal = data.pricing_signal
    pricing = data.pricing_state
    classification = (
        "Price points observed"
        if len(prices) >= 3
        else "Weak pricing signal"
        if signal
        else "Unproven (no pricing signal)"
        if pricing == PRICING_NONE
        else "Pricing unknown (no texts in the data)"
    )
    evidence = []
    if posts:
        evidence.append(
            Evidence(
                source=f"Social ({data.social_label})",
                finding=f"{wtp:.0%} of posts discuss price; amounts: "
                + (", ".join(prices[:6]) or "none"),
                impact="positive" if prices else "negative: no price evidence",
            )
        )
    if funded:
        evidence.append(
            Evidence(
                source="Crunchbase/Tracxn",
                finding=f"Median disclosed funding of comparables {_usd(med_funding)} "
                f"({plural(len(funded), 'company')})",
                impact="positive: investors fund this model" if med_funding >= 5e6 else "neutral",
            )
        )
    return AxisScore(
        axis="economics",
        score=score,
        confidence="low" if not signal else confidence_for(len(prices), 5, 2),
        classification=classification,
        key_evidence=evidence,
        reasoning=(
            f"{OFFLINE_LABEL}: base 20 + price talk {wtp_pts:.1f}/30 ({wtp_note}, full "
            f"at 30%) + price points {price_pts}/15 ({price_note}) + comparable "
            f"funding {funding_pts}/20 (median {_usd(med_funding) if funded else 'n/a'}) = "
            f"{score}. Unit economics (CAC, margins) are not in the data."
        ),
        data_gaps=["No CAC, margin or retention data in any dataset"]
        + (
            []
            if signal
            else ["No pricing or cost signal in the data's texts"]
            if pricing == PRICING_NONE
            else ["Pricing signal unknown: the datasets hold no post or company text"]
        ),
        implications="Test a price point with a paid pilot before scaling acquisition.",
    )


def feasibility(data: VerdictData) -> AxisScore:
    if axis_is_unknown("feasibility", data.records):
        return unknown_axis("feasibility", data)
    operating = [c for c in data.companies if c.founded_year or c.funding_usd]
    stage = data.inputs.get("current_stage", "").strip().lower()
    stage_pts = STAGE_POINTS.get(stage, 0)
    claims = BREAKTHROUGH.findall(
        " ".join(data.inputs.get(k, "") for k in ("startup_description", "business_model"))
    )
    penalty = 25 if claims else 0
    comparables_pts = min(len(operating) / 5, 1) * 30
    years = [c.founded_year for c in data.companies if c.founded_year]
    mature = bool(years) and median(years) <= 2018
    maturity_pts = 10 if mature else 0
    score = max(0, round(40 + comparables_pts + stage_pts + maturity_pts - penalty))
    classification = (
        "Novel build (undeclared breakthrough)"
        if claims
        else "Proven pattern"
        if len(operating) >= 3
        else "Unproven"
    )
    evidence = [
        Evidence(
            source="Crunchbase/Tracxn",
            finding=f"{plural(len(operating), COMPARABLE, COMPARABLES)} operating with a track "
            "record" + (f"; median founding year {median(years):.0f}" if years else ""),
            impact="positive: others built it" if operating else "neutral",
        )
    ]
    if claims:
        evidence.append(
            Evidence(
                source="Project inputs",
                finding="Description relies on: " + ", ".join(sorted({c.lower() for c in claims})),
                impact="negative: breakthrough not evidenced",
            )
        )
    return AxisScore(
        axis="feasibility",
        score=min(score, 100),
        confidence=confidence_for(len(operating), 5, 2),
        classification=classification,
        key_evidence=evidence,
        reasoning=(
            f"{OFFLINE_LABEL}: base 40 + comparables {comparables_pts:.1f}/30 ({len(operating)} "
            f"operating, full at 5) + stage {stage_pts}/20 ({stage or 'not stated'}) + "
            f"maturity {maturity_pts}/10 (median founding year "
            f"{f'{median(years):.0f}' if years else 'n/a'}, full when 2018 or earlier) - "
            f"breakthrough claims {penalty} = {min(score, 100)}."
        ),
        data_gaps=["Team and technical capability are not in the data"],
        implications="The pattern is proven by others: execution risk, not technology risk."
        if classification == "Proven pattern"
        else "Prove the core technology with a prototype before anything else.",
    )


AXIS_FUNCTIONS = {
    "demand": demand,
    "competition": competition,
    "differentiation": differentiation,
    "economics": economics,
    "feasibility": feasibility,
}


def axis_score(axis: str, data: VerdictData) -> AxisScore:
    return AXIS_FUNCTIONS[axis](data)


# -- audit, synthesis, risks, decision narrative, roadmap -----------------------------------

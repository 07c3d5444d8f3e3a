"""The rest of the offline Verdict: data audit, synthesis, risks, narrative and roadmap.

Every number comes from the loaded datasets; the rules in `verdict_rules` apply on top. The
axis scores are in `verdict_axes`, the loaded data in `verdict_data`.
"""

from __future__ import annotations

from typing import Any

from marketnav.services.ai import OFFLINE_LABEL
from marketnav.services.reports import social_insights as social
from marketnav.services.reports.verdict_axes import confidence_for
from marketnav.services.reports.verdict_data import BIG_FUNDING, MEGA_FUNDING, VerdictData
from marketnav.services.reports.verdict_decision import Decision
from marketnav.services.reports.verdict_models import (
    DataAudit,
    DatasetAudit,
    Risk,
    RiskSynthesis,
    Roadmap,
    SevenDaySprint,
    ThirtyDaySprint,
    VerdictNarrative,
    WeeklyMilestone,
)
from marketnav.services.reports.verdict_rules import (
    AXIS_NAMES,
    AXIS_WEIGHTS,
    PRICING_FOUND,
    PRICING_NONE,
    PRICING_UNKNOWN,
    SOURCE_LABELS,
)
from scraper_services.common.money import format_usd as _usd


def data_audit(data: VerdictData) -> DataAudit:
    datasets = [
        DatasetAudit(
            source="Project inputs",
            role="Concept/Idea intake",
            records=len(data.inputs),
            quality="medium" if len(data.inputs) >= 6 else "low",
            notes="The founder's own claims: context, not evidence.",
        )
    ]
    for kind in data.available:
        source = data.sources[kind]
        records = source.record_count
        role = "Demand & Social Signal" if kind == "social" else "Competitive Landscape"
        notes = f"From version {source.version} ({source.origin})"
        if kind == "social" and source.source_label:
            notes += f"; source: {source.source_label}"
        datasets.append(
            DatasetAudit(
                source=SOURCE_LABELS[kind],
                role=role,
                records=records,
                quality=confidence_for(records, 30 if kind == "social" else 10, 5),
                notes=notes,
            )
        )
    return DataAudit(datasets=datasets, gaps=data.gap_texts())


def executive_synthesis(data: VerdictData) -> str:
    name = data.inputs.get("startup_name", "The startup")
    lines = [f"_{OFFLINE_LABEL}: arranged from the datasets, no AI model used._", ""]
    lines.append(f"**{name}**: {data.inputs.get('startup_description', '(no description)')}")
    lines.append("")
    lines.append("**Signals present**")
    if not data.with_records:
        lines.append("- None: no source report holds any record.")
    for kind in data.with_records:
        source = data.sources[kind]
        if kind == "social":
            split = social.sentiment_split(source.posts)
            lines.append(
                f"- Social ({data.social_label}): {len(source.posts)} posts, "
                f"{split['positive']} positive / {split['negative']} negative."
            )
        else:
            stats = source.statistics()
            funded = (
                f", {_usd(stats.total_funding_usd)} disclosed funding" if stats.funded_count else ""
            )
            lines.append(
                f"- {SOURCE_LABELS[kind]}: {source.companies_found} companies{funded}; best "
                f"funded: {', '.join(stats.top_by_funding[:3]) or 'n/a'}."
            )
    lines += ["", "**Signals missing**"]
    lines += [f"- {gap}." for gap in data.gap_texts()] or [
        "- None: all three datasets are loaded and hold records."
    ]
    lines += [
        "",
        "**Scope**: "
        f"{data.inputs.get('target_audience', 'audience not stated')}; "
        f"{data.inputs.get('geographic_focus', 'regions not stated')}; stage "
        f"{data.inputs.get('current_stage', 'not stated')}.",
        "",
        "**Themes**",
        f"- Pricing signal in the data: {pricing_line(data)}",
        f"- Comparable companies: {data.companies_found}.",
        f"- Social posts analysed: {len(data.posts)}.",
    ]
    if data.social_label == "Demo data set":
        lines.append(
            "- The social posts are the demo data set: treat demand evidence as illustrative."
        )
    return "\n".join(lines)


def pricing_line(data: VerdictData) -> str:
    """Whether a dataset text names a price, and which one (the evidence)."""
    state = data.pricing_state
    if state == PRICING_UNKNOWN:
        return "unknown: the datasets hold no post or company text to read a price from."
    if state != PRICING_FOUND:
        return "none found in the datasets' texts (no price, fee or cost named)."
    quoted = "; ".join(
        f'{e["where"]}: "{e["excerpt"]}" ({e["match"]})' for e in data.pricing_evidence(2)
    )
    return f"yes: {quoted}."


def risks(data: VerdictData, scores: dict[str, dict[str, Any]]) -> RiskSynthesis:
    """Risks from the evidence and the axis results; missing or empty data is a gap, not a risk."""
    killer: list[Risk] = []
    major: list[Risk] = []
    minor: list[Risk] = []
    posts = data.posts
    social_source = data.sources.get("social")
    mega = [c for c in data.companies if (c.funding_usd or 0) >= MEGA_FUNDING]
    diff = scores.get("differentiation", {})
    if mega and str(diff.get("classification", "")).startswith("Commodity"):
        killer.append(
            Risk(
                title="Commodity offer against a mega-funded incumbent",
                description=f"{mega[0].name} raised {_usd(mega[0].funding_usd or 0)} and its "
                "description overlaps the startup's.",
                dataset_sources=["Crunchbase/Tracxn", "Project inputs"],
                mitigation="Find a segment the incumbent cannot serve profitably.",
            )
        )
    big = sorted(
        (c for c in data.companies if (c.funding_usd or 0) >= BIG_FUNDING),
        key=lambda c: -(c.funding_usd or 0),
    )
    if len(big) >= 5:
        major.append(
            Risk(
                title="Well-funded incumbents",
                description=f"{len(big)} comparables raised $50M or more "
                f"({', '.join(c.name for c in big[:4])}).",
                dataset_sources=["Crunchbase/Tracxn"],
                mitigation="Avoid head-on positioning; partner or niche down.",
            )
        )
    split = social.sentiment_split(posts)
    if len(posts) >= 10 and split["negative"] > split["positive"]:
        major.append(
            Risk(
                title="Negative sentiment dominates",
                description=f"{split['negative']} negative vs {split['positive']} positive posts.",
                dataset_sources=["Social"],
                mitigation="Design around the top complaints; make them the pitch.",
            )
        )
    if data.pricing_state == PRICING_NONE:
        major.append(
            Risk(
                title="Willingness to pay unvalidated",
                description=f"None of the {len(data.texts())} post and company texts names a "
                "price, fee or cost for this kind of product.",
                dataset_sources=[SOURCE_LABELS[k] for k in data.with_records],
                mitigation="Run a pre-sale or priced landing page test.",
            )
        )
    if social_source is not None and 0 < len(posts) < 30:
        minor.append(
            Risk(
                title="Thin social evidence",
                description=f"Only {len(posts)} posts support the demand reading.",
                dataset_sources=["Social"],
                mitigation="Search more keywords or interview customers.",
            )
        )
    if data.social_label == "Demo data set" and posts:
        minor.append(
            Risk(
                title="Demand evidence is demo data",
                description="The social posts are the bundled demo data set, not real users.",
                dataset_sources=["Social"],
                mitigation="Run Social Analysis on real posts (SOCIAL_SOURCES=hackernews,reddit).",
            )
        )
    if 0 < data.companies_found < 5:
        minor.append(
            Risk(
                title="Few comparables found",
                description=f"Only {data.companies_found} comparable companies were found.",
                dataset_sources=["Crunchbase/Tracxn"],
                mitigation="Broaden the market keywords and re-run the market reports.",
            )
        )
    return RiskSynthesis(
        killer_risks=killer, major_risks=major, minor_risks=minor, data_gaps=data.gap_texts()
    )


def narrative(decision: Decision, scores: dict[str, int | None]) -> VerdictNarrative:
    known = sorted(((a, s) for a, s in scores.items() if s is not None), key=lambda i: i[1])
    factors = []
    if known:
        weakest, strongest = known[0], known[-1]
        factors += [
            f"Weakest axis: {AXIS_NAMES[weakest[0]]} ({weakest[1]})",
            f"Strongest axis: {AXIS_NAMES[strongest[0]]} ({strongest[1]})",
        ]
    unknown = [AXIS_NAMES[a] for a, s in scores.items() if s is None]
    if unknown:
        low, high = decision.score_range
        factors.append(
            f"Unknown (no evidence): {', '.join(unknown)}; the total could be {low:g}-{high:g}"
        )
    factors += [f"{AXIS_NAMES[a]} weighs {w}%" for a, w in AXIS_WEIGHTS.items() if w >= 25]
    reasoning = (
        f"{OFFLINE_LABEL}: the rules give {decision.headline} because "
        + "; ".join(decision.reasons)
        + f". Confidence {decision.confidence}."
    )
    return VerdictNarrative(
        reasoning=reasoning,
        key_factors=factors,
        next_decision_point="Fill the data gaps, then re-run the verdict."
        if unknown
        else "After the 7-day sprint: re-run the verdict with its results.",
    )


_SPRINTS = {
    "demand": (
        "Prove the problem is acute for a reachable segment",
        "At least 8 of 15 interviewed target customers describe the problem unprompted",
        ["Day 1-2: recruit 15 target customers from the segments in the data",
         "Day 3-4: run problem interviews without pitching",
         "Day 5-7: score pain frequency and current workarounds"],
    ),
    "competition": (
        "Find the segment incumbents underserve",
        "One segment's complaints about incumbents recur in at least 5 interviews",
        ["Day 1-2: map the top competitors' offers and prices",
         "Day 3-4: interview 10 users of the leading alternatives",
         "Day 5-7: pick the wedge segment and write its positioning"],
    ),
    "differentiation": (
        "Test the wedge against the closest competitors",
        "Prospects rank the startup's key difference above the closest competitor's",
        ["Day 1-2: write three positioning statements against the closest competitors",
         "Day 3-4: test them with a landing page or ads",
         "Day 5-7: keep the statement with the best conversion"],
    ),
    "economics": (
        "Validate willingness to pay",
        "At least 5 prospects pre-pay or sign a letter of intent at the target price",
        ["Day 1-2: set a price from the price points in the data",
         "Day 3-4: publish a priced landing page or pre-sale",
         "Day 5-7: measure paid conversion and objections"],
    ),
    "feasibility": (
        "De-risk the core build",
        "A prototype delivers the core promise for 3 pilot users",
        ["Day 1-2: list the technical unknowns",
         "Day 3-4: prototype the riskiest one",
         "Day 5-7: run it with 3 pilot users"],
    ),
}  # fmt: skip


def roadmap(scores: dict[str, int | None], risk_set: RiskSynthesis) -> Roadmap:
    """The sprint tests the heaviest unknown axis first, else the weakest known one."""
    unknown = [a for a in scores if scores[a] is None]
    if unknown:
        weakest = max(unknown, key=lambda axis: AXIS_WEIGHTS[axis])
        label = f"unknown axis: {AXIS_NAMES[weakest]}, no evidence yet"
    else:
        weakest = min(scores, key=lambda axis: (scores[axis], -AXIS_WEIGHTS[axis]))
        label = f"weakest axis: {AXIS_NAMES[weakest]}, {scores[weakest]}"
    objective, hypothesis, actions = _SPRINTS[weakest]
    top_risk = (risk_set.killer_risks or risk_set.major_risks or risk_set.minor_risks or [None])[0]
    aborts = [f"{r.risk_id}: {r.title} is confirmed" for r in risk_set.killer_risks]
    aborts.append(f"The sprint hypothesis fails twice: {hypothesis[0].lower()}{hypothesis[1:]}")
    return Roadmap(
        seven_day_sprint=SevenDaySprint(
            objective=f"{objective} ({label})",
            hypothesis_to_test=hypothesis,
            specific_actions=actions,
            success_criteria=[hypothesis],
            risk_addressed=f"{top_risk.risk_id}: {top_risk.title}" if top_risk else "",
        ),
        thirty_day_sprint=ThirtyDaySprint(
            objective="Turn the validated insight into a paid pilot",
            moat_building_focus="Own the data and relationships of the first segment",
            weekly_milestones=[
                WeeklyMilestone(week=1, milestone="Close the 7-day sprint; decide go/no-go"),
                WeeklyMilestone(week=2, milestone="Build the smallest version of the wedge"),
                WeeklyMilestone(week=3, milestone="Run a paid pilot with 3-5 customers"),
                WeeklyMilestone(week=4, milestone="Measure retention and re-run the verdict"),
            ],
            decision_gates=["End of week 1: hypothesis met?", "End of week 4: pilot retained?"],
        ),
        critical_dependencies=["Access to target customers", "A price to test"],
        abort_conditions=aborts,
    )

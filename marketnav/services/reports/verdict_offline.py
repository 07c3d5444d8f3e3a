"""The Verdict computed from the data alone (used when no AI provider is configured).

Every number comes from the loaded datasets with its arithmetic written into the reasoning:
demand from social volume, engagement, pain and buying intent; competition from the number of
companies, well-funded incumbents and funding concentration; differentiation from how much the
startup's description overlaps competitors' descriptions and from unmet feature requests;
economics from price points and the funding comparables attract; feasibility from operating
comparables, the stage and claims of breakthroughs. The rules in `verdict_rules` apply on top.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from statistics import median
from typing import Any

from marketnav.services.ai import OFFLINE_LABEL
from marketnav.services.ai.text_terms import jaccard
from marketnav.services.reports import social_insights as social
from marketnav.services.reports.source_data import Company, SourceData
from marketnav.services.reports.verdict_models import (
    AxisScore,
    DataAudit,
    DatasetAudit,
    Evidence,
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
    SOURCE_LABELS,
    SOURCES,
    Decision,
    has_pricing_signal,
)
from scraper_services.common.money import format_usd as _usd

BIG_FUNDING = 50e6
MEGA_FUNDING = 1e9
BREAKTHROUGH = re.compile(
    r"\b(breakthrough|revolutionary|quantum|agi|first[- ]ever|never been done|cure[sd]?|"
    r"fusion|teleport\w*|perpetual|patent[- ]pending|world'?s first)\b",
    re.IGNORECASE,
)
STAGE_POINTS = {"idea": 0, "mvp": 10, "early_stage": 15, "growth": 20, "scale_up": 20}


@dataclass
class VerdictData:
    """The evidence a verdict is built on: the inputs and the loaded source reports."""

    inputs: dict[str, str]
    sources: dict[str, SourceData | None]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VerdictData:
        return cls(
            inputs=dict(data.get("inputs") or {}),
            sources={
                t: SourceData.model_validate(v) if v else None
                for t, v in (data.get("sources") or {}).items()
            },
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "inputs": self.inputs,
            "sources": {
                t: (v.model_dump(mode="json") if v else None) for t, v in self.sources.items()
            },
        }

    @property
    def available(self) -> list[str]:
        return [t for t in SOURCES if self.sources.get(t) is not None]

    @property
    def missing(self) -> list[str]:
        return [t for t in SOURCES if self.sources.get(t) is None]

    @property
    def posts(self) -> list[dict[str, Any]]:
        source = self.sources.get("social")
        return source.posts if source else []

    @property
    def social_label(self) -> str:
        source = self.sources.get("social")
        return (source.source_label or "social posts") if source else ""

    @property
    def companies(self) -> list[Company]:
        merged: dict[str, Company] = {}
        for kind in ("crunchbase", "tracxn"):
            source = self.sources.get(kind)
            for company in source.companies if source else []:
                merged.setdefault(company.name.strip().lower(), company)
        return list(merged.values())

    @property
    def companies_found(self) -> int:
        counts = [s.companies_found for k, s in self.sources.items() if s and k != "social"]
        return max([*counts, len(self.companies)]) if counts else 0

    @property
    def has_companies_data(self) -> bool:
        return any(self.sources.get(k) for k in ("crunchbase", "tracxn"))

    def texts(self) -> list[str]:
        """Every text of the datasets (the pricing-signal rule reads these, not the inputs)."""
        texts = [p.get("text", "") for p in self.posts]
        texts += [c.description for c in self.companies]
        for source in self.sources.values():
            if source:
                texts += [e.get("excerpt", "") for e in source.section_excerpts]
        return texts

    @property
    def pricing_signal(self) -> bool:
        return has_pricing_signal(self.texts())

    def price_points(self) -> list[str]:
        amounts: list[str] = []
        for post in self.posts:
            amounts += social.prices_in(post.get("text", ""))
        return list(dict.fromkeys(amounts))

    def prompt_view(self, post_cap: int = 60, company_cap: int = 25) -> dict[str, Any]:
        """A compact JSON view of the evidence for prompts; every dataset named by its role."""
        view: dict[str, Any] = {
            "datasets_available": [SOURCE_LABELS[t] for t in self.available],
            "datasets_missing": [SOURCE_LABELS[t] for t in self.missing],
            "pricing_signal_in_data": self.pricing_signal,
        }
        if self.has_companies_data:
            view["competitive_landscape"] = {
                "companies_found": self.companies_found,
                "companies": [
                    {
                        "name": c.name,
                        "description": c.description[:240],
                        "funding": _usd(c.funding_usd) if c.funding_usd else "undisclosed",
                        "country": c.country,
                        "founded": c.founded_year,
                        "from": [
                            SOURCE_LABELS[k]
                            for k in ("crunchbase", "tracxn")
                            if self.sources.get(k)
                            and any(x.name == c.name for x in self.sources[k].companies)
                        ],
                    }
                    for c in sorted(self.companies, key=lambda c: -(c.funding_usd or 0))[
                        :company_cap
                    ]
                ],
            }
        social_source = self.sources.get("social")
        if social_source:
            view["demand_and_social_signal"] = {
                "source": self.social_label,
                "keywords": social_source.keywords,
                "post_count": len(self.posts),
                "sentiment": social.sentiment_split(self.posts),
                "category_evidence": {
                    key: social.category_evidence(key, self.posts).as_data()
                    for key in (
                        "pain_points",
                        "willingness_to_pay",
                        "feature_demand",
                        "competition",
                    )
                },
                "posts": social.prompt_posts(self.posts, post_cap),
            }
        return view


# -- helpers -------------------------------------------------------------------------------


def _share(key: str, posts: list[dict[str, Any]]) -> float:
    return social.category_evidence(key, posts).share if posts else 0.0


def _confidence(records: int, high: int, medium: int) -> str:
    return "high" if records >= high else "medium" if records >= medium else "low"


def _funding_hhi(companies: list[Company]) -> float:
    funded = [c.funding_usd for c in companies if c.funding_usd]
    total = sum(funded)
    return sum((f / total) ** 2 for f in funded) if total else 0.0


def _points(label: str, value: float, maximum: float) -> str:
    return f"{label} {value:.1f}/{maximum:g}"


def _missing_axis(axis: str, data: VerdictData, sources: tuple[str, ...]) -> AxisScore:
    labels = " and ".join(SOURCE_LABELS[s] for s in sources)
    return AxisScore(
        axis=axis,
        score=0,
        confidence="low",
        classification="No data",
        key_evidence=[],
        reasoning=f"{OFFLINE_LABEL}: no {labels} data was loaded, so there is no evidence for "
        f"{AXIS_NAMES[axis]}; missing data scores zero.",
        data_gaps=[f"{SOURCE_LABELS[s]} report not available" for s in sources],
        implications=f"Run the {labels} report{'s' if len(sources) > 1 else ''} before "
        "relying on this axis.",
    )


# -- the five axes ---------------------------------------------------------------------------


def demand(data: VerdictData) -> AxisScore:
    if data.sources.get("social") is None:
        return _missing_axis("demand", data, ("social",))
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
    if n == 0:
        classification = "Absent"
    elif pain >= 0.3 and n >= 15:
        classification = "Acute"
    else:
        classification = "Latent"
    evidence = [
        Evidence(
            source=f"Social ({data.social_label})",
            finding=f"{n} posts; median engagement {med:g}; sentiment {split['positive']} "
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
        confidence=_confidence(n, 60, 15),
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
        "and a longer sales cycle."
        if n
        else "No one talks about this problem in the data: validate it directly first.",
    )


def competition(data: VerdictData) -> AxisScore:
    if not data.has_companies_data:
        return _missing_axis("competition", data, ("crunchbase", "tracxn"))
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
            finding=f"{n} comparable companies found; {len(big)} with $50M+ funding",
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
        confidence=_confidence(len(companies), 10, 4),
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
    if not data.available:
        return _missing_axis("differentiation", data, SOURCES)
    similar = _similarities(data)
    top = [s for s, _ in similar[:3]]
    mean_top = sum(top) / len(top) if top else None
    uniqueness = (1 - min((mean_top or 0) / 0.25, 1)) * 45 if mean_top is not None else 22.5
    features = _share("feature_demand", data.posts)
    unmet = min(features / 0.3, 1) * 25
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
            f"unmet demand {unmet:.1f}/25 ({features:.0%} feature-request posts, full at 30%) "
            f"= {score}."
        ),
        data_gaps=gaps,
        implications="Overlapping descriptions mean a commodity pitch: sharpen the wedge."
        if classification == "Commodity"
        else "Positioning looks distinct on paper; prove the moat with customers.",
    )


def economics(data: VerdictData) -> AxisScore:
    if not data.available:
        return _missing_axis("economics", data, SOURCES)
    posts = data.posts
    wtp = _share("willingness_to_pay", posts)
    prices = data.price_points()
    funded = [c.funding_usd for c in data.companies if c.funding_usd]
    med_funding = median(funded) if funded else 0.0
    wtp_pts = min(wtp / 0.3, 1) * 30
    price_pts = 15 if len(prices) >= 3 else 7 if prices else 0
    funding_pts = 20 if med_funding >= 20e6 else 12 if med_funding >= 5e6 else 6 if funded else 0
    score = round(20 + wtp_pts + price_pts + funding_pts)
    signal = data.pricing_signal
    classification = (
        "Price points observed"
        if len(prices) >= 3
        else "Weak pricing signal"
        if signal
        else "Unproven (no pricing signal)"
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
                f"({len(funded)} companies)",
                impact="positive: investors fund this model" if med_funding >= 5e6 else "neutral",
            )
        )
    return AxisScore(
        axis="economics",
        score=score,
        confidence="low" if not signal else _confidence(len(prices), 5, 2),
        classification=classification,
        key_evidence=evidence,
        reasoning=(
            f"{OFFLINE_LABEL}: base 20 + price talk {wtp_pts:.1f}/30 ({wtp:.0%} of posts, full "
            f"at 30%) + price points {price_pts}/15 ({len(prices)} amounts named) + comparable "
            f"funding {funding_pts}/20 (median {_usd(med_funding) if funded else 'n/a'}) = "
            f"{score}. Unit economics (CAC, margins) are not in the data."
        ),
        data_gaps=["No CAC, margin or retention data in any dataset"]
        + ([] if signal else ["No pricing or cost signal in the data"]),
        implications="Test a price point with a paid pilot before scaling acquisition.",
    )


def feasibility(data: VerdictData) -> AxisScore:
    if not data.has_companies_data:
        return _missing_axis("feasibility", data, ("crunchbase", "tracxn"))
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
            finding=f"{len(operating)} comparable companies operate with a track record"
            + (f"; median founding year {median(years):.0f}" if years else ""),
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
        confidence=_confidence(len(operating), 5, 2),
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
                quality=_confidence(records, 30 if kind == "social" else 10, 5),
                notes=notes,
            )
        )
    gaps = [f"{SOURCE_LABELS[k]} report not available" for k in data.missing]
    return DataAudit(datasets=datasets, gaps=gaps)


def executive_synthesis(data: VerdictData) -> str:
    name = data.inputs.get("startup_name", "The startup")
    lines = [f"_{OFFLINE_LABEL}: arranged from the datasets, no AI model used._", ""]
    lines.append(f"**{name}**: {data.inputs.get('startup_description', '(no description)')}")
    lines.append("")
    lines.append("**Signals present**")
    if not data.available:
        lines.append("- None: no source report is available.")
    for kind in data.available:
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
    lines += [
        f"- {SOURCE_LABELS[k]}: not available (scores zero where it is the only source)."
        for k in data.missing
    ] or ["- None: all three datasets are loaded."]
    lines += [
        "",
        "**Scope**: "
        f"{data.inputs.get('target_audience', 'audience not stated')}; "
        f"{data.inputs.get('geographic_focus', 'regions not stated')}; stage "
        f"{data.inputs.get('current_stage', 'not stated')}.",
        "",
        "**Themes**",
        f"- Pricing signal in the data: {'yes' if data.pricing_signal else 'none found'}.",
        f"- Comparable companies: {data.companies_found}.",
        f"- Social posts analysed: {len(data.posts)}.",
    ]
    if data.social_label == "Demo data set":
        lines.append(
            "- The social posts are the demo data set: treat demand evidence as illustrative."
        )
    return "\n".join(lines)


def risks(data: VerdictData, scores: dict[str, dict[str, Any]]) -> RiskSynthesis:
    """Risks from the data and the axis results (missing-dataset risks are added by the code)."""
    killer: list[Risk] = []
    major: list[Risk] = []
    minor: list[Risk] = []
    posts = data.posts
    social_source = data.sources.get("social")
    if social_source is not None and not posts:
        killer.append(
            Risk(
                title="No observable demand",
                description="The social search found no posts about the problem at all.",
                dataset_sources=["Social"],
                mitigation="Interview 15 target customers before building anything.",
            )
        )
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
    if not data.pricing_signal and data.available:
        major.append(
            Risk(
                title="Willingness to pay unvalidated",
                description="No dataset names a price, fee or cost for this kind of product.",
                dataset_sources=[SOURCE_LABELS[k] for k in data.available],
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
    if data.social_label == "Demo data set":
        minor.append(
            Risk(
                title="Demand evidence is demo data",
                description="The social posts are the bundled demo data set, not real users.",
                dataset_sources=["Social"],
                mitigation="Run Social Analysis with SOCIAL_SOURCE=live.",
            )
        )
    if data.has_companies_data and data.companies_found < 5:
        minor.append(
            Risk(
                title="Few comparables found",
                description=f"Only {data.companies_found} comparable companies were found.",
                dataset_sources=["Crunchbase/Tracxn"],
                mitigation="Broaden the market keywords and re-run the market reports.",
            )
        )
    return RiskSynthesis(killer_risks=killer, major_risks=major, minor_risks=minor)


def narrative(decision: Decision, scores: dict[str, int]) -> VerdictNarrative:
    ordered = sorted(scores.items(), key=lambda item: item[1])
    weakest, strongest = ordered[0], ordered[-1]
    return VerdictNarrative(
        reasoning=f"{OFFLINE_LABEL}: the rules give {decision.verdict} because "
        + "; ".join(decision.reasons)
        + ".",
        key_factors=[
            f"Weakest axis: {AXIS_NAMES[weakest[0]]} ({weakest[1]})",
            f"Strongest axis: {AXIS_NAMES[strongest[0]]} ({strongest[1]})",
            *[f"{AXIS_NAMES[a]} weighs {w}%" for a, w in AXIS_WEIGHTS.items() if w >= 25],
        ],
        next_decision_point="After the 7-day sprint: re-run the verdict with its results.",
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


def roadmap(scores: dict[str, int], risk_set: RiskSynthesis) -> Roadmap:
    weakest = min(scores, key=lambda axis: (scores[axis], -AXIS_WEIGHTS[axis]))
    objective, hypothesis, actions = _SPRINTS[weakest]
    top_risk = (risk_set.killer_risks or risk_set.major_risks or risk_set.minor_risks or [None])[0]
    aborts = [f"{r.risk_id}: {r.title} is confirmed" for r in risk_set.killer_risks]
    aborts.append(f"The sprint hypothesis fails twice: {hypothesis[0].lower()}{hypothesis[1:]}")
    return Roadmap(
        seven_day_sprint=SevenDaySprint(
            objective=f"{objective} (weakest axis: {AXIS_NAMES[weakest]}, {scores[weakest]})",
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

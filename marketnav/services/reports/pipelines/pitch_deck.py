"""Pitch deck: ten investor slides from the inputs and the Crunchbase and Tracxn data.

Steps (PREDECESSOR.md 4.7, its flaws fixed: real steps, Tracxn data actually used, one section
per slide so the viewer and every export show the deck):

- `init` checks the inputs the deck is built on;
- `gather_data` loads the latest completed Crunchbase and Tracxn reports (Social too when it
  exists): competitors, funding, market statistics;
- `ai_generation` writes exactly ten slides (titles from `PITCH_SLIDES`, 3-5 bullets each,
  speaker notes) as a structured output; offline, the slides are built from the inputs and
  the data;
- `html_gen` renders HTML/Markdown/JSON/PDF and the PPTX deck, `save` stores them.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from marketnav.db import session_scope
from marketnav.services.ai import OFFLINE_LABEL, acomplete_structured
from marketnav.services.ai.structured import dump_for_prompt
from marketnav.services.reports import social_insights
from marketnav.services.reports.catalog import PITCH_SLIDES
from marketnav.services.reports.context import RunContext, StepFailed
from marketnav.services.reports.pipelines.common import finish
from marketnav.services.reports.source_data import Company, SourceData, load_sources
from marketnav.services.reports.verdict_data import VerdictData
from marketnav.services.wording import plural
from scraper_services.common.money import format_usd as _usd

SOURCES = ("crunchbase", "tracxn", "social")
REQUIRED = ("crunchbase", "tracxn")
LABELS = {"crunchbase": "Crunchbase", "tracxn": "Tracxn", "social": "Social"}


class SlideDraft(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: str = Field(description="One of the ten slide titles, exactly")
    bullets: list[str] = Field(min_length=3, max_length=5, description="3-5 short bullets")
    notes: str = Field(default="", max_length=2500, description="Speaker notes")

    @field_validator("bullets")
    @classmethod
    def _clean(cls, bullets: list[str]) -> list[str]:
        cleaned = [re.sub(r"^\s*(?:[-*•→]|\d+[.)])\s*", "", b).strip() for b in bullets]
        cleaned = [b for b in cleaned if b]
        if len(cleaned) < 3:
            raise ValueError("each slide needs 3-5 non-empty bullets")
        too_long = [b[:40] for b in cleaned if len(b) > 400]
        if too_long:
            raise ValueError(f"bullets must be short (<= 400 characters): {too_long}")
        return cleaned


class PitchDeckDraft(BaseModel):
    """Exactly ten slides, one per title of the standard investor deck, in that order."""

    model_config = ConfigDict(extra="ignore")

    slides: list[SlideDraft] = Field(
        description="Exactly 10 slides titled: " + ", ".join(PITCH_SLIDES)
    )

    @field_validator("slides")
    @classmethod
    def _the_ten_slides(cls, slides: list[SlideDraft]) -> list[SlideDraft]:
        by_title: dict[str, SlideDraft] = {}
        for slide in slides:
            key = slide.title.strip().lower()
            match = next((t for t in PITCH_SLIDES if t.lower() == key), None)
            if match is None:
                raise ValueError(f"unknown slide title {slide.title!r}")
            if match in by_title:
                raise ValueError(f"slide {match!r} appears twice")
            slide.title = match
            by_title[match] = slide
        missing = [t for t in PITCH_SLIDES if t not in by_title]
        if missing:
            raise ValueError(f"missing slides: {', '.join(missing)}")
        return [by_title[t] for t in PITCH_SLIDES]


# -- data ------------------------------------------------------------------------------------


def _competitors(sources: dict[str, SourceData | None], limit: int = 10) -> list[dict[str, Any]]:
    merged: dict[str, tuple[Company, list[str]]] = {}
    for kind in REQUIRED:
        source = sources.get(kind)
        for company in source.companies if source else []:
            key = company.name.strip().lower()
            if key in merged:
                merged[key][1].append(LABELS[kind])
            else:
                merged[key] = (company, [LABELS[kind]])
    ranked = sorted(merged.values(), key=lambda item: (-(item[0].funding_usd or 0), item[0].name))
    return [
        {
            "name": c.name,
            "description": c.description[:220],
            "funding_usd": c.funding_usd,
            "funding": _usd(c.funding_usd) if c.funding_usd else "undisclosed",
            "country": c.country,
            "founded": c.founded_year,
            "sources": found_in,
        }
        for c, found_in in ranked[:limit]
    ]


def deck_data(inputs: dict[str, str], sources: dict[str, SourceData | None]) -> dict[str, Any]:
    """The facts the slides are written from (JSON-able)."""
    data = VerdictData(inputs=inputs, sources=sources)
    stats = {}
    for kind in REQUIRED:
        source = sources.get(kind)
        if source:
            st = source.statistics()
            analysed = (source.aggregates.get("companies_analysed") or {}).get("inputs") or {}
            # The figures the source report computed and showed (one figure, one computation);
            # runs from before stored aggregates fall back to computing them here.
            stats[kind] = {
                "label": f"{LABELS[kind]} v{source.version}",
                "companies_found": int(
                    source.aggregate("companies_found") or source.companies_found
                ),
                "funded": len(analysed["funded"]) if "funded" in analysed else st.funded_count,
                "total_funding_usd": source.aggregate("total_funding")
                if source.aggregates
                else st.total_funding_usd,
                "median_funding_usd": source.aggregate("median_funding")
                if source.aggregates
                else st.median_funding_usd,
                "countries": st.countries,
                "founded_range": st.founded_range,
                "frequent_terms": st.frequent_terms,
                "keywords": source.keywords,
                "version": source.version,
            }
    facts: dict[str, Any] = {
        "startup": inputs,
        "market": {
            "companies_found": data.companies_found,
            "by_source": stats,
        },
        "competitors": _competitors(sources),
        "price_points": data.price_points(),
    }
    social = sources.get("social")
    if social:
        pains = social_insights.category_evidence("pain_points", social.posts)
        facts["social"] = {
            "source": social.source_label,
            "post_count": len(social.posts),
            "sentiment": social_insights.sentiment_split(social.posts),
            "top_pain_posts": [p.get("text", "")[:220] for p in pains.top_posts],
        }
    return facts


# -- offline slides --------------------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text or "") if s.strip()]


def _or(value: str, fallback: str) -> str:
    return value.strip() or fallback


def _source_funding_lines(by_source: dict[str, dict[str, Any]]) -> list[str]:
    """Each source report's own counts and funding, as that report stated them."""
    lines = []
    for kind, st in by_source.items():
        funding = (
            f"{st['funded']} disclose {_usd(st['total_funding_usd'])} in total"
            if st.get("total_funding_usd")
            else "none discloses its funding"
        )
        lines.append(
            f"{st.get('label', kind)}: {plural(st['companies_found'], 'company')} found; {funding}"
        )
    return lines or ["No comparable companies in the data"]


def offline_deck(facts: dict[str, Any]) -> PitchDeckDraft:
    """Ten slides arranged from the inputs and the market data (no AI model)."""
    inp = facts["startup"]
    name = _or(inp.get("startup_name", ""), "The startup")
    description = _sentences(inp.get("startup_description", ""))
    audience = _or(inp.get("target_audience", ""), "the target customers (not stated)")
    model = _or(inp.get("business_model", ""), "not stated yet")
    stage = _or(inp.get("current_stage", ""), "not stated").replace("_", " ")
    regions = _or(inp.get("geographic_focus", ""), "not stated")
    market = facts["market"]
    competitors = facts["competitors"]
    social = facts.get("social")
    named = [c.strip() for c in inp.get("inspiration_sources", "").split(",") if c.strip()]
    prices = facts.get("price_points") or []
    source_note = f"{OFFLINE_LABEL}: built from the project inputs and the market data."

    problem = [f"Who: {audience}"]
    if social and social["top_pain_posts"]:
        problem.append(f'In their words: "{social["top_pain_posts"][0][:160]}"')
        problem.append(
            f"{plural(social['post_count'], 'post')} analysed ({social['source']}): "
            f"{social['sentiment']['negative']} negative, {social['sentiment']['positive']} "
            "positive"
        )
    else:
        problem.append(f"Research goal: {_or(inp.get('research_goal', ''), 'not stated')}")
    problem.append(f"{plural(market['companies_found'], 'company')} already work on it")
    solution = description[:3] or [f"{name}'s offer (describe it in the project inputs)"]
    while len(solution) < 3:
        solution.append(
            f"Built for {audience}" if len(solution) == 1 else f"Business model: {model}"
        )
    by_source = market["by_source"]
    countries = {}
    for stats in by_source.values():
        for country, count in (stats.get("countries") or {}).items():
            countries[country] = countries.get(country, 0) + count
    top_countries = ", ".join(sorted(countries, key=lambda c: -countries[c])[:4])
    slides = {
        "Title": [
            f"{name}: {description[0] if description else 'pitch deck'}",
            f"For {audience}",
            f"Stage: {stage} · Regions: {regions}",
        ],
        "Problem": problem,
        "Solution": solution[:5],
        "Market Opportunity": [
            *_source_funding_lines(by_source),
            f"Where they are: {top_countries or 'not stated'}",
            "TAM/SAM/SOM: not estimated offline; add market sizes before pitching",
        ],
        "Business Model": [
            f"Model: {model}",
            f"Price points customers mention: {', '.join(prices[:5])}"
            if prices
            else "Price points: none in the data yet; test pricing early",
            "Median disclosed funding of comparables: "
            + (
                " · ".join(
                    f"{_usd(st['median_funding_usd'])} ({st.get('label', kind)})"
                    for kind, st in by_source.items()
                    if st.get("median_funding_usd")
                )
                or "not disclosed in the data"
            ),
        ],
        "Competitive Landscape": [
            f"{c['name']} ({c['funding']}, {', '.join(c['sources'])})" for c in competitors[:4]
        ]
        or ["No comparable companies in the data"],
        "Traction": [
            f"Stage: {stage}",
            "Traction metrics (users, revenue, pilots): add them to the project inputs",
            f"Market signal: {social['post_count']} social posts on the problem"
            if social
            else "Market signal: run Social Analysis for demand evidence",
        ],
        "Team": [
            "Founders: names, roles and relevant experience (not in the project inputs)",
            f"Why this team can win with {name}: the insight behind the idea",
            f"Key hires for the {stage} stage",
        ],
        "Financial Projections": [
            f"Revenue model: {model}",
            f"Time range considered: {_or(inp.get('time_range', ''), 'not stated')}",
            "Projections: not estimated offline; add 3-year revenue and cost assumptions",
        ],
        "Ask": [
            f"Raise to move beyond the {stage} stage",
            f"Use of funds: product and go-to-market in {regions}",
            "Milestones the round buys: first paying customers, repeatable acquisition",
        ],
    }
    if named:
        slides["Competitive Landscape"].append(f"Named by the founders: {', '.join(named[:4])}")
    while len(slides["Competitive Landscape"]) < 3:
        slides["Competitive Landscape"].append("More comparables: broaden the market search")
    social_note = (
        f" The quote and counts come from {plural(social['post_count'], 'post')} "
        f"({social['source']})."
        if social
        else ""
    )
    notes = {
        "Title": f"Introduce {name} in one sentence: what it does and for whom.",
        "Problem": "Tell the customer's story before the product's." + social_note,
        "Solution": "Show how the product removes the problem; demo if you can.",
        "Market Opportunity": "The comparables prove investors fund this space; size the "
        "market with your own TAM/SAM/SOM before pitching.",
        "Business Model": "Explain who pays, how much and how often.",
        "Competitive Landscape": "Name the alternatives honestly and say where you win; "
        "funding figures come from Crunchbase and Tracxn.",
        "Traction": "Replace the placeholders with your real numbers: users, revenue, pilots.",
        "Team": "Why this team, why now: add founders and key hires.",
        "Financial Projections": "Walk through the revenue model and the assumptions.",
        "Ask": "State the amount, the runway it buys and the milestones it reaches.",
    }
    return PitchDeckDraft(
        slides=[
            SlideDraft(
                title=title, bullets=slides[title][:5], notes=f"{notes[title]} {source_note}"
            )
            for title in PITCH_SLIDES
        ]
    )


def slide_markdown(slide: SlideDraft) -> str:
    lines = [f"- {bullet}" for bullet in slide.bullets]
    if slide.notes:
        lines += ["", f"> **Speaker notes**: {slide.notes}"]
    return "\n".join(lines)


# -- steps -----------------------------------------------------------------------------------


async def _init(ctx: RunContext) -> dict[str, Any]:
    answered = ctx.info.inputs.answered()
    ctx.message("init", f"{len(answered)} answers to build the deck from", 100)
    return {"inputs": answered}


async def _gather(ctx: RunContext, inputs: dict[str, str]) -> dict[str, Any]:
    ctx.message("gather_data", "Loading the Crunchbase and Tracxn reports")

    def load() -> dict[str, SourceData | None]:
        with session_scope() as session:
            return load_sources(
                session, ctx.storage, ctx.info.organization_id, ctx.info.project_id, SOURCES
            )

    sources = await asyncio.to_thread(load)
    missing = [LABELS[k] for k in REQUIRED if sources.get(k) is None]
    if missing:
        raise StepFailed(f"The pitch deck needs a completed {' and '.join(missing)} report.")
    for kind in SOURCES:
        source = sources.get(kind)
        if source is None:
            continue
        count = len(source.posts) if kind == "social" else source.companies_found
        unit = "post" if kind == "social" else "company"
        ctx.detail(
            "gather_data",
            "data_loaded",
            f"{LABELS[kind]}: {plural(count, unit)} (version {source.version})",
            source=kind,
            records=count,
        )
    facts = deck_data(inputs, sources)
    ctx.message("gather_data", f"{len(facts['competitors'])} competitors to position against", 100)
    return facts


async def _slides(ctx: RunContext, facts: dict[str, Any]) -> dict[str, Any]:
    ctx.message("ai_generation", "Writing the ten slides", 10)
    outcome = await acomplete_structured(
        feature="pitch_deck",
        operation="pitch_deck_slides",
        output_model=PitchDeckDraft,
        messages=[
            {
                "role": "system",
                "content": "You write investor pitch decks. Write exactly ten slides titled, "
                f"in order: {', '.join(PITCH_SLIDES)}. Each slide has 3-5 short bullets "
                "(under 20 words each) and speaker notes of 2-4 sentences. Use the startup's "
                "own name, the inputs and the market data (competitors, funding, market "
                "statistics from Crunchbase and Tracxn); never invent traction, team members "
                "or financial figures: where the data has none, say what the founder must add.",
            },
            {
                "role": "user",
                "content": "Project inputs:\n"
                + ctx.info.inputs.as_prompt_text()
                + "\n\nMarket data (JSON):\n"
                + dump_for_prompt(facts),
            },
        ],
        offline=lambda: offline_deck(facts),
        description="Ten pitch deck slides",
        context=ctx.ai_context,
        max_tokens=4000,
    )
    deck: PitchDeckDraft = outcome.value
    for number, slide in enumerate(deck.slides, start=1):
        ctx.add_section(
            f"slide_{number:02d}",
            slide.title,
            slide_markdown(slide),
            position=number,
            kind="slide",
            data={"number": number, "bullets": slide.bullets, "notes": slide.notes},
        )
    ctx.message("ai_generation", f"{len(deck.slides)} slides written", 100)
    return {
        "slides": [s.model_dump() for s in deck.slides],
        "label": outcome.label,
        "offline": outcome.offline,
    }


async def run(ctx: RunContext) -> None:
    started = await ctx.step("init", lambda: _init(ctx))
    facts = await ctx.step(
        "gather_data", lambda: _gather(ctx, started["inputs"]), stored_as="deck_data.json"
    )
    deck = await ctx.step("ai_generation", lambda: _slides(ctx, facts))
    ctx.summary.update(
        {
            "slides": len(deck["slides"]),
            "slide_titles": [s["title"] for s in deck["slides"]],
            "competitors": len(facts["competitors"]),
            "sources": [k for k in SOURCES if k in facts["market"]["by_source"]]
            + (["social"] if facts.get("social") else []),
        }
    )
    await finish(ctx, f"Pitch deck: {len(deck['slides'])} slides")

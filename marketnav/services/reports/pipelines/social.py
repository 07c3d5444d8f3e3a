"""Social Analysis: what people say in social posts about the startup's problem space.

Steps (PREDECESSOR.md 4.5, its flaws fixed):

- `init`: three informal keywords or hashtags from a structured AI function (offline: derived
  from the inputs);
- `api_search`: every keyword searched at once (no sleeps between searches), one
  `search_result` detail per keyword, posts de-duplicated by id and stored as `raw_data.json`
  with the source's label ("Demo data set" for the bundled posts);
- the ten category steps run concurrently (bounded), each writing one section of 3-6
  executive bullets grounded in the posts ("No evidence in dataset" when they say nothing);
- `cross_cutting`: ten numbered insights over the categories; then `save`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from marketnav.services import social_data
from marketnav.services.ai import generate_social_keywords
from marketnav.services.reports import evidence, social_insights
from marketnav.services.reports.catalog import SOCIAL_CATEGORIES
from marketnav.services.reports.context import RunContext, StepFailed
from marketnav.services.reports.pipelines.common import finish, write_section
from marketnav.services.wording import plural
from marketnav.settings import get_settings

PROMPT_POST_CAP = 200
OVERVIEW_KEY = "social_overview"

CATEGORY_INSTRUCTIONS: dict[str, str] = {
    "segmentation": "Which customer segments speak up (who they are, their context) and what "
    "each segment needs.",
    "jtbd": "The jobs people hire a product for: the functional, emotional and social outcome "
    "they are after, in their words.",
    "pain_points": "The frictions, failures and frustrations people describe, most frequent "
    "and most intense first.",
    "feature_demand": "Features and capabilities people ask for or praise.",
    "willingness_to_pay": "What people say about prices, fees and value for money: amounts "
    "named, what they would pay for, what makes them cancel.",
    "competition": "The alternatives people use or switched from/to, and why.",
    "adoption_triggers": "The moments and reasons that made people try, buy or switch.",
    "user_roles": "The roles and organisational contexts of the people posting (buyer vs user).",
    "use_cases": "The concrete situations in which people use such products.",
    "sentiment": "The overall tone and how people perceive the products in this space.",
}

CATEGORY_RULES = (
    "You are the customer-insights lead. Use only the posts in the data; never invent "
    "geographies, prices, roles or numbers. Write 3-6 executive bullets, each grounded in the "
    "posts (quote short phrases, give counts). When the posts say nothing about the topic, "
    "write one bullet: 'No evidence in dataset'. Cite each quoted post as [@author](url) "
    "with its date. If a post's source is the 'Demo data set', the posts were written for "
    "demos: say so in one short closing line."
)
CITED_POSTS = 5


async def _keywords(ctx: RunContext) -> dict[str, Any]:
    ctx.message("init", "Choosing social keywords")
    result = await asyncio.to_thread(
        generate_social_keywords, ctx.info.inputs, context=ctx.ai_context
    )
    keywords = result.value.keywords
    for keyword in keywords:
        score = result.confidence.get(keyword)
        ctx.detail("init", "keyword", keyword, confidence=round(score.score, 2) if score else None)
    ctx.message("init", f"Keywords ready: {', '.join(keywords)}", 100)
    return {"keywords": keywords, "label": result.label, "offline": result.offline}


def _preview(post: social_data.SocialPost, limit: int = 90) -> str:
    text = " ".join(post.text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


async def _search(ctx: RunContext, keywords: list[str]) -> dict[str, Any]:
    """Search every keyword concurrently; dedup by id; the raw data for raw_data.json."""
    settings = get_settings()
    try:
        source = social_data.get_social_source(settings)
    except social_data.SocialDataError as err:
        raise StepFailed(str(err)) from err
    limit = settings.social_posts_per_keyword
    ctx.message("api_search", f"Searching {len(keywords)} keywords ({source.label})", 5)
    failures: dict[str, str] = {}

    async def one(keyword: str) -> list[social_data.SocialPost]:
        try:
            posts = await source.search(keyword, limit)
        except social_data.SocialDataError as err:
            failures[keyword] = str(err)
            ctx.detail("api_search", "error", f"Search for '{keyword}' failed: {err}")
            return []
        top = posts[0] if posts else None
        ctx.detail(
            "api_search",
            "search_result",
            f"Found {plural(len(posts), 'post')} for '{keyword}'"
            + (f" - Top: {_preview(top)}" if top else ""),
            keyword=keyword,
            count=len(posts),
            description=f"@{top.author.username}: {top.text}" if top else "",
            top_post_id=top.id if top else None,
            full_text=top.text if top else "",
            source=source.label,
        )
        return posts

    def progress(done: int, total: int) -> None:
        ctx.message("api_search", f"{done}/{total} keywords searched", 5 + 90 * done // total)

    results = await ctx.fan_out(keywords, one, limit=len(keywords), on_done=progress)
    if failures and len(failures) == len(keywords):
        raise StepFailed(
            "The social search failed for every keyword ("
            + "; ".join(sorted(set(failures.values())))
            + "). Retry later."
        )
    posts = social_data.dedupe([post for found in results for post in found])
    for keyword, errors in (getattr(source, "failures", None) or {}).items():
        for error in errors:  # one of several sources failed; the others' posts are kept
            ctx.detail("api_search", "error", f"Search for '{keyword}' partly failed: {error}")
    ctx.message("api_search", f"{len(posts)} unique posts from {source.label}", 100)
    return {
        "keywords": keywords,
        "source": source.label,
        "source_kind": source.kind,
        "per_keyword": {k: len(found) for k, found in zip(keywords, results, strict=True)},
        "failed_keywords": failures,
        "source_failures": dict(getattr(source, "failures", None) or {}),
        "posts": [p.model_dump(mode="json") for p in posts],
    }


def _overview_markdown(raw: dict[str, Any], split: dict[str, int]) -> str:
    posts = raw["posts"]
    source = raw["source"]
    by_source = social_insights.posts_by_source(posts)
    demo_note = (
        " (posts written by MarketNavigator for demos and tests, not real social media posts; "
        "set SOCIAL_SOURCES=hackernews,reddit for real posts)"
    )
    lines = [
        f"- **Source**: {source}" + (demo_note if raw.get("source_kind") == "demo" else ""),
        f"- **Posts analysed**: {len(posts)} unique posts",
        "- **Keywords**: "
        + ", ".join(f"'{k}' ({raw['per_keyword'].get(k, 0)} posts)" for k in raw["keywords"]),
        f"- **Sentiment split** (lexicon): {split['positive']} positive, "
        f"{split['negative']} negative, {split['neutral']} neutral",
    ]
    if len(by_source) > 1 or (raw.get("source_kind") == "mixed" and by_source):
        lines.append(
            "- **Posts per source**: "
            + ", ".join(
                f"{name} {count}" + (" (demo)" if name == social_data.DEMO_LABEL else "")
                for name, count in by_source.items()
            )
        )
    if raw.get("failed_keywords"):
        lines.append(f"- **Searches that failed**: {', '.join(raw['failed_keywords'])}")
    for keyword, errors in (raw.get("source_failures") or {}).items():
        lines.append(f"- **Sources that failed for '{keyword}'**: {'; '.join(errors)}")
    ordered = sorted(posts, key=lambda p: (-social_insights.engagement(p), p.get("id", "")))
    if ordered:
        lines += ["", "**Most engaging posts** (with link, author, date and source):", ""]
        for number, post in enumerate(ordered[:CITED_POSTS], start=1):
            lines.append(f"{number}. {social_insights.post_line(post)}")
    return "\n".join(lines)


async def _category(
    ctx: RunContext, key: str, title: str, position: int, raw: dict[str, Any]
) -> dict[str, Any]:
    posts = raw["posts"]
    source = raw["source"]
    evidence = social_insights.category_evidence(key, posts)
    ctx.message(key, f"{len(evidence.posts)} of {len(posts)} posts touch on this", 20)
    if posts:
        draft = await write_section(
            ctx,
            operation=f"social_{key}",
            instructions=f"{CATEGORY_RULES}\n\nSection: {title}. {CATEGORY_INSTRUCTIONS[key]}",
            data={
                "source": source,
                "keywords": raw["keywords"],
                "post_count": len(posts),
                "lexicon_evidence": evidence.as_data(),
                "posts": social_insights.prompt_posts(posts, PROMPT_POST_CAP),
            },
            offline=lambda: social_insights.offline_category_markdown(key, posts, source),
        )
        markdown = draft.markdown
    else:  # nothing to analyse: no model call, no invented bullets
        markdown = social_insights.offline_category_markdown(key, posts, source)
    markdown = f"{markdown.rstrip()}\n\n{social_insights.source_line(source, len(posts))}"
    ctx.add_section(key, title, markdown, position=position, data={"evidence": evidence.as_data()})
    return {"evidence": evidence.as_data()}


async def _cross_cutting(
    ctx: RunContext, raw: dict[str, Any], findings: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    posts = raw["posts"]
    source = raw["source"]

    def offline() -> str:
        return social_insights.offline_cross_cutting(
            posts, raw["keywords"], raw["per_keyword"], source
        )

    if posts:
        draft = await write_section(
            ctx,
            operation="social_cross_cutting",
            instructions=(
                f"{CATEGORY_RULES}\n\nSection: Cross-Cutting Insights. Write exactly 10 "
                "numbered insights (1-2 sentences each) that connect the categories below: "
                "patterns, contradictions, and what they mean for the startup. Write 'No "
                "evidence in dataset' for an insight the posts cannot support."
            ),
            data={
                "source": source,
                "post_count": len(posts),
                "category_evidence": findings,
                "posts": social_insights.prompt_posts(posts, 60),
            },
            offline=offline,
        )
        markdown = draft.markdown
    else:
        markdown = offline()
    markdown = f"{markdown.rstrip()}\n\n{social_insights.source_line(source, len(posts))}"
    ctx.add_section(
        "cross_cutting", "Cross-Cutting Insights", markdown, position=len(SOCIAL_CATEGORIES) + 1
    )
    return {"written": True}


async def run(ctx: RunContext) -> None:
    terms = await ctx.step("init", lambda: _keywords(ctx))

    async def search() -> dict[str, Any]:
        raw = await _search(ctx, terms["keywords"])
        split = social_insights.sentiment_split(raw["posts"])
        ctx.add_section(
            OVERVIEW_KEY,
            "Data Overview",
            _overview_markdown(raw, split),
            position=0,
            data={"source": raw["source"], "post_count": len(raw["posts"]), "sentiment": split},
        )
        return raw

    raw = await ctx.step(
        "api_search",
        search,
        stored_as="raw_data.json",
        metadata=lambda r: {"post_count": len(r["posts"]), "source": r["source"]},
    )
    # The posts every section quotes and cites (link, author, date, source).
    ctx.register_evidence(
        evidence.post_item(
            "social",
            post,
            f"Social · {post.get('source') or raw['source']}",
            (post.get("source") or raw["source"]) == social_data.DEMO_LABEL,
        )
        for post in raw["posts"]
    )
    ctx.register_evidence(
        [
            evidence.aggregate_item(
                "social",
                "posts_found",
                "Posts found by the search",
                len(raw["posts"]),
                f"{len(raw['posts'])} unique posts for {len(raw['keywords'])} keywords",
                {"per_keyword": raw["per_keyword"]},
                source=f"Social · {raw['source']}",
                demo=raw.get("source_kind") == "demo",
                fetched_at=None,
            )
        ]
    )
    if not raw["posts"]:
        ctx.summary["extra_sources"] = [
            evidence.empty_source_line(
                f"Social · {raw['source']}", "posts", raw.get("source_kind") == "demo"
            )
        ]

    # The ten categories at once (each its own checkpointed step), at most fan_out at a time;
    # every category finishes (or fails) before the run reports a failure, so a retry redoes
    # only the failed ones.
    bound = asyncio.Semaphore(ctx.fan_out_limit)

    async def category(position: int, key: str, title: str) -> dict[str, Any]:
        async with bound:
            return await ctx.step(key, lambda: _category(ctx, key, title, position, raw))

    outcomes = await asyncio.gather(
        *(
            category(position, key, title)
            for position, (key, title, _) in enumerate(SOCIAL_CATEGORIES, start=1)
        ),
        return_exceptions=True,
    )
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    findings = {
        key: outcome["evidence"]
        for (key, _, _), outcome in zip(SOCIAL_CATEGORIES, outcomes, strict=True)
    }
    await ctx.step("cross_cutting", lambda: _cross_cutting(ctx, raw, findings))

    posts = raw["posts"]
    split = social_insights.sentiment_split(posts)
    ctx.summary.update(
        {
            "post_count": len(posts),
            "keywords": raw["keywords"],
            "source": raw["source"],
            "source_kind": raw.get("source_kind", ""),
            "sentiment": split,
            "per_keyword": raw["per_keyword"],
            "sections_count": len(SOCIAL_CATEGORIES) + 2,
        }
    )
    by_source = social_insights.posts_by_source(posts)
    ctx.summary["posts_per_source"] = by_source
    # Demo when the source is the demo set, or when a mix of sources included demo posts.
    ctx.summary["demo_data"] = raw.get("source_kind") == "demo" or bool(
        by_source.get(social_data.DEMO_LABEL)
    )
    await finish(ctx, f"Analysis of {plural(len(posts), 'post')} ({raw['source']})")

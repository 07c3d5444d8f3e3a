"""Offline analysis of social posts: cue lexicons per category, lexicon sentiment, evidence.

Pure functions over post dicts (`SocialPost.model_dump(mode="json")`). The Social Analysis
pipeline uses them for its offline sections (no AI key) and for the numbers every version of
the report shows (sentiment split, per-category evidence counts). Every count is reproducible
from the posts: a cue is a whole word or phrase (a trailing `*` allows any ending).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from marketnav.services.ai import OFFLINE_LABEL
from marketnav.services.reports.catalog import SOCIAL_CATEGORIES

NO_EVIDENCE = "No evidence in dataset"

CATEGORY_CUES: dict[str, tuple[str, ...]] = {
    "segmentation": (
        "families", "family", "parents", "kids", "students", "professionals", "freelancer*",
        "small business*", "small agencies", "startups", "startup", "enterprise", "seniors",
        "retired", "beginners", "teams", "renters", "owners", "couples", "remote team*",
        "nurses", "teachers", "sellers", "dads", "moms", "teens", "rural",
    ),
    "jtbd": (
        "trying to", "so that", "so i can", "need to", "want to", "just want", "help me",
        "helps me", "looking for", "save time", "saves me", "stop thinking", "get paid",
        "keep track", "know how much", "decided for me",
    ),
    "pain_points": (
        "frustrat*", "annoy*", "hate", "broken", "break*", "crash*", "slow", "confusing",
        "waste*", "too expensive", "nightmare", "worst", "painful", "struggl*", "problem",
        "late", "lost", "missing", "scam*", "clunky", "unusable", "exhausting", "overload",
        "mess", "brutal", "never answered", "took forever", "charged me",
    ),
    "feature_demand": (
        "wish", "would love", "please add", "feature", "integrat*", "need a", "needs a",
        "if only", "should have", "should be", "support for", "export*", "offline mode",
        "filter*", "dashboard", "would pay", "the dream", "killer feature",
    ),
    "willingness_to_pay": (
        "price*", "pricing", "pay", "paid", "paying", "worth", "expensive", "cheap*", "cost*",
        "fee", "fees", "per month", "a month", "/mo", "/month", "per seat", "per user",
        "annual plan", "free tier", "free trial", "discount", "subscription", "commission",
    ),
    "competition": (
        "switched", "switch", "switching", "alternative*", "instead of", "compared to", "vs",
        "versus", "better than", "moved from", "other app*", "old app", "big app",
        "the big", "competitor*", "migration", "migrat*", "outgrew",
    ),
    "adoption_triggers": (
        "finally", "signed up", "tried", "first time", "recommended", "started using",
        "started", "decided", "gave it a try", "convinced", "converted", "trigger*",
        "free trial", "because my", "after my", "since i",
    ),
    "user_roles": (
        "as a", "as an", "i'm a", "our team", "my team", "manager", "founder", "owner",
        "developer", "designer", "nurse", "teacher", "mom", "dad", "accountant", "recruiter*",
        "hr", "sales rep*", "reps", "agents", "operations team", "finance team", "physio*",
        "vet tech", "practitioners", "writers", "sellers", "drivers",
    ),
    "use_cases": (
        "use it for", "using it to", "for my", "every morning", "every week", "weekly",
        "on the go", "at work", "when i", "for our", "to track", "to plan", "to manage",
        "road trip", "commute", "on the subway", "for work", "use case", "we use", "i use",
        "for travel", "for recovery", "onboarding",
    ),
    "sentiment": (),
}  # fmt: skip

_POSITIVE_TEXT = """
love loved loving great amazing awesome best recommend recommended easy happy favorite
favourite lifesaver helpful smooth perfect glad saved thrilled motivating motivated fantastic
excellent enjoy enjoying enjoyed good better fun works calmer convenient incredible wonders
approved impressed
"""
_NEGATIVE_TEXT = """
hate hated terrible awful worst broken annoying frustrating frustrated disappointed waste
wasting slow confusing expensive cancelled canceled cancel bug crash crashed crashing useless
scam scammed ridiculous nightmare regret painful unusable clunky brutal embarrassing exhausting
scary scares demotivating steep wild irony fake rigid boring struggle struggling overkill
"""
POSITIVE = frozenset(_POSITIVE_TEXT.split())
NEGATIVE = frozenset(_NEGATIVE_TEXT.split())
NEGATORS = frozenset(("not", "no", "never", "isn't", "wasn't", "don't", "doesn't", "didn't"))
PRICE = re.compile(
    r"(?:[$€£]\s?\d[\d,]*(?:\.\d+)?(?:\s?[kKmM]\b)?|\d+(?:\.\d+)?\s?(?:USD|EUR|GBP)\b)"
)
_TOKEN = re.compile(r"[a-z][a-z0-9'\-]*")


@lru_cache(maxsize=256)
def _cue_pattern(cue: str) -> re.Pattern[str]:
    prefix = cue.endswith("*")
    body = re.escape(cue.rstrip("*"))
    tail = r"[\w'\-]*" if prefix else r"(?![\w])"
    return re.compile(rf"(?<![\w]){body}{tail}", re.IGNORECASE)


def matched_cues(text: str, cues: tuple[str, ...]) -> list[str]:
    """The cues that occur in the text (each once)."""
    return [cue.rstrip("*") for cue in cues if _cue_pattern(cue).search(text)]


def sentiment_score(text: str) -> int:
    """Positive minus negative lexicon words; a negator just before a word flips it."""
    tokens = _TOKEN.findall(text.lower())
    score = 0
    for index, token in enumerate(tokens):
        polarity = 1 if token in POSITIVE else -1 if token in NEGATIVE else 0
        if polarity and index and tokens[index - 1] in NEGATORS:
            polarity = -polarity
        score += polarity
    return score


def sentiment_of(text: str) -> str:
    score = sentiment_score(text)
    return "positive" if score > 0 else "negative" if score < 0 else "neutral"


def sentiment_split(posts: list[dict[str, Any]]) -> dict[str, int]:
    split = {"positive": 0, "negative": 0, "neutral": 0}
    for post in posts:
        split[sentiment_of(post.get("text", ""))] += 1
    return split


def engagement(post: dict[str, Any]) -> int:
    return (
        int(post.get("likes") or 0)
        + 2 * int(post.get("retweets") or 0)
        + int(post.get("replies") or 0)
    )


def prices_in(text: str) -> list[str]:
    return [m.group(0).strip() for m in PRICE.finditer(text)]


@dataclass
class CategoryEvidence:
    """Which posts support one category and why."""

    key: str
    title: str
    total_posts: int
    posts: list[dict[str, Any]] = field(default_factory=list)
    cue_counts: Counter[str] = field(default_factory=Counter)

    @property
    def share(self) -> float:
        return len(self.posts) / self.total_posts if self.total_posts else 0.0

    @property
    def top_posts(self) -> list[dict[str, Any]]:
        return sorted(self.posts, key=lambda p: (-engagement(p), p.get("id", "")))[:3]

    def as_data(self) -> dict[str, Any]:
        """Counts for prompts, summaries and later reports (JSON-able)."""
        return {
            "key": self.key,
            "title": self.title,
            "matching_posts": len(self.posts),
            "share": round(self.share, 3),
            "top_cues": dict(self.cue_counts.most_common(6)),
            "top_post_ids": [p.get("id") for p in self.top_posts],
        }


def category_title(key: str) -> str:
    return next(title for k, title, _ in SOCIAL_CATEGORIES if k == key)


def category_evidence(key: str, posts: list[dict[str, Any]]) -> CategoryEvidence:
    """Posts that carry the category's cues (sentiment: posts with a clear polarity)."""
    evidence = CategoryEvidence(key, category_title(key), len(posts))
    for post in posts:
        text = post.get("text", "")
        if key == "sentiment":
            polarity = sentiment_of(text)
            if polarity != "neutral":
                evidence.posts.append(post)
                evidence.cue_counts[polarity] += 1
            continue
        cues = matched_cues(text, CATEGORY_CUES[key])
        if key == "willingness_to_pay":
            cues += [f"price {p}" for p in prices_in(text)][:2]
        if cues:
            evidence.posts.append(post)
            evidence.cue_counts.update(cues)
    return evidence


def _excerpt(text: str, limit: int = 140) -> str:
    text = re.sub(r"\s+", " ", text).strip().replace("|", "/")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def post_citation(post: dict[str, Any]) -> str:
    """Who posted it, when and where: "[@author](url), 2024-05-01, Reddit search"."""
    author = (post.get("author") or {}).get("username") or "unknown"
    url = str(post.get("url") or "")
    who = f"[@{author}]({url})" if url.startswith(("https://", "http://")) else f"@{author}"
    date = str(post.get("created_at") or "")[:10] or "date unknown"
    source = str(post.get("source") or "")
    return ", ".join(part for part in (who, date, source) if part)


def post_line(post: dict[str, Any]) -> str:
    return (
        f'"{_excerpt(post.get("text", ""))}" ({post_citation(post)}; '
        f"{post.get('likes', 0)} likes, {post.get('retweets', 0)} reposts)"
    )


def _cues_text(counts: Counter[str], limit: int = 5) -> str:
    return ", ".join(f'"{cue}" ({n})' for cue, n in counts.most_common(limit))


def source_line(source: str, post_count: int) -> str:
    if source == "Demo data set":
        return (
            f"_Data: {post_count} posts from the {source} (demo posts written by MarketNavigator, "
            "not real users)._"
        )
    demo = (
        " (the Demo data set's posts are demo posts, not real users)"
        if "Demo data set" in (source)
        else ""
    )
    return f"_Data: {post_count} posts from {source}{demo}._"


def posts_by_source(posts: list[dict[str, Any]]) -> dict[str, int]:
    """How many posts each source gave, largest first."""
    counts = Counter(str(p.get("source") or "unknown") for p in posts)
    return dict(counts.most_common())


def offline_category_markdown(key: str, posts: list[dict[str, Any]], source: str) -> str:
    """3-6 bullets computed from the posts, or "No evidence in dataset"."""
    evidence = category_evidence(key, posts)
    lines = [f"_{OFFLINE_LABEL}: computed from the posts, no AI model used._", ""]
    total = len(posts)
    if not evidence.posts:
        subject = evidence.title.lower()
        lines.append(f"- {NO_EVIDENCE}: none of the {total} posts touches on {subject}.")
        return "\n".join(lines)
    count = len(evidence.posts)
    share = f"{count} of {total} posts ({evidence.share:.0%})"
    split = sentiment_split(evidence.posts)
    if key == "sentiment":
        overall = sentiment_split(posts)
        lines.append(
            f"- **Overall tone**: {overall['positive']} positive, {overall['negative']} "
            f"negative and {overall['neutral']} neutral posts (lexicon sentiment)."
        )
        for polarity in ("positive", "negative"):
            chosen = [p for p in evidence.posts if sentiment_of(p.get("text", "")) == polarity]
            if chosen:
                best = max(chosen, key=engagement)
                lines.append(f"- **Most engaging {polarity} post**: {post_line(best)}")
            else:
                lines.append(f"- **{polarity.title()} posts**: {NO_EVIDENCE}.")
    else:
        lines.append(
            f"- **{share}** touch on {evidence.title.lower()}; most frequent cues: "
            f"{_cues_text(evidence.cue_counts)}."
        )
        for post in evidence.top_posts[:2]:
            lines.append(f"- **Evidence**: {post_line(post)}")
        lines.append(
            f"- **Tone of these posts**: {split['positive']} positive, {split['negative']} "
            f"negative, {split['neutral']} neutral."
        )
        if key == "willingness_to_pay":
            amounts = [a for p in evidence.posts for a in prices_in(p.get("text", ""))]
            lines.append(
                f"- **Price points mentioned**: {', '.join(dict.fromkeys(amounts[:8]))}."
                if amounts
                else f"- **Price points mentioned**: {NO_EVIDENCE}."
            )
    if evidence.share < 0.1:
        lines.append("- Thin evidence: fewer than one post in ten; treat as anecdotal.")
    return "\n".join(lines[:8])


def offline_cross_cutting(
    posts: list[dict[str, Any]], keywords: list[str], per_keyword: dict[str, int], source: str
) -> str:
    """Exactly ten numbered insights computed from the posts."""
    total = len(posts)
    evidence = {key: category_evidence(key, posts) for key, _, _ in SOCIAL_CATEGORIES}
    strongest = sorted((e for k, e in evidence.items() if k != "sentiment"), key=lambda e: -e.share)
    missing = [e.title for e in evidence.values() if not e.posts]
    split = sentiment_split(posts)
    amounts = [a for p in posts for a in prices_in(p.get("text", ""))]
    best = max(posts, key=engagement) if posts else None
    dates = sorted(str(p.get("created_at") or "")[:10] for p in posts if p.get("created_at"))

    def top_cue(key: str) -> str:
        counts = evidence[key].cue_counts
        return f'"{counts.most_common(1)[0][0]}"' if counts else ""

    searched = ", ".join(f"'{k}' ({per_keyword.get(k, 0)})" for k in keywords) or "none"
    insights = [
        f"Volume: {total} unique posts from the {source} for {searched}."
        if total
        else f"Volume: {NO_EVIDENCE}: the searches for {searched} returned no posts.",
        f"Tone: {split['positive']} positive, {split['negative']} negative, "
        f"{split['neutral']} neutral posts (lexicon sentiment).",
        (
            f"Strongest signal: {strongest[0].title} ({len(strongest[0].posts)} posts, "
            f"{strongest[0].share:.0%})."
            if strongest and strongest[0].posts
            else f"Strongest signal: {NO_EVIDENCE}."
        ),
        f"Gaps: no posts for {', '.join(missing)}."
        if missing
        else "Gaps: every category has at least one supporting post.",
        (
            f"Main friction: {top_cue('pain_points')} leads the pain cues across "
            f"{len(evidence['pain_points'].posts)} posts."
            if evidence["pain_points"].posts
            else f"Main friction: {NO_EVIDENCE}."
        ),
        (
            f"Most requested: {top_cue('feature_demand')} across "
            f"{len(evidence['feature_demand'].posts)} feature-demand posts."
            if evidence["feature_demand"].posts
            else f"Most requested: {NO_EVIDENCE}."
        ),
        (
            f"Pricing: {len(evidence['willingness_to_pay'].posts)} posts talk about price; "
            f"amounts named: {', '.join(dict.fromkeys(amounts[:6])) or 'none'}."
            if evidence["willingness_to_pay"].posts
            else f"Pricing: {NO_EVIDENCE}."
        ),
        (
            f"Switching: {len(evidence['competition'].posts)} posts compare or switch "
            "between alternatives, so buyers already have options."
            if evidence["competition"].posts
            else f"Switching: {NO_EVIDENCE}."
        ),
        f"Most engaging post: {post_line(best)}."
        if best
        else f"Most engaging post: {NO_EVIDENCE}.",
        f"Caveat: posts dated {dates[0]} to {dates[-1]}; source: {source}"
        + (" (written for demos, not real users)." if source == "Demo data set" else ".")
        if dates
        else f"Caveat: source: {source}; post dates unknown.",
    ]
    header = [f"_{OFFLINE_LABEL}: computed from the posts, no AI model used._", ""]
    return "\n".join(header + [f"{n}. {text}" for n, text in enumerate(insights, start=1)])


def prompt_posts(posts: list[dict[str, Any]], cap: int = 200) -> list[dict[str, Any]]:
    """Posts reduced for prompts (text, engagement, date, author, link, source), top first."""
    ordered = sorted(posts, key=lambda p: (-engagement(p), p.get("id", "")))[:cap]
    return [
        {
            "text": p.get("text", ""),
            "likes": p.get("likes", 0),
            "retweets": p.get("retweets", 0),
            "date": str(p.get("created_at") or "")[:10],
            "author": (p.get("author") or {}).get("username", ""),
            "url": p.get("url", ""),
            "source": p.get("source", ""),
        }
        for p in ordered
    ]

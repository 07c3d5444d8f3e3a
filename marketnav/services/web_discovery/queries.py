"""The web search queries of one run, built from the project (and cut to the run's budget).

In the order they are worth a query: each named competitor ("alternatives to X",
"X competitors"), the idea itself in a few words with its audience, then the report's
category terms ("best <term> software"). Duplicates are dropped; the budget keeps the first.
"""

from __future__ import annotations

import re

from marketnav.services.ai import ProjectInputsData
from marketnav.services.reports.competitor_query import named_competitors

_WORD = re.compile(r"[\w'\u2019-]+")
# Words that carry no meaning for a search engine (the idea's first sentence is full of them).
_FILLER_WORDS = """
    a an the and or of for to in on with without by from our we us you your they their it
    its is are be been being that this these those who which what when where how want wants
    build building built make makes making let lets help helps giving gives give get gets
    can could would should will just very really so than then also into over under about
    platform app tool tools solution solutions startup company product service services
    struggle struggles spend spends lot lots many much more most every each all any some
"""
_FILLER = frozenset(_FILLER_WORDS.split())
IDEA_WORDS = 9


def idea_terms(text: str, limit: int = IDEA_WORDS) -> str:
    """The content words of a description, in order ("We help small forwarders ..." ->
    "small forwarders ...")."""
    words = [w for w in _WORD.findall(text) if w.lower() not in _FILLER and len(w) > 1]
    return " ".join(list(dict.fromkeys(words))[:limit])


def build_queries(inputs: ProjectInputsData, keywords: list[str], budget: int) -> list[str]:
    """At most `budget` distinct queries for this project."""
    queries: list[str] = []
    for name in named_competitors(inputs.inspiration_sources)[:2]:
        queries += [f"alternatives to {name}", f"{name} competitors"]
    idea = idea_terms(inputs.startup_description)
    audience = idea_terms(inputs.target_audience, 5)
    if idea:
        queries.append(f"{idea} {audience}".strip())
    for keyword in keywords[:4]:
        queries.append(f"best {keyword} software")
    if audience and keywords:
        queries.append(f"{keywords[0]} for {audience}")
    unique = list(dict.fromkeys(q.strip() for q in queries if q.strip()))
    # Named competitors first, but never all of the budget: keep one slot for the idea itself.
    if idea and len(unique) > budget and unique[:budget].count(f"{idea} {audience}".strip()) == 0:
        unique.insert(budget - 1, f"{idea} {audience}".strip())
        unique = list(dict.fromkeys(unique))
    return unique[:budget]

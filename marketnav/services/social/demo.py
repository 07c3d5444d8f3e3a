"""The bundled demo data set (marketnav/data/social_demo.json) and its keyword search.

Every post in it was written by this project (scripts/build_social_demo.py) and every result
is labelled `source="Demo data set"`, so demo posts are never taken for real ones.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from marketnav.services.ai.text_terms import content_words, stem, words
from marketnav.services.social.models import SocialPost, top_order

DEMO_DATA_PATH = Path(__file__).resolve().parent.parent.parent / "data" / "social_demo.json"
DEMO_LABEL = "Demo data set"


class KeywordQuery:
    """A keyword as the demo search understands it.

    A post matches when it contains every content word of the keyword (by stem), or when the
    keyword written as one word ("#mealkits", "meal kits") occurs as one or several adjacent
    words of the post ("meal kit", "#mealkit").
    """

    def __init__(self, keyword: str):
        self.keyword = keyword.strip()
        cleaned = self.keyword.replace("#", " ").replace('"', " ")
        self.terms = {stem(w) for w in content_words(cleaned) if len(w) > 1}
        self.squashed = stem("".join(words(cleaned)))

    @property
    def usable(self) -> bool:
        return bool(self.terms) or len(self.squashed) >= 4

    def matches(self, text: str) -> bool:
        stems, joined = _text_terms(text)
        if self.terms and self.terms <= stems:
            return True
        return len(self.squashed) >= 4 and self.squashed in joined


@lru_cache(maxsize=16384)
def _text_terms(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """A post's word stems, and the stems of each 1-3 adjacent words written as one.

    Kept per text: every search of a run went through every post again (~0.3 s a run).
    """
    tokens = words(text)
    joined = {
        stem("".join(tokens[start : start + size]))
        for size in (1, 2, 3)
        for start in range(0, len(tokens) - size + 1)
    }
    return frozenset(stem(t) for t in tokens), frozenset(joined)


@lru_cache(maxsize=4)
def load_demo_posts(path: Path = DEMO_DATA_PATH) -> tuple[SocialPost, ...]:
    """The demo data set's posts (each labelled with the demo source)."""
    data = json.loads(path.read_text())
    return tuple(
        SocialPost.model_validate({**item, "source": DEMO_LABEL}) for item in data["posts"]
    )


class DemoSocialSource:
    """Searches the bundled demo data set; every result says it is demo data."""

    label = DEMO_LABEL
    kind = "demo"

    def __init__(self, posts: tuple[SocialPost, ...] | list[SocialPost] | None = None):
        self._posts = tuple(posts) if posts is not None else load_demo_posts()

    async def search(self, keyword: str, limit: int) -> list[SocialPost]:
        query = KeywordQuery(keyword)
        if not query.usable or limit <= 0:
            return []
        found = [p for p in self._posts if query.matches(p.text)]
        return [p.model_copy() for p in top_order(found)[:limit]]

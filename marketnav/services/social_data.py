"""Social posts for the Social Analysis report: the demo data set or twitterapi.io.

`get_social_source()` picks the source from settings (`SOCIAL_SOURCE`):

- `DemoSocialSource` (default) searches `marketnav/data/social_demo.json`, posts written by this
  project for demos and tests. Every post it returns has `source="Demo data set"`, and reports
  show that label, so demo posts are never mistaken for real ones.
- `LiveSocialSource` calls twitterapi.io's advanced search (`x-api-key` header, `queryType=Top`,
  cursor pagination) with httpx and tenacity retries on 429 and 5xx.

Both implement `SocialSource.search(keyword, limit)`: the top posts for one keyword, most
engaging first. No Reflex or Celery imports here.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import httpx
from pydantic import BaseModel, Field
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from marketnav.services.ai.text_terms import content_words, stem, words
from marketnav.settings import Settings, get_settings

DEMO_DATA_PATH = Path(__file__).resolve().parent.parent / "data" / "social_demo.json"
DEMO_LABEL = "Demo data set"
LIVE_LABEL = "X via twitterapi.io"
SEARCH_PATH = "/twitter/tweet/advanced_search"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
PAGE_SIZE = 20  # twitterapi.io returns about 20 posts per page
MAX_PAGES = 10


class SocialDataError(RuntimeError):
    """The social source failed (the message is safe to show; it never holds the key)."""

    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


class SocialAuthor(BaseModel):
    username: str = ""
    name: str = ""
    followers: int = 0


class SocialPost(BaseModel):
    """One post, the same shape from every source."""

    id: str
    text: str
    author: SocialAuthor = Field(default_factory=SocialAuthor)
    created_at: datetime | None = None
    likes: int = 0
    retweets: int = 0
    replies: int = 0
    url: str = ""
    source: str = ""

    @property
    def engagement(self) -> int:
        """Likes + 2 x reposts + replies (a repost spreads a post further than a like)."""
        return self.likes + 2 * self.retweets + self.replies


class SocialSource(Protocol):
    label: str
    kind: str

    async def search(self, keyword: str, limit: int) -> list[SocialPost]: ...


def dedupe(posts: list[SocialPost]) -> list[SocialPost]:
    """Posts without repeats (by id), first occurrence kept."""
    seen: set[str] = set()
    unique: list[SocialPost] = []
    for post in posts:
        if post.id not in seen:
            seen.add(post.id)
            unique.append(post)
    return unique


def top_order(posts: list[SocialPost]) -> list[SocialPost]:
    """Most engaging first; newer first among equals."""
    return sorted(
        posts,
        key=lambda p: (-p.engagement, -(p.created_at.timestamp() if p.created_at else 0), p.id),
    )


# -- demo data set -----------------------------------------------------------------------


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
        tokens = words(text)
        token_stems = {stem(t) for t in tokens}
        if self.terms and self.terms <= token_stems:
            return True
        if len(self.squashed) < 4:
            return False
        for size in (1, 2, 3):
            for start in range(0, len(tokens) - size + 1):
                if stem("".join(tokens[start : start + size])) == self.squashed:
                    return True
        return False


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


# -- twitterapi.io -----------------------------------------------------------------------


class _Retryable(Exception):
    def __init__(self, response: httpx.Response):
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def _parse_date(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    for parse in (
        lambda v: datetime.strptime(v, "%a %b %d %H:%M:%S %z %Y"),
        lambda v: datetime.fromisoformat(v.replace("Z", "+00:00")),
    ):
        try:
            return parse(value)
        except ValueError:
            continue
    return None


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) else 0


def post_from_tweet(tweet: dict[str, Any], source: str = LIVE_LABEL) -> SocialPost:
    """A `SocialPost` from one twitterapi.io tweet object."""
    author = tweet.get("author") or {}
    username = str(author.get("userName") or author.get("username") or "")
    post_id = str(tweet.get("id") or "")
    return SocialPost(
        id=post_id,
        text=str(tweet.get("text") or ""),
        author=SocialAuthor(
            username=username,
            name=str(author.get("name") or ""),
            followers=_int(author.get("followers", author.get("followers_count"))),
        ),
        created_at=_parse_date(tweet.get("createdAt") or tweet.get("created_at")),
        likes=_int(tweet.get("likeCount")),
        retweets=_int(tweet.get("retweetCount")),
        replies=_int(tweet.get("replyCount")),
        url=str(
            tweet.get("url") or (f"https://x.com/{username}/status/{post_id}" if username else "")
        ),
        source=source,
    )


class LiveSocialSource:
    """twitterapi.io advanced search ("Top" posts), paginated with its cursor."""

    label = LIVE_LABEL
    kind = "live"

    def __init__(
        self,
        api_key: str,
        base_url: str = "https://api.twitterapi.io",
        *,
        timeout: float = 60.0,
        attempts: int = 4,
        backoff_initial: float = 2.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        if not api_key:
            raise SocialDataError("SOCIAL_SOURCE=live needs TWITTER_API_KEY to be set.")
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        self._timeout = httpx.Timeout(timeout, connect=10.0)
        self._attempts = attempts
        self._wait = wait_exponential(multiplier=backoff_initial, max=20.0)
        self._transport = transport

    def _retrying(self) -> AsyncRetrying:
        return AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=self._wait,
            retry=retry_if_exception_type((_Retryable, httpx.TransportError)),
            reraise=True,
        )

    async def _page(self, client: httpx.AsyncClient, params: dict[str, str]) -> dict[str, Any]:
        try:
            async for attempt in self._retrying():
                with attempt:
                    response = await client.get(SEARCH_PATH, params=params)
                    if response.status_code in RETRY_STATUSES:
                        raise _Retryable(response)
        except _Retryable as err:
            status = err.response.status_code
            raise SocialDataError(
                f"twitterapi.io kept failing (HTTP {status}); try again later.", status
            ) from err
        except httpx.TransportError as err:
            raise SocialDataError(f"twitterapi.io is unreachable ({type(err).__name__}).") from err
        if response.status_code in (401, 403):
            raise SocialDataError(
                f"twitterapi.io rejected the API key (HTTP {response.status_code}).",
                response.status_code,
            )
        if response.status_code >= 400:
            raise SocialDataError(
                f"twitterapi.io answered HTTP {response.status_code}.", response.status_code
            )
        try:
            body = response.json()
        except ValueError as err:
            raise SocialDataError("twitterapi.io answered with invalid JSON.") from err
        if not isinstance(body, dict):
            raise SocialDataError("twitterapi.io answered with an unexpected shape.")
        return body

    async def search(self, keyword: str, limit: int) -> list[SocialPost]:
        posts: list[SocialPost] = []
        cursor = ""
        pages = min(MAX_PAGES, max(1, -(-limit // PAGE_SIZE) + 1))
        async with httpx.AsyncClient(
            base_url=self._base_url,
            headers={"x-api-key": self._api_key},
            timeout=self._timeout,
            transport=self._transport,
        ) as client:
            for _ in range(pages):
                params = {"query": keyword, "queryType": "Top"}
                if cursor:
                    params["cursor"] = cursor
                body = await self._page(client, params)
                for tweet in body.get("tweets") or []:
                    if isinstance(tweet, dict) and tweet.get("id") and tweet.get("text"):
                        posts.append(post_from_tweet(tweet))
                posts = dedupe(posts)
                cursor = str(body.get("next_cursor") or "")
                if len(posts) >= limit or not body.get("has_next_page") or not cursor:
                    break
        return posts[:limit]


def get_social_source(settings: Settings | None = None) -> SocialSource:
    """The configured source (demo unless SOCIAL_SOURCE=live)."""
    settings = settings or get_settings()
    if settings.social_source == "live":
        return LiveSocialSource(
            settings.twitter_api_key.get_secret_value(), settings.twitter_api_base_url
        )
    return DemoSocialSource()

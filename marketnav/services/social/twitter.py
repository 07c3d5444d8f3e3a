"""X posts via twitterapi.io's advanced search (paid key: `TWITTER_API_KEY`)."""

from __future__ import annotations

from typing import Any

import httpx

from marketnav.services.social.http import JsonClient, as_int, parse_datetime
from marketnav.services.social.models import SocialAuthor, SocialDataError, SocialPost, dedupe

LIVE_LABEL = "X via twitterapi.io"
SEARCH_PATH = "/twitter/tweet/advanced_search"
PAGE_SIZE = 20  # twitterapi.io returns about 20 posts per page
MAX_PAGES = 10


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
            followers=as_int(author.get("followers", author.get("followers_count"))),
        ),
        created_at=parse_datetime(tweet.get("createdAt") or tweet.get("created_at")),
        likes=as_int(tweet.get("likeCount")),
        retweets=as_int(tweet.get("retweetCount")),
        replies=as_int(tweet.get("replyCount")),
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
        max_wait: float = 20.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        if not api_key:
            raise SocialDataError("The twitter source needs TWITTER_API_KEY to be set.")
        self._api_key = api_key
        self._http = JsonClient(
            "twitterapi.io",
            base_url,
            timeout=timeout,
            attempts=attempts,
            backoff_initial=backoff_initial,
            max_wait=max_wait,
            transport=transport,
            auth_message=lambda status: f"twitterapi.io rejected the API key (HTTP {status}).",
        )

    async def search(self, keyword: str, limit: int) -> list[SocialPost]:
        posts: list[SocialPost] = []
        cursor = ""
        pages = min(MAX_PAGES, max(1, -(-limit // PAGE_SIZE) + 1))
        async with self._http.session({"x-api-key": self._api_key}) as client:
            for _ in range(pages):
                params = {"query": keyword, "queryType": "Top"}
                if cursor:
                    params["cursor"] = cursor
                body = await self._http.get_json(client, SEARCH_PATH, params)
                for tweet in body.get("tweets") or []:
                    if isinstance(tweet, dict) and tweet.get("id") and tweet.get("text"):
                        posts.append(post_from_tweet(tweet))
                posts = dedupe(posts)
                cursor = str(body.get("next_cursor") or "")
                if len(posts) >= limit or not body.get("has_next_page") or not cursor:
                    break
        return posts[:limit]

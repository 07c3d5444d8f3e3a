"""Reddit's public search (`/search.json`, no key; a descriptive User-Agent is required).

`GET {base}/search.json?q=...&sort=relevance&limit=100&after=...` answers a Listing:
`{"data": {"children": [{"data": {...}}], "after": "t3_x"|null}}`; each child has id, title,
selftext, author, created_utc, score, num_comments, permalink and subreddit. Reddit rate-limits
with 429 and `x-ratelimit-reset` / `Retry-After` (seconds); it may answer 403 to clients it
blocks (often cloud hosts).
"""

from __future__ import annotations

from typing import Any

import httpx

from marketnav.services.social.http import JsonClient, as_int, parse_datetime
from marketnav.services.social.models import SocialAuthor, SocialPost, dedupe

REDDIT_LABEL = "Reddit search"
REDDIT_SITE = "https://www.reddit.com"
DEFAULT_USER_AGENT = "MarketNavigator/1.0 (market research; social post search)"


def post_from_child(child: dict[str, Any]) -> SocialPost | None:
    """A `SocialPost` from one Listing child (None when it has no id or no text)."""
    data = child.get("data") if isinstance(child.get("data"), dict) else child
    post_id = str(data.get("id") or "")
    text = "\n\n".join(
        part.strip()
        for part in (str(data.get("title") or ""), str(data.get("selftext") or ""))
        if part.strip()
    )
    if not post_id or not text:
        return None
    permalink = str(data.get("permalink") or "")
    subreddit = str(data.get("subreddit") or "")
    return SocialPost(
        id=f"reddit-{post_id}",
        text=text,
        author=SocialAuthor(username=str(data.get("author") or "")),
        created_at=parse_datetime(data.get("created_utc")),
        likes=max(0, as_int(data.get("score"))),
        replies=as_int(data.get("num_comments")),
        url=f"{REDDIT_SITE}{permalink}" if permalink.startswith("/") else permalink,
        source=REDDIT_LABEL,
        channel=f"r/{subreddit}" if subreddit else "",
    )


class RedditSource:
    """Reddit search by relevance, paginated with `after` up to `max_pages`."""

    label = REDDIT_LABEL
    kind = "live"

    def __init__(
        self,
        base_url: str = REDDIT_SITE,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        page_size: int = 100,
        max_pages: int = 5,
        http: dict[str, Any] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self._page_size = max(1, min(page_size, 100))
        self._max_pages = max(1, max_pages)
        self._http = JsonClient(
            "Reddit search",
            base_url,
            headers={"User-Agent": user_agent or DEFAULT_USER_AGENT},
            transport=transport,
            auth_message=lambda status: (
                f"Reddit refused the search (HTTP {status}); Reddit blocks some clients and "
                "networks, set REDDIT_USER_AGENT to a descriptive value or try another network."
            ),
            **(http or {}),
        )

    async def search(self, keyword: str, limit: int) -> list[SocialPost]:
        if limit <= 0 or not keyword.strip():
            return []
        posts: list[SocialPost] = []
        after = ""
        async with self._http.session() as client:
            for _ in range(self._max_pages):
                params: dict[str, Any] = {
                    "q": keyword.strip(),
                    "sort": "relevance",
                    "limit": min(self._page_size, limit),
                    "raw_json": 1,
                }
                if after:
                    params["after"] = after
                body = await self._http.get_json(client, "/search.json", params)
                listing = body.get("data") if isinstance(body.get("data"), dict) else {}
                children = listing.get("children")
                if not isinstance(children, list):
                    children = []
                posts = dedupe(
                    posts
                    + [p for c in children if isinstance(c, dict) if (p := post_from_child(c))]
                )
                after = str(listing.get("after") or "")
                if len(posts) >= limit or not children or not after:
                    break
        return posts[:limit]

"""Hacker News stories and comments via the public Algolia search API (no key).

`GET {base}/search?query=...&tags=(story,comment)&hitsPerPage=N&page=P` answers
`{"hits": [...], "page": P, "nbPages": M}`; each hit has objectID, title, story_text or
comment_text (HTML), author, created_at, points, num_comments and url. A post links to
`https://news.ycombinator.com/item?id=<objectID>`.
"""

from __future__ import annotations

from typing import Any

import httpx

from marketnav.services.social.http import JsonClient, as_int, parse_datetime
from marketnav.services.social.models import SocialAuthor, SocialPost, dedupe
from marketnav.services.social.text import plain_text

HN_LABEL = "Hacker News (Algolia search)"
HN_ITEM_URL = "https://news.ycombinator.com/item?id={}"


def post_from_hit(hit: dict[str, Any]) -> SocialPost | None:
    """A `SocialPost` from one Algolia hit (None when it has no id or no text)."""
    object_id = str(hit.get("objectID") or "")
    title = plain_text(str(hit.get("title") or hit.get("story_title") or ""))
    body = plain_text(str(hit.get("story_text") or hit.get("comment_text") or ""))
    is_comment = bool(hit.get("comment_text")) and not hit.get("title")
    text = body if is_comment else "\n\n".join(part for part in (title, body) if part)
    if not object_id or not text:
        return None
    return SocialPost(
        id=f"hn-{object_id}",
        text=text,
        author=SocialAuthor(username=str(hit.get("author") or "")),
        created_at=parse_datetime(hit.get("created_at") or hit.get("created_at_i")),
        likes=as_int(hit.get("points")),
        replies=as_int(hit.get("num_comments")),
        url=HN_ITEM_URL.format(object_id),
        source=HN_LABEL,
        channel="Hacker News comment" if is_comment else "Hacker News story",
    )


class HackerNewsSource:
    """Algolia's Hacker News search, paginated with `page` up to `max_pages`."""

    label = HN_LABEL
    kind = "live"

    def __init__(
        self,
        base_url: str = "https://hn.algolia.com/api/v1",
        *,
        endpoint: str = "search",
        tags: str = "(story,comment)",
        page_size: int = 50,
        max_pages: int = 5,
        http: dict[str, Any] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self._path = "/" + endpoint.strip("/")
        self._tags = tags
        self._page_size = max(1, min(page_size, 1000))
        self._max_pages = max(1, max_pages)
        self._http = JsonClient("Hacker News search", base_url, transport=transport, **(http or {}))

    async def search(self, keyword: str, limit: int) -> list[SocialPost]:
        if limit <= 0 or not keyword.strip():
            return []
        posts: list[SocialPost] = []
        query = keyword.replace("#", " ").strip()
        async with self._http.session() as client:
            for page in range(self._max_pages):
                params: dict[str, Any] = {
                    "query": query,
                    "hitsPerPage": min(self._page_size, limit),
                    "page": page,
                }
                if self._tags:
                    params["tags"] = self._tags
                body = await self._http.get_json(client, self._path, params)
                hits = body.get("hits")
                if not isinstance(hits, list):
                    hits = []
                posts = dedupe(
                    posts + [p for h in hits if isinstance(h, dict) if (p := post_from_hit(h))]
                )
                pages = as_int(body.get("nbPages"))
                if len(posts) >= limit or not hits or page + 1 >= pages:
                    break
        return posts[:limit]

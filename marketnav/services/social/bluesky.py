"""Bluesky post search (`app.bsky.feed.searchPosts`), logged out or with an app password.

`GET {base}/xrpc/app.bsky.feed.searchPosts?q=...&limit=N[&cursor=C]` answers
`{"posts": [...], "cursor": "..."}`; each post has uri, author.handle, record.text,
record.createdAt, likeCount, repostCount and replyCount. Bluesky often switches off logged-out
search (403) and refuses `cursor` without login, so logged out this source fetches one page and
says clearly when it is refused; with `BLUESKY_HANDLE` + `BLUESKY_APP_PASSWORD` it logs in
(`com.atproto.server.createSession` on `BLUESKY_AUTH_BASE_URL`) and pages with the cursor.
"""

from __future__ import annotations

from typing import Any

import httpx

from marketnav.services.social.http import JsonClient, as_int, parse_datetime
from marketnav.services.social.models import SocialAuthor, SocialDataError, SocialPost, dedupe

BLUESKY_LABEL = "Bluesky post search"
SEARCH_PATH = "/xrpc/app.bsky.feed.searchPosts"
SESSION_PATH = "/xrpc/com.atproto.server.createSession"


def post_from_view(view: dict[str, Any]) -> SocialPost | None:
    """A `SocialPost` from one searchPosts post view (None without a uri or text)."""
    uri = str(view.get("uri") or "")
    record = view.get("record") if isinstance(view.get("record"), dict) else {}
    text = str(record.get("text") or "").strip()
    author = view.get("author") if isinstance(view.get("author"), dict) else {}
    handle = str(author.get("handle") or "")
    if not uri or not text:
        return None
    rkey = uri.rsplit("/", 1)[-1]
    return SocialPost(
        id=f"bsky-{uri.removeprefix('at://')}",
        text=text,
        author=SocialAuthor(username=handle, name=str(author.get("displayName") or "")),
        created_at=parse_datetime(record.get("createdAt") or view.get("indexedAt")),
        likes=as_int(view.get("likeCount")),
        retweets=as_int(view.get("repostCount")),
        replies=as_int(view.get("replyCount")),
        url=f"https://bsky.app/profile/{handle or author.get('did', '')}/post/{rkey}",
        source=BLUESKY_LABEL,
    )


def _refused(status: int) -> str:
    return (
        f"Bluesky refused the post search (HTTP {status}); logged-out search is often switched "
        "off: set BLUESKY_HANDLE and BLUESKY_APP_PASSWORD to search logged in."
    )


class BlueskySource:
    """Bluesky searchPosts; one page logged out, cursor pages when logged in."""

    label = BLUESKY_LABEL
    kind = "live"

    def __init__(
        self,
        base_url: str = "https://public.api.bsky.app",
        *,
        handle: str = "",
        app_password: str = "",
        auth_base_url: str = "https://bsky.social",
        page_size: int = 100,
        max_pages: int = 5,
        http: dict[str, Any] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self._handle = handle
        self._password = app_password
        self._page_size = max(1, min(page_size, 100))
        self._max_pages = max(1, max_pages)
        options = http or {}
        self._search = JsonClient(
            "Bluesky search", base_url, transport=transport, auth_message=_refused, **options
        )
        self._auth = JsonClient(
            "Bluesky login",
            auth_base_url,
            transport=transport,
            auth_message=lambda s: (
                f"Bluesky rejected BLUESKY_HANDLE/BLUESKY_APP_PASSWORD (HTTP {s})."
            ),
            **options,
        )
        # Logged in, the search goes to the PDS, which passes it on to the AppView.
        self._pds_search = JsonClient(
            "Bluesky search", auth_base_url, transport=transport, auth_message=_refused, **options
        )

    async def _login(self) -> str:
        async with self._auth.session() as client:
            body = await self._auth.request_json(
                client,
                "POST",
                SESSION_PATH,
                json={"identifier": self._handle, "password": self._password},
            )
        token = body.get("accessJwt")
        if not isinstance(token, str) or not token:
            raise SocialDataError("Bluesky login answered without an access token.")
        return token

    async def search(self, keyword: str, limit: int) -> list[SocialPost]:
        if limit <= 0 or not keyword.strip():
            return []
        logged_in = bool(self._handle and self._password)
        headers = {"Authorization": f"Bearer {await self._login()}"} if logged_in else {}
        pages = self._max_pages if logged_in else 1
        posts: list[SocialPost] = []
        cursor = ""
        http = self._pds_search if logged_in else self._search
        async with http.session(headers) as client:
            for _ in range(pages):
                params: dict[str, Any] = {
                    "q": keyword.strip(),
                    "limit": min(self._page_size, limit),
                }
                if cursor:
                    params["cursor"] = cursor
                body = await http.get_json(client, SEARCH_PATH, params)
                views = body.get("posts")
                if not isinstance(views, list):
                    views = []
                posts = dedupe(
                    posts + [p for v in views if isinstance(v, dict) if (p := post_from_view(v))]
                )
                cursor = str(body.get("cursor") or "")
                if len(posts) >= limit or not views or not cursor:
                    break
        return posts[:limit]

"""Each live social source over real HTTP, against a local server in the documented shapes.

The server (`http.server` in a thread on a free loopback port) answers from the recorded-style
fixtures in tests/fixtures/social/ and can be scripted per path to answer 429, 5xx or broken
JSON first. The sources reach it through their base-URL settings, as they would the real APIs.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from marketnav.services import social_data
from marketnav.services.social import (
    BLUESKY_LABEL,
    DEMO_LABEL,
    HN_LABEL,
    REDDIT_LABEL,
    BlueskySource,
    CombinedSocialSource,
    HackerNewsSource,
    RedditSource,
    SocialDataError,
)
from marketnav.settings import get_settings

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "social"
FAST = {"backoff_initial": 0.001, "max_wait": 0.05, "attempts": 3, "timeout": 5.0}


def fixture_body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class FakeSocialApi:
    """Hacker News, Reddit and Bluesky search on one local server; scripted failures first."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = []
        self.script: dict[str, list[tuple[int, dict[str, str], bytes]]] = {}
        self.lock = threading.Lock()

    def fail_first(self, path: str, *answers: tuple[int, dict[str, str], bytes]) -> None:
        self.script.setdefault(path, []).extend(answers)

    def answer(self, method: str, path: str, query: dict[str, list[str]], headers, body: bytes):
        with self.lock:
            self.requests.append((path, query, {k.lower(): v for k, v in headers.items()}))
            scripted = self.script.get(path)
            if scripted:
                return scripted.pop(0)
        one = {k: v[0] for k, v in query.items()}
        if path == "/health":
            return 200, {}, b'{"ok": true}'
        if path == "/api/v1/search":
            return 200, {}, fixture_body(f"hackernews_search_page{one.get('page', '0')}.json")
        if path == "/search.json":
            if "MarketNavigator" not in headers.get("User-Agent", ""):
                return 429, {"x-ratelimit-reset": "1"}, b'{"message": "Too Many Requests"}'
            page = "2" if one.get("after") else "1"
            return 200, {}, fixture_body(f"reddit_search_page{page}.json")
        if path == "/xrpc/com.atproto.server.createSession" and method == "POST":
            login = json.loads(body or b"{}")
            if login.get("password") != "app-pass-1234":
                return 401, {}, b'{"error": "AuthenticationRequired"}'
            return 200, {}, b'{"accessJwt": "jwt-abc", "did": "did:plc:me"}'
        if path == "/xrpc/app.bsky.feed.searchPosts":
            if one.get("cursor") and headers.get("Authorization") != "Bearer jwt-abc":
                return 403, {}, b'{"error": "Forbidden"}'
            page = "2" if one.get("cursor") else "1"
            return 200, {}, fixture_body(f"bluesky_search_page{page}.json")
        return 404, {}, b'{"error": "not found"}'


@pytest.fixture
def api() -> Iterator[tuple[FakeSocialApi, str]]:
    fake = FakeSocialApi()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, headers, payload = fake.answer(
                self.command, parts.path, parse_qs(parts.query), self.headers, body
            )
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _serve
        do_POST = _serve

        def log_message(self, *args) -> None:  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    # Readiness: the socket listens from the constructor on; one probe proves the handler runs.
    assert httpx.get(f"{base}/health", timeout=5).status_code == 200
    fake.requests.clear()
    try:
        yield fake, base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def run(coro):
    return asyncio.run(coro)


def paths(fake: FakeSocialApi) -> list[str]:
    return [path for path, _, _ in fake.requests]


# -- Hacker News -------------------------------------------------------------------------------


def test_hacker_news_pages_until_the_last_page_and_cites_each_post(api):
    fake, base = api
    source = HackerNewsSource(f"{base}/api/v1", page_size=3, http=FAST)
    posts = run(source.search("card fees", 40))
    assert [p.id for p in posts] == [
        "hn-39000001", "hn-39000002", "hn-39100003", "hn-39000004", "hn-39100005",
    ]  # fmt: skip
    assert [q["page"] for _, q, _ in fake.requests] == [["0"], ["1"]]  # nbPages is 2
    assert fake.requests[0][1]["tags"] == ["(story,comment)"]
    first, comment = posts[0], posts[2]
    assert first.url == "https://news.ycombinator.com/item?id=39000001"
    assert first.author.username == "hnuser1" and first.created_at.year == 2024
    assert (first.likes, first.replies, first.source) == (212, 148, HN_LABEL)
    assert first.text.startswith("Ask HN: How do you handle card fees")
    assert "<p>" not in first.text and "Is pay by bank worth it?" in first.text
    assert comment.channel == "Hacker News comment" and "'20 cents'" in comment.text


def test_hacker_news_retries_a_429_then_succeeds(api):
    fake, base = api
    fake.fail_first("/api/v1/search", (429, {"Retry-After": "0"}, b'{"message": "slow down"}'))
    posts = run(HackerNewsSource(f"{base}/api/v1", page_size=3, http=FAST).search("x", 3))
    assert len(posts) == 3 and paths(fake) == ["/api/v1/search", "/api/v1/search"]


def test_hacker_news_5xx_that_keeps_failing_is_a_clear_error(api):
    fake, base = api
    fake.fail_first("/api/v1/search", *[(503, {}, b"unavailable")] * 3)
    with pytest.raises(SocialDataError) as caught:
        run(HackerNewsSource(f"{base}/api/v1", http=FAST).search("x", 10))
    assert str(caught.value) == (
        "Hacker News search kept failing (HTTP 503 after 3 attempts); try again later."
    )
    assert caught.value.status_code == 503 and len(fake.requests) == 3


def test_hacker_news_malformed_json_is_a_clear_error(api):
    fake, base = api
    fake.fail_first("/api/v1/search", (200, {}, b'{"hits": [oops'))
    with pytest.raises(SocialDataError, match="Hacker News search answered with invalid JSON"):
        run(HackerNewsSource(f"{base}/api/v1", http=FAST).search("x", 10))
    assert len(fake.requests) == 1  # broken JSON is not retried


# -- Reddit ------------------------------------------------------------------------------------


def test_reddit_follows_after_sends_its_user_agent_and_dedupes(api):
    fake, base = api
    posts = run(RedditSource(base, http=FAST).search("card fees", 50))
    assert [p.id for p in posts] == [
        "reddit-1ab1cd", "reddit-1ab2cd", "reddit-1ab3cd", "reddit-1ab4cd",
    ]  # fmt: skip
    (_, first, headers), (_, second, _) = fake.requests
    assert first["q"] == ["card fees"] and first["sort"] == ["relevance"]
    assert first["limit"] == ["50"] and "after" not in first
    assert second["after"] == ["t3_1ab3cd"]
    assert headers["user-agent"].startswith("MarketNavigator/")
    top = posts[0]
    assert top.url == "https://www.reddit.com/r/smallbusiness/comments/1ab1cd/post_1/"
    assert (top.author.username, top.channel, top.likes, top.replies) == (
        "redditor_1", "r/smallbusiness", 340, 120,
    )  # fmt: skip
    assert top.created_at.isoformat() == "2024-06-01T01:00:00+00:00"
    assert top.source == REDDIT_LABEL and "2.9% + 30c" in top.text
    assert "& numbers" in posts[2].text  # raw_json=1: no HTML entities


def test_reddit_rate_limit_honours_the_reset_header_within_the_cap(api):
    fake, base = api
    fake.fail_first("/search.json", (429, {"x-ratelimit-reset": "120"}, b"{}"))
    posts = run(RedditSource(base, http=FAST).search("card fees", 3))
    assert len(posts) == 3 and len(fake.requests) == 2  # waited max_wait, not 120 s


def test_reddit_keeps_failing_then_says_so_without_secrets(api):
    fake, base = api
    fake.fail_first("/search.json", *[(502, {}, b"bad gateway")] * 3)
    with pytest.raises(SocialDataError, match=r"Reddit search kept failing \(HTTP 502"):
        run(RedditSource(base, http=FAST).search("x", 5))


def test_reddit_malformed_json(api):
    fake, base = api
    fake.fail_first("/search.json", (200, {}, b"<html>blocked</html>"))
    with pytest.raises(SocialDataError, match="invalid JSON"):
        run(RedditSource(base, http=FAST).search("x", 5))


# -- Bluesky -----------------------------------------------------------------------------------


def test_bluesky_logged_out_reads_one_page(api):
    fake, base = api
    posts = run(BlueskySource(base, http=FAST).search("card fees", 50))
    assert len(posts) == 2 and len(fake.requests) == 1  # no cursor without login
    first = posts[0]
    assert first.url == "https://bsky.app/profile/shopkeeper.bsky.social/post/3kabc1xyz"
    assert first.author.username == "shopkeeper.bsky.social"
    assert (first.likes, first.retweets, first.replies) == (44, 2, 1)
    assert first.created_at.isoformat() == "2024-11-21T10:00:00+00:00"
    assert first.source == BLUESKY_LABEL


def test_bluesky_logged_in_pages_with_the_cursor_and_never_leaks_the_password(api):
    fake, base = api
    source = BlueskySource(
        base, handle="me.bsky.social", app_password="app-pass-1234", auth_base_url=base, http=FAST
    )
    posts = run(source.search("card fees", 50))
    assert len(posts) == 3
    assert paths(fake) == [
        "/xrpc/com.atproto.server.createSession",
        "/xrpc/app.bsky.feed.searchPosts",
        "/xrpc/app.bsky.feed.searchPosts",
    ]
    assert fake.requests[2][1]["cursor"] == ["25"]
    wrong = BlueskySource(base, handle="me", app_password="wrong-secret", auth_base_url=base)
    with pytest.raises(SocialDataError) as caught:
        run(wrong.search("card fees", 5))
    assert "HTTP 401" in str(caught.value) and "wrong-secret" not in str(caught.value)


def test_bluesky_refusal_explains_the_login(api):
    fake, base = api
    fake.fail_first("/xrpc/app.bsky.feed.searchPosts", (403, {}, b'{"error": "AuthMissing"}'))
    with pytest.raises(SocialDataError, match="BLUESKY_HANDLE and BLUESKY_APP_PASSWORD"):
        run(BlueskySource(base, http=FAST).search("x", 5))


# -- several sources from settings -------------------------------------------------------------


def test_settings_choose_several_sources_and_each_post_keeps_its_label(api, monkeypatch):
    fake, base = api
    monkeypatch.setenv("SOCIAL_SOURCES", "hackernews, reddit,demo")
    monkeypatch.setenv("HACKERNEWS_API_BASE_URL", f"{base}/api/v1")
    monkeypatch.setenv("REDDIT_API_BASE_URL", base)
    monkeypatch.setenv("SOCIAL_RETRY_MAX_WAIT_SECONDS", "0.05")
    get_settings.cache_clear()
    source = social_data.get_social_source()
    assert isinstance(source, CombinedSocialSource)
    assert source.kind == "mixed"
    assert source.label == f"{HN_LABEL} + {REDDIT_LABEL} + {DEMO_LABEL}"
    posts = run(source.search("card fees", 12))
    assert len(posts) == 12
    assert {p.source for p in posts[:3]} == {HN_LABEL, REDDIT_LABEL, DEMO_LABEL}
    assert all(p.url and p.author.username and p.created_at for p in posts)
    # One source down: the others' posts still come, the failure is kept.
    fake.fail_first("/search.json", *[(500, {}, b"")] * 4)
    posts = run(source.search("card fees", 12))
    assert REDDIT_LABEL not in {p.source for p in posts} and posts
    assert "Reddit search kept failing" in source.failures["card fees"][0]

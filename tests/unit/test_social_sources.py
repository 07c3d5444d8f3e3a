"""Live social sources at unit level: mapping, retry waits, merging, settings (MockTransport)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from marketnav.services.social import (
    DEMO_LABEL,
    HN_LABEL,
    CombinedSocialSource,
    DemoSocialSource,
    HackerNewsSource,
    LiveSocialSource,
    RedditSource,
    SocialDataError,
    SocialPost,
    configured_source_names,
    get_social_source,
    interleave,
    retry_after_seconds,
)
from marketnav.services.social.hackernews import post_from_hit
from marketnav.services.social.http import ServerWait
from marketnav.services.social.reddit import post_from_child
from marketnav.settings import Settings, get_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "social"
FAST = {"backoff_initial": 0.001, "max_wait": 0.01, "attempts": 3}


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def post(post_id: str, source: str = "A") -> SocialPost:
    return SocialPost(id=post_id, text=post_id, source=source)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": "Wed, 02 Dec 2026 01:00:30 GMT"}, 30.0),
        ({"x-ratelimit-reset": "42"}, 42.0),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_reads_seconds_dates_and_reddits_reset(headers, seconds):
    response = httpx.Response(429, headers=headers)
    now = datetime(2026, 12, 2, 1, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(response, now) == seconds


def test_a_long_retry_after_is_capped():
    from tenacity import RetryCallState

    from marketnav.services.social.http import RetryableResponse

    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})
    state.attempt_number = 1
    state.set_exception(
        (
            RetryableResponse,
            RetryableResponse(httpx.Response(429, headers={"Retry-After": "900"})),
            None,
        )
    )
    assert ServerWait(backoff_initial=1.0, max_wait=30.0)(state) == 30.0


def test_hacker_news_hits_map_to_cited_posts():
    hits = fixture("hackernews_search_page0.json")["hits"]
    story, _, comment = (post_from_hit(h) for h in hits)
    assert story.id == "hn-39000001" and story.url.endswith("item?id=39000001")
    assert story.channel == "Hacker News story" and story.source == HN_LABEL
    assert comment.text.startswith("We moved to pay by bank") and comment.likes == 0
    assert post_from_hit({"objectID": "1"}) is None  # no text
    assert post_from_hit({"title": "no id"}) is None


def test_reddit_children_map_to_cited_posts():
    child = fixture("reddit_search_page1.json")["data"]["children"][1]
    mapped = post_from_child(child)
    assert mapped.text == "Pay by bank in Europe: anyone using it?"  # no selftext
    assert mapped.url.startswith("https://www.reddit.com/r/ecommerce/")
    assert post_from_child({"data": {"id": "x", "title": "", "selftext": ""}}) is None


def test_hacker_news_request_shape_and_limit():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=fixture("hackernews_search_page0.json"))

    source = HackerNewsSource(
        "https://hn.test/api/v1", tags="story", http=FAST, transport=httpx.MockTransport(handler)
    )
    posts = asyncio.run(source.search("#cardfees", 2))
    assert len(posts) == 2 and len(seen) == 1
    assert dict(seen[0].url.params) == {"query": "cardfees", "hitsPerPage": "2", "page": "0",
                                        "tags": "story"}  # fmt: skip
    assert asyncio.run(source.search("  ", 5)) == [] and asyncio.run(source.search("x", 0)) == []


def test_an_unexpected_shape_is_an_error_not_an_empty_result():
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json=["not", "an", "object"]))
    with pytest.raises(SocialDataError, match="unexpected shape"):
        asyncio.run(RedditSource("https://r.test", http=FAST, transport=transport).search("x", 5))


def test_a_network_failure_is_retried_then_reported():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectError("refused")

    source = RedditSource("https://r.test", http=FAST, transport=httpx.MockTransport(handler))
    with pytest.raises(SocialDataError, match=r"Reddit search is unreachable \(ConnectError\)"):
        asyncio.run(source.search("x", 5))
    assert len(calls) == 3


def test_interleave_takes_turns_and_dedupes():
    merged = interleave([[post("a1"), post("a2"), post("a3")], [post("b1")], [post("a1", "C")]])
    assert [p.id for p in merged] == ["a1", "b1", "a2", "a3"]


class Failing:
    label = "Broken"
    kind = "live"

    async def search(self, keyword: str, limit: int) -> list[SocialPost]:
        raise SocialDataError("Broken answered HTTP 500.", 500)


def test_combined_fails_only_when_every_source_fails():
    demo = DemoSocialSource([SocialPost(id="d1", text="meal kit", source=DEMO_LABEL)])
    combined = CombinedSocialSource([Failing(), demo])
    assert combined.kind == "mixed" and combined.label == f"Broken + {DEMO_LABEL}"
    assert [p.id for p in asyncio.run(combined.search("meal kit", 5))] == ["d1"]
    assert combined.failures == {"meal kit": ["Broken: Broken answered HTTP 500."]}
    with pytest.raises(SocialDataError, match="Every social source failed"):
        asyncio.run(CombinedSocialSource([Failing(), Failing()]).search("x", 5))
    with pytest.raises(SocialDataError):
        CombinedSocialSource([])


def test_source_names_from_settings_keep_the_old_setting_working():
    assert configured_source_names(Settings()) == ["demo"]
    assert configured_source_names(Settings(social_source="live")) == ["twitter"]
    chosen = Settings(social_sources="Reddit, hackernews,reddit", social_source="live")
    assert configured_source_names(chosen) == ["reddit", "hackernews"]
    with pytest.raises(ValueError, match="unknown names"):
        Settings(social_sources="hackernews,mastodon")


def test_get_social_source_builds_each_named_source(monkeypatch):
    monkeypatch.setenv("SOCIAL_SOURCES", "hackernews")
    get_settings.cache_clear()
    assert isinstance(get_social_source(), HackerNewsSource)
    monkeypatch.setenv("SOCIAL_SOURCES", "live,reddit")
    get_settings.cache_clear()
    with pytest.raises(SocialDataError, match="TWITTER_API_KEY"):
        get_social_source()
    monkeypatch.setenv("TWITTER_API_KEY", "k")
    get_settings.cache_clear()
    combined = get_social_source()
    assert isinstance(combined, CombinedSocialSource) and combined.kind == "live"
    assert [type(s) for s in combined.sources] == [LiveSocialSource, RedditSource]


# -- how the Social Analysis report cites posts ------------------------------------------------


def raw_search(posts: list[SocialPost], source: str, kind: str) -> dict:
    return {
        "keywords": ["card fees"],
        "source": source,
        "source_kind": kind,
        "per_keyword": {"card fees": len(posts)},
        "failed_keywords": {},
        "source_failures": {"card fees": ["Reddit search: Reddit search answered HTTP 500."]},
        "posts": [p.model_dump(mode="json") for p in posts],
    }


def test_the_overview_cites_posts_and_says_where_they_came_from():
    from marketnav.services.reports import social_insights
    from marketnav.services.reports.pipelines.social import _overview_markdown

    hn = post_from_hit(fixture("hackernews_search_page0.json")["hits"][0])
    demo = asyncio.run(DemoSocialSource().search("card fees", 2))
    raw = raw_search([hn, *demo], f"{HN_LABEL} + {DEMO_LABEL}", "mixed")
    markdown = _overview_markdown(raw, social_insights.sentiment_split(raw["posts"]))
    assert f"**Posts per source**: {DEMO_LABEL} 2 (demo), {HN_LABEL} 1" in markdown
    assert "Sources that failed for 'card fees'**: Reddit search" in markdown
    assert (
        "([@hnuser1](https://news.ycombinator.com/item?id=39000001), 2024-02-11, "
        f"{HN_LABEL}; 212 likes" in markdown
    )
    assert markdown.count("https://demo.marketnavigator.invalid/posts/") == 2
    line = social_insights.source_line(raw["source"], 3)
    assert "demo posts, not real users" in line
    only_demo = raw_search(demo, DEMO_LABEL, "demo")
    markdown = _overview_markdown(only_demo, social_insights.sentiment_split(only_demo["posts"]))
    assert "not real social media posts" in markdown and "Posts per source" not in markdown

"""Social posts for the Social Analysis report: the demo data set and live sources.

Sources (each a `SocialSource`: `search(keyword, limit)` -> posts, each citing its link, author,
date and own source label):

- `DemoSocialSource` (default): the bundled demo data set, every post labelled "Demo data set";
- `LiveSocialSource`: X via twitterapi.io (paid key);
- `HackerNewsSource`: Hacker News via the public Algolia search API (no key);
- `RedditSource`: Reddit's public search.json (no key);
- `BlueskySource`: Bluesky searchPosts (logged out, or with an app password);
- `CombinedSocialSource`: several of them at once, posts merged.

`get_social_source()` builds what settings ask for: `SOCIAL_SOURCES` (comma-separated names)
when set, else `SOCIAL_SOURCE` (demo | live). No Reflex or Celery imports here.
"""

from __future__ import annotations

from marketnav.services.social.bluesky import BLUESKY_LABEL, BlueskySource
from marketnav.services.social.combined import CombinedSocialSource, interleave
from marketnav.services.social.demo import (
    DEMO_DATA_PATH,
    DEMO_LABEL,
    DemoSocialSource,
    KeywordQuery,
    load_demo_posts,
)
from marketnav.services.social.hackernews import HN_LABEL, HackerNewsSource
from marketnav.services.social.http import RETRY_STATUSES, JsonClient, retry_after_seconds
from marketnav.services.social.models import (
    SocialAuthor,
    SocialDataError,
    SocialPost,
    SocialSource,
    dedupe,
    top_order,
)
from marketnav.services.social.reddit import REDDIT_LABEL, RedditSource
from marketnav.services.social.twitter import LIVE_LABEL, LiveSocialSource, post_from_tweet
from marketnav.settings import SOCIAL_SOURCE_NAMES, Settings, get_settings

__all__ = [
    "BLUESKY_LABEL",
    "DEMO_DATA_PATH",
    "DEMO_LABEL",
    "HN_LABEL",
    "LIVE_LABEL",
    "REDDIT_LABEL",
    "RETRY_STATUSES",
    "SOCIAL_SOURCE_NAMES",
    "BlueskySource",
    "CombinedSocialSource",
    "DemoSocialSource",
    "HackerNewsSource",
    "JsonClient",
    "KeywordQuery",
    "LiveSocialSource",
    "RedditSource",
    "SocialAuthor",
    "SocialDataError",
    "SocialPost",
    "SocialSource",
    "build_source",
    "configured_source_names",
    "dedupe",
    "get_social_source",
    "interleave",
    "load_demo_posts",
    "post_from_tweet",
    "retry_after_seconds",
    "top_order",
]


def configured_source_names(settings: Settings) -> list[str]:
    """The source names settings ask for, in order, without repeats ("live" is "twitter")."""
    raw = settings.social_sources.strip() or settings.social_source
    names: list[str] = []
    for name in (part.strip().lower() for part in raw.split(",")):
        name = "twitter" if name == "live" else name
        if name and name not in names:
            names.append(name)
    return names or ["demo"]


def _http_options(settings: Settings) -> dict[str, float | int]:
    return {
        "timeout": settings.social_http_timeout_seconds,
        "attempts": settings.social_retry_attempts,
        "max_wait": settings.social_retry_max_wait_seconds,
    }


def build_source(name: str, settings: Settings) -> SocialSource:
    """One source by name (see `SOCIAL_SOURCE_NAMES`)."""
    http = _http_options(settings)
    if name == "demo":
        return DemoSocialSource()
    if name == "twitter":
        return LiveSocialSource(
            settings.twitter_api_key.get_secret_value(),
            settings.twitter_api_base_url,
            timeout=http["timeout"],
            attempts=int(http["attempts"]),
            max_wait=http["max_wait"],
        )
    if name == "hackernews":
        return HackerNewsSource(
            settings.hackernews_api_base_url,
            tags=settings.hackernews_search_tags,
            max_pages=settings.social_max_pages,
            http=http,
        )
    if name == "reddit":
        return RedditSource(
            settings.reddit_api_base_url,
            user_agent=settings.reddit_user_agent,
            max_pages=settings.social_max_pages,
            http=http,
        )
    if name == "bluesky":
        return BlueskySource(
            settings.bluesky_api_base_url,
            handle=settings.bluesky_handle,
            app_password=settings.bluesky_app_password.get_secret_value(),
            auth_base_url=settings.bluesky_auth_base_url,
            max_pages=settings.social_max_pages,
            http=http,
        )
    raise SocialDataError(
        f"Unknown social source '{name}' (choose from {', '.join(SOCIAL_SOURCE_NAMES)})."
    )


def get_social_source(settings: Settings | None = None) -> SocialSource:
    """The configured source: one, or a `CombinedSocialSource` when several are named."""
    settings = settings or get_settings()
    sources = [build_source(name, settings) for name in configured_source_names(settings)]
    return sources[0] if len(sources) == 1 else CombinedSocialSource(sources)

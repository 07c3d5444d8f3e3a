"""The web search adapters against `httpx.MockTransport` answers in each engine's documented shape.

SearXNG: `GET /search?format=json`, top-level `results` with url/title/content/engine/score.
Tavily: `POST /search` with a bearer key, `results` with title/url/content/score.
Brave: `GET /res/v1/web/search` with `X-Subscription-Token`, `web.results` with
title/url/description (descriptions carry `<strong>` highlights).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from marketnav.services.web_discovery.search_engines import (
    BraveEngine,
    PinnedHostTransport,
    SearchHit,
    SearxngEngine,
    TavilyEngine,
    WebSearchEngine,
    WebSearchError,
    clean_text,
    engine_from_settings,
)
from marketnav.settings import Settings

FAST = {"timeout": 5.0, "backoff": 0.001}
UA = Settings.model_fields["web_user_agent"].default


class Recorder:
    """A MockTransport that answers from a list (the last answer repeats) and keeps requests."""

    def __init__(self, *answers: httpx.Response | Callable[[httpx.Request], httpx.Response]):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return answer(request) if callable(answer) else answer


def searxng_answer(results: list[dict]) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "query": "freight visibility",
            "number_of_results": 1200,
            "results": results,
            "answers": [],
            "suggestions": [],
            "unresponsive_engines": [],
        },
    )


SEARXNG_RESULTS = [
    {
        "url": "https://haulsight.test/",
        "title": "HaulSight | Live <b>shipment</b> visibility",
        "content": "Live <span class='highlight'>freight</span> tracking &amp; alerts",
        "engine": "duckduckgo",
        "engines": ["duckduckgo", "brave"],
        "score": 3.5,
        "category": "general",
    },
    {"url": "ftp://files.example.test/list.txt", "title": "FTP", "content": "", "score": 1.0},
    {"url": "javascript:alert(1)", "title": "JS", "content": "x", "score": 1.0},
    {"url": "/relative/path", "title": "Relative", "content": "x", "score": 1.0},
    {"url": "https://HAULSIGHT.test/#pricing", "title": "HaulSight again", "content": "dup"},
    {"url": "http://dockvane.test/pricing.html", "title": "Dockvane | Pricing", "score": 1.2},
    {"url": "https://tarifly.test/", "title": "Tarifly", "content": None, "engine": "google"},
]


@pytest.mark.asyncio
async def test_searxng_request_and_result_mapping():
    recorder = Recorder(searxng_answer(SEARXNG_RESULTS))
    engine = SearxngEngine("http://searx.internal:8080/", transport=recorder.transport, **FAST)
    hits = await engine.search("freight visibility", limit=10)
    await engine.aclose()

    (request,) = recorder.requests
    assert request.method == "GET"
    assert request.url.path == "/search"
    assert dict(request.url.params) == {"q": "freight visibility", "format": "json", "pageno": "1"}
    assert request.headers["user-agent"] == UA
    assert engine.name == "SearXNG at http://searx.internal:8080"
    assert isinstance(engine, WebSearchEngine)
    # Non-http(s) URLs dropped, the duplicate (host case, fragment) kept once, positions 1..n.
    assert hits == [
        SearchHit(
            url="https://haulsight.test/",
            title="HaulSight | Live shipment visibility",
            snippet="Live freight tracking & alerts",
            engine="searxng",
            position=1,
        ),
        SearchHit(
            url="http://dockvane.test/pricing.html",
            title="Dockvane | Pricing",
            snippet="",
            engine="searxng",
            position=2,
        ),
        SearchHit(url="https://tarifly.test/", title="Tarifly", engine="searxng", position=3),
    ]


@pytest.mark.asyncio
async def test_limit_caps_the_hits():
    results = [{"url": f"https://site{i}.test/", "title": f"Site {i}"} for i in range(15)]
    recorder = Recorder(searxng_answer(results))
    engine = SearxngEngine("http://searx.test", transport=recorder.transport, **FAST)
    hits = await engine.search("anything", limit=4)
    assert [h.position for h in hits] == [1, 2, 3, 4]
    assert hits[-1].url == "https://site3.test/"
    assert await engine.search("   ") == []  # a blank query sends nothing
    assert len(recorder.requests) == 1


@pytest.mark.asyncio
async def test_tavily_request_and_result_mapping():
    answer = {
        "query": "restaurant ordering",
        "follow_up_questions": None,
        "answer": None,
        "images": [],
        "results": [
            {
                "title": "Orderbloom | Order from all your food suppliers",
                "url": "https://orderbloom.test/",
                "content": "One order app for every supplier. <em>Restaurants</em> order...",
                "score": 0.91,
                "raw_content": None,
            },
            {"title": "Mail", "url": "mailto:sales@orderbloom.test", "content": "", "score": 0.5},
            {"title": "Kitchenrun", "url": "https://kitchenrun.test/", "content": "", "score": 0.4},
        ],
        "response_time": 1.2,
    }
    recorder = Recorder(httpx.Response(200, json=answer))
    engine = TavilyEngine("tvly-secret", transport=recorder.transport, **FAST)
    hits = await engine.search("restaurant ordering", limit=7)

    (request,) = recorder.requests
    assert request.method == "POST"
    assert str(request.url) == "https://api.tavily.com/search"
    assert request.headers["authorization"] == "Bearer tvly-secret"
    assert json.loads(request.content) == {
        "query": "restaurant ordering",
        "max_results": 7,
        "search_depth": "basic",
        "include_answer": False,
    }
    assert engine.name == "Tavily"
    assert [(h.url, h.position, h.engine) for h in hits] == [
        ("https://orderbloom.test/", 1, "tavily"),
        ("https://kitchenrun.test/", 2, "tavily"),
    ]
    assert hits[0].snippet == "One order app for every supplier. Restaurants order..."


@pytest.mark.asyncio
async def test_brave_request_and_result_mapping():
    answer = {
        "type": "search",
        "query": {"original": "vet scheduling"},
        "web": {
            "type": "search",
            "results": [
                {
                    "type": "search_result",
                    "title": "Pawplanner | Online <strong>appointment</strong> scheduling",
                    "url": "https://pawplanner.test/",
                    "description": "<strong>Vet</strong> clinics: online booking &#x27;24/7&#x27;",
                    "profile": {"name": "Pawplanner"},
                },
                {"title": "VetSlot", "url": "https://vetslot.test/", "description": "Rotas"},
                {"title": "VetSlot", "url": "https://vetslot.test/", "description": "Again"},
            ],
        },
    }
    recorder = Recorder(httpx.Response(200, json=answer))
    engine = BraveEngine(
        "brave-secret", base_url="http://brave.proxy:9000/", transport=recorder.transport, **FAST
    )
    hits = await engine.search("vet scheduling", limit=50)

    (request,) = recorder.requests
    assert request.method == "GET"
    assert request.url.host == "brave.proxy"
    assert request.url.path == "/res/v1/web/search"
    assert dict(request.url.params) == {"q": "vet scheduling", "count": "20"}  # Brave's maximum
    assert request.headers["x-subscription-token"] == "brave-secret"
    assert request.headers["accept"] == "application/json"
    assert [(h.title, h.snippet, h.position) for h in hits] == [
        ("Pawplanner | Online appointment scheduling", "Vet clinics: online booking '24/7'", 1),
        ("VetSlot", "Rotas", 2),
    ]


@pytest.mark.asyncio
async def test_brave_without_web_results_is_empty():
    recorder = Recorder(httpx.Response(200, json={"type": "search", "query": {"original": "x"}}))
    engine = BraveEngine("k", transport=recorder.transport, **FAST)
    assert await engine.search("zzzz unknown") == []


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html><body>Rate limited, try later</body></html>"),
        httpx.Response(200, json={"answers": []}),
        httpx.Response(200, json={"results": "none"}),
        httpx.Response(200, json={"results": [{"title": "no url"}]}),
        httpx.Response(200, json=[1, 2, 3]),
    ],
    ids=["html", "no-results", "results-not-a-list", "result-without-url", "a-list"],
)
@pytest.mark.asyncio
async def test_malformed_answers_are_search_errors(response):
    engine = SearxngEngine("http://searx.test", transport=Recorder(response).transport, **FAST)
    with pytest.raises(WebSearchError, match="answered something that is not a search result"):
        await engine.search("freight")


@pytest.mark.asyncio
async def test_brave_malformed_web_is_a_search_error():
    response = httpx.Response(200, json={"web": {"results": [{"description": "no url"}]}})
    engine = BraveEngine("k", transport=Recorder(response).transport, **FAST)
    with pytest.raises(WebSearchError, match="Brave Search answered something that is not"):
        await engine.search("freight")


@pytest.mark.asyncio
async def test_401_names_engine_and_status_never_the_key():
    detail = {"detail": {"error": "Unauthorized: missing or invalid API key."}}
    recorder = Recorder(httpx.Response(401, json=detail))
    engine = TavilyEngine("tvly-very-secret", transport=recorder.transport, **FAST)
    with pytest.raises(WebSearchError) as caught:
        await engine.search("freight")
    assert caught.value.status == 401
    assert caught.value.engine == "Tavily"
    assert "Tavily" in str(caught.value) and "HTTP 401" in str(caught.value)
    assert "WEB_SEARCH_API_KEY" in str(caught.value)
    assert "tvly-very-secret" not in str(caught.value)
    assert len(recorder.requests) == 1  # a refusal is not retried


@pytest.mark.asyncio
async def test_503_then_200_is_retried():
    recorder = Recorder(
        httpx.Response(503, text="busy"),
        searxng_answer([{"url": "https://haulsight.test/", "title": "HaulSight"}]),
    )
    engine = SearxngEngine("http://searx.test", transport=recorder.transport, **FAST)
    hits = await engine.search("freight")
    assert [h.url for h in hits] == ["https://haulsight.test/"]
    assert len(recorder.requests) == 2


@pytest.mark.asyncio
async def test_429_every_time_gives_up_after_three_attempts():
    recorder = Recorder(httpx.Response(429, text="slow down"))
    engine = BraveEngine("k", transport=recorder.transport, **FAST)
    with pytest.raises(WebSearchError, match="Brave Search answered HTTP 429") as caught:
        await engine.search("freight")
    assert caught.value.status == 429
    assert len(recorder.requests) == 3


@pytest.mark.asyncio
async def test_other_errors_are_not_retried():
    recorder = Recorder(httpx.Response(500, text="boom"))
    engine = SearxngEngine("http://searx.test", transport=recorder.transport, **FAST)
    with pytest.raises(WebSearchError, match=r"SearXNG at http://searx.test answered HTTP 500"):
        await engine.search("freight")
    assert len(recorder.requests) == 1


@pytest.mark.asyncio
async def test_transport_errors_are_retried_then_unreachable():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    recorder = Recorder(refuse)
    engine = SearxngEngine("http://searx.test", transport=recorder.transport, **FAST)
    with pytest.raises(WebSearchError, match="is unreachable") as caught:
        await engine.search("freight")
    assert caught.value.status is None
    assert len(recorder.requests) == 3


@pytest.mark.asyncio
async def test_transport_error_then_answer_recovers():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    recorder = Recorder(refuse, searxng_answer([{"url": "https://a.test/", "title": "A"}]))
    engine = SearxngEngine("http://searx.test", transport=recorder.transport, **FAST)
    assert [h.title for h in await engine.search("a")] == ["A"]


def test_clean_text():
    assert clean_text("<b>Fast</b> &amp; <i>cheap</i>\n  tools") == "Fast & cheap tools"
    assert clean_text("<script>alert(1)</script>Safe") == "Safe"
    assert clean_text(None) == ""


def settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_engine_from_settings_off():
    assert engine_from_settings(settings(web_search_engine="")) is None


@pytest.mark.asyncio
async def test_engine_from_settings_searxng():
    engine = engine_from_settings(
        settings(web_search_engine="searxng", web_search_url="http://searxng:8080")
    )
    assert isinstance(engine, SearxngEngine)
    assert engine.name == "SearXNG at http://searxng:8080"
    assert engine.base_url == "http://searxng:8080"
    await engine.aclose()
    with pytest.raises(ValueError, match="WEB_SEARCH_ENGINE=searxng needs WEB_SEARCH_URL"):
        engine_from_settings(settings(web_search_engine="searxng"))


@pytest.mark.parametrize(
    ("kind", "cls", "default_base"),
    [
        ("tavily", TavilyEngine, "https://api.tavily.com"),
        ("brave", BraveEngine, "https://api.search.brave.com"),
    ],
)
@pytest.mark.asyncio
async def test_engine_from_settings_keyed_engines(kind, cls, default_base):
    with pytest.raises(ValueError, match=f"WEB_SEARCH_ENGINE={kind} needs WEB_SEARCH_API_KEY"):
        engine_from_settings(settings(web_search_engine=kind))
    engine = engine_from_settings(settings(web_search_engine=kind, web_search_api_key="k"))
    assert isinstance(engine, cls)
    assert engine.base_url == default_base
    await engine.aclose()
    engine = engine_from_settings(
        settings(
            web_search_engine=kind, web_search_api_key="k", web_search_url="http://proxy.test:81"
        )
    )
    assert engine.base_url == "http://proxy.test:81"
    await engine.aclose()


@pytest.mark.asyncio
async def test_engine_from_settings_uses_timeout_user_agent_and_pinned_hosts():
    engine = engine_from_settings(
        settings(
            web_search_engine="searxng",
            web_search_url="http://search.test:8080",
            web_search_timeout_seconds=3.5,
            web_user_agent="TestBot/2.0",
            web_fetch_hosts="search.test=127.0.0.2, other.test=127.0.0.3",
        )
    )
    client = engine._client
    assert client.timeout.read == 3.5
    assert client.headers["user-agent"] == "TestBot/2.0"
    transport = client._transport
    assert isinstance(transport, PinnedHostTransport)
    assert transport._hosts == {"search.test": "127.0.0.2", "other.test": "127.0.0.3"}
    await engine.aclose()

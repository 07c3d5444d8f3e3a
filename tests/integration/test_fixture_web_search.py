"""The three search adapters over real HTTP against the fixture web, and the fixture web itself.

`FixtureWeb` (tests/support/fixture_web.py) serves the fictional sites of tests/fixtures/web on
127.0.0.2 and a BM25 search engine over them that speaks SearXNG's, Tavily's and Brave's JSON.
The adapters reach `search.test` through the app settings it hands out (WEB_FETCH_HOSTS pins
the name to 127.0.0.2), as web discovery would in an e2e run.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from marketnav.services.web_discovery.search_engines import (
    PinnedHostTransport,
    TavilyEngine,
    WebSearchError,
    engine_from_settings,
)
from marketnav.settings import PROJECT_ROOT, Settings, get_settings
from tests.support.fixture_web import SEARCH_HOST, FixtureWeb, load_ideas

pytestmark = pytest.mark.integration

IDEAS = {idea["id"]: idea for idea in load_ideas()}
FREIGHT = IDEAS["freight-visibility-eu-forwarders"]
DEMO_DATA = PROJECT_ROOT / "scraper_services" / "common" / "demo_data"


@pytest.fixture(scope="module")
def web() -> Iterator[FixtureWeb]:
    with FixtureWeb.start(host="127.0.0.2") as fixture_web:
        yield fixture_web


def app_settings(env: dict[str, str]) -> Settings:
    return Settings(_env_file=None, **{name.lower(): value for name, value in env.items()})


def domains(hits) -> list[str]:
    return [urlsplit(hit.url).hostname for hit in hits]


def get(web: FixtureWeb, host: str, path: str, timeout: float = 5, **kwargs) -> httpx.Response:
    headers = {"Host": f"{host}:{web.port}"}
    url = f"http://{web.host}:{web.port}{path}"
    return httpx.get(url, headers=headers, timeout=timeout, **kwargs)


@pytest.mark.parametrize("engine_name", ["searxng", "tavily", "brave"])
@pytest.mark.asyncio
async def test_freight_description_finds_its_web_competitors(web, engine_name):
    engine = engine_from_settings(app_settings(web.settings_env(engine=engine_name)))
    try:
        hits = await engine.search(FREIGHT["inputs"]["startup_description"], limit=10)
    finally:
        await engine.aclose()
    gold = {c["domain"] for c in FREIGHT["web_competitors"]}
    assert 0 < len(hits) <= 10
    assert len(gold & set(domains(hits))) >= 2, domains(hits)
    assert [h.position for h in hits] == list(range(1, len(hits) + 1))
    assert all(h.url.startswith("http://") and f":{web.port}/" in h.url for h in hits)
    assert all(h.title and h.engine == engine_name for h in hits)
    assert not any("<" in h.snippet for h in hits)  # Brave's <strong> highlights are gone
    request = web.requests_to(SEARCH_HOST)[-1]
    assert request.user_agent == Settings.model_fields["web_user_agent"].default


@pytest.mark.parametrize("idea_id", sorted(IDEAS))
@pytest.mark.asyncio
async def test_every_idea_is_findable_through_searxng(web, idea_id):
    idea = IDEAS[idea_id]
    engine = engine_from_settings(app_settings(web.settings_env()))
    try:
        hits = await engine.search(idea["inputs"]["startup_description"], limit=10)
    finally:
        await engine.aclose()
    gold = {c["domain"] for c in idea["web_competitors"]}
    assert len(gold & set(domains(hits))) >= 2, domains(hits)


@pytest.mark.asyncio
async def test_result_count_follows_the_limit(web):
    engine = engine_from_settings(app_settings(web.settings_env(engine="brave")))
    try:
        assert len(await engine.search("software for restaurants and clinics", limit=3)) == 3
    finally:
        await engine.aclose()


@pytest.mark.parametrize("key", ["", "not-the-key"])
@pytest.mark.asyncio
async def test_tavily_without_the_key_is_refused(web, key):
    transport = PinnedHostTransport({SEARCH_HOST: web.host})
    engine = TavilyEngine(key, base_url=web.search_url, transport=transport, timeout=5)
    try:
        with pytest.raises(WebSearchError, match="Tavily answered HTTP 401") as caught:
            await engine.search("freight forwarder software")
    finally:
        await engine.aclose()
    assert caught.value.status == 401


@pytest.mark.asyncio
async def test_searxng_unreachable_is_a_search_error(web):
    env = {**web.settings_env(), "WEB_SEARCH_URL": f"http://search.test:{web.port + 1}"}
    engine = engine_from_settings(app_settings(env))
    engine._backoff = 0.001  # no need to wait between refused connects
    try:
        with pytest.raises(WebSearchError, match="is unreachable"):
            await engine.search("freight")
    finally:
        await engine.aclose()


@pytest.mark.parametrize("engine_name", ["searxng", "tavily", "brave"])
def test_settings_env_parses_with_the_app_settings(web, monkeypatch, engine_name):
    env = web.settings_env(engine=engine_name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    settings = get_settings()
    assert settings.web_search_engine == engine_name
    assert settings.web_search_url == f"http://search.test:{web.port}"
    assert settings.web_fetch_allowed_networks == "127.0.0.2/32"
    pinned = dict(pair.split("=") for pair in settings.web_fetch_hosts.split(","))
    assert set(pinned.values()) == {"127.0.0.2"}
    assert {"search.test", "hostile.test", "haulsight.test"} <= pinned.keys()
    for idea in IDEAS.values():
        assert {c["domain"] for c in idea["web_competitors"] + idea["distractors"]} <= pinned.keys()
    key = settings.web_search_api_key.get_secret_value()
    assert key == ("" if engine_name == "searxng" else "test-key")
    assert app_settings(env).web_search_engine == engine_name


def test_sites_are_served_by_host_with_links_rewritten(web):
    home = get(web, "haulsight.test", "/")
    assert home.status_code == 200
    assert home.headers["content-type"] == "text/html; charset=utf-8"
    assert "<title>HaulSight | Live shipment visibility" in home.text
    assert get(web, "haulsight.test", "/pricing").status_code == 200
    assert get(web, "haulsight.test", "/pricing/").status_code == 200
    assert get(web, "dockvane.test", "/pricing").status_code == 200  # pricing.html
    assert get(web, "haulsight.test", "/nope").status_code == 404
    assert get(web, "haulsight.test", "/robots.txt").status_code == 404
    assert get(web, "unknown.test", "/").status_code == 404
    listicle = get(web, "logisticsweekly.test", "/best-freight-visibility-tools-2026/").text
    assert f'href="http://haulsight.test:{web.port}/?utm_source=' in listicle
    assert "https://haulsight.test" not in listicle
    robots = get(web, "hostile.test", "/robots.txt")
    assert robots.headers["content-type"].startswith("text/plain")
    assert "Disallow: /private/" in robots.text


def test_hostile_paths(web):
    redirect = get(web, "hostile.test", "/redirect-local")
    assert redirect.status_code == 302
    assert redirect.headers["location"] == f"http://127.0.0.1:{web.port}/"
    chain = get(web, "hostile.test", "/redirect-chain/2", follow_redirects=True)
    assert chain.status_code == 200 and len(chain.history) == 2
    assert get(web, "hostile.test", "/redirect-loop").headers["location"] == "/redirect-loop"
    huge = get(web, "hostile.test", "/huge.html")
    assert huge.headers["content-length"] == str(20 * 1024 * 1024)
    assert len(huge.content) == 20 * 1024 * 1024
    chunked = get(web, "hostile.test", "/huge-chunked.html")
    assert "content-length" not in chunked.headers
    assert len(chunked.content) == 20 * 1024 * 1024
    slow = get(web, "hostile.test", "/slow.html?interval=0.02&seconds=0.1")
    assert slow.text.endswith("</body></html>")
    with pytest.raises(httpx.ReadTimeout):
        get(web, "hostile.test", "/slow-headers.html?seconds=2", timeout=0.2)
    refresh = get(web, "hostile.test", "/refresh.html").text
    assert 'http-equiv="refresh" content="0; url=http://127.0.0.1/"' in refresh
    assert not web.requests_to("hostile.test", "/private/")


def test_search_index_leaves_out_robots_disallowed_and_script_text(web):
    paths = {(p.domain, p.path) for p in web.index.pages}
    assert ("hostile.test", "/script.html") in paths
    assert ("hostile.test", "/private/") not in paths
    script_page = next(p for p in web.index.pages if p.path == "/script.html")
    assert "Phantomfreight" not in script_page.text and "Scriptship" not in script_page.text
    assert len(web.index.pages) >= 80


def test_concurrent_requests_are_counted_per_host():
    with FixtureWeb.start(host="127.0.0.2") as web:  # its own: nothing else in flight
        path = "/slow.html?interval=0.02&seconds=0.2"
        threads = [threading.Thread(target=get, args=(web, "hostile.test", path)) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        get(web, "haulsight.test", "/")
        assert web.max_in_flight("hostile.test") == 3
        assert web.max_in_flight("haulsight.test") == 1
        assert web.in_flight("hostile.test") == 0
        assert len(web.requests_to("hostile.test", "/slow.html")) == 3
        web.reset()
        assert web.requests == [] and web.max_in_flight("hostile.test") == 0


def test_fixture_companies_are_fictional_and_unknown_to_the_demo_data():
    demo = "\n".join(p.read_text(encoding="utf-8").lower() for p in DEMO_DATA.rglob("*.json"))
    sites = Path(__file__).resolve().parents[1] / "fixtures" / "web" / "sites"
    total = 0
    for idea in IDEAS.values():
        assert 3 <= len(idea["web_competitors"]) <= 5
        for company in idea["web_competitors"] + idea["distractors"]:
            assert company["domain"].endswith(".test")
            assert (sites / company["domain"] / "index.html").is_file()
            stem = company["domain"].removesuffix(".test")
            for word in (company["name"].lower(), stem):
                assert word not in demo, word  # as `grep -ril <word> demo_data` would
        total += len(idea["web_competitors"])
        named = [c["name"] for c in idea["web_competitors"]]
        assert sum(n in idea["inputs"]["inspiration_sources"] for n in named) <= 1
    assert total >= 30
    with_competitor = [
        i
        for i in IDEAS.values()
        if any(c["name"] in i["inputs"]["inspiration_sources"] for c in i["web_competitors"])
    ]
    assert len(with_competitor) <= len(IDEAS) // 2

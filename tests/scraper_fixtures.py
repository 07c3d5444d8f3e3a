"""Shared fixtures and helpers for the market-data service tests (import them by name).

Includes recorded upstream answers in the official Crunchbase API v4 and Tracxn API 2.2 shapes,
served by small local FastAPI apps that check the API key and can inject failures.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from marketnav.settings import Settings

TOKEN = "test-service-token"
AUTH = {"X-Service-Token": TOKEN}
UPSTREAM_KEY = "recorded-test-key"
REPO_ROOT = Path(__file__).resolve().parents[1]
YC_STARTUPS_CSV = REPO_ROOT.parent / "shared" / "data" / "yc-startups-2005-2014" / "Startups.csv"


def make_settings(var_dir: Path, **overrides: Any) -> Settings:
    return Settings(var_dir=var_dir, scraper_service_token=TOKEN, **overrides)


@pytest.fixture
def scraper_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def crunchbase_api(scraper_settings: Settings) -> Iterator[TestClient]:
    from scraper_services.crunchbase.app import create_app

    with TestClient(create_app(scraper_settings, rate_limit_per_minute=100_000)) as client:
        yield client


@pytest.fixture
def tracxn_api(scraper_settings: Settings) -> Iterator[TestClient]:
    from scraper_services.tracxn.app import create_app

    with TestClient(create_app(scraper_settings, rate_limit_per_minute=100_000)) as client:
        yield client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve_in_thread(app: FastAPI) -> Iterator[str]:
    """Runs `app` under uvicorn on a free loopback port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 180  # start-up loads the model and indexes the data set
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def add_latency(app: FastAPI, seconds: float) -> FastAPI:
    """Delay every request to `app` by `seconds` (a fixed network/scraping latency)."""
    import asyncio

    @app.middleware("http")
    async def latency(request: Request, call_next):
        await asyncio.sleep(seconds)
        return await call_next(request)

    return app


# ---- recorded upstream answers -------------------------------------------------------------


def _cb_org(permalink: str, name: str, short: str, rank: int, funding: int, site: str) -> dict:
    return {
        "uuid": f"00000000-0000-0000-0000-{abs(hash(permalink)) % 10**12:012d}",
        "properties": {
            "identifier": {
                "uuid": "…",
                "value": name,
                "image_id": f"{permalink}-logo",
                "permalink": permalink,
                "entity_def_id": "organization",
            },
            "short_description": short,
            "rank_org_company": rank,
            "website_url": site,
            "categories": [
                {"entity_def_id": "category", "permalink": "pet", "uuid": "…", "value": "Pet"}
            ],
            "location_identifiers": [
                {"location_type": "city", "value": "Seattle", "entity_def_id": "location"},
                {"location_type": "country", "value": "United States", "entity_def_id": "location"},
            ],
            "founded_on": {"precision": "year", "value": "2011-01-01"},
            "funding_total": {"currency": "USD", "value": funding, "value_usd": funding},
            "operating_status": "active",
        },
    }


CRUNCHBASE_ORGS = [
    _cb_org("rover", "Rover", "Rover is an online marketplace for pet sitting and dog walking.",
            1870, 310_000_000, "https://www.rover.com"),
    _cb_org("wag-labs", "Wag!", "Wag! offers on-demand dog walking and pet care services.",
            5120, 361_000_000, "https://wagwalking.com"),
    _cb_org("barkbox", "BARK", "BARK sells monthly subscription boxes of dog toys and treats.",
            9800, 110_000_000, "https://bark.co"),
]  # fmt: skip
CRUNCHBASE_ENTITY_CARDS = {
    "raised_funding_rounds": [
        {
            "identifier": {"value": "Series G - Rover", "permalink": "rover-series-g"},
            "announced_on": "2018-09-27",
            "money_raised": {"currency": "USD", "value": 155_000_000, "value_usd": 155_000_000},
            "num_investors": 3,
            "lead_investor_identifiers": [{"value": "Spectrum Equity", "permalink": "spectrum"}],
        }
    ]
}


def _tx_company(cid: str, name: str, domain: str, short: str, score: float, funding: int) -> dict:
    return {
        "id": cid,
        "name": name,
        "domain": domain,
        "description": {"short": short, "long": short + " Founded to make pet care easy."},
        "foundedYear": 2011,
        "location": {"city": "Seattle", "country": "United States"},
        "tracxnScore": {"overall": score},
        "totalEquityFunding": {"amount": {"USD": {"value": funding}}},
        "sectorList": [{"name": "Consumer"}, {"name": "Pet Care"}],
        "companyStage": "Late Stage",
    }


TRACXN_COMPANIES = [
    _tx_company("ZA1rover", "Rover", "rover.com", "Marketplace for pet sitters and dog walkers",
                71.5, 310_000_000),
    _tx_company("ZB2wag", "Wag!", "wagwalking.com", "On-demand dog walking app", 64.0,
                361_000_000),
    _tx_company("ZC3bark", "BARK", "bark.co", "Subscription boxes of dog toys and treats", 58.2,
                110_000_000),
]  # fmt: skip


@dataclass
class UpstreamBehaviour:
    """What the fake upstream does: statuses to return first, and what it saw."""

    fail_with: list[int] = field(default_factory=list)
    retry_after: str | None = None
    calls: list[str] = field(default_factory=list)

    def next_failure(self) -> JSONResponse | None:
        if not self.fail_with:
            return None
        status = self.fail_with.pop(0)
        headers = {"Retry-After": self.retry_after} if self.retry_after else None
        return JSONResponse({"error": "injected"}, status_code=status, headers=headers)


def _words_match(text: str, query: str) -> bool:
    return all(word.lower() in text.lower() for word in query.split())


def fake_crunchbase_upstream(behaviour: UpstreamBehaviour) -> FastAPI:
    app = FastAPI()

    def gate(key: str | None, path: str) -> JSONResponse | None:
        behaviour.calls.append(path)
        if key != UPSTREAM_KEY:
            return JSONResponse({"error": "invalid key"}, status_code=401)
        return behaviour.next_failure()

    @app.post("/api/v4/searches/organizations")
    async def search(request: Request, x_cb_user_key: str | None = Header(None)):
        if (problem := gate(x_cb_user_key, "search")) is not None:
            return problem
        body = await request.json()
        predicate = body["query"][0]
        value = predicate["values"][0]
        if predicate["operator_id"] == "domain_eq":
            hits = [o for o in CRUNCHBASE_ORGS if value in o["properties"]["website_url"]]
        else:
            hits = [
                o
                for o in CRUNCHBASE_ORGS
                if _words_match(o["properties"]["short_description"], value)
            ]
        hits = hits[: body.get("limit", 50)]
        return {"count": len(hits), "entities": hits}

    @app.get("/api/v4/entities/organizations/{permalink}")
    async def entity(permalink: str, x_cb_user_key: str | None = Header(None)):
        if (problem := gate(x_cb_user_key, "entity")) is not None:
            return problem
        for org in CRUNCHBASE_ORGS:
            if org["properties"]["identifier"]["permalink"] == permalink:
                properties = {**org["properties"], "description": f"All about {permalink}"}
                return {"properties": properties, "cards": CRUNCHBASE_ENTITY_CARDS}
        return JSONResponse({"error": "not found"}, status_code=404)

    @app.get("/api/v4/autocompletes")
    async def autocomplete(query: str, x_cb_user_key: str | None = Header(None)):
        if (problem := gate(x_cb_user_key, "autocomplete")) is not None:
            return problem
        hits = [
            {"identifier": o["properties"]["identifier"], "short_description": "…"}
            for o in CRUNCHBASE_ORGS
            if query.lower() in o["properties"]["identifier"]["value"].lower()
        ]
        return {"count": len(hits), "entities": hits}

    return app


def fake_tracxn_upstream(behaviour: UpstreamBehaviour) -> FastAPI:
    app = FastAPI()

    @app.post("/api/2.2/companies")
    async def companies(request: Request, accesstoken: str | None = Header(None)):
        behaviour.calls.append("companies")
        if accesstoken != UPSTREAM_KEY:
            return JSONResponse({"error": "invalid accessToken"}, status_code=401)
        if (problem := behaviour.next_failure()) is not None:
            return problem
        body = await request.json()
        filter_ = body.get("filter", {})
        hits = TRACXN_COMPANIES
        if "keyword" in filter_:
            keywords = filter_["keyword"]
            hits = [
                c for c in hits if all(_words_match(c["description"]["long"], k) for k in keywords)
            ]
        if "id" in filter_:
            hits = [c for c in hits if c["id"] in filter_["id"]]
        if "companyName" in filter_:
            names = [n.lower() for n in filter_["companyName"]]
            hits = [c for c in hits if c["name"].lower() in names]
        if "domain" in filter_:
            hits = [c for c in hits if c["domain"] in filter_["domain"]]
        start, size = body.get("from", 0), body.get("size", 20)
        return {"result": hits[start : start + size], "total_count": len(hits)}

    return app


@contextlib.asynccontextmanager
async def asgi_client(app: FastAPI):
    """An httpx client talking to `app` in-process, with the app's lifespan run around it."""
    import httpx

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client


class SlowDatasetSource:
    """Wraps a dataset source; every keyword search takes `delay` seconds."""

    def __init__(self, inner: Any, delay: float):
        self.inner, self.delay, self.label = inner, delay, inner.label
        self.records = inner.records

    async def search(self, keyword: str, limit: int):
        import asyncio

        await asyncio.sleep(self.delay)
        return await self.inner.search(keyword, limit)

    async def fetch(self, key: str):
        return await self.inner.fetch(key)

    async def lookup(self, name: str | None, url: str | None):
        return await self.inner.lookup(name, url)

    async def health(self) -> dict[str, Any]:
        return await self.inner.health()

    async def aclose(self) -> None:
        return None


async def wait_until_running(app: FastAPI, request_id: str, timeout: float = 10.0) -> None:
    """Waits until the service has registered the run `request_id` (so it can be cancelled)."""
    import asyncio

    registry = app.state.context.cancellations
    deadline = time.monotonic() + timeout
    while not registry.is_running(request_id):
        assert time.monotonic() < deadline, f"{request_id} never started"
        await asyncio.sleep(0.01)


@contextlib.contextmanager
def app_market_services(var_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Both services on the demo data set over HTTP, and the app's settings pointed at them."""
    from scraper_services.crunchbase.app import create_app as create_crunchbase
    from scraper_services.tracxn.app import create_app as create_tracxn
    from tests.conftest import clear_caches

    settings = make_settings(var_dir)
    with (
        serve_in_thread(create_crunchbase(settings)) as crunchbase_url,
        serve_in_thread(create_tracxn(settings)) as tracxn_url,
    ):
        monkeypatch.setenv("CRUNCHBASE_API_URL", crunchbase_url)
        monkeypatch.setenv("TRACXN_API_URL", tracxn_url)
        monkeypatch.setenv("SCRAPER_SERVICE_TOKEN", TOKEN)
        clear_caches()
        yield

"""The app's market-data client against the services in-process (ASGI transport)."""

from __future__ import annotations

import contextlib

import httpx
import pytest

from marketnav.services.market_data import MarketDataCancelled, MarketDataClient, MarketDataError
from scraper_services.common.contracts import ProgressEvent
from scraper_services.crunchbase.app import create_app as create_crunchbase
from scraper_services.crunchbase.schemas import (
    BatchRequest,
    TopSimilarWithRankRequest,
    TopSimilarWithRankResponse,
)
from scraper_services.tracxn.app import create_app as create_tracxn
from scraper_services.tracxn.schemas import ScrapeBatchWithRankRequest, ScrapeBatchWithRankResponse
from tests.scraper_fixtures import TOKEN, make_settings

CB_REQUEST = TopSimilarWithRankRequest(
    keywords=["language learning", "online courses"],
    target_description="AI tutor app that teaches languages through conversation",
    top_count=3,
)
TX_REQUEST = ScrapeBatchWithRankRequest(
    company_names=["mental health", "therapy"],
    target_description="Online therapy sessions with licensed counsellors by chat",
    top_count=3,
)


class FlakyFirst:
    """ASGI wrapper answering 503 to the first `failures` requests."""

    def __init__(self, app, failures: int):
        self.app, self.failures, self.seen = app, failures, 0

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.seen += 1
            if self.seen <= self.failures:
                await send({"type": "http.response.start", "status": 503, "headers": []})
                await send({"type": "http.response.body", "body": b'{"detail":"busy"}'})
                return
        await self.app(scope, receive, send)


@contextlib.asynccontextmanager
async def client_for(app, failures: int = 0):
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=FlakyFirst(app, failures))
        async with MarketDataClient(
            "http://crunchbase", "http://tracxn", TOKEN, transport=transport, backoff_initial=0.001
        ) as client:
            yield client


@pytest.mark.asyncio
async def test_crunchbase_calls_return_models(tmp_path):
    async with client_for(create_crunchbase(make_settings(tmp_path))) as client:
        health = await client.health("crunchbase")
        assert health.source == "demo-dataset" and health.status == "healthy"
        result = await client.search_crunchbase(CB_REQUEST)
        assert isinstance(result, TopSimilarWithRankResponse)
        names = [c.name for c in result.top_companies_full_data]
        assert names[0] in {"Speak", "Duolingo", "italki", "Babbel", "Preply", "Busuu"}, names
        batch = await client.crunchbase_batch(BatchRequest(keywords=["payments"]))
        assert batch.summary.total_keywords == 1
        stripe = await client.crunchbase_company(name="Stripe")
        assert stripe is not None and stripe.company.cb_rank is not None
        assert await client.crunchbase_company(name="No Such Co") is None
        cancel = await client.cancel("crunchbase", "nothing-running")
        assert cancel.status == "not_found"


@pytest.mark.asyncio
async def test_crunchbase_stream_yields_progress_then_the_response(tmp_path):
    async with client_for(create_crunchbase(make_settings(tmp_path))) as client:
        items = [item async for item in client.stream_crunchbase(CB_REQUEST)]
    progress, final = items[:-1], items[-1]
    assert isinstance(final, TopSimilarWithRankResponse)
    assert all(isinstance(item, ProgressEvent) for item in progress)
    per_keyword = [e.keyword for e in progress if e.type == "search_result"]
    assert per_keyword == CB_REQUEST.keywords
    assert [e.type for e in progress].count("company_rank") == 3


@pytest.mark.asyncio
async def test_tracxn_calls_and_stream(tmp_path):
    async with client_for(create_tracxn(make_settings(tmp_path))) as client:
        result = await client.search_tracxn(TX_REQUEST)
        assert isinstance(result, ScrapeBatchWithRankResponse)
        assert result.metadata.top_count_returned == 3
        items = [item async for item in client.stream_tracxn(TX_REQUEST)]
        assert isinstance(items[-1], ScrapeBatchWithRankResponse)
        assert {e.type for e in items[:-1]} >= {"search_result", "company_ranked", "top_selected"}
        found = await client.tracxn_company(name="Talkspace")
        assert found is not None and found.company.reference.startswith("/a/d/company/")
        assert await client.tracxn_company(reference="/a/d/company/none/none.io") is None


@pytest.mark.asyncio
async def test_retries_busy_services_and_reports_errors(tmp_path):
    async with client_for(create_crunchbase(make_settings(tmp_path)), failures=2) as client:
        assert (await client.search_crunchbase(CB_REQUEST)).metadata.top_count_returned == 3
        bad = CB_REQUEST.model_copy(update={"rank_weight": 0.5})
        with pytest.raises(MarketDataError) as failure:
            await client.search_crunchbase(bad)
        assert failure.value.status_code == 400 and "must equal 1" in str(failure.value)
        with pytest.raises(MarketDataError) as failure:
            [item async for item in client.stream_crunchbase(bad)]
        assert failure.value.status_code == 400
    async with client_for(create_crunchbase(make_settings(tmp_path)), failures=10) as client:
        with pytest.raises(MarketDataError) as failure:
            await client.search_crunchbase(CB_REQUEST)
        assert failure.value.status_code == 503


@pytest.mark.asyncio
async def test_wrong_token_and_unreachable_service(tmp_path):
    app = create_crunchbase(make_settings(tmp_path))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with MarketDataClient("http://c", "http://t", "wrong", transport=transport) as client:
            with pytest.raises(MarketDataError) as failure:
                await client.search_crunchbase(CB_REQUEST)
            assert failure.value.status_code == 401
    async with MarketDataClient(
        "http://127.0.0.1:9", "http://127.0.0.1:9", TOKEN, attempts=2, backoff_initial=0.001
    ) as client:
        with pytest.raises(MarketDataError, match="unreachable"):
            await client.search_crunchbase(CB_REQUEST)


def test_cancelled_error_is_a_market_data_error():
    assert issubclass(MarketDataCancelled, MarketDataError)

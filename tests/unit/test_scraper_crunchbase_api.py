"""Contract tests of crunchbase_api: every endpoint, status codes, shapes, weights, auth, limits."""
# ruff: noqa: F811 - pytest fixtures imported by name are redefined as test arguments

from __future__ import annotations

import asyncio
import json

import pytest
from fastapi.testclient import TestClient

from scraper_services.crunchbase.app import create_app, demo_source
from tests.scraper_fixtures import (  # noqa: F401 - fixtures are used by name
    AUTH,
    SlowDatasetSource,
    asgi_client,
    crunchbase_api,
    make_settings,
    scraper_settings,
    wait_until_running,
)

SEARCH = "/search/crunchbase/top-similar-with-rank"
BODY = {
    "keywords": ["food delivery", "grocery delivery", "meal kit"],
    "target_description": "An app that delivers healthy meals cooked by local chefs to offices",
    "num_companies": 10,
    "top_count": 5,
}
PROTECTED = [
    ("post", SEARCH, BODY),
    ("post", SEARCH + "/stream", BODY),
    ("post", "/search/crunchbase/batch", {"keywords": ["fintech"]}),
    ("get", "/search/crunchbase?hashtag=fintech", None),
    ("get", "/companies/lookup?name=Stripe", None),
    ("post", "/companies/by-names", {"company_names": ["Stripe"]}),
    ("post", "/cancel/abc", None),
]


def _call(client: TestClient, method: str, path: str, body, headers=None):
    kwargs = {"headers": headers or {}}
    if body is not None:
        kwargs["json"] = body
    return getattr(client, method)(path, **kwargs)


def test_health_reports_source_and_store_without_a_token(crunchbase_api):
    response = crunchbase_api.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy" and body["api"] == "crunchbase"
    assert body["source"] == "demo-dataset"
    assert body["store"] == {
        "backend": "sqlite",
        "ok": True,
        "companies": body["store"]["companies"],
    }
    assert body["store"]["companies"] >= 150
    assert body["similarity_backend"] == "hybrid" and body["similarity_ready"] is True


def test_openapi_and_docs_are_served(crunchbase_api):
    assert crunchbase_api.get("/docs").status_code == 200
    spec = crunchbase_api.get("/openapi.json").json()
    assert SEARCH in spec["paths"] and "/cancel/{request_id}" in spec["paths"]
    assert "X-Service-Token" in json.dumps(spec["components"]["securitySchemes"])
    assert "ProgressEvent" in spec["components"]["schemas"]


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
def test_every_endpoint_needs_the_service_token(crunchbase_api, method, path, body):
    assert _call(crunchbase_api, method, path, body).status_code == 401
    wrong = _call(crunchbase_api, method, path, body, {"X-Service-Token": "nope"})
    assert wrong.status_code == 401
    assert "X-Service-Token" in wrong.json()["detail"]
    assert _call(crunchbase_api, method, path, body, AUTH).status_code in (200, 404)


def test_bearer_token_is_accepted(crunchbase_api):
    headers = {"Authorization": f"Bearer {AUTH['X-Service-Token']}"}
    assert crunchbase_api.post("/cancel/x", headers=headers).status_code == 200


def test_search_with_rank_contract(crunchbase_api):
    response = crunchbase_api.post(SEARCH, json=BODY, headers=AUTH)
    assert response.status_code == 200
    data = response.json()
    assert data["source"] == "demo-dataset"
    companies, top, meta = data["all_companies"], data["top_companies_full_data"], data["metadata"]
    assert set(companies[0]) == {
        "url", "name", "description", "similarity_score", "cb_rank", "rank_score",
        "combined_score", "combined_rank", "appearance_count", "keywords",
        "relevance", "named_by_user", "origin", "web_pages",
    }  # fmt: skip
    # The relevance floor: at most top_count, and only companies at or above it are presented.
    retrieval = meta["retrieval"]
    assert 1 <= len(top) == meta["top_count_returned"] <= 5 and meta["top_count_requested"] == 5
    assert len(top) == min(5, retrieval["above_floor"])
    assert all(t["relevance"] >= retrieval["relevance_floor"] for t in top)
    assert retrieval["candidates"] == len(companies) and retrieval["named_competitors"] == []
    assert {c["origin"] for c in companies} == {"demo-dataset"}
    assert not any(c["named_by_user"] for c in companies)
    assert [c["combined_rank"] for c in companies] == list(range(1, len(companies) + 1))
    scores = [c["combined_score"] for c in companies]
    assert scores == sorted(scores, reverse=True)
    ranks = [c["cb_rank"] for c in companies]
    low, high = min(ranks), max(ranks)
    assert meta["cb_rank_range"] == {"min_rank": low, "max_rank": high, "range": high - low}
    for company in companies:
        expected_rank_score = 1 - (company["cb_rank"] - low) / (high - low)
        assert company["rank_score"] == pytest.approx(expected_rank_score)
        assert company["combined_score"] == pytest.approx(
            company["similarity_score"] * 0.75 + company["rank_score"] * 0.25
        )
        assert 0 <= company["similarity_score"] <= 1
        assert company["url"].startswith("https://www.crunchbase.com/organization/")
    # The presented companies are the best-ranked ones at or above the floor, in order.
    floor = retrieval["relevance_floor"]
    passing = [c for c in companies if c["relevance"] >= floor or c["named_by_user"]]
    assert [t["name"] for t in top] == [c["name"] for c in passing[:5]]
    first = top[0]
    assert first["combined_rank"] == passing[0]["combined_rank"]
    assert first["company_data"]["Company Name"] == first["name"]
    assert first["company_data"]["Source"] == "demo-dataset"
    for key in ("About", "Industry Tags", "Total Funding Amount", "Funding Table", "url"):
        assert key in first["company_data"]
    assert meta["total_keywords_searched"] == 3 and meta["successful_keywords"] == 3
    assert meta["all_companies_count"] == len(companies) == meta["total_unique_companies"]
    assert set(meta["keyword_results"]) == set(BODY["keywords"])
    assert meta["keyword_results"]["meal kit"]["top_companies"][0]["cb_rank"] is not None
    assert [s["name"] for s in meta["sorted_top_companies"]] == [t["name"] for t in top]
    assert meta["weights"] == {"similarity_weight": 0.75, "rank_weight": 0.25}
    for timing in ("collection", "similarity", "scraping", "total"):
        assert meta[f"{timing}_time_seconds"] >= 0
    appearing_twice = [c for c in companies if len(c["keywords"]) > 1]
    assert appearing_twice and all(
        c["appearance_count"] == len(c["keywords"]) for c in appearing_twice
    )


def test_second_search_is_served_from_the_store(crunchbase_api):
    first = crunchbase_api.post(SEARCH, json=BODY, headers=AUTH).json()["metadata"]
    second = crunchbase_api.post(SEARCH, json=BODY, headers=AUTH).json()["metadata"]
    # On the data set every keyword is a retrieval over the catalogue the store holds: nothing
    # is fetched, whatever the freshness window (the live sources refetch: test_scraper_live_*).
    assert first["companies_fetched"] == 0 and first["companies_from_store"] > 0
    assert second["companies_from_store"] == first["companies_from_store"]
    assert second["companies_fetched"] == 0
    refetch = crunchbase_api.post(SEARCH, json={**BODY, "days_threshold": 0}, headers=AUTH)
    assert refetch.json()["metadata"]["companies_fetched"] == 0


@pytest.mark.parametrize(
    ("weights", "status"),
    [
        ({"similarity_weight": 0.6, "rank_weight": 0.4}, 200),
        ({"similarity_weight": 1, "rank_weight": 0}, 200),
        ({"similarity_weight": 0.7505, "rank_weight": 0.25}, 200),
        ({"similarity_weight": 0.75, "rank_weight": 0.5}, 400),
        ({"similarity_weight": 1.5, "rank_weight": -0.5}, 400),
        ({"similarity_weight": 0.5}, 400),
        ({"similarity_weight": "0.5", "rank_weight": 0.5}, 422),
        ({"similarity_weight": True, "rank_weight": 0.0}, 422),
    ],
)
def test_weight_rules(crunchbase_api, weights, status):
    response = crunchbase_api.post(SEARCH, json={**BODY, **weights}, headers=AUTH)
    assert response.status_code == status, response.text
    if status == 400:
        assert "weight" in response.json()["detail"]
    if status == 200:
        meta = response.json()["metadata"]
        assert meta["weights"]["similarity_weight"] == pytest.approx(weights["similarity_weight"])


def test_similarity_only_weights_order_by_similarity(crunchbase_api):
    body = {**BODY, "similarity_weight": 1.0, "rank_weight": 0.0}
    companies = crunchbase_api.post(SEARCH, json=body, headers=AUTH).json()["all_companies"]
    similarities = [c["similarity_score"] for c in companies]
    assert similarities == sorted(similarities, reverse=True)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"keywords": []}, "keywords"),
        ({"keywords": ["   "]}, "keywords.0"),
        ({"keywords": [f"k{i}" for i in range(21)]}, "keywords"),
        ({"keywords": ["x" * 101]}, "keywords.0"),
        ({"num_companies": 0}, "num_companies"),
        ({"top_count": 101}, "top_count"),
        ({"days_threshold": -1}, "days_threshold"),
        ({"days_threshold": False}, "days_threshold"),
        ({"target_description": ""}, "target_description"),
        ({"request_id": "bad id!"}, "request_id"),
    ],
)
def test_invalid_requests_get_clear_422(crunchbase_api, change, field):
    response = crunchbase_api.post(SEARCH, json={**BODY, **change}, headers=AUTH)
    assert response.status_code == 422
    body = response.json()
    assert body["message"].startswith(field)
    assert body["detail"][0]["loc"][0] == "body"


def test_missing_fields_and_bad_json_are_rejected(crunchbase_api):
    response = crunchbase_api.post(SEARCH, json={"keywords": ["x"]}, headers=AUTH)
    assert response.status_code == 422 and "target_description" in response.json()["message"]
    broken = crunchbase_api.post(
        SEARCH, content=b"{not json", headers={**AUTH, "Content-Type": "application/json"}
    )
    assert broken.status_code == 422


def test_unknown_fields_from_old_clients_are_ignored(crunchbase_api):
    body = {**BODY, "report_id": "r-1", "project_id": "p-1", "whatever": [1, 2]}
    response = crunchbase_api.post(SEARCH, json=body, headers=AUTH)
    assert response.status_code == 200 and response.json()["metadata"]["report_id"] == "r-1"


def test_oversized_bodies_get_413(crunchbase_api):
    body = {**BODY, "target_description": "x" * 70_000}
    response = crunchbase_api.post(SEARCH, json=body, headers=AUTH)
    assert response.status_code == 413 and "larger than" in response.json()["detail"]


def test_rate_limit_per_caller(tmp_path):
    with TestClient(create_app(make_settings(tmp_path), rate_limit_per_minute=3)) as client:
        statuses = [client.post("/cancel/x", headers=AUTH).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = client.post("/cancel/x", headers=AUTH)
        assert int(limited.headers["Retry-After"]) >= 1
        assert client.get("/health").status_code == 200  # health is not rate limited


def _events(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("variant", ["accept-header", "stream-path"])
def test_streaming_reports_each_keyword_then_the_result(crunchbase_api, variant):
    if variant == "accept-header":
        headers = {**AUTH, "Accept": "application/x-ndjson"}
        response = crunchbase_api.post(SEARCH, json=BODY, headers=headers)
    else:
        response = crunchbase_api.post(SEARCH + "/stream", json=BODY, headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    events = _events(response.text)
    kinds = [e["event"] for e in events]
    assert kinds[0] == "search_started" and kinds[-1] == "result"
    assert kinds[1:4] == ["search_result"] * 3 and kinds[4] == "sorting_start"
    presented = len(events[-1]["data"]["top_companies_full_data"])
    assert 1 <= presented <= 5 and kinds[5:-1] == ["company_rank"] * presented
    per_keyword = [e for e in events if e["event"] == "search_result"]
    assert [e["keyword"] for e in per_keyword] == BODY["keywords"]
    assert [e["index"] for e in per_keyword] == [1, 2, 3]
    assert per_keyword[0]["top_companies"][0]["cb_rank"] is not None
    ranks = [e for e in events if e["event"] == "company_rank"]
    first_rank = events[-1]["data"]["top_companies_full_data"][0]["combined_rank"]
    assert ranks[0]["message"].startswith(f"{first_rank}. ") and "CB Rank" in ranks[0]["message"]
    result = events[-1]["data"]
    plain = crunchbase_api.post(SEARCH, json=BODY, headers=AUTH).json()
    assert [c["name"] for c in result["all_companies"]] == [
        c["name"] for c in plain["all_companies"]
    ]
    assert len({e["request_id"] for e in events}) == 1


def test_stream_still_validates_before_streaming(crunchbase_api):
    body = {**BODY, "rank_weight": 0.9}
    assert crunchbase_api.post(SEARCH + "/stream", json=body, headers=AUTH).status_code == 400


def test_batch_and_single_keyword_search(crunchbase_api):
    response = crunchbase_api.post(
        "/search/crunchbase/batch",
        json={"keywords": ["pet care", "dog walking", "zzzz nothing"], "num_companies": 3},
        headers=AUTH,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["source"] == "demo-dataset"
    assert [r["keyword"] for r in body["results"]] == ["pet care", "dog walking", "zzzz nothing"]
    assert body["results"][0]["count"] == len(body["results"][0]["companies"]) <= 3
    assert body["results"][2]["count"] == 0 and body["results"][2]["status"] == "success"
    summary = body["summary"]
    assert summary["total_keywords"] == 3 and summary["successful_keywords"] == 3
    assert summary["total_companies_found"] == sum(r["count"] for r in body["results"])
    single = crunchbase_api.get("/search/crunchbase?hashtag=payments&num_companies=2", headers=AUTH)
    assert single.status_code == 200 and 1 <= len(single.json()["data"]) <= 2


def test_company_lookup(crunchbase_api):
    by_name = crunchbase_api.get("/companies/lookup?name=stripe", headers=AUTH)
    assert by_name.status_code == 200
    company = by_name.json()["company"]
    assert company["name"] == "Stripe" and company["fresh"] is True
    assert company["company_data"]["Website"] == "https://stripe.com"
    by_url = crunchbase_api.get(
        "/companies/lookup", params={"url": "https://www.crunchbase.com/organization/stripe"},
        headers=AUTH,
    )  # fmt: skip
    assert by_url.json()["company"]["name"] == "Stripe"
    by_site = crunchbase_api.get("/companies/lookup?url=www.duolingo.com", headers=AUTH)
    assert by_site.json()["company"]["name"] == "Duolingo"
    assert crunchbase_api.get("/companies/lookup?name=Nope Inc", headers=AUTH).status_code == 404
    assert crunchbase_api.get("/companies/lookup", headers=AUTH).status_code == 400
    many = crunchbase_api.post(
        "/companies/by-names", json={"company_names": ["Stripe", "Nope Inc", "Wise"]}, headers=AUTH
    ).json()
    assert [c["name"] for c in many["companies"]] == ["Stripe", "Wise"]
    assert many["not_found"] == ["Nope Inc"] and many["source"] == "demo-dataset"


def test_cancel_unknown_request(crunchbase_api):
    response = crunchbase_api.post("/cancel/req-123", headers=AUTH)
    assert response.json() == {"status": "not_found", "request_id": "req-123"}
    assert crunchbase_api.post("/cancel/bad id", headers=AUTH).status_code == 422


@pytest.mark.asyncio
async def test_cancel_stops_a_running_search(tmp_path):
    app = create_app(
        make_settings(tmp_path), source=SlowDatasetSource(demo_source(), 0.15),
        rate_limit_per_minute=1000,
    )  # fmt: skip
    keywords = ["fintech", "payments", "neobank", "crypto", "lending", "insurance"]
    body = {**BODY, "keywords": keywords, "request_id": "run-1"}
    async with asgi_client(app) as client:
        search = asyncio.create_task(client.post(SEARCH, json=body, headers=AUTH))
        await wait_until_running(app, "run-1")
        cancel = await client.post("/cancel/run-1", headers=AUTH)
        assert cancel.json() == {"status": "cancelled", "request_id": "run-1"}
        response = await search
        assert response.status_code == 409 and "cancelled" in response.json()["detail"]
        streamed = asyncio.create_task(
            client.post(SEARCH + "/stream", json={**body, "request_id": "run-2"}, headers=AUTH)
        )
        await wait_until_running(app, "run-2")
        assert (await client.post("/cancel/run-2", headers=AUTH)).json()["status"] == "cancelled"
        events = _events((await streamed).text)
        assert events[-1]["event"] == "cancelled"
        assert len([e for e in events if e["event"] == "search_result"]) < len(keywords)
        assert (await client.post("/cancel/run-2", headers=AUTH)).json()["status"] == "not_found"


def test_unavailable_similarity_model_gives_503(tmp_path):
    settings = make_settings(tmp_path, similarity_backend="no-such-model")
    with TestClient(create_app(settings, rate_limit_per_minute=100)) as client:
        health = client.get("/health")
        assert health.status_code == 503 and health.json()["similarity_ready"] is False
        response = client.post(SEARCH, json=BODY, headers=AUTH)
        assert response.status_code == 503 and "Retrieval model" in response.json()["detail"]
        batch = client.post("/search/crunchbase/batch", json={"keywords": ["ai"]}, headers=AUTH)
        assert batch.status_code == 200

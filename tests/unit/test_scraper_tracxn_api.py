"""Contract tests of tracxn_api: every endpoint, status codes, shapes, weights, auth, limits."""
# ruff: noqa: F811 - pytest fixtures imported by name are redefined as test arguments

from __future__ import annotations

import asyncio
import json

import pytest
from fastapi.testclient import TestClient

from scraper_services.tracxn.app import create_app, demo_source
from tests.scraper_fixtures import (  # noqa: F401 - fixtures are used by name
    AUTH,
    SlowDatasetSource,
    asgi_client,
    make_settings,
    scraper_settings,
    tracxn_api,
    wait_until_running,
)

SEARCH = "/scrape-batch-api-with-rank"
BODY = {
    "company_names": ["Pet AND Care", "dog walking", "pet supplies"],
    "target_description": "Marketplace connecting pet owners with vetted local dog walkers",
    "top_count": 4,
    "num_companies_per_search": 10,
}
PROTECTED = [
    ("get", "/", None),
    ("post", SEARCH, BODY),
    ("post", SEARCH + "/stream", BODY),
    ("get", "/companies/lookup?name=Rover", None),
    ("post", "/companies/by-names", {"company_names": ["Rover"]}),
    ("post", "/cancel/abc", None),
]


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
def test_every_endpoint_needs_the_service_token(tracxn_api, method, path, body):
    kwargs = {} if body is None else {"json": body}
    assert getattr(tracxn_api, method)(path, **kwargs).status_code == 401
    assert getattr(tracxn_api, method)(path, headers=AUTH, **kwargs).status_code == 200


def test_health_and_root(tracxn_api):
    health = tracxn_api.get("/health").json()
    assert health["api"] == "tracxn" and health["source"] == "demo-dataset"
    assert health["store"]["backend"] == "sqlite" and health["store"]["companies"] >= 150
    root = tracxn_api.get("/", headers=AUTH).json()
    assert root == {"service": "tracxn_api", "source": "demo-dataset", "docs": "/docs"}
    assert tracxn_api.get("/docs").status_code == 200


def test_search_with_rank_contract(tracxn_api):
    response = tracxn_api.post(SEARCH, json=BODY, headers=AUTH)
    assert response.status_code == 200
    data = response.json()
    assert data["source"] == "demo-dataset"
    companies, top, meta = data["all_companies"], data["top_companies_full_data"], data["metadata"]
    assert set(companies[0]) == {
        "rank", "reference", "name", "description", "similarity_score", "tracxn_score",
        "normalized_tracxn_score", "combined_score", "appearance_count", "keywords",
        "relevance", "named_by_user", "origin", "web_pages",
    }  # fmt: skip
    assert [c["rank"] for c in companies] == list(range(1, len(companies) + 1))
    assert [c["combined_score"] for c in companies] == sorted(
        (c["combined_score"] for c in companies), reverse=True
    )
    for company in companies:
        assert company["normalized_tracxn_score"] == pytest.approx(company["tracxn_score"] / 100)
        assert company["combined_score"] == pytest.approx(
            company["similarity_score"] * 0.75 + company["normalized_tracxn_score"] * 0.25
        )
        assert company["reference"].startswith("/a/d/company/")
    assert {"Rover", "Wag!"} <= {c["name"] for c in top}
    assert len(top) == meta["top_count_returned"] == min(4, meta["retrieval"]["above_floor"])
    assert all(t["relevance"] >= meta["retrieval"]["relevance_floor"] for t in top)
    sections = [s["section"] for s in top[0]["full_data"]]
    assert sections[:3] == ["company_name", "company_basic_details", "about"]
    assert "key_metrics" in sections and "funding_and_investors" in sections
    assert top[0]["source"] == "database"  # the data set is served from the store
    scores = [c["tracxn_score"] for c in companies]
    assert meta["tracxn_score_range"] == {"min": min(scores), "max": max(scores)}
    assert meta["similarity_weight"] == 0.75 and meta["score_weight"] == 0.25
    assert meta["total_keywords_searched"] == 3 and set(meta["keyword_results"]) == set(
        BODY["company_names"]
    )
    again = tracxn_api.post(SEARCH, json=BODY, headers=AUTH).json()
    assert again["top_companies_full_data"][0]["source"] == "database"
    assert again["metadata"]["fresh_from_db"] == meta["fresh_from_db"] > 0
    assert again["metadata"]["newly_fetched"] == meta["newly_fetched"] == 0


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"similarity_weight": 0.5, "score_weight": 0.5}, 200),
        ({"similarity_weight": 0.9, "score_weight": 0.25}, 400),
        ({"similarity_weight": -0.1, "score_weight": 1.1}, 400),
        ({"top_count": 0}, 422),
        ({"freshness_days": 400}, 422),
        ({"company_names": []}, 422),
        ({"company_names": [" "]}, 422),
        ({"sort_by": "alphabetical"}, 422),
        ({"num_companies_per_search": 101}, 422),
    ],
)
def test_request_rules(tracxn_api, change, status):
    response = tracxn_api.post(SEARCH, json={**BODY, **change}, headers=AUTH)
    assert response.status_code == status, response.text
    if status == 422:
        assert response.json()["message"]


def test_top_count_is_required(tracxn_api):
    body = {k: v for k, v in BODY.items() if k != "top_count"}
    response = tracxn_api.post(SEARCH, json=body, headers=AUTH)
    assert response.status_code == 422 and response.json()["message"].startswith("top_count")


@pytest.mark.parametrize("sort_by", ["relevance", "Total Equity Funding", "tracxn_score"])
def test_sort_by_orders_each_keywords_preview(tracxn_api, sort_by):
    body = {**BODY, "sort_by": sort_by, "company_names": ["food delivery"]}
    meta = tracxn_api.post(SEARCH, json=body, headers=AUTH).json()["metadata"]
    preview = meta["keyword_results"]["food delivery"]["top_companies"]
    if sort_by == "tracxn_score":
        assert [p["tracxn_score"] for p in preview] == sorted(
            (p["tracxn_score"] for p in preview), reverse=True
        )
    assert len(preview) == 5


def test_streaming_progress(tracxn_api):
    headers = {**AUTH, "Accept": "application/x-ndjson"}
    response = tracxn_api.post(SEARCH, json=BODY, headers=headers)
    events = [json.loads(line) for line in response.text.splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds == (
        ["search_started"] + ["search_result"] * 3 + ["company_ranked"] * 4
        + ["top_selected", "result"]
    )  # fmt: skip
    assert events[1]["top_companies"][0]["tracxn_score"] is not None
    assert events[4]["message"].startswith("1. ") and "Score" in events[4]["message"]
    assert events[-1]["data"]["metadata"]["top_count_returned"] == 4
    stream = tracxn_api.post(SEARCH + "/stream", json=BODY, headers=AUTH)
    assert stream.headers["content-type"].startswith("application/x-ndjson")


def test_lookup_by_name_url_and_reference(tracxn_api):
    rover = tracxn_api.get("/companies/lookup?name=Rover", headers=AUTH).json()["company"]
    assert rover["name"] == "Rover" and rover["full_data"][0]["section"] == "company_name"
    by_ref = tracxn_api.get(
        "/companies/lookup", params={"reference": rover["reference"]}, headers=AUTH
    )
    assert by_ref.json()["company"]["name"] == "Rover"
    by_url = tracxn_api.get("/companies/lookup?url=https://www.rover.com", headers=AUTH)
    assert by_url.json()["company"]["reference"] == rover["reference"]
    assert tracxn_api.get("/companies/lookup?name=Nope", headers=AUTH).status_code == 404
    assert tracxn_api.get("/companies/lookup?name=%20", headers=AUTH).status_code == 400
    many = tracxn_api.post(
        "/companies/by-names", json={"company_names": ["Rover", "Nope"]}, headers=AUTH
    ).json()
    assert [c["name"] for c in many["companies"]] == ["Rover"] and many["not_found"] == ["Nope"]


def test_rate_limit_and_body_limit(tmp_path):
    with TestClient(create_app(make_settings(tmp_path), rate_limit_per_minute=2)) as client:
        assert [client.get("/", headers=AUTH).status_code for _ in range(3)] == [200, 200, 429]
        big = {**BODY, "target_description": "y" * 80_000}
        assert client.post(SEARCH, json=big, headers=AUTH).status_code == 413


@pytest.mark.asyncio
async def test_cancel_running_search(tmp_path):
    app = create_app(make_settings(tmp_path), source=SlowDatasetSource(demo_source(), 0.15))
    body = {**BODY, "company_names": ["pet", "dog", "food", "travel", "ai"], "request_id": "t-1"}
    async with asgi_client(app) as client:
        search = asyncio.create_task(client.post(SEARCH, json=body, headers=AUTH))
        await wait_until_running(app, "t-1")
        assert (await client.post("/cancel/t-1", headers=AUTH)).json()["status"] == "cancelled"
        assert (await search).status_code == 409

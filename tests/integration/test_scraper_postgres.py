"""The company store and a whole service on PostgreSQL (127.0.0.1:5432, database `test`)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from scraper_services.common.records import utc_now
from scraper_services.common.store import CompanyStore, store_url_for
from scraper_services.crunchbase.app import create_app, demo_source
from tests.scraper_fixtures import AUTH, make_settings

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def pg_store():
    prefix = f"t{uuid.uuid4().hex[:10]}_"
    store = CompanyStore(store_url_for(POSTGRES_URL, None, "crunchbase"), "crunchbase", prefix)
    store.create()
    try:
        yield store
    finally:
        store.drop()
        store.dispose()


def test_url_is_mapped_to_psycopg():
    assert store_url_for("postgres://u@h/db", None, "x") == "postgresql+psycopg://u@h/db"


def test_postgres_store_roundtrip(pg_store):
    assert pg_store.backend == "postgresql" and pg_store.ping()
    records = demo_source().records[:20]
    assert pg_store.upsert(records) == 20
    stale = records[0].model_copy(update={"fetched_at": utc_now() - timedelta(days=40)})
    pg_store.upsert([stale])
    assert pg_store.count() == 20
    got = pg_store.get_many([r.key for r in records[:3]])
    assert got[records[0].key].age_days() > 39 and got[records[1].key].age_days() < 1
    assert pg_store.find(name=records[2].name).key == records[2].key
    assert pg_store.find(url=records[3].website).key == records[3].key
    pg_store.save_search("Fintech", 10, [r.key for r in records[:4]])
    pg_store.save_search("fintech", 12, [r.key for r in records[:5]])
    cached = pg_store.get_search("FINTECH ")
    assert cached.result_limit == 12 and len(cached.keys) == 5
    assert len(list(pg_store.iter_records(origin="demo-dataset"))) == 20


def test_crunchbase_service_on_postgres(pg_store, tmp_path):
    app = create_app(make_settings(tmp_path), store=pg_store, rate_limit_per_minute=1000)
    body = {"keywords": ["payments", "neobank"], "target_description": "bank account for teens"}
    with TestClient(app) as client:
        health = client.get("/health").json()
        assert health["store"]["backend"] == "postgresql" and health["store"]["companies"] >= 150
        url = "/search/crunchbase/top-similar-with-rank"
        first = client.post(url, json=body, headers=AUTH).json()
        second = client.post(url, json=body, headers=AUTH).json()
    assert first["metadata"]["companies_fetched"] > 0
    assert second["metadata"]["companies_from_store"] == first["metadata"]["companies_fetched"]
    assert [c["name"] for c in first["all_companies"]] == [
        c["name"] for c in second["all_companies"]
    ]

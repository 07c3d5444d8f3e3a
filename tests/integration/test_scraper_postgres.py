"""The company store and a whole service on PostgreSQL (127.0.0.1:5432, database `test`)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from scraper_services.common.embeddings import text_digest
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
    # The data set is retrieved from the catalogue the PostgreSQL store holds: nothing fetched.
    assert first["metadata"]["companies_fetched"] == 0
    assert second["metadata"]["companies_from_store"] == first["metadata"]["companies_from_store"]
    assert first["metadata"]["companies_from_store"] > 0
    assert [c["name"] for c in first["all_companies"]] == [
        c["name"] for c in second["all_companies"]
    ]


def test_postgres_store_owner_column_and_vector_table(pg_store):
    import numpy as np

    shared = demo_source().records[:3]
    owned = [
        r.model_copy(update={"key": f"org7/{r.key}", "owner": 7}) for r in demo_source().records[:2]
    ]
    pg_store.upsert([*shared, *owned])
    assert pg_store.count_owner(7) == 2 and pg_store.count_owner(8) == 0
    assert {r.key for r in pg_store.iter_records(owner=7)} == {r.key for r in owned}
    by_host, by_name = pg_store.owned_keys(7)
    assert set(by_host.values()) == set(by_name.values()) == {r.key for r in owned}
    # Lookups by name serve the shared record, never the organisation's copy.
    assert pg_store.find(name=owned[0].name).key == shared[0].key
    assert pg_store.delete_owner(7) == 2 and pg_store.count_owner(7) == 0
    assert pg_store.count() == 3
    vectors = {"d1": np.full(384, 0.25, dtype=np.float32), "d2": np.linspace(-1, 1, 384)}
    pg_store.put_vectors(vectors)
    pg_store.put_vectors({"d1": np.zeros(384)})  # first writer wins: replicas agree
    got = pg_store.get_vectors(["d1", "d2", "missing"])
    assert set(got) == {"d1", "d2"} and got["d1"].dtype == np.float32
    assert np.allclose(got["d1"], 0.25) and np.abs(got["d2"] - vectors["d2"]).max() < 1e-3


def test_import_search_and_delete_on_postgres(pg_store, tmp_path):
    from tests.unit.test_company_imports import ORCHARD, ORCHARD_NAMES, ORCHARD_PROJECT

    app = create_app(make_settings(tmp_path), store=pg_store, rate_limit_per_minute=1000)
    search = "/search/crunchbase/top-similar-with-rank"
    import_body = {"organization_id": 7, "import_id": "pg", "companies": ORCHARD}

    def names(response) -> set[str]:
        return {c["name"] for c in response.json()["all_companies"]}

    with TestClient(app) as client:
        imported = client.post("/companies/import", json=import_body, headers=AUTH)
        assert imported.status_code == 200 and imported.json()["created"] == 2
        assert pg_store.count_owner(7) == 2
        digests = pg_store.get_vectors(
            [text_digest(r.index_text) for r in pg_store.iter_records(owner=7)]
        )
        assert len(digests) == 2  # embedded once, kept for every replica
        mine = client.post(search, json={**ORCHARD_PROJECT, "organization_id": 7}, headers=AUTH)
        theirs = client.post(search, json={**ORCHARD_PROJECT, "organization_id": 8}, headers=AUTH)
        assert names(mine) >= ORCHARD_NAMES and not ORCHARD_NAMES & names(theirs)
        deleted = client.delete("/organizations/7/companies", headers=AUTH).json()
        assert deleted["deleted"] == 2 and pg_store.count_owner(7) == 0
        after = client.post(search, json={**ORCHARD_PROJECT, "organization_id": 7}, headers=AUTH)
        assert not ORCHARD_NAMES & names(after)
    # Another replica (a second app on the same database) starts without the deleted data.
    again = create_app(make_settings(tmp_path), store=pg_store, rate_limit_per_minute=1000)
    with TestClient(again) as client:
        later = client.post(search, json={**ORCHARD_PROJECT, "organization_id": 7}, headers=AUTH)
    assert later.status_code == 200 and not ORCHARD_NAMES & names(later)

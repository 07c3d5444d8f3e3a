"""The import merge on PostgreSQL, through two replicas of a service: the app's grouping.

Rows are imported one per batch, alternately through two service processes' apps that share
one PostgreSQL store (each with its own store object, so its own parsed-record cache): each row
merges with what the other replica stored, and the companies are those the app's dedupe makes.
"""

from __future__ import annotations

import uuid
from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient

from marketnav.services.company_import import parsing
from scraper_services.common.contracts import ImportedCompany
from scraper_services.common.store import CompanyStore, store_url_for
from scraper_services.crunchbase.app import create_app
from tests.scraper_fixtures import AUTH, make_settings
from tests.unit.test_company_identity import EXPECTED, _groups, _rows

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def test_rows_merge_across_replicas_as_the_app_dedupes_them(tmp_path):
    prefix = f"t{uuid.uuid4().hex[:10]}_"
    url = store_url_for(POSTGRES_URL, None, "crunchbase")
    stores = [CompanyStore(url, "crunchbase", prefix) for _ in range(2)]
    stores[0].create()
    try:
        with ExitStack() as stack:
            clients = [
                stack.enter_context(
                    TestClient(
                        create_app(make_settings(tmp_path), store=store, rate_limit_per_minute=1000)
                    )
                )
                for store in stores
            ]
            for i, row in enumerate(_rows()):
                body = {"organization_id": 71, "import_id": f"r{i}", "companies": [row]}
                answer = clients[i % 2].post("/companies/import", json=body, headers=AUTH)
                assert answer.status_code == 200, answer.text
        records = list(stores[1].iter_records(owner=71))
        assert _groups(records) == EXPECTED
        app_side = parsing.dedupe(ImportedCompany.model_validate(row) for row in _rows())
        assert _groups(app_side.companies) == EXPECTED
    finally:
        stores[0].drop()
        for store in stores:
            store.dispose()

"""A real import task (Celery worker on `default`) against both services over HTTP.

The imported companies must be searchable for the importing organisation's searches, and
never for another organisation's nor by a lookup without an organisation; deleting the
organisation deletes them from both services.
"""

from __future__ import annotations

import asyncio
import importlib
import sys

import pytest

from marketnav.db import session_scope
from marketnav.models import CompanyImport
from marketnav.services import organizations
from marketnav.services.company_import import deletion, jobs
from marketnav.services.market_data import SERVICES, MarketDataClient
from scraper_services.crunchbase.schemas import TopSimilarWithRankRequest
from scraper_services.tracxn.schemas import ScrapeBatchWithRankRequest
from tests.conftest import clear_caches
from tests.factories import make_user
from tests.support.report_stack import market_services, reports_worker, wait_until

pytestmark = pytest.mark.integration

CSV = (
    "Organization Name,Website,Full Description,Industries,Headquarters Location,"
    "Founded Date,Total Funding Amount (in USD),Operating Status\n"
    "Quillbarge,https://quillbarge.example,Digital bills of lading and live tracking for river "
    'barge freight on the Danube and the Rhine.,"Logistics, Shipping",'
    '"Vienna, Vienna, Austria",2021-04-01,"$4,500,000",Active\n'
    "Broken Row,https://broken.example,A row with a bad amount.,Logistics,,2020,lots,Active\n"
    "Quillbarge GmbH,https://www.quillbarge.example/en,Quillbarge: digital river freight "
    "documents and barge tracking for shippers and inland ports in Europe.,Inland Waterways,"
    ",,,Active\n"
)
DESCRIPTION = "Live tracking and digital paperwork for river barge freight on European rivers"


def _fresh_import_tasks():
    for name in (
        "tasks.imports",
        "tasks.reports",
        "tasks.chat",
        "tasks.maintenance",
        "tasks.celery_app",
    ):
        sys.modules.pop(name, None)
    return importlib.import_module("tasks.imports")


@pytest.fixture
def services_env(tmp_path, monkeypatch):
    with market_services(tmp_path / "services") as env:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        clear_caches()
        yield env


async def _found(organization_id: int | None) -> dict[str, set[str]]:
    async with MarketDataClient() as client:
        crunchbase = await client.search_crunchbase(
            TopSimilarWithRankRequest(
                keywords=["river barge freight", "bill of lading"],
                target_description=DESCRIPTION,
                organization_id=organization_id,
                days_threshold=0,
            )
        )
        tracxn = await client.search_tracxn(
            ScrapeBatchWithRankRequest(
                company_names=["river barge freight", "bill of lading"],
                target_description=DESCRIPTION,
                top_count=10,
                organization_id=organization_id,
            )
        )
        lookups = {
            "crunchbase": await client.crunchbase_company(name="Quillbarge"),
            "tracxn": await client.tracxn_company(name="Quillbarge"),
        }
    return {
        "crunchbase": {c.name for c in crunchbase.all_companies},
        "tracxn": {c.name for c in tracxn.all_companies},
        "lookup": {s for s, found in lookups.items() if found is not None},
    }


async def _counts(organization_id: int) -> list[int]:
    async with MarketDataClient() as client:
        return [
            (await client.organization_companies(s, organization_id)).companies for s in SERVICES
        ]


def test_imported_companies_are_searchable_for_their_organisation_only(db, tmp_path, services_env):
    owner = make_user(db, "Olga Owner")
    org = organizations.create(db, owner, "Barge Co")
    other_owner = make_user(db, "Otto Other")
    other = organizations.create(db, other_owner, "Other Co")
    db.commit()
    job = jobs.upload(db, owner, org.id, "barges.csv", CSV.encode())
    jobs.start(db, owner, job.id)
    db.commit()

    tasks = _fresh_import_tasks()
    with reports_worker(tmp_path, "default", queues="default", concurrency=1):
        tasks.enqueue(job.id)

        def finished():
            with session_scope() as session:
                row = session.get(CompanyImport, job.id)
                return row if row.status in jobs.FINISHED else None

        done = wait_until(finished, 120, interval=0.2)
    assert done is not None and done.status == "completed", done and done.message
    assert (done.total_rows, done.valid_rows, done.error_count) == (3, 2, 1)
    assert done.errors == [{"line": 3, "reason": "bad funding amount 'lots'", "name": "Broken Row"}]
    assert (done.merged_count, done.sent_count, done.to_send) == (1, 1, 1)
    assert done.task_id

    assert asyncio.run(_counts(org.id)) == [1, 1]
    mine = asyncio.run(_found(org.id))
    assert "Quillbarge" in mine["crunchbase"] and "Quillbarge" in mine["tracxn"]
    for found in (asyncio.run(_found(other.id)), asyncio.run(_found(None))):
        assert "Quillbarge" not in found["crunchbase"] | found["tracxn"]
        assert found["lookup"] == set()  # /companies/lookup without an organisation
    assert asyncio.run(_counts(other.id)) == [0, 0]

    organizations.delete(db, owner, org.id)
    db.commit()
    assert asyncio.run(deletion.purge(org.id)) == {}
    assert asyncio.run(_counts(org.id)) == [0, 0]
    assert "Quillbarge" not in asyncio.run(_found(org.id))["crunchbase"]


def test_a_service_that_is_down_fails_the_import_clearly(db, services_env, monkeypatch):
    from tests.conftest import free_port

    owner = make_user(db, "Olga Owner")
    org = organizations.create(db, owner, "Barge Co")
    db.commit()
    job = jobs.upload(db, owner, org.id, "barges.csv", CSV.encode())
    jobs.start(db, owner, job.id)
    db.commit()
    monkeypatch.setenv("TRACXN_API_URL", f"http://127.0.0.1:{free_port()}")
    clear_caches()
    result = jobs.execute(job.id)
    assert result.status == "failed"
    assert "tracxn: tracxn service unreachable" in result.message

"""An organisation's imported companies through the HTTP API: merge, isolation, deletion, limits."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from scraper_services.crunchbase.app import create_app
from scraper_services.tracxn.app import create_app as create_tracxn_app
from tests.scraper_fixtures import AUTH, make_settings
from tests.unit.test_retrieval import fake_encode

SEARCH = "/search/crunchbase/top-similar-with-rank"
IMPORT = "/companies/import"
ORG, OTHER_ORG = 7, 8
# Fictional companies nobody else has: what an organisation's licensed export might hold.
ORCHARD = [
    {
        "name": "Avocadar",
        "website": "https://www.avocadar.example",
        "description": "Drone scanning of avocado orchards that predicts the ripeness of every "
        "tree and tells growers which rows to harvest this week.",
        "categories": ["AgTech", "Drones"],
        "sources": ["crunchbase"],
    },
    {
        "name": "Ripe Row Robotics",
        "website": "https://riperow.example",
        "description": "Orchard robots and drones that measure avocado and mango ripeness and "
        "plan the harvest for fruit growers.",
        "categories": ["AgTech", "Robotics"],
        "sources": ["crunchbase"],
    },
]
ORCHARD_PROJECT = {
    "keywords": ["orchard drones", "avocado harvest"],
    "target_description": "Drones that fly over avocado orchards and tell growers which trees "
    "are ripe to harvest",
    "num_companies": 10,
    "top_count": 10,
}
ORCHARD_NAMES = {"Avocadar", "Ripe Row Robotics"}


def _import(client: TestClient, organization_id: int, companies: list[dict], import_id="i1"):
    body = {"organization_id": organization_id, "import_id": import_id, "companies": companies}
    return client.post(IMPORT, json=body, headers=AUTH)


def _names(response) -> set[str]:
    return _names_of(response.json())


def _names_of(data: dict) -> set[str]:
    return {c["name"] for c in data["all_companies"]} | {
        c["name"] for c in data["top_companies_full_data"]
    }


@pytest.fixture(scope="module")
def crunchbase(tmp_path_factory) -> Iterator[TestClient]:
    """One real service (real embedder) for the module: starting one embeds what is missing."""
    settings = make_settings(tmp_path_factory.mktemp("imports"))
    with TestClient(create_app(settings, rate_limit_per_minute=10_000)) as client:
        yield client


def test_import_merges_by_host_then_name_and_keeps_every_source(crunchbase):
    rows = [
        {"name": "Merge Freight", "website": "https://www.mergefreight.example/",
         "description": "Freight forwarding.", "categories": ["Logistics"],
         "sources": ["crunchbase"]},
        # Same host (other spelling of the link): the same company; fills the gaps.
        {"name": "MergeFreight Ltd", "website": "http://mergefreight.example/about",
         "description": "Digital freight forwarding for small importers, with customs filing "
         "and live shipment tracking.", "categories": ["Logistics", "Customs"],
         "founded_year": 2019, "hq_city": "Lyon", "sources": ["tracxn"]},
        # No website, same normalised name: the same company again.
        {"name": "merge-freight", "description": "x", "total_funding_usd": 3_000_000,
         "sources": ["dealroom"]},
        {"name": "Different Freight", "website": "https://different.example",
         "description": "Another forwarder.", "sources": ["csv"]},
    ]  # fmt: skip
    response = _import(crunchbase, 41, rows)
    assert response.status_code == 200, response.text
    assert response.json() == {"received": 4, "created": 2, "merged": 2, "searchable": 2}
    store = crunchbase.app.state.context.store
    records = {r.name: r for r in store.iter_records(owner=41)}
    assert set(records) == {"Merge Freight", "Different Freight"}
    merged = records["Merge Freight"]
    assert merged.key.startswith("org41/") and merged.owner == 41
    assert merged.sources == ["crunchbase", "tracxn", "dealroom"]
    assert merged.website == "https://www.mergefreight.example/"  # known facts are kept
    assert merged.founded_year == 2019 and merged.hq_city == "Lyon"  # gaps are filled
    assert merged.total_funding_usd == 3_000_000
    assert merged.description.startswith("Digital freight forwarding")  # the fuller text
    assert merged.categories == ["Logistics", "Customs"]
    assert merged.origin == "import:crunchbase"
    # A later batch merges with what is stored.
    again = _import(crunchbase, 41, [{**rows[0], "sources": ["yc"]}], import_id="i2")
    assert again.json() == {"received": 1, "created": 0, "merged": 1, "searchable": 2}
    assert next(r for r in store.iter_records(owner=41) if r.name == "Merge Freight").sources == [
        "crunchbase", "tracxn", "dealroom", "yc",
    ]  # fmt: skip
    count = crunchbase.get("/organizations/41/companies", headers=AUTH).json()
    assert count == {"organization_id": 41, "companies": 2, "deleted": 0}


def test_imports_are_searched_for_their_organisation_only_and_deleted_with_it(crunchbase):
    assert _import(crunchbase, ORG, ORCHARD).json()["searchable"] == 2
    mine = crunchbase.post(SEARCH, json={**ORCHARD_PROJECT, "organization_id": ORG}, headers=AUTH)
    assert mine.status_code == 200
    assert _names(mine) >= ORCHARD_NAMES
    items = {c["name"]: c for c in mine.json()["all_companies"]}
    assert items["Avocadar"]["origin"] == "import:crunchbase"
    assert mine.json()["metadata"]["retrieval"]["organization_data"] is True
    # Keywords are searched in the organisation's data too (the per-keyword feed).
    found_by_keywords = {
        c["name"] for r in mine.json()["metadata"]["keyword_results"].values()
        for c in r["top_companies"]
    }  # fmt: skip
    assert "Avocadar" in found_by_keywords

    for other in ({"organization_id": OTHER_ORG}, {}):
        theirs = crunchbase.post(SEARCH, json={**ORCHARD_PROJECT, **other}, headers=AUTH)
        assert theirs.status_code == 200 and not ORCHARD_NAMES & _names(theirs), other
        assert theirs.json()["metadata"]["retrieval"]["organization_data"] is False
        assert "avocadar" not in theirs.text.lower()
    # Named by another organisation's founder: still "not in the data".
    named = {**ORCHARD_PROJECT, "organization_id": OTHER_ORG,
             "project": {"named_competitors": ["Avocadar"]}}  # fmt: skip
    report = crunchbase.post(SEARCH, json=named, headers=AUTH).json()["metadata"]["retrieval"]
    assert report["named_competitors"] == [
        {"name": "Avocadar", "found": False, "matched_name": None, "key": None}
    ]
    # Never through the lookups or the keyword endpoints, which serve the shared data only.
    assert crunchbase.get("/companies/lookup?name=Avocadar", headers=AUTH).status_code == 404
    lookup = crunchbase.get("/companies/lookup?url=https://www.avocadar.example", headers=AUTH)
    assert lookup.status_code == 404
    by_names = crunchbase.post(
        "/companies/by-names", json={"company_names": ["Avocadar", "Stripe"]}, headers=AUTH
    ).json()
    assert by_names["not_found"] == ["Avocadar"] and [c["name"] for c in by_names["companies"]] == [
        "Stripe"
    ]
    batch = crunchbase.post(
        "/search/crunchbase/batch", json={"keywords": ["avocado orchard drones"]}, headers=AUTH
    )
    assert batch.status_code == 200 and "avocadar" not in batch.text.lower()
    hashtag = crunchbase.get("/search/crunchbase?hashtag=avocado", headers=AUTH)
    assert hashtag.status_code == 200 and "avocadar" not in hashtag.text.lower()

    deleted = crunchbase.delete(f"/organizations/{ORG}/companies", headers=AUTH).json()
    assert deleted == {"organization_id": ORG, "companies": 0, "deleted": 2}
    assert crunchbase.get(f"/organizations/{ORG}/companies", headers=AUTH).json()["companies"] == 0
    after = crunchbase.post(SEARCH, json={**ORCHARD_PROJECT, "organization_id": ORG}, headers=AUTH)
    assert after.status_code == 200 and not ORCHARD_NAMES & _names(after)
    assert after.json()["metadata"]["retrieval"]["organization_data"] is False


def test_named_competitors_found_are_presented_and_absent_ones_reported(crunchbase):
    body = {
        "keywords": ["online payments"],
        "target_description": "An API that lets online shops accept card payments",
        "top_count": 5,
        "project": {"named_competitors": ["stripe.com", "Zyxqor Freight", "Klarna Inc."]},
    }
    response = crunchbase.post(SEARCH, json=body, headers=AUTH)
    assert response.status_code == 200
    data = response.json()
    named = data["metadata"]["retrieval"]["named_competitors"]
    assert [n["name"] for n in named] == ["stripe.com", "Zyxqor Freight", "Klarna Inc."]
    absent = {"name": "Zyxqor Freight", "found": False, "matched_name": None, "key": None}
    assert named[1] == absent
    assert named[0]["found"] and named[0]["matched_name"] == "Stripe"
    assert named[2]["found"] and named[2]["matched_name"] == "Klarna"
    # Found ones are always presented (Klarna is no payments API: below the floor otherwise).
    top = {c["name"]: c for c in data["top_companies_full_data"]}
    assert top["Stripe"]["named_by_user"] and top["Klarna"]["named_by_user"]
    flagged = {c["name"] for c in data["all_companies"] if c["named_by_user"]}
    assert flagged == {"Stripe", "Klarna"}


def test_tracxn_service_keeps_organisations_apart_too(tmp_path):
    app = create_tracxn_app(make_settings(tmp_path), rate_limit_per_minute=1000)
    app.state.context.embedder = _FakeEmbedder
    body = {
        "company_names": ["avocado harvest"],
        "target_description": ORCHARD_PROJECT["target_description"],
        "top_count": 10,
        "project": {"named_competitors": ["Avocadar", "riperow.example"]},
    }
    search = "/scrape-batch-api-with-rank"
    with TestClient(app) as client:
        assert _import(client, ORG, ORCHARD).status_code == 200
        mine = client.post(search, json={**body, "organization_id": ORG}, headers=AUTH).json()
        theirs = client.post(search, json={**body, "organization_id": 8}, headers=AUTH).json()
        lookup = client.get("/companies/lookup?name=Avocadar", headers=AUTH)
        client.delete(f"/organizations/{ORG}/companies", headers=AUTH)
        gone = client.post(search, json={**body, "organization_id": ORG}, headers=AUTH).json()
    # Named by the organisation's founder: found in its own data, presented, marked.
    presented = {c["name"]: c for c in mine["top_companies_full_data"]}
    assert set(presented) >= ORCHARD_NAMES
    assert all(presented[n]["named_by_user"] for n in ORCHARD_NAMES)
    assert [n["found"] for n in mine["metadata"]["retrieval"]["named_competitors"]] == [True, True]
    for other in (theirs, gone):
        assert [n["found"] for n in other["metadata"]["retrieval"]["named_competitors"]] == [
            False, False,
        ]  # fmt: skip
        assert not ORCHARD_NAMES & _names_of(other)
        assert other["metadata"]["retrieval"]["organization_data"] is False
    assert lookup.status_code == 404


class _FakeEmbedder:
    """Stands in for the model where only the mechanics matter (no embedding cost)."""

    name = "fake"

    def __init__(self) -> None:
        pass

    def encode(self, texts):
        return fake_encode(texts)


def test_import_accepts_a_megabyte_batch_while_other_posts_keep_64_kib(tmp_path):
    app = create_app(make_settings(tmp_path), rate_limit_per_minute=1000)
    app.state.context.embedder = _FakeEmbedder
    companies = [
        {"name": f"Bulk Company {i}", "website": f"https://bulk{i}.example",
         "description": f"Bulk company number {i}. " + "Detailed description. " * 95,
         "categories": ["Bulk"]}
        for i in range(500)
    ]  # fmt: skip
    payload = json.dumps({"organization_id": 9, "import_id": "bulk", "companies": companies})
    assert len(payload) > 1_000_000
    too_big_search = json.dumps({**ORCHARD_PROJECT, "padding": "x" * (70 * 1024)})
    with TestClient(app) as client:
        headers = {**AUTH, "Content-Type": "application/json"}
        accepted = client.post(IMPORT, content=payload, headers=headers)
        refused = client.post(SEARCH, content=too_big_search, headers=headers)
        small_enough = client.post(SEARCH, json=ORCHARD_PROJECT, headers=AUTH)
        by_names = client.post(
            "/companies/by-names",
            content=json.dumps({"company_names": ["Stripe"], "pad": "y" * (65 * 1024)}),
            headers=headers,
        )
    assert accepted.status_code == 200, accepted.text[:200]
    assert accepted.json()["created"] == 500 == accepted.json()["searchable"]
    assert refused.status_code == 413 and by_names.status_code == 413
    assert small_enough.status_code == 200


def test_a_web_only_company_gets_the_data_sets_categories_its_pages_use(crunchbase):
    """Without categories a company read from the web lost the category signals to every
    data-set company of its sector; it gets the shared labels its own text says, only those."""
    page = {
        "url": "https://haulbright.example/",
        "title": "HaulBright",
        "fetched_at": "2026-12-01T10:00:00+00:00",
    }
    text = (
        "Live supply chain visibility for small freight forwarders: track every shipment "
        "and file customs declarations from the booking."
    )
    rows = [
        {"name": "HaulBright", "website": "https://haulbright.example", "description": text,
         "sources": ["web"], "pages": [page]},
        # The same words from a licensed export keep what the export says (no categories).
        {"name": "Export Only", "website": "https://exportonly.example", "description": text,
         "sources": ["csv"]},
        {"name": "Stated Labels", "website": "https://stated.example", "description": text,
         "categories": ["Own Label"], "sources": ["web"], "pages": [page]},
    ]  # fmt: skip
    assert _import(crunchbase, 43, rows).status_code == 200
    records = {r.name: r for r in crunchbase.app.state.context.store.iter_records(owner=43)}
    tagged = records["HaulBright"].categories
    assert tagged[0] == "Supply Chain Visibility"  # the most specific label first
    assert "Logistics" not in tagged  # the page never says it
    assert "Freight Forwarding" in tagged  # "freight forwarders": the same stems
    assert "Customs Compliance" not in tagged  # "customs declarations" is not compliance
    assert records["Export Only"].categories == []
    # Nothing a page said gives it a status, a company type or a rank: unknown, not defaulted.
    web = records["HaulBright"]
    assert web.operating_status is None and web.cb_rank is None
    assert {web.details[k] for k in ("Operating Status", "Company Type", "IPO Status")} == {"N/A"}
    assert records["Export Only"].details["Operating Status"] == "Active"
    assert records["Stated Labels"].categories == ["Own Label"]

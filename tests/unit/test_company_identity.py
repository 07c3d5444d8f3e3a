"""One rule of "same company": the app's import dedupe and both services' merge agree.

The identity functions (`company_identity`, re-exported by `contracts`) are checked on their
own, then the same rows go through the app's `dedupe` and through each real service's
`POST /companies/import` (in one batch, and one row per batch, which merges with the stored
companies): both sides must group the rows into the same companies.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from marketnav.services.company_import import parsing
from scraper_services.common import contracts
from scraper_services.common.company_identity import IdentityIndex, company_name_key
from scraper_services.crunchbase.app import create_app as create_crunchbase_app
from scraper_services.tracxn.app import create_app as create_tracxn_app
from tests.scraper_fixtures import AUTH, make_settings


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme, Inc.", "acme"),
        ("ACME Corp", "acme"),
        ("Acme GmbH & Co. KG", "acme"),
        ("Acme S.A.", "acme"),
        ("Acme S.r.l.", "acme"),
        ("Acme A/S", "acme"),
        ("Acme Pvt. Ltd.", "acme"),
        ("Acme Co., Ltd.", "acme"),
        ("Zürich Freight AG", "zurichfreight"),  # accents folded, spaces dropped
        ("Project 44", "project44"),
        ("merge-freight", "mergefreight"),
        ("Société Générale", "societegenerale"),
        # Words that name another business are kept: not the same company as "Planet"/"Acme".
        ("Planet Labs", "planetlabs"),
        ("Acme Technologies", "acmetechnologies"),
        ("Acme Group", "acmegroup"),
        ("Acme Holdings", "acmeholdings"),
        ("The Honest Company", "thehonestcompany"),
        # A legal form is dropped at the end only, and a dot inside a word is no separator.
        ("Co Op Bank", "coopbank"),
        ("99.co", "99co"),
        ("Booking.com", "bookingcom"),
        ("Inc.", "inc"),  # a name that is only a legal form keeps it
        ("  ", ""),
    ],
)
def test_company_name_key(name, key):
    assert company_name_key(name) == key


@pytest.mark.parametrize(
    ("link", "domain"),
    [
        ("HTTPS://WWW.Example.COM/x", "example.com"),
        ("acme.com/about", "acme.com"),
        ("www.acme.com:8080", "acme.com"),
        ("https://user:secret@acme.com/", "acme.com"),
        ("https://acme.com.", "acme.com"),
        ("acme.com?ref=x", "acme.com"),
        ("https://app.acme.com", "app.acme.com"),  # a subdomain is another site
        ("https://tbd", ""),  # no dotted host: no website
        ("TBD", ""),
        ("http://[broken", ""),  # never raises
        ("", ""),
        (None, ""),
    ],
)
def test_website_domain(link, domain):
    assert contracts.website_domain(link) == domain


def test_the_app_and_the_services_share_the_functions():
    from scraper_services.common import company_identity, company_index

    assert parsing.website_domain is contracts.website_domain is company_identity.website_domain
    assert parsing.company_name_key is contracts.company_name_key is company_name_key
    assert company_index.company_name_key is company_name_key  # the named-competitor lookup


def test_identity_index_same_name_on_another_website_is_another_company():
    known: IdentityIndex[str] = IdentityIndex()
    known.add("a", "https://acme.com", "Acme")
    assert known.match("acme.com/about", "Anything") == "a"  # same domain, any name
    assert known.match(None, "ACME Inc.") == "a"  # same name, no website
    assert known.match("https://acme.io", "Acme") is None  # same name, another domain
    known.add("b", "https://acme.io", "Acme")
    assert known.match("acme.io", "Acme") == "b"
    assert known.match(None, "Acme") == "a"  # the first one keeps the name


# (name, website): row i carries the source label "r<i>", so both sides' groups are comparable.
ROWS: list[tuple[str, str | None]] = [
    ("Acme", "https://www.acme.com"),
    ("ACME Corp", "acme.com/about"),  # same domain
    ("Acme, Inc.", None),  # same name key, no website
    ("Acme", "https://acme.io"),  # same name, another domain: another company
    ("Acme GmbH", "http://acme.io/de"),  # same domain as the previous one
    ("Bêta", None),
    ("Beta S.A.", None),  # accents and the legal form ignored
    ("Planet Labs", "https://www.planet.com"),
    ("Planet", None),  # not Planet Labs
    ("Uber", "https://www.uber.com"),
    ("Uber Technologies, Inc.", None),  # a legal name, but "Technologies" is kept
    ("99.co", "https://www.99.co"),
    ("99", "https://99app.com"),
    ("Project 44", None),
    ("project44", "https://www.project44.com"),  # the name, then the website is filled
    ("Zürich Freight AG", None),
    ("zurich-freight", None),
    ("Café Co", None),  # "cafe"
    ("Caf Co", None),  # "caf": another company with the same slug
    ("Foo", "https://foo.example"),
    ("Bar", "https://www.foo.example/bar"),  # same domain, another name: the same company
]


def _rows() -> list[dict]:
    return [
        {"name": name, "website": website, "description": f"Row {i}.", "sources": [f"r{i}"]}
        for i, (name, website) in enumerate(ROWS)
    ]


def _groups(entities) -> set[frozenset[str]]:
    return {frozenset(entity.sources) for entity in entities}


EXPECTED = {
    frozenset({"r0", "r1", "r2"}),
    frozenset({"r3", "r4"}),
    frozenset({"r5", "r6"}),
    frozenset({"r7"}),
    frozenset({"r8"}),
    frozenset({"r9"}),
    frozenset({"r10"}),
    frozenset({"r11"}),
    frozenset({"r12"}),
    frozenset({"r13", "r14"}),
    frozenset({"r15", "r16"}),
    frozenset({"r17"}),
    frozenset({"r18"}),
    frozenset({"r19", "r20"}),
}


def test_the_app_dedupes_the_rows_into_the_expected_companies():
    companies = [contracts.ImportedCompany.model_validate(row) for row in _rows()]
    result = parsing.dedupe(companies)
    assert _groups(result.companies) == EXPECTED
    assert result.merged == len(ROWS) - len(EXPECTED)


@pytest.fixture(scope="module", params=["crunchbase", "tracxn"])
def service(request, tmp_path_factory) -> Iterator[TestClient]:
    create = create_crunchbase_app if request.param == "crunchbase" else create_tracxn_app
    settings = make_settings(tmp_path_factory.mktemp(f"identity-{request.param}"))
    with TestClient(create(settings, rate_limit_per_minute=100_000)) as client:
        yield client


def _import(client: TestClient, organization_id: int, companies: list[dict], import_id: str):
    body = {"organization_id": organization_id, "import_id": import_id, "companies": companies}
    response = client.post("/companies/import", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_service_merges_the_same_rows_as_the_app_in_one_batch(service):
    answer = _import(service, 61, _rows(), "one")
    assert (answer["created"], answer["merged"]) == (len(EXPECTED), len(ROWS) - len(EXPECTED))
    records = list(service.app.state.context.store.iter_records(owner=61))
    assert _groups(records) == EXPECTED
    assert answer["searchable"] == len(EXPECTED)  # "Café Co" and "Caf Co" got two keys


def test_a_service_merges_the_same_rows_as_the_app_one_batch_at_a_time(service):
    # Each row merges with what the store already holds (an earlier batch or import).
    for i, row in enumerate(_rows()):
        _import(service, 62, [row], f"row{i}")
    records = list(service.app.state.context.store.iter_records(owner=62))
    assert _groups(records) == EXPECTED
    project44 = next(r for r in records if "r13" in r.sources)
    assert project44.website == "https://www.project44.com"  # the gap was filled

"""The market-data services as an attacker sees them, over real HTTP (issue #12, item 6).

- Text that is empty once control characters and whitespace are dropped (`?hashtag=%1E`
  answered 500) is a 422 naming the field, on every text parameter of both services; NUL,
  lone surrogates, huge and non-ASCII values never reach a 500, on SQLite and PostgreSQL.
- The per-caller rate limit counts the connecting peer: X-Forwarded-For is believed only from
  the proxies SCRAPER_TRUSTED_PROXIES names, through the real `python -m` command line.
"""

from __future__ import annotations

import contextlib
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scraper_services.common.service_context import parse_trusted_proxies
from scraper_services.common.store import CompanyStore, store_url_for
from scraper_services.crunchbase.app import create_app as create_crunchbase
from scraper_services.tracxn.app import create_app as create_tracxn
from tests.processes import child_env, running
from tests.scraper_fixtures import AUTH, TOKEN, free_port, make_settings, serve_in_thread

pytestmark = pytest.mark.integration

BLANK = ["\x1e", "\x1f", "\x1c\x1d", "\x00", "\x7f", "\u200b", "\xa0", " \t\r\n", "\x85\x9f"]
BLANK_MESSAGE = "must contain a visible character"


@pytest.fixture(scope="module")
def services(tmp_path_factory) -> Iterator[tuple[str, str]]:
    settings = make_settings(tmp_path_factory.mktemp("var"))
    with (
        serve_in_thread(create_crunchbase(settings, rate_limit_per_minute=100_000)) as cb,
        serve_in_thread(create_tracxn(settings, rate_limit_per_minute=100_000)) as tx,
    ):
        yield cb, tx


def _blank_refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert BLANK_MESSAGE in body["message"] and field in body["message"], body


@pytest.mark.parametrize("blank", BLANK, ids=[repr(b) for b in BLANK])
def test_blank_hashtag_is_422_not_500(services, blank):
    cb, _ = services
    response = httpx.get(f"{cb}/search/crunchbase", params={"hashtag": blank}, headers=AUTH)
    _blank_refused(response, "query.hashtag")


def test_raw_percent_encoded_separator_is_422(services):
    """The exact request of the report: the query string as a client sends it."""
    cb, _ = services
    response = httpx.get(f"{cb}/search/crunchbase?hashtag=%1E", headers=AUTH)
    _blank_refused(response, "query.hashtag")


def test_blank_text_in_every_body_field_is_422(services):
    cb, tx = services
    cases = [
        (f"{cb}/search/crunchbase/batch", {"keywords": ["pet", "\x1e"]}, "keywords.1"),
        (
            f"{cb}/search/crunchbase/top-similar-with-rank",
            {"keywords": ["\x1f\x00"], "target_description": "dog walkers"},
            "keywords.0",
        ),
        (
            f"{cb}/search/crunchbase/top-similar-with-rank/stream",
            {"keywords": ["pet"], "target_description": "\x1e\n\x00"},
            "target_description",
        ),
        (f"{cb}/companies/by-names", {"company_names": ["\u200b"]}, "company_names.0"),
        (
            f"{tx}/scrape-batch-api-with-rank",
            {"company_names": ["\x1e"], "target_description": "pets", "top_count": 2},
            "company_names.0",
        ),
        (
            f"{tx}/scrape-batch-api-with-rank",
            {
                "company_names": ["pet"],
                "target_description": "pets",
                "top_count": 2,
                "project": {"named_competitors": ["\x1c"]},
            },
            "project.named_competitors.0",
        ),
        (f"{tx}/companies/by-names", {"company_names": ["\x00"]}, "company_names.0"),
        (
            f"{cb}/companies/import",
            {"organization_id": 1, "import_id": "i1", "companies": [{"name": "\x1e"}]},
            "companies.0.name",
        ),
    ]
    for url, body, field in cases:
        _blank_refused(httpx.post(url, json=body, headers=AUTH, timeout=60), field)


def test_blank_lookup_parameters_are_a_clear_400(services):
    cb, tx = services
    for url, params in [
        (f"{cb}/companies/lookup", {"name": "\x1e", "url": "\x00"}),
        (f"{tx}/companies/lookup", {"name": "\x1f", "reference": "\x1e"}),
    ]:
        response = httpx.get(url, params=params, headers=AUTH)
        assert response.status_code == 400 and "Give a company name" in response.text


def test_control_characters_inside_text_are_dropped_not_fatal(services):
    cb, tx = services
    found = httpx.get(f"{cb}/search/crunchbase", params={"hashtag": "pet\x00care"}, headers=AUTH)
    assert found.status_code == 200 and found.json()["data"], found.text
    plain = httpx.get(f"{cb}/search/crunchbase", params={"hashtag": "pet care"}, headers=AUTH)
    assert found.json()["data"] == plain.json()["data"]
    body = {
        "company_names": ["pet\x1ecare"],
        "target_description": "Dog\x00 walking\napp",
        "top_count": 2,
    }
    ranked = httpx.post(f"{tx}/scrape-batch-api-with-rank", json=body, headers=AUTH, timeout=60)
    assert ranked.status_code == 200, ranked.text
    assert list(ranked.json()["metadata"]["keyword_results"]) == ["pet care"]


@pytest.mark.parametrize(
    "params",
    [
        {"hashtag": "x" * 101},
        {"hashtag": "pet", "num_companies": "1" + "0" * 40},
        {"hashtag": "pet", "num_companies": "-1"},
        {"hashtag": "pet", "days_threshold": "1e3"},
        {"hashtag": "pet", "days_threshold": "NaN"},
    ],
    ids=["long", "huge-int", "negative", "float", "nan"],
)
def test_out_of_range_query_values_are_422(services, params):
    cb, _ = services
    response = httpx.get(f"{cb}/search/crunchbase", params=params, headers=AUTH)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("text", ["🐶", "宠物", "ペット", "\ufffd", "é" * 100, "a\u0301"])
def test_unicode_keywords_answer(services, text):
    cb, tx = services
    response = httpx.get(f"{cb}/search/crunchbase", params={"hashtag": text}, headers=AUTH)
    assert response.status_code == 200, response.text
    body = {"company_names": [text], "freshness_days": 0}
    names = httpx.post(f"{tx}/companies/by-names", json=body, headers=AUTH)
    assert names.status_code == 200, names.text


def test_lone_surrogates_are_422(services):
    cb, _ = services
    raw = b'{"keywords": ["pet\\ud800"], "target_description": "dogs"}'
    response = httpx.post(
        f"{cb}/search/crunchbase/top-similar-with-rank",
        content=raw,
        headers={**AUTH, "content-type": "application/json"},
    )
    assert response.status_code == 422, response.text


@pytest.mark.postgres
def test_nul_in_text_reaches_postgresql_cleaned(tmp_path):
    """PostgreSQL refuses NUL in text: a keyword or an import with one must not be a 500."""
    prefix = f"t{uuid.uuid4().hex[:10]}_"
    url = store_url_for("postgresql://postgres@127.0.0.1:5432/test", None, "crunchbase")
    store = CompanyStore(url, "crunchbase", prefix)
    app = create_crunchbase(make_settings(tmp_path), store=store, rate_limit_per_minute=1000)
    try:
        with serve_in_thread(app) as cb:
            search = httpx.get(
                f"{cb}/search/crunchbase", params={"hashtag": "pet\x00care"}, headers=AUTH
            )
            assert search.status_code == 200 and search.json()["data"], search.text
            company = {"name": "Acme\x00 Pets", "description": "dog\x00walks", "hq_city": "\x1e"}
            body = {"organization_id": 7, "import_id": "nul-1", "companies": [company]}
            imported = httpx.post(f"{cb}/companies/import", json=body, headers=AUTH, timeout=60)
            assert imported.status_code == 200 and imported.json()["created"] == 1, imported.text
            names = {"company_names": ["Acme\x00 Pets"], "days_threshold": 0}
            found = httpx.post(f"{cb}/companies/by-names", json=names, headers=AUTH, timeout=60)
            assert found.status_code == 200, found.text
    finally:
        store.drop()
        store.dispose()


# ---- X-Forwarded-For and the per-caller rate limit ---------------------------------------


@contextlib.contextmanager
def cli_service(module: str, tmp_path: Path, **env: str) -> Iterator[str]:
    """`python -m <module>` as deployed, on a free port; yields its URL once /health answers."""
    port = free_port()
    defaults = dict(
        VAR_DIR=str(tmp_path / "var"),
        SCRAPER_SERVICE_TOKEN=TOKEN,
        CRUNCHBASE_SOURCE="dataset",
        TRACXN_SOURCE="dataset",
        CRUNCHBASE_STORE_URL="",
        TRACXN_STORE_URL="",
        SCRAPER_TRUSTED_PROXIES="",
        # uvicorn's own fallback would trust every peer: the service must ignore it.
        FORWARDED_ALLOW_IPS="*",
    )
    environment = child_env(**{**defaults, **env})
    args = [sys.executable, "-m", module]
    log = tmp_path / f"{module}.log"
    with running([*args, "--port", str(port)], environment, log) as process:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180  # start-up loads the model and indexes the data
        while True:
            assert process.poll() is None, log.read_text()
            try:
                httpx.get(f"{url}/health", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)  # poll interval of the readiness probe, not a synchronisation
        yield url


def _statuses(url: str, forwarded: list[str]) -> list[int]:
    """POST /cancel/x (guarded, cheap) once per X-Forwarded-For value, from 127.0.0.1."""
    return [
        httpx.post(
            f"{url}/cancel/x", headers={**AUTH, "X-Forwarded-For": f}, timeout=30
        ).status_code
        for f in forwarded
    ]


@pytest.mark.parametrize("module", ["scraper_services.crunchbase", "scraper_services.tracxn"])
def test_rotating_forwarded_for_from_an_untrusted_peer_is_still_limited(tmp_path, module):
    with cli_service(module, tmp_path, SCRAPER_RATE_LIMIT_PER_MINUTE="3") as url:
        spoofed = [f"203.0.113.{n}" for n in range(1, 6)]
        assert _statuses(url, spoofed) == [200, 200, 200, 429, 429]


def test_a_trusted_proxy_names_the_caller(tmp_path):
    env = {"SCRAPER_RATE_LIMIT_PER_MINUTE": "3", "SCRAPER_TRUSTED_PROXIES": "127.0.0.1, ::1"}
    with cli_service("scraper_services.crunchbase", tmp_path, **env) as url:
        # One client behind the proxy: its own bucket, whatever it prepends to the chain.
        chain = [f"198.51.100.{n}, 203.0.113.7" for n in range(1, 5)]
        assert _statuses(url, chain) == [200, 200, 200, 429]
        # Another client behind the same proxy is counted apart.
        assert _statuses(url, ["203.0.113.8"]) == [200]


def test_trusted_proxies_setting_is_strict():
    assert parse_trusted_proxies("") == ()
    assert parse_trusted_proxies(" 10.0.0.5, 172.18.0.0/16 ,::1") == (
        "10.0.0.5",
        "172.18.0.0/16",
        "::1",
    )
    for wrong in ["*", "proxy.internal", "10.0.0.300", "10.0.0.0/33"]:
        with pytest.raises(ValueError, match="SCRAPER_TRUSTED_PROXIES"):
            parse_trusted_proxies(wrong)

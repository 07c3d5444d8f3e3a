"""Both services over real HTTP: client streaming and cancel, live mode, the module commands."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from marketnav.services.market_data import MarketDataCancelled, MarketDataClient
from scraper_services.common.contracts import ProgressEvent
from scraper_services.crunchbase.app import create_app as create_crunchbase
from scraper_services.crunchbase.app import demo_source as crunchbase_demo
from scraper_services.crunchbase.schemas import TopSimilarWithRankRequest
from scraper_services.tracxn.app import create_app as create_tracxn
from scraper_services.tracxn.schemas import ScrapeBatchWithRankRequest
from tests.scraper_fixtures import (
    AUTH,
    REPO_ROOT,
    TOKEN,
    UPSTREAM_KEY,
    YC_STARTUPS_CSV,
    SlowDatasetSource,
    UpstreamBehaviour,
    fake_crunchbase_upstream,
    fake_tracxn_upstream,
    free_port,
    make_settings,
    serve_in_thread,
)

pytestmark = pytest.mark.integration

KEYWORDS = ["fintech", "payments", "neobank", "crypto", "lending"]


@pytest.mark.asyncio
async def test_stream_delivers_keywords_as_they_finish_and_cancel_stops_it(tmp_path):
    slow = SlowDatasetSource(crunchbase_demo(), 0.3)
    app = create_crunchbase(make_settings(tmp_path), source=slow)
    with serve_in_thread(app) as url:
        request = TopSimilarWithRankRequest(
            keywords=KEYWORDS[:3], target_description="mobile bank for freelancers", top_count=3
        )
        async with MarketDataClient(url, url, TOKEN) as client:
            started = time.monotonic()
            arrivals = []
            async for item in client.stream_crunchbase(request):
                arrivals.append((time.monotonic() - started, item))
            first_keyword = next(
                t for t, e in arrivals if getattr(e, "type", "") == "search_result"
            )
            assert first_keyword < arrivals[-1][0] - 0.4  # arrived while the rest was still running
            assert not isinstance(arrivals[-1][1], ProgressEvent)

            update = {"keywords": KEYWORDS, "request_id": "live-1", "days_threshold": 0}
            seen: list[str] = []
            with pytest.raises(MarketDataCancelled):
                async for item in client.stream_crunchbase(request.model_copy(update=update)):
                    seen.append(item.type)
                    if seen.count("search_result") == 1 and item.type == "search_result":
                        assert (await client.cancel("crunchbase", "live-1")).status == "cancelled"
            assert 1 <= seen.count("search_result") < len(KEYWORDS)


@pytest.mark.asyncio
async def test_both_services_side_by_side(tmp_path):
    settings = make_settings(tmp_path)
    with (
        serve_in_thread(create_crunchbase(settings)) as cb,
        serve_in_thread(create_tracxn(settings)) as tx,
    ):
        async with MarketDataClient(cb, tx, TOKEN) as client:
            crunchbase, tracxn = await asyncio.gather(
                client.search_crunchbase(
                    TopSimilarWithRankRequest(
                        keywords=["electric vehicles", "batteries"],
                        target_description="battery recycling for electric cars",
                    )
                ),
                client.search_tracxn(
                    ScrapeBatchWithRankRequest(
                        company_names=["electric vehicles", "batteries"],
                        target_description="battery recycling for electric cars",
                        top_count=5,
                    )
                ),
            )
    # One retrieval path: both services judge the same company the most relevant (their
    # orders differ only by CB rank vs Tracxn score, weighted 0.25).
    best = [max(r.all_companies, key=lambda c: c.relevance).name for r in (crunchbase, tracxn)]
    assert best[0] == best[1]
    assert best[0] in {c.name for c in crunchbase.top_companies_full_data}
    assert crunchbase.source == tracxn.source == "demo-dataset"


def test_live_mode_end_to_end_against_a_recorded_upstream(tmp_path):
    behaviour = UpstreamBehaviour(fail_with=[503])
    with (
        serve_in_thread(fake_crunchbase_upstream(behaviour)) as cb_up,
        serve_in_thread(fake_tracxn_upstream(UpstreamBehaviour())) as tx_up,
    ):
        settings = make_settings(
            tmp_path,
            crunchbase_source="live",
            crunchbase_api_key=SecretStr(UPSTREAM_KEY),
            crunchbase_live_base_url=f"{cb_up}/api/v4",
            tracxn_source="live",
            tracxn_api_key=SecretStr(UPSTREAM_KEY),
            tracxn_live_base_url=f"{tx_up}/api/2.2",
        )
        body = {"keywords": ["dog"], "target_description": "dog walking marketplace"}
        with serve_in_thread(create_crunchbase(settings)) as cb:
            health = httpx.get(f"{cb}/health").json()
            assert health["source"] == "crunchbase-api-v4"
            assert health["source_details"]["circuit"] == "closed"
            url = f"{cb}/search/crunchbase/top-similar-with-rank"
            result = httpx.post(url, json=body, headers=AUTH, timeout=30).json()
            assert result["source"] == "crunchbase-api-v4"
            assert result["top_companies_full_data"][0]["name"] == "Rover"
            assert behaviour.calls[:2] == ["search", "search"]  # one retry after the 503
            again = httpx.post(url, json=body, headers=AUTH, timeout=30).json()
            assert again["metadata"]["companies_from_store"] == 3
            assert behaviour.calls.count("search") == 2  # served from the store
        with serve_in_thread(create_tracxn(settings)) as tx:
            body = {"company_names": ["dog"], "target_description": "dog walkers", "top_count": 2}
            answer = httpx.post(
                f"{tx}/scrape-batch-api-with-rank", json=body, headers=AUTH, timeout=30
            ).json()
            assert answer["source"] == "tracxn-api-2.2"
            assert [c["name"] for c in answer["top_companies_full_data"]] == ["Rover", "Wag!"]


def _write_env(directory: Path, **values: str) -> None:
    lines = [f"{key.upper()}={value}" for key, value in values.items()]
    (directory / ".env").write_text("\n".join(lines) + "\n")


def _run_module(module: str, cwd: Path, *args: str) -> subprocess.Popen:
    """Runs `python -m module` with the repo importable and settings from cwd/.env."""
    launcher = (
        f"import runpy, sys; sys.path.insert(0, {str(REPO_ROOT)!r}); "
        f"sys.argv = [{module!r}, *{list(args)!r}]; "
        f"runpy.run_module({module!r}, run_name='__main__')"
    )
    return subprocess.Popen(
        [sys.executable, "-c", launcher], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


@pytest.mark.parametrize(("module", "api"), [("scraper_services.crunchbase", "crunchbase"),
                                             ("scraper_services.tracxn", "tracxn")])  # fmt: skip
def test_services_start_as_python_modules(tmp_path, module, api):
    _write_env(tmp_path, var_dir=str(tmp_path / "var"), scraper_service_token=TOKEN)
    port = free_port()
    process = _run_module(module, tmp_path, "--host", "127.0.0.1", "--port", str(port))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read().decode()
                assert time.monotonic() < deadline, "service did not start"
                time.sleep(0.2)
        assert health.status_code == 200 and health.json()["api"] == api
        assert (tmp_path / "var" / f"{api}-store.db").exists()
        docs = httpx.get(f"http://127.0.0.1:{port}/docs", timeout=5)
        assert docs.status_code == 200
        protected = httpx.post(f"http://127.0.0.1:{port}/cancel/x", timeout=5)
        assert protected.status_code == 401
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_import_command_makes_yc_startups_searchable(tmp_path):
    _write_env(tmp_path, var_dir=str(tmp_path / "var"), scraper_service_token=TOKEN)
    process = _run_module(
        "scraper_services.common.import_dataset", tmp_path, str(YC_STARTUPS_CSV), "--service",
        "crunchbase",
    )  # fmt: skip
    output = process.communicate(timeout=120)[0].decode()
    assert process.returncode == 0, output
    imported = int(output.split("imported ")[1].split()[0])
    assert imported > 600
    settings = make_settings(tmp_path / "var")
    with serve_in_thread(create_crunchbase(settings)) as url:
        health = httpx.get(f"{url}/health").json()
        assert health["source_details"]["companies"] >= imported + 150
        found = httpx.get(f"{url}/companies/lookup?name=Zencoder", headers=AUTH).json()
        assert found["company"]["company_data"]["Source"] == "import"
        body = {"keywords": ["video encoding"], "target_description": "cloud video transcoding API"}
        result = httpx.post(
            f"{url}/search/crunchbase/top-similar-with-rank", json=body, headers=AUTH, timeout=30
        ).json()
        assert "Zencoder" in [c["name"] for c in result["all_companies"]]

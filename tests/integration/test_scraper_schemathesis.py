"""schemathesis against each service's OpenAPI spec over HTTP: no server errors, no violations.

All checks run except `positive_data_acceptance`: rules the spec cannot express (weights summing
to 1, lookups needing a name or url) reject some schema-valid requests with 400 by design.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scraper_services.crunchbase.app import create_app as create_crunchbase
from scraper_services.tracxn.app import create_app as create_tracxn
from tests.scraper_fixtures import TOKEN, make_settings, serve_in_thread

pytestmark = pytest.mark.integration

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.mark.parametrize(
    "create_app", [create_crunchbase, create_tracxn], ids=["crunchbase", "tracxn"]
)
def test_schemathesis_finds_no_server_errors(tmp_path, create_app):
    app = create_app(make_settings(tmp_path / "var"), rate_limit_per_minute=1_000_000)
    with serve_in_thread(app) as url:
        command = [
            str(SCHEMATHESIS), "run", f"{url}/openapi.json",
            "--header", f"X-Service-Token: {TOKEN}",
            "--checks", "all", "--exclude-checks", "positive_data_acceptance",
            "--max-examples", "25", "--workers", "1", "--seed", "20261129",
            "--generation-database", "none", "--no-color", "--request-timeout", "30",
            "--max-response-time", "60",  # 2 shared cores: latency is bench/, not this test
        ]  # fmt: skip
        run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-6000:]
    assert "passed" in report and "Server error" not in report

"""schemathesis against each service's OpenAPI spec over HTTP: no server errors, no violations.

All checks run except `positive_data_acceptance`: rules the spec cannot express (weights summing
to 1, lookups needing a name or url, text that is blank once control characters are dropped)
reject some schema-valid requests by design.

Strings may hold NUL and any UTF-8 character, and tests/support/schemathesis_hooks.py mixes
control-character and invisible text into every query and body: with 50 examples per operation
this run finds `GET /search/crunchbase?hashtag=%1E` (a 500 before the fix) on every seed tried
(5 of 5; 25 examples found it on 2 of 4), where schemathesis alone needed ~1000 examples.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scraper_services.crunchbase.app import create_app as create_crunchbase
from scraper_services.tracxn.app import create_app as create_tracxn
from tests.scraper_fixtures import TOKEN, make_settings, serve_in_thread

pytestmark = pytest.mark.integration

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
HOOKS = Path(__file__).resolve().parents[1] / "support" / "schemathesis_hooks.py"
MAX_EXAMPLES = 50


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
            "--max-examples", str(MAX_EXAMPLES), "--workers", "1", "--seed", "20261129",
            "--generation-allow-x00", "true", "--generation-codec", "utf-8",
            "--generation-database", "none", "--no-color", "--request-timeout", "30",
            "--max-response-time", "60",  # 2 shared cores: latency is bench/, not this test
        ]  # fmt: skip
        env = {**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS)}
        run = subprocess.run(
            command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1800
        )
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-6000:]
    assert "passed" in report and "Server error" not in report

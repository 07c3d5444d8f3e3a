"""The run script supervises (#12 item 9): a reports worker killed mid-run is restarted, the
run completes without anyone acting, and the page meanwhile says no worker serves the run.

Under the real supervisor (`scripts/run_stack.py`, as `make run` starts it) on the
production-like stack, a run starts from the page; once its row says running with progress,
the reports worker gets SIGKILL. The test then waits on events only: the supervisor's log line
for the exit and the restart, the new worker's "ready", the card's notice, and the run row
reaching "completed" (beat resumes the run once its heartbeat is stale).

    flock /tmp/e2e.lock .venv/bin/python -m pytest tests/e2e/test_supervisor.py -x
"""

from __future__ import annotations

import os
import re
import signal

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from marketnav.services.reports.liveness import NO_WORKER_TEXT
from marketnav.settings import Settings
from tests.e2e.conftest import DESKTOP, create_project, fill_inputs, sign_up
from tests.support.live_stack import live_stack
from tests.support.report_stack import wait_until

# Own stack (own port, own frontend build): `make test` runs these after the other e2e tests.
pytestmark = [pytest.mark.e2e, pytest.mark.own_stack]

REPORT = "crunchbase"


def _latest_run(engine) -> tuple[int, str, int] | None:
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT id, status, progress FROM report_runs ORDER BY id DESC LIMIT 1")
        ).first()
    return tuple(row) if row else None


def test_a_killed_reports_worker_is_restarted_and_the_run_completes(browser, tmp_path):
    extra = {"REPORT_HEARTBEAT_TIMEOUT_SECONDS": "5", "REPORT_FAN_OUT": "1"}
    with live_stack(tmp_path, web_workers=1, ai_delay=0.4, extra_env=extra) as live:
        engine = create_engine(Settings(database_url=live.env["DATABASE_URL"]).db_url)
        page = sign_up(browser, live.url, DESKTOP, "Kim Kill").page
        create_project(page, "Crash pets")
        fill_inputs(page)
        page.get_by_test_id(f"start-{REPORT}").click()
        assert wait_until(
            lambda: (r := _latest_run(engine)) and r[1] == "running" and r[2] > 0, 120
        ), f"the run never got going: {_latest_run(engine)}"
        run_id = _latest_run(engine)[0]

        log = live.log.read_text(errors="replace")
        pid = int(re.findall(r"started celery-reports \(pid (\d+)\)", log)[-1])
        offset = len(log)
        os.kill(pid, signal.SIGKILL)

        # The supervisor logs the crash and starts the worker again; nothing else stops.
        assert wait_until(
            lambda: (
                "celery-reports exited with code -9; restarting"
                in live.log.read_text(errors="replace")[offset:]
            ),
            60,
        ), live.tail()
        live.wait_for_workers(("reports",), after=offset)
        assert re.search(r"celery-reports restarted \(pid \d+", live.tail(20_000))
        # The open page says the run has no worker right now (its heartbeat stopped) ...
        expect(page.get_by_test_id(f"progress-{REPORT}")).to_contain_text(
            NO_WORKER_TEXT, timeout=90_000
        )
        # ... and the run completes on its own: beat resumes it on the restarted worker.
        assert wait_until(
            lambda: (r := _latest_run(engine)) and r[1] in ("completed", "failed"), 240, 0.5
        ), f"run {run_id} never finished: {_latest_run(engine)}"
        assert _latest_run(engine)[:2] == (run_id, "completed")
        card = page.get_by_test_id(f"report-card-{REPORT}")
        expect(card).to_have_attribute("data-status", "completed", timeout=60_000)
        assert live.proc.poll() is None, "the supervisor stopped"
        assert "; stopping." not in live.log.read_text(errors="replace")[offset:]
        engine.dispose()

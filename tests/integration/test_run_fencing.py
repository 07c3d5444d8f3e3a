"""A run never executes twice at once: fenced attempts, a watcher that survives errors.

Issue #12, item 10.

The end-to-end case uses two real `reports` workers: the first is frozen (SIGSTOP, a stalled
machine) in the middle of a run, beat's recovery hands the run to the second, which finishes
it; then the first wakes up (SIGCONT) and must write nothing more.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from celery.result import AsyncResult

from marketnav.db import session_scope
from marketnav.models import ReportRun
from marketnav.models.base import utcnow
from marketnav.services.reports import runner, runs
from tests import ai_fixtures
from tests.conftest import clear_caches
from tests.integration import test_report_worker
from tests.integration.test_report_worker import (
    FINAL,
    HEARTBEAT_TIMEOUT,
    MODEL_KEYWORDS,
    PROVIDER,
    _project,
    _run,
    _sections,
    _start,
    _steps,
    _wait_status,
)
from tests.support.openai_test_server import Behaviour
from tests.support.report_stack import fresh_report_tasks, reports_worker, wait_until

pg_stack = test_report_worker.pg_stack
report_env = test_report_worker.report_env
openai_server = ai_fixtures.openai_server
fake_ai = ai_fixtures.fake_ai

pytestmark = pytest.mark.integration


@pytest.mark.postgres
@pytest.mark.redis
def test_a_stalled_worker_s_attempt_writes_nothing_after_another_worker_took_the_run(
    tmp_path, pg_stack, report_env
):
    db = pg_stack
    tasks = fresh_report_tasks()
    user, project = _project(db)
    # The first attempt is inside its keyword call when it freezes.
    slow_keywords = {"keywords": MODEL_KEYWORDS, "confidence": 0.8}
    report_env.script(PROVIDER, Behaviour.content_reply(slow_keywords, delay_seconds=4))
    with reports_worker(tmp_path, "first", concurrency=1) as first:
        run_id = _start(db, tasks, user, project.id, "quick_report")
        first_task = wait_until(lambda: _run(db, run_id).celery_task_id, 30)
        holder = wait_until(lambda: _run(db, run_id).worker, 30)
        assert holder and first_task, first.tail()
        # Synchronise on the keyword request reaching the AI server (the call is in flight;
        # freezing mid-transaction is the next test's case).
        assert wait_until(lambda: report_env.request_count(PROVIDER) >= 1, 30), first.tail()
        os.killpg(first.proc.pid, signal.SIGSTOP)  # the machine stalls: no heartbeat, no writes
        try:
            assert wait_until(
                lambda: runs.heartbeat_stale(_run(db, run_id)), HEARTBEAT_TIMEOUT + 15
            )
            with reports_worker(tmp_path, "second", concurrency=1) as second:
                assert tasks.recover_stalled()["resumed"] == [run_id]  # beat's task body
                done = _wait_status(db, run_id, FINAL, 120, second)
                assert done.status == "completed", done.error_message
                taken_by = done.worker
                assert taken_by != holder and taken_by.startswith("second@")
                sections = {s.section_key: (s.id, s.markdown) for s in _sections(db, run_id)}
                steps = {k: (s.status, s.completed_at) for k, s in _steps(db, run_id).items()}
        finally:
            os.killpg(first.proc.pid, signal.SIGCONT)
        # The first attempt wakes up: its next write is refused and it stops as superseded.
        result = AsyncResult(first_task, app=tasks.app).get(timeout=60)
        assert result["status"] == "superseded", (result, first.tail())
        assert "was superseded" in first.tail()
    after = _run(db, run_id)
    assert (after.status, after.worker, after.progress) == ("completed", taken_by, 100)
    assert {s.section_key: (s.id, s.markdown) for s in _sections(db, run_id)} == sections
    assert {k: (s.status, s.completed_at) for k, s in _steps(db, run_id).items()} == steps


# A worker process that takes the run row's lock, as every write of an attempt does, and
# freezes (SIGSTOP) before its transaction ends: a machine that stalls mid-write.
FROZEN_WRITER = """
import os, signal, sys
from marketnav.db import session_scope
from marketnav.services.reports import runs
with session_scope() as session:
    runs.fenced_run(session, int(sys.argv[1]), sys.argv[2])
    print("locked", flush=True)
    os.kill(os.getpid(), signal.SIGSTOP)
"""


def _stopped(pid: int) -> bool:
    return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("T")


@pytest.mark.postgres
def test_a_worker_frozen_inside_a_transaction_does_not_hold_the_run_for_good(pg_db, monkeypatch):
    """CI once saw the worker that took a run over wait for ever on the frozen attempt's row
    locks: PostgreSQL now ends a transaction left idle past DB_IDLE_TRANSACTION_TIMEOUT_SECONDS."""
    monkeypatch.setenv("DB_IDLE_TRANSACTION_TIMEOUT_SECONDS", "2")
    clear_caches()
    user, project = _project(pg_db)
    run = runs.start(pg_db, user, project.id, "quick_report")
    run.status, run.worker, run.heartbeat_at = "running", "a#1", utcnow()
    pg_db.add(run)
    pg_db.commit()
    root = Path(__file__).resolve().parents[2]
    frozen = subprocess.Popen(
        [sys.executable, "-c", FROZEN_WRITER, str(run.id), "a#1"], cwd=root, stdout=subprocess.PIPE
    )
    try:
        assert frozen.stdout.readline().strip() == b"locked"
        assert wait_until(lambda: _stopped(frozen.pid), 30)
        taken = threading.Event()

        def take_over() -> None:  # what recovery and the next attempt's claim do
            with session_scope() as session:
                row = session.get(ReportRun, run.id, with_for_update=True)
                row.worker = "b#2"
                session.add(row)
            taken.set()

        threading.Thread(target=take_over, daemon=True).start()
        assert taken.wait(30), "the frozen transaction still holds the run row"
    finally:
        frozen.kill()
        frozen.wait()
    assert _run(pg_db, run.id).worker == "b#2"


def test_fenced_run_refuses_an_attempt_that_lost_the_run(db):
    user, project = _project(db)
    run = runs.start(db, user, project.id, "quick_report")
    run.status, run.worker, run.heartbeat_at = "running", "a#1", utcnow()
    db.add(run)
    db.commit()
    with session_scope() as session:
        assert runs.fenced_run(session, run.id, "a#1").id == run.id
    for other in ("b#2", "a#2", ""):  # another node, or a redelivery on the same node
        with pytest.raises(runs.StaleAttempt), session_scope() as session:
            runs.fenced_run(session, run.id, other)
    run = _run(db, run.id)
    run.status = "completed"
    db.add(run)
    db.commit()
    with pytest.raises(runs.StaleAttempt), session_scope() as session:
        runs.fenced_run(session, run.id, "a#1")


def test_the_watcher_survives_database_errors_and_still_delivers_cancel(db, monkeypatch):
    """A transient database error used to end the watcher for good: Cancel never arrived."""
    user, project = _project(db)
    run = runs.start(db, user, project.id, "quick_report")
    run.status, run.worker, run.heartbeat_at = "running", "w#1", utcnow()
    db.add(run)
    db.commit()
    real_check = runner._check_run
    failures = threading.Semaphore(3)
    failed = threading.Event()

    def flaky(run_id, worker, beat):
        if failures.acquire(blocking=False):
            failed.set()
            raise ConnectionError("database restarting")
        return real_check(run_id, worker, beat)

    monkeypatch.setattr(runner, "_check_run", flaky)
    monkeypatch.setattr(runner, "CANCEL_POLL_SECONDS", 0.05)
    stopped = threading.Event()

    async def pipeline() -> None:
        watcher = runner.RunWatcher(run.id, "w#1", asyncio.current_task())
        watcher.start()
        try:
            await asyncio.to_thread(failed.wait, 30)
            with session_scope() as session:  # the user presses Cancel after the errors
                row = session.get(ReportRun, run.id)
                row.cancel_requested = True
                session.add(row)
            await asyncio.sleep(30)  # cancelled by the watcher long before this ends
        except asyncio.CancelledError:
            stopped.set()
            assert watcher.stop_reason == "cancelled"
        finally:
            watcher.stop()

    asyncio.run(pipeline())
    assert stopped.is_set()


@pytest.mark.redis
def test_the_broker_redelivers_an_unacknowledged_run_only_after_its_deadline(redis_url):
    """Redis's default visibility timeout (1 h) was shorter than the 90-minute deadline."""
    from marketnav.settings import get_settings

    app = fresh_report_tasks().app
    timeout = app.conf.broker_transport_options["visibility_timeout"]
    assert timeout > get_settings().report_deadline_minutes * 60

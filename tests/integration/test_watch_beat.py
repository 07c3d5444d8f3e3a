"""Market watches through real beat processes and a real worker (PostgreSQL, Redis, S3).

Two beats run at once, as a mistaken deployment would: a watch due now is refreshed once, not
twice; the refresh is an ordinary new version; and two refreshes of an unchanged market tell
nobody anything.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from marketnav.models import MarketWatch, Notification, Report, ReportRun
from marketnav.models.base import utcnow
from marketnav.services import projects
from marketnav.services.watching import notifications, schedule
from tests import ai_fixtures
from tests.factories import make_project, make_user
from tests.processes import BIN, child_env, running
from tests.support import report_stack
from tests.support.report_stack import PET_INPUTS, reports_worker, wait_until

openai_server = ai_fixtures.openai_server
fake_ai = ai_fixtures.fake_ai
report_env = report_stack.report_env
pg_stack = report_stack.pg_stack

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

LOOK = "market watches: "  # the dispatcher's debug line at every look


def _beat(tmp_path: Path, name: str):
    args = [
        str(BIN / "celery"),
        "-A",
        "tasks.celery_app",
        "beat",
        "-s",
        str(tmp_path / f"{name}-schedule"),
        "--loglevel",
        "DEBUG",
    ]
    env = child_env(WATCH_DISPATCH_INTERVAL_SECONDS="0.5")
    return running(args, env, tmp_path / f"{name}.log")


def _looks(log: Path) -> int:
    text = log.read_text(errors="replace") if log.exists() else ""
    return sum(1 for line in text.splitlines() if LOOK in line and " due" in line)


def _runs(db: Session, project_id: int) -> list[ReportRun]:
    db.expire_all()
    return list(
        db.exec(select(ReportRun).join(Report).where(Report.project_id == project_id)).all()
    )


def _due_now(db: Session, watch_id: int) -> None:
    watch = db.get(MarketWatch, watch_id)
    watch.next_run_at = watch.check_at = utcnow() - timedelta(seconds=1)
    db.add(watch)
    db.commit()


def _status(db: Session, run_id: int) -> str:
    db.expire_all()
    return db.get(ReportRun, run_id).status


def _refresh_once(db: Session, project_id: int, watch_id: int, version: int, worker, logs):
    """Make the watch due now; its refresh is one scheduled run, version `version`, once."""
    _due_now(db, watch_id)
    assert wait_until(lambda: len(_runs(db, project_id)) >= version, 30)
    run = next(r for r in _runs(db, project_id) if r.version == version)
    assert run.trigger == "schedule"
    assert wait_until(lambda: _status(db, run.id) in ("completed", "failed"), 120), worker.tail()
    assert _status(db, run.id) == "completed", worker.tail()
    _both_looked_again(logs)
    # Exactly one run for this refresh: neither beat started it a second time.
    assert sorted(r.version for r in _runs(db, project_id)) == list(range(1, version + 1))


def _both_looked_again(logs: list[Path]) -> None:
    """Wait until each beat has looked at the schedule twice more (no sleeps)."""
    before = [_looks(log) for log in logs]
    assert wait_until(
        lambda: all(_looks(log) >= n + 2 for log, n in zip(logs, before, strict=True)), 30
    ), [log.read_text()[-2000:] for log in logs]


def test_a_due_watch_runs_once_with_two_beats_and_an_unchanged_market_tells_nobody(
    tmp_path, pg_stack
):
    db = pg_stack
    owner = make_user(db, "Wendy Watcher")
    project = make_project(db, owner, "Pet care")
    projects.save_inputs(db, owner, project.id, PET_INPUTS)
    watch = schedule.save(db, owner, project.id, ["crunchbase"], "daily")
    notifications.follow(db, owner, project.id)
    db.commit()
    assert watch.next_run_at > utcnow() + timedelta(hours=23)  # not due: nothing runs

    logs = [tmp_path / "beat-a.log", tmp_path / "beat-b.log"]
    with (
        reports_worker(tmp_path, concurrency=2) as worker,
        _beat(tmp_path, "beat-a"),
        _beat(tmp_path, "beat-b"),
    ):
        # Both beats run the database scheduler and look at the schedule.
        assert wait_until(lambda: all(_looks(log) >= 1 for log in logs), 60), [
            log.read_text()[-3000:] for log in logs
        ]
        for log in logs:
            assert "tasks.watch_scheduler.WatchScheduler" in log.read_text()
        assert _runs(db, project.id) == []

        for version in (1, 2):
            _refresh_once(db, project.id, watch.id, version, worker, logs)
            assert _runs(db, project.id)[-1].requested_by == owner.id

    db.expire_all()
    watch = db.get(MarketWatch, watch.id)
    assert watch.pending_types == [] and watch.lease_until is None
    assert watch.next_run_at > utcnow() + timedelta(hours=23)  # the next refresh is tomorrow
    second = next(r for r in _runs(db, project.id) if r.version == 2)
    # The same demo data twice: v2 compared with v1 by code, no change, nobody told.
    assert second.data["market_changes"] == {
        "since": 1,
        "summary": "No change in the market",
        "changes": [],
    }
    assert db.exec(select(Notification)).all() == []

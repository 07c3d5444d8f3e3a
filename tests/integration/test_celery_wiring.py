"""A real Celery worker runs the system check end to end, on the SQLite and the Redis broker."""

from __future__ import annotations

import os

import pytest
from sqlmodel import SQLModel

from marketnav.services import system_status
from marketnav.settings import get_settings
from tests.processes import celery_worker_args, child_env, running

pytestmark = pytest.mark.integration


def _run_system_check_through_worker(tmp_path) -> dict:
    from marketnav.db import get_engine
    from tasks.celery_app import app as celery_app

    SQLModel.metadata.create_all(get_engine())
    settings = get_settings()
    env = child_env(VAR_DIR=str(settings.var_dir), REDIS_URL=settings.redis_url)
    with running(celery_worker_args(), env, tmp_path / "worker.log"):
        # Route by name, as the page does: the worker resolves the task from its registry.
        result = celery_app.send_task("tasks.maintenance.system_check", queue="default")
        try:
            summary = result.get(timeout=60)
        except Exception:
            print((tmp_path / "worker.log").read_text()[-3000:])
            raise
    return summary


def _fresh_celery_app():
    # tasks.celery_app reads settings at import; re-import it for this test's settings.
    import importlib
    import sys

    for name in ("tasks.maintenance", "tasks.celery_app"):
        sys.modules.pop(name, None)
    return importlib.import_module("tasks.celery_app")


def test_system_check_task_on_sqlite_broker(tmp_path, isolated_settings):
    module = _fresh_celery_app()
    assert module.app.conf.broker_url.startswith("sqla+sqlite")
    summary = _run_system_check_through_worker(tmp_path)
    latest = system_status.latest()
    assert latest is not None and latest.id == summary["id"]
    by_name = {c["name"]: c for c in latest.components}
    assert by_name["Database"]["ok"] and by_name["Celery broker"]["ok"]
    assert by_name["Object storage"]["ok"]
    ai = [c for c in latest.components if c["kind"] == "ai"]
    assert len(ai) == 1 and ai[0]["ok"] and "offline analysis" in ai[0]["detail"].lower()


@pytest.mark.redis
def test_system_check_task_on_redis_broker(tmp_path, redis_url):
    module = _fresh_celery_app()
    assert module.app.conf.broker_url == redis_url
    summary = _run_system_check_through_worker(tmp_path)
    by_name = {c["name"]: c for c in system_status.latest().components}
    assert by_name["Redis"]["ok"] and by_name["Redis"]["detail"] == "PONG"
    assert "Redis" not in summary["down"]


def test_queues_and_beat_schedule_are_declared(isolated_settings):
    app = _fresh_celery_app().app
    assert {q.name for q in app.conf.task_queues} == {"default", "reports", "ai"}
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert tasks == {
        "tasks.maintenance.system_check",
        "tasks.maintenance.prune_old_records",
        "tasks.reports.recover_stalled",
        "tasks.imports.retry_data_deletions",
        "tasks.chat.recover_replies",
        "tasks.watching.send_digests",
        "tasks.watching.deliver_webhooks",
        "tasks.watching.check_companies",
    }
    # Market watches are read from the database by beat's own scheduler, not listed here.
    assert app.conf.beat_scheduler == "tasks.watch_scheduler:WatchScheduler"
    assert app.conf.task_routes["tasks.watching.*"] == {"queue": "default"}
    assert app.conf.task_routes["tasks.reports.recover_stalled"] == {"queue": "default"}
    assert app.conf.task_routes["tasks.chat.recover_replies"] == {"queue": "default"}
    assert app.conf.task_routes["tasks.imports.*"] == {"queue": "default"}
    assert os.environ["VAR_DIR"] in app.conf.beat_schedule_filename

"""Report runs on the `reports` queue, and the beat task that recovers stalled runs."""

from __future__ import annotations

import socket

from celery.utils.log import get_task_logger

from marketnav.db import session_scope
from marketnav.services.reports import runner, runs
from tasks.celery_app import app

logger = get_task_logger(__name__)
WORKER_NAME = f"{socket.gethostname()}"


def enqueue(run_id: int) -> str:
    """Queue a run (called by page events after `runs.start` / `runs.retry`)."""
    result = run_report.apply_async(args=[run_id], queue="reports")
    with session_scope() as session:
        runs.set_task_id(session, run_id, result.id)
    return result.id


# acks_late (app default): a run whose worker dies is delivered again; `execute` resumes it
# from its first unfinished step, or does nothing when a live worker still holds it.
@app.task(name="tasks.reports.run_report", bind=True)
def run_report(self, run_id: int) -> dict:
    worker = f"{self.request.hostname or WORKER_NAME}:{self.request.id}"
    outcome = runner.execute(run_id, worker)
    logger.info("report run %s: %s %s", run_id, outcome.status, outcome.error)
    return {"run_id": run_id, "status": outcome.status, "error": outcome.error}


@app.task(name="tasks.reports.recover_stalled")
def recover_stalled() -> dict:
    recovery = runner.recover_stalled()
    for run_id in recovery.resumed:
        enqueue(run_id)
    return {"resumed": recovery.resumed, "failed": recovery.failed}

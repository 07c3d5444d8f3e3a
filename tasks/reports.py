"""Report runs on the `reports` queue, and the beat task that recovers stalled runs."""

from __future__ import annotations

import socket
import uuid

from celery.utils.log import get_task_logger

from marketnav.db import session_scope
from marketnav.services.reports import queue_recovery, runner
from tasks.celery_app import app

logger = get_task_logger(__name__)
WORKER_NAME = f"{socket.gethostname()}"


def enqueue(run_id: int, *, requeue: bool = False) -> str:
    """Queue a run (page events after `runs.start` / `runs.retry`; beat with `requeue`).

    The task id and queue time are written first, so a worker that starts at once never races
    this write. When the broker cannot be reached the run is failed at once ("could not reach
    the queue") and "" is returned: the card says so and Start works again.
    """
    task_id = str(uuid.uuid4())
    with session_scope() as session:
        queue_recovery.note_enqueued(session, run_id, task_id, requeue=requeue)
    try:
        run_report.apply_async(args=[run_id], queue="reports", task_id=task_id)
    except Exception as err:  # broker down: kombu OperationalError, redis ConnectionError, ...
        logger.warning("report run %s: could not be queued (%s)", run_id, err)
        if not requeue:  # beat tries again later, then fails the run with its own reason
            queue_recovery.enqueue_failed(run_id)
        return ""
    return task_id


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
    """Beat: resume runs whose worker vanished; re-queue or fail runs stuck in "queued"."""
    recovery = runner.recover_stalled()
    for run_id in recovery.resumed:
        enqueue(run_id)
    queued = queue_recovery.recover_queued()
    for run_id in queued.requeue:
        enqueue(run_id, requeue=True)
    return {
        "resumed": recovery.resumed,
        "failed": recovery.failed,
        "requeued": queued.requeue,
        "failed_in_queue": queued.failed,
    }

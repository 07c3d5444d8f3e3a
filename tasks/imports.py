"""Company imports on the `default` queue, and the beat task that finishes lost deletions."""

from __future__ import annotations

from celery.utils.log import get_task_logger

from marketnav.services.company_import import deletion, jobs
from tasks.celery_app import app

logger = get_task_logger(__name__)


def enqueue(import_id: int) -> str:
    """Queue an import (called by the page after `jobs.start`)."""
    result = run_import.apply_async(args=[import_id], queue="default")
    jobs.set_task_id(import_id, result.id)
    return result.id


# acks_late (app default): an import whose worker died is delivered again and runs again;
# the services merge companies they already have, so nothing is duplicated.
@app.task(name="tasks.imports.run_import")
def run_import(import_id: int) -> dict:
    job = jobs.execute(import_id)
    logger.info("company import %s: %s %s", import_id, job.status, job.message)
    return {"import_id": import_id, "status": job.status, "sent": job.sent_count}


@app.task(name="tasks.imports.retry_data_deletions")
def retry_data_deletions() -> dict:
    left = deletion.purge_sync()
    return {"still_pending": {str(k): v for k, v in left.items()}}

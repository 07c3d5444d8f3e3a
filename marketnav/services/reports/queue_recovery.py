"""Runs that never reach a worker: a failed enqueue, or a queue message that was lost.

A queued run blocks Start ("already running") until it ends, so it must not wait forever:

- `note_enqueued` records, before the message is sent, when the run was (re-)queued and how
  many times beat re-queued it (in `run.data["queue"]` while the run waits; the completed
  run's summary replaces it).
- `enqueue_failed` ends a run at once when the broker cannot be reached: the card shows
  "Could not reach the queue" and Start / Retry work again.
- `recover_queued` (beat) re-queues a run still queued `REPORT_QUEUED_TIMEOUT_SECONDS` after
  it was queued, at most `REPORT_MAX_REQUEUES` times, then fails it with a reason. A re-queued
  message whose first copy was not lost after all is harmless: the worker's claim skips a run
  that is already running or finished.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from marketnav.db import session_scope
from marketnav.models import Report, ReportRun
from marketnav.models.base import utcnow
from marketnav.services import progress
from marketnav.services.reports.runs import mark_finished
from marketnav.services.reports.tracker import subject_for_project
from marketnav.settings import get_settings

ENQUEUE_FAILED = "Could not reach the queue, so the report did not start. Try again."
QUEUE_LOST = (
    "No worker took this report from the queue (it was queued {times} times); "
    "check that a reports worker is running, then try again."
)


def note_enqueued(session: Session, run_id: int, task_id: str, *, requeue: bool = False) -> None:
    """Before sending the message: its task id, when it was queued, how often beat re-queued
    it (a user's start or retry counts from 0 again)."""
    run = session.get(ReportRun, run_id)
    if run is None:
        return
    before = (run.data or {}).get("queue") or {}
    requeues = int(before.get("requeues", 0)) + 1 if requeue else 0
    run.celery_task_id = task_id
    run.data = {**(run.data or {}), "queue": {"at": utcnow().isoformat(), "requeues": requeues}}
    session.add(run)


def enqueue_failed(run_id: int) -> bool:
    """Fail a still-queued run whose message could not be sent; True when it was failed."""
    with session_scope() as session:
        run = session.get(ReportRun, run_id)
        if run is None or run.status != "queued":
            return False
        mark_finished(run, "failed", ENQUEUE_FAILED)
        session.add(run)
        report = session.get(Report, run.report_id)
        project_id = report.project_id if report else 0
    progress.publish(subject_for_project(project_id), {"type": "report_status", "run_id": run_id})
    return True


def _queued_at(run: ReportRun) -> datetime:
    raw = ((run.data or {}).get("queue") or {}).get("at")
    try:
        return datetime.fromisoformat(raw) if raw else run.created_at
    except (TypeError, ValueError):
        return run.created_at


@dataclass(frozen=True)
class QueuedRecovery:
    requeue: list[int]
    failed: list[int]


def recover_queued() -> QueuedRecovery:
    """Beat: which stuck queued runs to send again, and which were failed (their pages told)."""
    settings = get_settings()
    limit = timedelta(seconds=settings.report_queued_timeout_seconds)
    now = utcnow()
    requeue: list[int] = []
    failed: list[tuple[int, int]] = []
    with session_scope() as session:
        rows = session.exec(
            select(ReportRun, Report)
            .join(Report, Report.id == ReportRun.report_id)
            .where(ReportRun.status == "queued")
        ).all()
        for run, report in rows:
            queued_at = _queued_at(run)
            if queued_at.tzinfo is None:
                queued_at = queued_at.replace(tzinfo=now.tzinfo)
            if now - queued_at < limit:
                continue
            requeues = int(((run.data or {}).get("queue") or {}).get("requeues", 0))
            if requeues >= settings.report_max_requeues:
                mark_finished(run, "failed", QUEUE_LOST.format(times=requeues + 1))
                session.add(run)
                failed.append((run.id, report.project_id))
            else:
                requeue.append(run.id)
    for run_id, project_id in failed:
        progress.publish(
            subject_for_project(project_id), {"type": "report_status", "run_id": run_id}
        )
    return QueuedRecovery(requeue, [run_id for run_id, _ in failed])

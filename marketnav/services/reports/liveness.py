"""Is a worker serving a run? Read from the run's heartbeat, for the page to say so.

A running run's worker beats every `runner.heartbeat_interval()` seconds. A run whose last
beat is older than `SILENT_BEATS` intervals has no worker serving it now (the worker crashed or
is restarting); beat resumes it once the heartbeat is stale (`runner.recover_stalled`), so the
page says it waits for a worker and that the run goes on by itself.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from marketnav.models import ReportRun
from marketnav.models.base import utcnow
from marketnav.services.reports.runner import heartbeat_interval

SILENT_BEATS = 2.5
NO_WORKER_TEXT = "No worker is serving this run right now; it resumes on its own when one is back"


def silent_runs(session: Session, run_ids: list[int]) -> dict[int, int]:
    """Of `run_ids`, the running ones no worker beat for lately: run id -> seconds silent.

    The caller has already checked that the user may view these runs (they are on its cards).
    """
    if not run_ids:
        return {}
    limit = heartbeat_interval() * SILENT_BEATS
    now = utcnow()
    rows = session.exec(
        select(ReportRun).where(col(ReportRun.id).in_(run_ids), ReportRun.status == "running")
    ).all()
    silent = {}
    for run in rows:
        since = run.heartbeat_at or run.started_at or run.created_at
        if since is not None and (now - since).total_seconds() > limit:
            silent[run.id] = int((now - since).total_seconds())
    return silent

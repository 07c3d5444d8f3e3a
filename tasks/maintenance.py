"""Periodic upkeep: live system checks and pruning of old records."""

from __future__ import annotations

from marketnav.db import session_scope
from marketnav.services import audit, progress, sessions, system_status
from marketnav.settings import get_settings
from tasks.celery_app import app


@app.task(name="tasks.maintenance.system_check")
def system_check() -> dict:
    """Check every component and store the result; returns its id and a summary."""
    row = system_status.run_and_store()
    return {"id": row.id, "down": [c["name"] for c in row.components if not c["ok"]]}


@app.task(name="tasks.maintenance.prune_old_records")
def prune_old_records() -> dict:
    """Apply retention: audit rows, expired sessions and old progress events."""
    with session_scope() as session:
        audit_rows = audit.prune(session, get_settings().audit_retention_days)
        expired_sessions = sessions.prune_expired(session)
    return {"audit": audit_rows, "sessions": expired_sessions, "progress": progress.prune()}

"""Periodic upkeep: live system checks and pruning of old records."""

from __future__ import annotations

from marketnav.db import session_scope
from marketnav.services import audit, progress, sessions, share_links, share_unlocks, system_status
from marketnav.services.ai import records as ai_records
from marketnav.settings import get_settings
from tasks.celery_app import app


@app.task(name="tasks.maintenance.system_check")
def system_check() -> dict:
    """Check every component and store the result; returns its id and a summary."""
    row = system_status.run_and_store()
    return {"id": row.id, "down": [c["name"] for c in row.components if not c["ok"]]}


@app.task(name="tasks.maintenance.prune_old_records")
def prune_old_records() -> dict:
    """Apply retention: audit rows, AI calls, sessions, share links and unlocks, progress events."""
    settings = get_settings()
    with session_scope() as session:
        counts = {
            "audit": audit.prune(session, settings.audit_retention_days),
            "ai_calls": ai_records.prune(session, settings.ai_call_retention_days),
            "sessions": sessions.prune_expired(session),
            "share_links": share_links.prune_expired(session),
            "share_unlocks": share_unlocks.prune_expired(session),
        }
    return {**counts, "progress": progress.prune()}

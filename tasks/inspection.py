"""What the Celery workers are doing, for the queue admin page (asks the workers live)."""

from __future__ import annotations

import logging

from tasks.celery_app import app

logger = logging.getLogger(__name__)


def workers(timeout: float = 1.0) -> tuple[list[dict], str]:
    """(one row per worker: name, queues, active tasks), or ([], reason) when nobody answers.

    The embedded SQLite broker has no broadcast channel, so live inspection needs Redis.
    """
    try:
        inspector = app.control.inspect(timeout=timeout)
        queues = inspector.active_queues() or {}
        active = inspector.active() or {}
    except Exception as err:  # the broker cannot broadcast (SQLite) or is down
        logger.info("worker inspection unavailable: %s", err)
        return [], "Live worker inspection needs the Redis broker (REDIS_URL)."
    if not queues:
        return [], "No worker answered within a second."
    rows = [
        {
            "name": name,
            "queues": ", ".join(sorted(q["name"] for q in queues.get(name, []))),
            "active": str(len(active.get(name, []))),
        }
        for name in sorted(queues)
    ]
    return rows, ""

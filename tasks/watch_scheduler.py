"""Celery beat's scheduler: the fixed maintenance entries, and the market watches in the database.

Beat runs with this scheduler (`beat_scheduler` in `tasks.celery_app`): besides the
maintenance entries of `beat_schedule` it looks at the `market_watches` table every
`WATCH_DISPATCH_INTERVAL_SECONDS` and starts the due refreshes (`dispatch.dispatch_due`). The
schedules are rows people change on the project page, read afresh at every look: a new,
paused or stopped watch takes effect without restarting beat, and survives a restart. Two
beats started by mistake each look, and each due watch is started by one of them only.
"""

from __future__ import annotations

import logging
import time

from celery.beat import PersistentScheduler

from marketnav.db import session_scope
from marketnav.services.watching import dispatch
from marketnav.settings import get_settings

logger = logging.getLogger(__name__)


def dispatch_watches() -> dispatch.Dispatch:
    """One look at the schedule: start the due refreshes and queue their runs."""
    from tasks.reports import enqueue

    result = dispatch.dispatch_due(session_scope, enqueue)
    if result.started or result.waiting:
        logger.info(
            "market watches: %d run(s) started for %d watch(es), %d waiting for a free slot",
            len(result.started),
            result.watches,
            result.waiting,
        )
    return result


class WatchScheduler(PersistentScheduler):
    """`PersistentScheduler` plus a look at the market watches between its own entries."""

    def __init__(self, *args, **kwargs):
        self._next_look = 0.0
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs) -> float:
        wait = super().tick(*args, **kwargs)
        interval = get_settings().watch_dispatch_interval_seconds
        now = time.monotonic()
        if now >= self._next_look:
            self._next_look = now + interval
            try:
                dispatch_watches()
            except Exception:  # the database is down: the next look tries again
                logger.exception("market watches: could not look at the schedule")
        return max(0.1, min(wait, self._next_look - time.monotonic()))

"""The calendar of market watches: cadences, their next due time, and each watch's jitter.

A month keeps its day (clamped to the month's last); a refresh missed while beat was down is
made up once, then the watch keeps its rhythm; each project's watch starts at a fixed offset
(a hash of its id) of up to `WATCH_JITTER_MAX_SECONDS`, never more than a tenth of its cadence.
"""

from __future__ import annotations

import calendar
import hashlib
from datetime import datetime, timedelta

from marketnav.models import MarketWatch
from marketnav.services.errors import ValidationFailed
from marketnav.settings import get_settings

CADENCES = ("daily", "weekly", "monthly")
CADENCE_LABELS = {"daily": "Every day", "weekly": "Every week", "monthly": "Every month"}


def _add_months(when: datetime, months: int) -> datetime:
    month = when.month - 1 + months
    year, month = when.year + month // 12, month % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


def advance(when: datetime, cadence: str) -> datetime:
    """One cadence after `when` (a month keeps its day, clamped to the month's last)."""
    if cadence == "daily":
        return when + timedelta(days=1)
    if cadence == "weekly":
        return when + timedelta(weeks=1)
    if cadence == "monthly":
        return _add_months(when, 1)
    raise ValidationFailed(f"Choose a cadence: {', '.join(CADENCES)}.")


def jitter_for(project_id: int, cadence: str) -> int:
    """A fixed offset (seconds) for a project's watch: spread, but stable across restarts."""
    limit = min(get_settings().watch_jitter_max_seconds, int(_period(cadence) * 0.1))
    if limit <= 0:
        return 0
    digest = hashlib.sha256(f"watch:{project_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % limit


def _period(cadence: str) -> float:
    return {"daily": 86400.0, "weekly": 7 * 86400.0, "monthly": 28 * 86400.0}[cadence]


def following(watch: MarketWatch, now: datetime) -> datetime:
    """The watch's next due time after `now`, on its own rhythm (the jitter kept)."""
    offset = timedelta(seconds=watch.jitter_seconds)
    return next_after(watch.next_run_at - offset, watch.cadence, now - offset) + offset


def next_after(due: datetime, cadence: str, now: datetime) -> datetime:
    """The next due time after a refresh due at `due`: cadences skipped while beat was down
    are not made up (one refresh, then the regular rhythm)."""
    when = advance(due, cadence)
    while when <= now:
        when = advance(when, cadence)
    return when

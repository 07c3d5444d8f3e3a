"""A project's market watch as people set it: which reports refresh, how often, pause, stop.

The schedule lives in `market_watches` rows (one a project). Members and up change it; anyone
who can open the project sees it. Beat starts the due refreshes (`dispatch`); the calendar is
in `cadence`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from marketnav.models import MarketWatch, Project, User
from marketnav.models.base import utcnow
from marketnav.services import audit, projects
from marketnav.services.errors import ValidationFailed
from marketnav.services.permissions import Action, can
from marketnav.services.reports.catalog import REPORT_ORDER, REPORT_TYPES
from marketnav.services.watching.cadence import (
    CADENCES,
    advance,
    following,
    jitter_for,
)

logger = logging.getLogger(__name__)

# -- what a page shows and changes -------------------------------------------------------------


@dataclass(frozen=True)
class WatchView:
    """A project's watch as the project page shows it."""

    watching: bool
    can_change: bool
    report_types: list[str]
    cadence: str
    status: str
    next_run_at: str
    last_run_at: str
    last_error: str
    pending: list[str]


def watchable_types() -> list[tuple[str, str]]:
    """(report type, label) a watch can refresh, in the catalogue's order."""
    return [(t, REPORT_TYPES[t].label) for t in REPORT_ORDER]


def view(session: Session, user: User, project_id: int) -> WatchView:
    project, role = projects.get(session, user, project_id)
    watch = _watch_of(session, project.id)
    change = can(role, Action.REPORT_RUN)
    if watch is None:
        return WatchView(False, change, [], "weekly", "", "", "", "", [])
    return WatchView(
        watching=True,
        can_change=change,
        report_types=list(watch.report_types),
        cadence=watch.cadence,
        status=watch.status,
        next_run_at=_when(watch.next_run_at),
        last_run_at=_when(watch.last_run_at),
        last_error=watch.last_error,
        pending=list(watch.pending_types),
    )


def save(
    session: Session,
    user: User,
    project_id: int,
    report_types: list[str],
    cadence: str,
    *,
    now: datetime | None = None,
) -> MarketWatch:
    """Start watching the project, or change what and how often (members and up)."""
    project, _ = projects.get(session, user, project_id, Action.REPORT_RUN)
    chosen = _valid_types(report_types)
    if cadence not in CADENCES:
        raise ValidationFailed(f"Choose a cadence: {', '.join(CADENCES)}.")
    now = now or utcnow()
    watch = _watch_of(session, project.id)
    created = watch is None
    if watch is None:
        watch = MarketWatch(
            project_id=project.id,
            organization_id=project.organization_id,
            created_by=user.id,
            cadence=cadence,
            next_run_at=now,
            check_at=now,
        )
    if created or watch.cadence != cadence:
        # The first refresh comes one cadence from now (the reports exist already or can be
        # run by hand now), at the project's fixed offset.
        watch.jitter_seconds = jitter_for(project.id, cadence)
        watch.next_run_at = advance(now, cadence) + timedelta(seconds=watch.jitter_seconds)
        watch.check_at = watch.next_run_at
    watch.report_types, watch.cadence, watch.run_as = chosen, cadence, user.id
    watch.updated_at, watch.last_error = now, ""
    session.add(watch)
    session.flush()
    _audit(session, user, project, "watch.save" if not created else "watch.start", watch)
    return watch


def set_paused(session: Session, user: User, project_id: int, paused: bool) -> MarketWatch:
    project, _ = projects.get(session, user, project_id, Action.REPORT_RUN)
    watch = _watch_of(session, project.id)
    if watch is None:
        raise ValidationFailed("This project is not watched.")
    now = utcnow()
    watch.status = "paused" if paused else "active"
    if not paused:
        # Resuming never fires at once for the time spent paused: the next regular slot.
        if watch.next_run_at <= now:
            watch.next_run_at = following(watch, now)
        watch.run_as, watch.last_error = user.id, ""
    watch.pending_types = []
    watch.check_at = watch.next_run_at
    watch.updated_at = now
    session.add(watch)
    _audit(session, user, project, "watch.pause" if paused else "watch.resume", watch)
    return watch


def stop(session: Session, user: User, project_id: int) -> None:
    project, _ = projects.get(session, user, project_id, Action.REPORT_RUN)
    watch = _watch_of(session, project.id)
    if watch is None:
        return
    _audit(session, user, project, "watch.stop", watch)
    session.delete(watch)


# -- helpers --------------------------------------------------------------------------------


def _watch_of(session: Session, project_id: int) -> MarketWatch | None:
    return session.exec(select(MarketWatch).where(MarketWatch.project_id == project_id)).first()


def _valid_types(report_types: list[str]) -> list[str]:
    chosen = [t for t in report_types if t]
    unknown = [t for t in chosen if t not in REPORT_TYPES]
    if unknown:
        raise ValidationFailed(f"Unknown report type: {', '.join(unknown)}.")
    if not chosen:
        raise ValidationFailed("Choose at least one report to refresh.")
    return ordered(set(chosen))


def ordered(types: set[str]) -> list[str]:
    return [t for t in REPORT_ORDER if t in types]


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _audit(session: Session, user: User, project: Project, action: str, watch: MarketWatch):
    audit.record(
        session,
        action,
        user_id=user.id,
        organization_id=project.organization_id,
        resource_type="project",
        resource_id=project.id,
        report_types=list(watch.report_types),
        cadence=watch.cadence,
    )

"""A project's market watch: which reports refresh, how often, and starting the due ones.

The schedule lives in `market_watches` rows; beat's scheduler (`tasks.watch_scheduler`) calls
`dispatch_due` every `WATCH_DISPATCH_INTERVAL_SECONDS`. A refresh is a cycle: when a watch is
due its report types become `pending_types` and `next_run_at` moves one cadence on (from the
due time, not from now, plus the watch's fixed jitter, so start times neither drift nor
bunch). Pending types start as the organisation's limit of concurrent scheduled runs allows
(`WATCH_MAX_CONCURRENT_PER_ORG`); a report built on others (Verdict, Pitch deck) starts once
none of its sources is still running, so it reads this cycle's data.

Two beats running by mistake never start a watch twice: a dispatcher first takes the watch's
lease with one conditional UPDATE (`lease_until` in the past or empty), and only the one whose
UPDATE changed the row goes on. A scheduled run is an ordinary new version (same progress,
cancel and resume), started with the rights of the person who last set the schedule.
"""

from __future__ import annotations

import calendar
import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from marketnav.models import MarketWatch, Project, Report, ReportRun, User
from marketnav.models.base import utcnow
from marketnav.services import audit, projects
from marketnav.services.errors import DomainError, PermissionDenied, ValidationFailed
from marketnav.services.permissions import Action, can
from marketnav.services.reports import runs
from marketnav.services.reports.catalog import REPORT_ORDER, REPORT_TYPES
from marketnav.settings import get_settings

logger = logging.getLogger(__name__)

CADENCES = ("daily", "weekly", "monthly")
CADENCE_LABELS = {"daily": "Every day", "weekly": "Every week", "monthly": "Every month"}
# A dispatcher holds a watch this long at most (its work takes well under a second).
LEASE_SECONDS = 60


# -- the calendar ---------------------------------------------------------------------------


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


def _following(watch: MarketWatch, now: datetime) -> datetime:
    """The watch's next due time after `now`, on its own rhythm (the jitter kept)."""
    offset = timedelta(seconds=watch.jitter_seconds)
    return next_after(watch.next_run_at - offset, watch.cadence, now - offset) + offset


def next_after(due: datetime, cadence: str, now: datetime) -> datetime:
    """The next due time after a refresh due at `due`: cadences skipped while beat was down
    are not made up (one refresh, then the regular rhythm)."""
    following = advance(due, cadence)
    while following <= now:
        following = advance(following, cadence)
    return following


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


def for_project(session: Session, user: User, project_id: int) -> MarketWatch | None:
    project, _ = projects.get(session, user, project_id)
    return _watch_of(session, project.id)


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
            watch.next_run_at = _following(watch, now)
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


# -- dispatching (beat) ---------------------------------------------------------------------


@dataclass
class Dispatch:
    """What one look at the schedule did."""

    started: list[int]  # run ids, in start order
    watches: int = 0  # watches this dispatcher held
    waiting: int = 0  # due watches left for a free slot of their organisation


def dispatch_due(
    session_factory: Callable[[], Session],
    enqueue: Callable[[int], str],
    *,
    now: datetime | None = None,
    batch: int | None = None,
) -> Dispatch:
    """Start the runs of every due watch this dispatcher wins the lease of.

    `session_factory` opens a transaction (`marketnav.db.session_scope`); each watch is one
    transaction, so one failing watch never holds back the others. `enqueue` queues a run.
    """
    now = now or utcnow()
    settings = get_settings()
    limit = batch or settings.watch_dispatch_batch
    result = Dispatch(started=[])
    with session_factory() as session:
        due = session.exec(
            select(MarketWatch.id)
            .where(
                MarketWatch.status == "active",
                col(MarketWatch.check_at) <= now,
                or_(col(MarketWatch.lease_until).is_(None), col(MarketWatch.lease_until) < now),
            )
            .order_by(col(MarketWatch.check_at))
            .limit(limit)
        ).all()
    logger.debug("market watches: %d due", len(due))
    for watch_id in due:
        token = uuid.uuid4().hex
        with session_factory() as session:
            if not _take_lease(session, watch_id, token, now):
                continue  # another dispatcher has it
        result.watches += 1
        started: list[int] = []
        try:
            with session_factory() as session:
                started, waiting = _refresh(session, watch_id, now)
                result.waiting += waiting
        except Exception:  # one broken watch never holds back the others; it is retried
            logger.exception("market watch %s: the refresh could not start", watch_id)
        finally:
            with session_factory() as session:
                _release_lease(session, watch_id, token)
        for run_id in started:  # queued after the runs are committed
            enqueue(run_id)
        result.started.extend(started)
    return result


def _take_lease(session: Session, watch_id: int, token: str, now: datetime) -> bool:
    claimed = session.execute(
        update(MarketWatch)
        .where(
            col(MarketWatch.id) == watch_id,
            or_(col(MarketWatch.lease_until).is_(None), col(MarketWatch.lease_until) < now),
        )
        .values(lease_until=now + timedelta(seconds=LEASE_SECONDS), lease_token=token)
    )
    return claimed.rowcount == 1


def _release_lease(session: Session, watch_id: int, token: str) -> None:
    session.execute(
        update(MarketWatch)
        .where(col(MarketWatch.id) == watch_id, col(MarketWatch.lease_token) == token)
        .values(lease_until=None, lease_token="")
    )


def _refresh(session: Session, watch_id: int, now: datetime) -> tuple[list[int], int]:
    """Start what the watch can start now: (run ids, 1 when it waits for a slot)."""
    watch = session.get(MarketWatch, watch_id)
    if watch is None or watch.status != "active":
        return [], 0
    if watch.next_run_at <= now:  # a new refresh
        watch.pending_types = _ordered(set(watch.pending_types) | set(watch.report_types))
        watch.next_run_at = _following(watch, now)
        watch.last_run_at = now
    user = session.get(User, watch.run_as) if watch.run_as else None
    project = session.get(Project, watch.project_id)
    if user is None or project is None or not _may_run(session, user, project):
        watch.status, watch.pending_types, watch.check_at = "paused", [], watch.next_run_at
        who = user.name if user else "The person who set this schedule"
        watch.last_error = (
            f"Paused: {who} can no longer run this project's reports; "
            "resume it to refresh with your rights."
        )
        session.add(watch)
        logger.warning("market watch %s paused: run_as user lost access", watch.id)
        return [], 0
    free = _free_slots(session, watch.organization_id)
    started: list[int] = []
    errors: list[str] = []
    remaining: list[str] = []
    for report_type in watch.pending_types:
        if _sources_running(session, project.id, report_type):
            remaining.append(report_type)  # after this cycle's sources finish
            continue
        if free <= 0:
            remaining.append(report_type)
            continue
        try:
            run = runs.start(session, user, project.id, report_type, confirm_partial=True)
        except DomainError as err:
            # "already running" (someone started it by hand) refreshes it too; any other
            # reason is shown on the project page.
            if "already running" not in str(err):
                errors.append(f"{REPORT_TYPES[report_type].label}: {err}")
            continue
        run.trigger = "schedule"
        session.add(run)
        session.flush()
        started.append(run.id)
        free -= 1
    watch.pending_types = remaining
    # Pending reports are looked at again on the next tick; otherwise at the next refresh.
    watch.check_at = now if remaining else watch.next_run_at
    watch.last_error = " ".join(errors)[:500]
    session.add(watch)
    waiting = 1 if remaining and free <= 0 else 0
    return started, waiting


def _may_run(session: Session, user: User, project: Project) -> bool:
    try:
        projects.get(session, user, project.id, Action.REPORT_RUN)
    except PermissionDenied:
        return False
    return project.status == "active"


def _free_slots(session: Session, organization_id: int) -> int:
    busy = session.exec(
        select(func.count())
        .select_from(ReportRun)
        .join(Report, col(Report.id) == col(ReportRun.report_id))
        .join(Project, col(Project.id) == col(Report.project_id))
        .where(
            Project.organization_id == organization_id,
            ReportRun.trigger == "schedule",
            col(ReportRun.status).in_(runs.ACTIVE),
        )
    ).one()
    return get_settings().watch_max_concurrent_per_org - int(busy)


def _sources_running(session: Session, project_id: int, report_type: str) -> bool:
    spec = REPORT_TYPES[report_type]
    sources = set(spec.needs_all) | set(spec.needs_any)
    if not sources:
        return False
    active = session.exec(
        select(func.count())
        .select_from(ReportRun)
        .join(Report, col(Report.id) == col(ReportRun.report_id))
        .where(
            Report.project_id == project_id,
            col(Report.report_type).in_(sources),
            col(ReportRun.status).in_(runs.ACTIVE),
        )
    ).one()
    return int(active) > 0


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
    return _ordered(set(chosen))


def _ordered(types: set[str]) -> list[str]:
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

"""Starting the due market watches: beat's scheduler calls `dispatch_due` at every look.

A refresh is a cycle: when a watch is due its report types become `pending_types` and
`next_run_at` moves one cadence on (`cadence.following`). Pending types start as the
organisation's limit of concurrent scheduled runs allows (`WATCH_MAX_CONCURRENT_PER_ORG`); a
report built on others (Verdict, Pitch deck) starts once none of its sources is still running,
so it reads this cycle's data. A type someone already runs by hand counts as refreshed.

Two beats running by mistake never start a watch twice: a dispatcher first takes the watch's
lease with one conditional UPDATE (`lease_until` in the past or empty), and only the one whose
UPDATE changed the row goes on. A scheduled run is an ordinary new version (same progress,
cancel and resume), started with the rights of the person who last set the schedule; when they
lost them, the watch pauses and says why.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from marketnav.models import MarketWatch, Project, Report, ReportRun, User
from marketnav.models.base import utcnow
from marketnav.services import projects
from marketnav.services.errors import DomainError, PermissionDenied
from marketnav.services.permissions import Action
from marketnav.services.reports import runs
from marketnav.services.reports.catalog import REPORT_TYPES
from marketnav.services.watching.cadence import following
from marketnav.services.watching.schedule import ordered
from marketnav.settings import get_settings

logger = logging.getLogger(__name__)

# A dispatcher holds a watch this long at most (its work takes well under a second).
LEASE_SECONDS = 60


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
        watch.pending_types = ordered(set(watch.pending_types) | set(watch.report_types))
        watch.next_run_at = following(watch, now)
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

"""Following a project and being told what changed: followers, notifications, the bell.

Anyone who can open a project may follow it (viewers too). When a new version of one of its
reports completes with market changes (`reports.market_changes`, stored on the run), each
follower who can still open the project gets one notification; the person who started that
run by hand is not told what they are looking at. Nothing changed: nobody is told.

Every read goes through the follower's current access: a person removed from the
organisation stops seeing its notifications at once, without deleting anything.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from marketnav.models import (
    Membership,
    Notification,
    Project,
    Report,
    ReportRun,
    User,
    WatchFollower,
)
from marketnav.models.base import utcnow
from marketnav.services import projects
from marketnav.services.errors import PermissionDenied
from marketnav.services.reports.catalog import REPORT_TYPES, viewer_url


def subject_for_user(user_id: int) -> str:
    """The progress-bus subject of one person's notifications (the bell listens to it)."""
    return f"user:{user_id}:notifications"


# -- following ------------------------------------------------------------------------------


def following(session: Session, user: User, project_id: int) -> WatchFollower | None:
    project, _ = projects.get(session, user, project_id)
    return _follower(session, project.id, user.id)


def follow(
    session: Session, user: User, project_id: int, *, email_digest: bool = True
) -> WatchFollower:
    """Follow a project's changes (in the app, and by e-mail when `email_digest`)."""
    project, _ = projects.get(session, user, project_id)
    row = _follower(session, project.id, user.id) or WatchFollower(
        project_id=project.id, user_id=user.id
    )
    row.email_digest = email_digest
    session.add(row)
    session.flush()
    return row


def unfollow(session: Session, user: User, project_id: int) -> None:
    project, _ = projects.get(session, user, project_id)
    row = _follower(session, project.id, user.id)
    if row is not None:
        session.delete(row)


def _follower(session: Session, project_id: int, user_id: int) -> WatchFollower | None:
    return session.exec(
        select(WatchFollower).where(
            WatchFollower.project_id == project_id, WatchFollower.user_id == user_id
        )
    ).first()


# -- telling --------------------------------------------------------------------------------


def record(session: Session, run: ReportRun) -> list[int]:
    """Notify the project's followers of `run`'s market changes; the ids of those told."""
    stored = (run.data or {}).get("market_changes") or {}
    changes = stored.get("changes") or []
    if not changes:
        return []
    report = session.get(Report, run.report_id)
    project = session.get(Project, report.project_id) if report else None
    if report is None or project is None:
        return []
    told: list[int] = []
    followers = session.exec(
        select(WatchFollower).where(WatchFollower.project_id == project.id)
    ).all()
    for follower in followers:
        if run.trigger == "user" and follower.user_id == run.requested_by:
            continue  # they started it and see it
        user = session.get(User, follower.user_id)
        if user is None or not may_open(session, user, project.id):
            continue
        already = session.exec(
            select(Notification.id).where(
                Notification.user_id == user.id, Notification.run_id == run.id
            )
        ).first()
        if already is not None:
            continue  # a run finishing twice (a resumed attempt) tells nobody twice
        session.add(
            Notification(
                user_id=user.id,
                project_id=project.id,
                run_id=run.id,
                report_type=report.report_type,
                version=run.version,
                since_version=int(stored.get("since") or 0),
                summary=str(stored.get("summary") or "")[:500],
                change_count=len(changes),
                email_status="pending" if follower.email_digest else "none",
            )
        )
        told.append(user.id)
    session.flush()
    return told


def may_open(session: Session, user: User, project_id: int) -> bool:
    """Whether `user` can open the project now (every notification is checked so)."""
    try:
        projects.get(session, user, project_id)
    except PermissionDenied:
        return False
    return True


# -- reading (the bell and the changes page) ------------------------------------------------


def visible_to(user: User):
    """Notifications of `user` on projects they can still open (a current membership)."""
    return (
        select(Notification, Project)
        .join(Project, col(Project.id) == col(Notification.project_id))
        .join(
            Membership,
            (col(Membership.organization_id) == col(Project.organization_id))
            & (col(Membership.user_id) == user.id),
        )
        .where(Notification.user_id == user.id, Project.status != "deleted")
    )


def unread_count(session: Session, user: User) -> int:
    query = visible_to(user).where(col(Notification.read_at).is_(None)).subquery()
    return int(session.exec(select(func.count()).select_from(query)).one())


def recent(session: Session, user: User, limit: int = 100) -> list[dict[str, Any]]:
    """The newest notifications, as the changes page lists them (newest first)."""
    rows = session.exec(
        visible_to(user).order_by(col(Notification.created_at).desc()).limit(limit)
    ).all()
    return [present(n, p) for n, p in rows]


def present(notification: Notification, project: Project) -> dict[str, Any]:
    spec = REPORT_TYPES.get(notification.report_type)
    label = spec.label if spec else notification.report_type
    if notification.kind == "company":
        title = f"{notification.subject}, a company you follow ({label})"
    else:
        title = f"{label} v{notification.version} (since v{notification.since_version})"
    return {
        "id": notification.id,
        "kind": notification.kind,
        "project_id": project.id,
        "project_name": project.name,
        "title": title,
        "summary": notification.summary,
        "href": viewer_url(
            project.id, notification.report_type, notification.version, notification.anchor
        ),
        "created_at": notification.created_at.strftime("%Y-%m-%d %H:%M UTC"),
        "unread": notification.read_at is None,
    }


def mark_read(session: Session, user: User, notification_id: int | None = None) -> int:
    """Mark one (or, with None, every) notification of `user` read; how many changed."""
    query = update(Notification).where(
        col(Notification.user_id) == user.id, col(Notification.read_at).is_(None)
    )
    if notification_id is not None:
        query = query.where(col(Notification.id) == notification_id)
    return session.execute(query.values(read_at=utcnow())).rowcount

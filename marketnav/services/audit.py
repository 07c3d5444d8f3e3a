"""Audit trail of security-relevant actions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, SQLModel, col, select

from marketnav.db import session_scope
from marketnav.models import AuditLog, User
from marketnav.models.base import utcnow


def record(
    session: Session,
    action: str,
    *,
    user_id: int | None = None,
    organization_id: int | None = None,
    resource_type: str = "",
    resource_id: object = "",
    client: str = "",
    **details: object,
) -> AuditLog:
    """Add one audit row to the session (committed with the surrounding change)."""
    row = AuditLog(
        action=action,
        user_id=user_id,
        organization_id=organization_id,
        resource_type=resource_type,
        resource_id=str(resource_id) if resource_id != "" else "",
        client=client[:255],
        details={k: v for k, v in details.items() if v is not None},
    )
    session.add(row)
    return row


def record_failure(action: str, *, rows: Iterable[SQLModel] = (), **fields: Any) -> None:
    """Commit `rows` and one audit row at once, in a transaction of their own.

    For failures that must stay recorded whatever happens to the caller's transaction: the
    caller raises right after (a wrong password), and the page's `session_scope()` then rolls
    its own session back. Counting these rows is what rate limits are built on.
    """
    with session_scope() as own:
        for row in rows:
            own.add(row)
        record(own, action, **fields)


def list_for_organization(
    session: Session, organization_id: int, *, page: int = 1, per_page: int = 50
) -> tuple[list[tuple[AuditLog, str]], int]:
    """Newest-first audit rows of an organisation with the actor's e-mail, and the total."""
    base = select(AuditLog).where(AuditLog.organization_id == organization_id)
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    rows = session.exec(
        select(AuditLog, User.email)
        .join(User, col(AuditLog.user_id) == col(User.id), isouter=True)
        .where(AuditLog.organization_id == organization_id)
        .order_by(col(AuditLog.id).desc())
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page)
    ).all()
    return [(row, email or "") for row, email in rows], total


def prune(session: Session, older_than_days: int) -> int:
    """Delete audit rows older than the retention window; returns how many."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    result = session.exec(delete(AuditLog).where(col(AuditLog.created_at) < cutoff))
    return result.rowcount or 0

"""The queue view: queued and running report runs, and who runs them.

Instance administrators see every organisation's runs (and the workers, on the page); an
organisation's owners and admins see only that organisation's runs; anyone else is refused.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from marketnav.models import Organization, Project, Report, ReportRun, User
from marketnav.models.base import utcnow
from marketnav.services import organizations
from marketnav.services.errors import PermissionDenied
from marketnav.services.permissions import INSTANCE, Action, authorize, can, is_instance_admin
from marketnav.services.reports.catalog import REPORT_TYPES
from marketnav.services.reports.runs import ACTIVE, heartbeat_stale

QUEUES_REFUSED = (
    "Only instance administrators and organisation owners or admins can see the queues."
)


def admin_organization_ids(session: Session, user: User) -> list[int]:
    """Organisations whose operations the user may see (owner/admin), else PermissionDenied."""
    allowed = [
        org.id
        for org, role in organizations.list_for_user(session, user)
        if can(role, Action.ORG_VIEW_SYSTEM)
    ]
    if not allowed:
        raise PermissionDenied(QUEUES_REFUSED)
    return allowed


def visible_organization_ids(session: Session, user: User) -> list[int] | None:
    """None (every organisation) for an instance administrator, else the ones they administer."""
    if is_instance_admin(user):
        authorize(session, user, Action.INSTANCE_VIEW_QUEUES, INSTANCE)
        return None
    return admin_organization_ids(session, user)


def _age(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds}s"
    return f"{seconds // 60}m" if seconds < 7200 else f"{seconds // 3600}h {seconds % 3600 // 60}m"


def active_runs(session: Session, user: User) -> list[dict]:
    """Queued and running runs the user may see (`visible_organization_ids`), oldest first.

    `can_cancel` says whether the user's own role in the run's organisation lets them cancel it
    (an instance administrator sees every run but cancels only as a member would).
    """
    org_ids = visible_organization_ids(session, user)
    roles = {org.id: role for org, role in organizations.list_for_user(session, user)}
    query = (
        select(ReportRun, Report, Project, Organization, User)
        .join(Report, Report.id == ReportRun.report_id)
        .join(Project, Project.id == Report.project_id)
        .join(Organization, Organization.id == Project.organization_id)
        .join(User, User.id == ReportRun.requested_by, isouter=True)
        .where(col(ReportRun.status).in_(ACTIVE))
        .order_by(col(ReportRun.created_at))
    )
    if org_ids is not None:
        query = query.where(col(Project.organization_id).in_(org_ids))
    rows = session.exec(query).all()
    now = utcnow()
    return [
        {
            "run_id": run.id,
            "project_id": project.id,
            "project": project.name,
            "organization": org.name,
            "report": REPORT_TYPES[report.report_type].label,
            "version": f"v{run.version}",
            "status": run.status,
            "progress": f"{run.progress}%",
            "step": run.current_step or "—",
            "worker": run.worker.split(":")[0] if run.worker else "—",
            "stale": run.status == "running" and heartbeat_stale(run),
            "waiting": _age((now - (run.started_at or run.created_at)).total_seconds()),
            "requested_by": requester.email if requester else "—",
            "can_cancel": can(roles.get(org.id), Action.REPORT_RUN),
        }
        for run, report, project, org, requester in rows
    ]

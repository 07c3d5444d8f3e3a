"""Starting, retrying and cancelling report runs (page events call these; tasks run them).

`start` checks who is asking, the inputs and the prerequisites, then creates a queued run (a
new version). The caller enqueues the Celery task. `retry` resumes a failed or cancelled run
from its first unfinished step when the inputs have not changed since, else starts a new
version. `cancel` asks the worker to stop (a queued or orphaned run is cancelled at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from marketnav.models import Project, Report, ReportRun, ReportStep, User
from marketnav.models.base import utcnow
from marketnav.services import audit, project_inputs, projects
from marketnav.services.errors import DomainError, PermissionDenied, ValidationFailed
from marketnav.services.permissions import NOT_FOUND_MESSAGE, Action
from marketnav.services.reports.catalog import REPORT_TYPES, ReportTypeSpec, spec_for
from marketnav.settings import get_settings

ACTIVE = ("queued", "running")


class PartialDataWarning(DomainError):
    """Verdict with only some of its sources: the user confirms before it runs."""

    def __init__(self, available: list[str], missing: list[str]):
        super().__init__(
            "The verdict will use only the data that is available. Missing sources get a zero "
            "score and are listed as risks."
        )
        self.available, self.missing = available, missing


@dataclass(frozen=True)
class Prerequisites:
    ok: bool
    message: str
    available: list[str]
    missing: list[str]


def label(report_type: str) -> str:
    return REPORT_TYPES[report_type].label


def report_for(session: Session, project_id: int, report_type: str) -> Report | None:
    return session.exec(
        select(Report).where(Report.project_id == project_id, Report.report_type == report_type)
    ).first()


def completed_run(session: Session, report_id: int, version: int) -> ReportRun | None:
    """Version `version` of a report, if that run completed."""
    return session.exec(
        select(ReportRun).where(
            ReportRun.report_id == report_id,
            ReportRun.version == version,
            ReportRun.status == "completed",
        )
    ).first()


def latest_completed(session: Session, project_id: int, report_type: str) -> ReportRun | None:
    report = report_for(session, project_id, report_type)
    if report is None or not report.latest_version:
        return None
    return completed_run(session, report.id, report.latest_version)


def prerequisites(session: Session, project_id: int, spec: ReportTypeSpec) -> Prerequisites:
    """Which source reports this type needs, and which are completed."""
    wanted = spec.needs_all or spec.needs_any
    available = [t for t in wanted if latest_completed(session, project_id, t) is not None]
    missing = [t for t in wanted if t not in available]
    if spec.needs_all and missing:
        names = " and ".join(label(t) for t in spec.needs_all)
        return Prerequisites(
            False, f"{spec.label} needs completed {names} reports first.", available, missing
        )
    if spec.needs_any and not available:
        names = ", ".join(label(t) for t in spec.needs_any)
        return Prerequisites(
            False, f"{spec.label} needs at least one completed report of: {names}.", [], missing
        )
    return Prerequisites(True, "", available, missing)


def _active_run(session: Session, report: Report) -> ReportRun | None:
    return session.exec(
        select(ReportRun).where(
            ReportRun.report_id == report.id,
            ReportRun.status.in_(ACTIVE),  # type: ignore[attr-defined]
        )
    ).first()


def start(
    session: Session,
    user: User,
    project_id: int,
    report_type: str,
    *,
    confirm_partial: bool = False,
    client: str = "",
) -> ReportRun:
    """Create a queued run (the next version) after every check; raises a DomainError."""
    try:
        spec = spec_for(report_type)
    except ValueError as err:
        raise ValidationFailed(str(err)) from err
    project, _ = projects.get(session, user, project_id, Action.REPORT_RUN)
    inputs = projects.get_inputs(session, project)
    values = project_inputs.as_dict(inputs)
    missing = project_inputs.missing_required(values)
    if missing:
        labels = [f.label for f in project_inputs.FIELDS if f.key in missing]
        raise ValidationFailed(
            f"Answer these questions before starting a report: {', '.join(labels)}.",
            {key: "Required before starting a report." for key in missing},
        )
    needs = prerequisites(session, project.id, spec)
    if not needs.ok:
        raise DomainError(needs.message)
    if spec.needs_any and needs.missing and not confirm_partial:
        raise PartialDataWarning(
            [label(t) for t in needs.available], [label(t) for t in needs.missing]
        )
    report = report_for(session, project.id, report_type)
    if report is None:
        report = Report(project_id=project.id, report_type=report_type)
        session.add(report)
        session.flush()
    elif _active_run(session, report) is not None:
        raise DomainError(f"{spec.label} is already running.")
    last = session.exec(
        select(func.max(ReportRun.version)).where(ReportRun.report_id == report.id)
    ).one()
    run = ReportRun(
        report_id=report.id,
        version=(last or 0) + 1,
        inputs_hash=inputs.inputs_hash,
        requested_by=user.id,
        partial_data_confirmed=bool(confirm_partial and needs.missing),
    )
    session.add(run)
    session.flush()
    report.latest_run_id = run.id
    session.add(report)
    _audit(session, "report.start", user, project, report, run, client)
    return run


def _audit(
    session: Session,
    action: str,
    user: User,
    project: Project,
    report: Report,
    run: ReportRun,
    client: str,
) -> None:
    audit.record(
        session,
        action,
        user_id=user.id,
        organization_id=project.organization_id,
        resource_type="report",
        resource_id=report.id,
        client=client,
        report_type=report.report_type,
        version=run.version,
    )


def _run_for_user(session: Session, user: User, run_id: int) -> tuple[ReportRun, Report, Project]:
    run = session.get(ReportRun, run_id)
    report = session.get(Report, run.report_id) if run else None
    if run is None or report is None:
        raise PermissionDenied(NOT_FOUND_MESSAGE)
    project, _ = projects.get(session, user, report.project_id, Action.REPORT_RUN)
    return run, report, project


def retry(session: Session, user: User, run_id: int, *, client: str = "") -> ReportRun:
    """Resume a failed/cancelled run, or start a new version when the inputs changed."""
    run, report, project = _run_for_user(session, user, run_id)
    if run.status not in ("failed", "cancelled"):
        raise DomainError("Only a failed or cancelled report can be retried.")
    if report.latest_run_id != run.id:
        raise DomainError("A newer run of this report exists; start from that one.")
    current = projects.get_inputs(session, project).inputs_hash
    if current != run.inputs_hash:
        return start(
            session,
            user,
            project.id,
            report.report_type,
            confirm_partial=run.partial_data_confirmed,
            client=client,
        )
    run.status, run.cancel_requested, run.error_message = "queued", False, ""
    run.worker, run.heartbeat_at, run.deadline_at = "", None, None
    session.add(run)
    _audit(session, "report.retry", user, project, report, run, client)
    return run


class StaleAttempt(Exception):
    """This attempt no longer holds the run (another worker claimed it, or it was ended
    without it): it must not write anything more."""


def fenced_run(session: Session, run_id: int, worker: str) -> ReportRun:
    """The run, locked for this transaction, while attempt `worker` still holds it.

    Every write of a running attempt goes through this, so a stale attempt (its worker
    stalled, the run was re-queued and claimed by another) is refused instead of interleaving
    its writes with the live attempt's.
    """
    run = session.get(ReportRun, run_id, with_for_update=True, populate_existing=True)
    if run is None or run.status != "running" or run.worker != worker:
        raise StaleAttempt(f"run {run_id} is no longer held by {worker}")
    return run


def heartbeat_stale(run: ReportRun) -> bool:
    limit = timedelta(seconds=get_settings().report_heartbeat_timeout_seconds)
    return run.heartbeat_at is None or utcnow() - run.heartbeat_at > limit


def cancel(session: Session, user: User, run_id: int, *, client: str = "") -> ReportRun:
    """Stop a run: queued or orphaned runs at once, running ones at the worker's next check."""
    run, report, project = _run_for_user(session, user, run_id)
    if run.status not in ACTIVE:
        raise DomainError("This report is not running.")
    run.cancel_requested = True
    if run.status == "queued" or heartbeat_stale(run):
        mark_finished(run, "cancelled", "Cancelled.")
        fail_running_steps(session, run.id, "Cancelled.")
    session.add(run)
    _audit(session, "report.cancel", user, project, report, run, client)
    return run


def mark_finished(run: ReportRun, status: str, error: str = "") -> None:
    run.status, run.error_message, run.completed_at = status, error, utcnow()
    run.heartbeat_at = None


def fail_running_steps(session: Session, run_id: int, reason: str) -> None:
    """Steps left running by a run that ended without its worker (cancel, crash)."""
    for step in session.exec(
        select(ReportStep).where(ReportStep.run_id == run_id, ReportStep.status == "running")
    ).all():
        step.status, step.error_message, step.completed_at = "failed", reason, utcnow()
        session.add(step)


def set_task_id(session: Session, run_id: int, task_id: str) -> None:
    run = session.get(ReportRun, run_id)
    if run is not None:
        run.celery_task_id = task_id
        session.add(run)

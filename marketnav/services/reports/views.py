"""Read models of reports for pages: the six cards of a project, a run's progress snapshot.

Every function takes the asking user and authorises through `projects.get` (report.view is
project.view). Snapshots read from the database have the same shape as the ones the tracker
publishes, so a page renders both the same way.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from marketnav.models import Project, Report, ReportRun, ReportStep, User
from marketnav.services import projects
from marketnav.services.permissions import Action, can
from marketnav.services.reports.catalog import REPORT_ORDER, REPORT_TYPES
from marketnav.services.reports.eta import load_history
from marketnav.services.reports.runs import ACTIVE, completed_run, prerequisites
from marketnav.services.reports.tracker import build_snapshot


def run_snapshot(session: Session, run: ReportRun, report: Report) -> dict[str, Any]:
    steps = session.exec(select(ReportStep).where(ReportStep.run_id == run.id)).all()
    return build_snapshot(
        report_id=report.id,
        report_type=report.report_type,
        run_id=run.id,
        version=run.version,
        status=run.status,
        error=run.error_message,
        steps=list(steps),
        history=load_history(session, report.report_type),
    )


def completed_versions(session: Session, report: Report) -> list[dict[str, Any]]:
    runs = session.exec(
        select(ReportRun)
        .where(ReportRun.report_id == report.id, ReportRun.status == "completed")
        .order_by(col(ReportRun.version).desc())
    ).all()
    return [
        {
            "version": r.version,
            "completed_at": r.completed_at.strftime("%Y-%m-%d %H:%M") if r.completed_at else "",
            "summary": r.changes_summary,
            "inputs_hash": r.inputs_hash,
        }
        for r in runs
    ]


def empty_card(report_type: str) -> dict[str, Any]:
    """A card with every key, for a report never run (and as the page's initial value)."""
    spec = REPORT_TYPES[report_type]
    return {
        "type": report_type,
        "label": spec.label,
        "icon": spec.icon,
        "description": spec.description,
        "status": "not_started",
        "progress": 0,
        "version": 0,
        "run_id": 0,
        "run_version": 0,
        "versions": [],
        "outdated": False,
        "error": "",
        "blocked": "",
        "partial": False,
        "can_run": False,
        "summary": {},
        "snapshot": {},
    }


def _card(
    session: Session, project: Project, report_type: str, current_hash: str, may_run: bool
) -> dict[str, Any]:
    spec = REPORT_TYPES[report_type]
    report = session.exec(
        select(Report).where(Report.project_id == project.id, Report.report_type == report_type)
    ).first()
    needs = prerequisites(session, project.id, spec)
    card = empty_card(report_type)
    card.update(
        blocked="" if needs.ok else needs.message,
        partial=bool(spec.needs_any and needs.ok and needs.missing),
        can_run=may_run and needs.ok,
    )
    if report is None:
        return card
    versions = completed_versions(session, report)
    run = session.get(ReportRun, report.latest_run_id) if report.latest_run_id else None
    latest_done = versions[0] if versions else None
    card.update(
        version=latest_done["version"] if latest_done else 0,
        versions=versions,
        outdated=bool(latest_done and latest_done["inputs_hash"] != current_hash),
    )
    if run is not None:
        card.update(
            status=run.status,
            progress=100 if run.status == "completed" else run.progress,
            run_id=run.id,
            run_version=run.version,
            error=run.error_message if run.status in ("failed", "cancelled") else "",
            summary=dict(run.data) if run.status == "completed" else {},
            snapshot=run_snapshot(session, run, report),
        )
        if run.status not in ACTIVE and run.status != "completed" and latest_done:
            # A failed re-run keeps the last good version readable.
            done_run = completed_run(session, report.id, latest_done["version"])
            card["summary"] = dict(done_run.data) if done_run else {}
    return card


def project_cards(session: Session, user: User, project_id: int) -> list[dict[str, Any]]:
    """The six report cards of a project, in the predecessor's order."""
    project, role = projects.get(session, user, project_id)
    current_hash = projects.get_inputs(session, project).inputs_hash
    may_run = can(role, Action.REPORT_RUN)
    return [_card(session, project, t, current_hash, may_run) for t in REPORT_ORDER]


def card(session: Session, user: User, project_id: int, report_type: str) -> dict[str, Any]:
    project, role = projects.get(session, user, project_id)
    current_hash = projects.get_inputs(session, project).inputs_hash
    return _card(session, project, report_type, current_hash, can(role, Action.REPORT_RUN))


def format_seconds(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    return f"{seconds // 60}m {seconds % 60:02d}s"


def stage_text(status: str, current_step: str, steps: list[dict[str, Any]]) -> str:
    """What a card says beside its progress: a run or step that waits is "Queued" (it may
    well have a worker: between two steps the next one is merely queued)."""
    if status == "queued":
        return "Queued"
    if current_step:
        return current_step
    waiting = next((s for s in steps if s.get("status") == "pending"), None)
    return f"Queued: {waiting['name']}" if waiting else "Finishing"


def _company_name(company: Any) -> str:
    if isinstance(company, dict):
        return str(company.get("name") or company.get("Name") or "").strip()
    return str(company or "").strip()


def present_detail(detail: dict[str, Any]) -> dict[str, Any]:
    """One live detail for the feed: `message` and `names` are plain text (the detail's data
    may hold company records, which a page must never print as "[object Object]")."""
    data = detail.get("data") or {}
    message = str(detail.get("message") or "")
    names = [n for n in (_company_name(c) for c in data.get("companies") or []) if n]
    # The search pipelines already name the top companies in the message: not twice.
    extra = [n for n in names if n not in message]
    return {
        **detail,
        "data": data,
        "type": str(detail.get("type") or ""),
        "message": message,
        "names": ", ".join(extra),
    }


# Live feed rows shown per step (the newest); the rest is counted ("12 earlier").
FEED_ROWS = 6


def present_snapshot(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A run's progress snapshot with display strings (step timings, ETA) for the page."""
    if not snapshot:
        return {}
    eta = snapshot.get("eta") or {}
    estimates = {s["step_key"]: s for s in eta.get("steps", [])}
    steps = []
    for step in snapshot.get("steps", []):
        if step.get("duration") is not None:
            timing = f"{step['duration']:.1f}s"
        elif step.get("status") == "running":
            timing = "…"
        else:
            timing = "~" + format_seconds(estimates.get(step["key"], {}).get("avg_duration") or 0)
        events = step.get("details") or []
        # The newest few: a card re-renders its feed on every snapshot, and 20 rows per step
        # made the tab that started a run (its timeline open) the slowest to show progress.
        details = [present_detail(d) for d in events[-FEED_ROWS:]]
        earlier = max(0, int(step.get("detail_count") or len(events)) - len(details))
        steps.append({**step, "details": details, "earlier_details": earlier, "timing": timing})
    remaining = eta.get("remaining_seconds") or 0
    return {
        "run_id": snapshot.get("run_id", 0),
        "version": snapshot.get("version", 0),
        "status": snapshot.get("status", ""),
        "progress": snapshot.get("progress", 0),
        "current_step": snapshot.get("current_step", ""),
        "stage_text": stage_text(
            snapshot.get("status", ""), snapshot.get("current_step", ""), steps
        ),
        "error": snapshot.get("error", ""),
        "steps": steps,
        "done_steps": sum(1 for s in steps if s["status"] in ("completed", "skipped")),
        "eta_text": format_seconds(remaining) if remaining > 0 else "",
        "eta_confidence": eta.get("confidence", ""),
        "failed_step_error": next((s["error"] for s in steps if s.get("error")), ""),
        # When it was built: a snapshot read from the database holds everything published
        # before then, so a page drops bus events older than it (never go back).
        "published_at": float(snapshot.get("published_at") or 0),
    }

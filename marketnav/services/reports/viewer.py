"""Read model of the report viewer: one version of a report, its versions, diffs and exports.

Every function takes the asking user and authorises through `projects.get` (viewing a report
is viewing its project), so a stranger learns nothing from ids. What pages get is plain data:
section HTML is already sanitised (`markdown_render.to_safe_html`), chart points are ready for
the chart components (`chart_data`, the same computation the HTML and PDF exports draw), and a
running report's progress snapshot carries display strings.
"""

from __future__ import annotations

import difflib
import html
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from marketnav.models import Report, ReportRun, ReportSection, User
from marketnav.services import markdown_render, projects
from marketnav.services.errors import DomainError, PermissionDenied, ValidationFailed
from marketnav.services.permissions import NOT_FOUND_MESSAGE, Action, can
from marketnav.services.reports import (
    chart_data,
    evidence,
    evidence_render,
    exports,
    version_changes,
    viewer_charts,
)
from marketnav.services.reports.catalog import REPORT_TYPES, ReportTypeSpec
from marketnav.services.reports.runs import ACTIVE, completed_run, prerequisites, report_for
from marketnav.services.reports.views import completed_versions, present_snapshot, run_snapshot
from marketnav.services.storage import StorageError, get_storage
from marketnav.services.watching import company_follows

logger = logging.getLogger(__name__)

FORMAT_LABELS: dict[str, str] = {
    "html": "HTML",
    "md": "Markdown",
    "json": "JSON",
    "pdf": "PDF",
    "pptx": "PowerPoint",
}
DIFF_CONTEXT_LINES = 2
MAX_DIFF_LINES = 400
_LINE_KINDS = {"+": "add", "-": "del"}


@dataclass
class ReportPage:
    """Everything the viewer shows for one version (or the empty/running state)."""

    project_id: int
    project_name: str
    report_type: str
    label: str
    title: str
    role: str
    can_run: bool
    blocked: str
    formats: list[dict[str, str]]
    versions: list[dict[str, Any]]
    version: int = 0
    latest_version: int = 0
    generated_at: str = ""
    outdated: bool = False
    offline: bool = False
    version_missing: str = ""  # `?version=N` names a version that does not exist
    sections: list[dict[str, Any]] = field(default_factory=list)
    toc: list[dict[str, Any]] = field(default_factory=list)
    funding_chart: list[dict[str, Any]] = field(default_factory=list)
    radar_chart: list[dict[str, Any]] = field(default_factory=list)
    verdict: dict[str, Any] = field(default_factory=dict)
    competitor_map: list[dict[str, Any]] = field(default_factory=list)
    # The map's points by label side, axis ticks and unlabelled names (viewer_charts).
    competitor_view: dict[str, Any] = field(default_factory=dict)
    map_y_label: str = ""
    active: dict[str, Any] = field(default_factory=dict)
    last_failure: str = ""
    can_share: bool = False
    # The "Data used" box (sanitised HTML built by code), and whether any of it is demo data.
    data_used_html: str = ""
    demo: bool = False
    unsupported_claims: int = 0
    # What changed in the market since the version before (version_changes.present).
    market_changes: list[dict[str, Any]] = field(default_factory=list)
    changes_since: int = 0
    changes_comparable: bool = False
    # Companies of this version that can be followed (the latest Crunchbase / Tracxn version
    # in the signed-in viewer), and those the reader follows ("crunchbase:rover").
    can_follow: bool = False
    followed_keys: list[str] = field(default_factory=list)


# -- helpers ---------------------------------------------------------------------------------


def _spec(report_type: str) -> ReportTypeSpec:
    spec = REPORT_TYPES.get(report_type)
    if spec is None:  # an unknown type in the URL looks like any other missing item
        raise PermissionDenied(NOT_FOUND_MESSAGE)
    return spec


def _version_run(session: Session, report: Report | None, version: int) -> ReportRun:
    run = completed_run(session, report.id, version) if report is not None else None
    if run is None:
        raise DomainError(f"Version {version} of this report does not exist.")
    return run


def _sections(session: Session, run_id: int) -> list[ReportSection]:
    return list(
        session.exec(
            select(ReportSection)
            .where(ReportSection.run_id == run_id)
            .order_by(col(ReportSection.position), col(ReportSection.id))
        ).all()
    )


# -- charts ----------------------------------------------------------------------------------


def _verdict(rows: list[ReportSection]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The verdict badge and the radar points (known axes only) of `verdict_decision`.

    Computed by `chart_data.verdict_chart`, which the HTML and PDF exports use too.
    """
    badge, points, _ = chart_data.verdict_chart(chart_data.from_rows(rows))
    return badge, points


# -- the page --------------------------------------------------------------------------------


def _section_view(row: ReportSection, number: int, slide_number: int) -> dict[str, Any]:
    data = row.section_data or {}
    bullets = data.get("bullets") if row.kind == "slide" else None
    chart = ""
    if isinstance(data.get("funding_chart"), list) and data["funding_chart"]:
        chart = "funding"
    elif row.section_key == "verdict_decision":
        chart = "radar"
    return {
        "key": row.section_key,
        "anchor": f"sec-{row.section_key}",
        "number": number,
        "title": row.company_name or row.title,
        "kind": row.kind,
        "slug": str((data.get("facts") or {}).get("slug") or "") if row.kind == "company" else "",
        "html": evidence_render.cited_section_html(row.markdown, data, row.section_key),
        "bullets": [str(b) for b in bullets] if isinstance(bullets, list) else [],
        "notes": str(data.get("notes") or "") if row.kind == "slide" else "",
        "slide_number": slide_number,
        "chart": chart,
        "map_before": False,
    }


def missing_version_text(version: int, known: list[int]) -> str:
    """What the viewer says for `?version=N` when N is no completed version of the report."""
    if not known:
        return f"Version {version} does not exist: this report has no completed version yet."
    names = [f"v{v}" for v in known]
    listed = f"only {names[0]}" if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return (
        f"Version {version} does not exist: this report has {listed}. "
        f"Showing the latest, v{known[-1]}."
    )


def header_status(generated_at: str, run_status: str, last_failure: str) -> str:
    """The header's word beside the project name: when the shown version was made, else
    whether a run is going, failed or was never started (never "In progress" for a failure)."""
    if generated_at:
        return generated_at
    if run_status in ("queued", "running"):
        return "Queued" if run_status == "queued" else "In progress"
    if last_failure:
        return "No completed version: the last run failed"
    return "Not run yet"


def report_page(
    session: Session, user: User, project_id: int, report_type: str, version: int | None = None
) -> ReportPage:
    """The viewer's data for `version` (the latest completed one when None)."""
    project, role = projects.get(session, user, project_id)
    spec = _spec(report_type)
    current_hash = projects.get_inputs(session, project).inputs_hash
    needs = prerequisites(session, project.id, spec)
    report = report_for(session, project.id, report_type)
    versions = completed_versions(session, report) if report is not None else []
    page = ReportPage(
        project_id=project.id,
        project_name=project.name,
        report_type=report_type,
        label=spec.label,
        title=spec.title,
        role=role.value,
        can_run=can(role, Action.REPORT_RUN) and needs.ok,
        blocked="" if needs.ok else needs.message,
        formats=[{"fmt": f, "label": FORMAT_LABELS[f]} for f in exports.formats_for(report_type)],
        versions=[
            {"version": v["version"], "completed_at": v["completed_at"], "summary": v["summary"]}
            for v in versions
        ],
        latest_version=versions[0]["version"] if versions else 0,
        can_share=can(role, Action.REPORT_SHARE),
    )
    if report is not None and report.latest_run_id:
        latest = session.get(ReportRun, report.latest_run_id)
        if latest is not None and latest.status in ACTIVE:
            page.active = present_snapshot(run_snapshot(session, latest, report))
        elif latest is not None and latest.status in ("failed", "cancelled"):
            reason = (latest.error_message or latest.status).rstrip(".")
            page.last_failure = f"Version {latest.version} did not complete: {reason}."
    known = {v["version"] for v in versions}
    if version is not None and version not in known:
        page.version_missing = missing_version_text(version, sorted(known))
    if not versions:
        return page
    wanted = version if version in known else page.latest_version
    run = _version_run(session, report, wanted)
    rows = fill_version(session, page, run)
    page.outdated = run.inputs_hash != current_hash
    since = version_changes.since_previous(session, run, report_type, rows)
    page.changes_since, page.changes_comparable = since.previous, since.comparable
    page.market_changes = version_changes.present(since.changes, project.id, report_type)
    page.can_follow = report_type in company_follows.SOURCES and run.version == page.latest_version
    page.followed_keys = [f["key"] for f in company_follows.followed(session, user, project.id)]
    return page


def fill_version(session: Session, page: ReportPage, run: ReportRun) -> list[ReportSection]:
    """Put one completed version's sections, contents and charts on `page`; the rows read."""
    rows = _sections(session, run.id)
    page.version = run.version
    page.generated_at = run.completed_at.strftime("%Y-%m-%d %H:%M UTC") if run.completed_at else ""
    page.offline = bool((run.data or {}).get("offline_analysis"))
    data_used = list((run.data or {}).get("data_used") or [])
    page.data_used_html = evidence_render.data_used_html(data_used)
    page.demo = evidence.run_is_demo(run.data or {})
    page.unsupported_claims = int((run.data or {}).get("unsupported_claims") or 0)
    slides = 0
    for number, row in enumerate(rows, start=1):
        slides += row.kind == "slide"
        page.sections.append(_section_view(row, number, slides if row.kind == "slide" else 0))
    page.toc = [
        {"anchor": s["anchor"], "number": s["number"], "title": s["title"], "kind": s["kind"]}
        for s in page.sections
    ]
    charts = chart_data.report_charts(chart_data.from_rows(rows))  # as the exports draw them
    page.funding_chart = charts.funding
    page.verdict, page.radar_chart = charts.verdict, charts.radar
    page.competitor_map, page.map_y_label = charts.competitors, charts.competitor_y_label
    page.competitor_view = viewer_charts.competitor_map_view(charts.competitors)
    if page.competitor_map:
        first_company = next(s for s in page.sections if s["kind"] == "company")
        first_company["map_before"] = True
    if page.funding_chart and not any(s["chart"] == "funding" for s in page.sections):
        # Derived from the company sections: shown above the first of them.
        first_company = next((s for s in page.sections if s["kind"] == "company"), None)
        if first_company is not None:
            first_company["chart"] = "funding"
    return rows


# -- diff ------------------------------------------------------------------------------------


def _diff_text(row: ReportSection) -> list[str]:
    lines = row.markdown.splitlines()
    if row.kind == "slide":
        data = row.section_data or {}
        lines += [f"- {b}" for b in data.get("bullets") or []]
        if data.get("notes"):
            lines.append(f"Notes: {data['notes']}")
    return lines


def _diff_html(kind: str, text: str) -> str:
    """A diff line as the reader sees it (rendered Markdown, escaped); a hunk header as
    the line it starts at."""
    if kind == "hunk":
        start = re.search(r"\+(\d+)", text)
        return html.escape(f"From line {start.group(1)}" if start else text)
    return markdown_render.line_html(text)


def diff(
    session: Session, user: User, project_id: int, report_type: str, a: int, b: int
) -> dict[str, Any]:
    """What changed from version `a` to version `b`, section by section (matched by key)."""
    project, _ = projects.get(session, user, project_id)
    _spec(report_type)
    if a == b:
        raise ValidationFailed("Choose two different versions to compare.")
    report = report_for(session, project.id, report_type)
    old_run, new_run = _version_run(session, report, a), _version_run(session, report, b)
    old = {r.section_key: r for r in _sections(session, old_run.id)}
    new = {r.section_key: r for r in _sections(session, new_run.id)}
    order = list(new) + [k for k in old if k not in new]
    sections: list[dict[str, Any]] = []
    unchanged: list[str] = []
    for key in order:
        before, after = old.get(key), new.get(key)
        row = after or before
        title = row.company_name or row.title
        old_lines = _diff_text(before) if before else []
        new_lines = _diff_text(after) if after else []
        if before and after and old_lines == new_lines and before.title == after.title:
            unchanged.append(title)
            continue
        status = "added" if before is None else "removed" if after is None else "changed"
        lines = []
        for line in difflib.unified_diff(old_lines, new_lines, n=DIFF_CONTEXT_LINES, lineterm=""):
            if line.startswith(("---", "+++")):
                continue
            kind = "hunk" if line.startswith("@@") else _LINE_KINDS.get(line[:1], "ctx")
            text = line if kind == "hunk" else line[1:]
            lines.append({"kind": kind, "text": text, "html": _diff_html(kind, text)})
        truncated = len(lines) > MAX_DIFF_LINES
        sections.append(
            {
                "key": key,
                "title": title,
                "status": status,
                "lines": lines[:MAX_DIFF_LINES],
                "truncated": truncated,
                "added": sum(1 for line in lines if line["kind"] == "add"),
                "removed": sum(1 for line in lines if line["kind"] == "del"),
            }
        )
    changes = version_changes.between(session, old_run, new_run, report_type)
    return {
        "a": a,
        "b": b,
        "market_changes": version_changes.present(changes, project.id, report_type),
        "sections": sections,
        "unchanged": unchanged,
        "counts": {
            status: sum(1 for s in sections if s["status"] == status)
            for status in ("added", "removed", "changed")
        }
        | {"unchanged": len(unchanged)},
    }


# -- exports ---------------------------------------------------------------------------------


def export(
    session: Session, user: User, project_id: int, report_type: str, version: int, fmt: str
) -> tuple[str, bytes, str]:
    """(filename, bytes, content type) of one version in one format.

    The file written at the end of the run is served; when it is missing from the store the
    version is rendered again from its sections.
    """
    project, _ = projects.get(session, user, project_id)
    _spec(report_type)
    if fmt not in exports.formats_for(report_type):
        raise ValidationFailed(f"This report cannot be downloaded as {fmt!r}.")
    run = _version_run(session, report_for(session, project.id, report_type), version)
    return version_file(session, run, fmt)


def version_file(session: Session, run: ReportRun, fmt: str) -> tuple[str, bytes, str]:
    """(filename, bytes, content type) of a completed run's file (the caller authorised)."""
    doc = exports.load_document(session, run)
    content_type = exports.FORMATS[fmt][1]
    key = (run.files or {}).get(fmt)
    data = None
    if key:
        try:
            data = get_storage().get(key)
        except StorageError:
            data = None
        except Exception:  # the store is down: the sections still make the file
            logger.warning("export of run %s: %s unreadable, rendering", run.id, key, exc_info=True)
            data = None
    if data is None:
        data = exports.render(doc, fmt)
    return exports.filename(doc, fmt), data, content_type

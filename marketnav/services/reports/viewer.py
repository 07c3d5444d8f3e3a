"""Read model of the report viewer: one version of a report, its versions, diffs and exports.

Every function takes the asking user and authorises through `projects.get` (viewing a report
is viewing its project), so a stranger learns nothing from ids. What pages get is plain data:
section HTML is already sanitised (`markdown_render.to_safe_html`), chart points are ready for
the chart components, and a running report's progress snapshot carries display strings.
"""

from __future__ import annotations

import difflib
import logging
import math
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from marketnav.models import Report, ReportRun, ReportSection, User
from marketnav.services import projects
from marketnav.services.errors import DomainError, PermissionDenied, ValidationFailed
from marketnav.services.markdown_render import to_safe_html
from marketnav.services.permissions import NOT_FOUND_MESSAGE, Action, can
from marketnav.services.reports import evidence, evidence_render, exports
from marketnav.services.reports.catalog import REPORT_TYPES, VERDICT_AXES, ReportTypeSpec
from marketnav.services.reports.runs import ACTIVE, completed_run, prerequisites, report_for
from marketnav.services.reports.views import completed_versions, present_snapshot, run_snapshot
from marketnav.services.storage import StorageError, get_storage

logger = logging.getLogger(__name__)

FORMAT_LABELS: dict[str, str] = {
    "html": "HTML",
    "md": "Markdown",
    "json": "JSON",
    "pdf": "PDF",
    "pptx": "PowerPoint",
}
VERDICT_COLOURS = {"GO": "green", "ITERATE": "amber", "PARK": "red", "KILL": "red"}
DIFF_CONTEXT_LINES = 2
MAX_DIFF_LINES = 400
MAX_FUNDING_BARS = 12
_LINE_KINDS = {"+": "add", "-": "del"}
# Keys a company section's data may use for the competitor map (first present wins).
FUNDING_KEYS = ("funding_usd", "total_funding_usd", "funding")
SCORE_KEYS = ("score", "similarity_score", "relevance_score", "combined_score", "tracxn_score")
RANK_KEYS = ("rank", "cb_rank", "tracxn_rank")


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
    notice: str = ""
    sections: list[dict[str, Any]] = field(default_factory=list)
    toc: list[dict[str, Any]] = field(default_factory=list)
    funding_chart: list[dict[str, Any]] = field(default_factory=list)
    radar_chart: list[dict[str, Any]] = field(default_factory=list)
    verdict: dict[str, Any] = field(default_factory=dict)
    competitor_map: list[dict[str, Any]] = field(default_factory=list)
    map_y_label: str = ""
    active: dict[str, Any] = field(default_factory=dict)
    last_failure: str = ""
    can_share: bool = False
    # The "Data used" box (sanitised HTML built by code), and whether any of it is demo data.
    data_used_html: str = ""
    demo: bool = False
    unsupported_claims: int = 0


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


def _number(value: Any) -> float | None:
    """A finite number from JSON data (numbers or numeric strings), else None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _first(data: dict[str, Any], keys: tuple[str, ...]) -> float | None:
    for key in keys:
        number = _number(data.get(key))
        if number is not None:
            return number
    return None


def _millions(usd: float) -> float:
    return round(usd / 1_000_000, 2)


# -- charts ----------------------------------------------------------------------------------


def _company_data(row: ReportSection) -> dict[str, Any]:
    """A company section's figures: the market pipelines nest them under "facts"."""
    data = row.section_data or {}
    facts = data.get("facts") if isinstance(data.get("facts"), dict) else {}
    return {**facts, **data}


def _funding_points(rows: list[ReportSection]) -> list[dict[str, Any]]:
    """Bars of funding by company: a section's `funding_chart`, else the company sections."""
    raw: list[tuple[str, float]] = []
    for row in rows:
        chart = row.section_data.get("funding_chart")
        if isinstance(chart, list) and chart:
            for item in chart:
                if isinstance(item, dict):
                    usd = _number(item.get("funding_usd"))
                    if usd is not None and str(item.get("name") or "").strip():
                        raw.append((str(item["name"])[:40], usd))
            break
    else:
        for row in rows:
            if row.kind == "company":
                usd = _first(_company_data(row), FUNDING_KEYS)
                if usd is not None:
                    raw.append(((row.company_name or row.title)[:40], usd))
    raw.sort(key=lambda item: item[1], reverse=True)
    return [
        {"name": name, "funding_usd": usd, "funding_musd": _millions(usd)}
        for name, usd in raw[:MAX_FUNDING_BARS]
    ]


def _axis_score(value: Any) -> float | None:
    """An axis score from stored JSON: a number, {"raw": n}, or None / "unknown" (no evidence)."""
    if isinstance(value, dict):  # {"raw": 62, "weighted": 15.5}
        value = value.get("raw", value.get("score"))
    return _number(value)


def _verdict(rows: list[ReportSection]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The verdict badge and the radar points of the `verdict_decision` section.

    Only known axes are points: an unknown axis (score None, from runs since the verdict
    keeps unknown apart from zero) is never drawn as 0; the badge names it under
    `unknown_axes`. Old runs (every score a number, a missing source stored as 0) render as
    they were stored.
    """
    row = next((r for r in rows if r.section_key == "verdict_decision"), None)
    if row is None:
        return {}, []
    data = row.section_data or {}
    verdict_name = str(data.get("verdict") or "").upper()
    total = _number(data.get("total_score"))
    labels = {key: label for key, label, _ in VERDICT_AXES}
    points = []
    unknown = []
    scores = data.get("scores") if isinstance(data.get("scores"), dict) else {}
    for axis, value in scores.items():
        label = labels.get(axis, str(axis).replace("_", " ").title())
        score = _axis_score(value)
        if score is None:
            unknown.append(label)
            continue
        points.append({"axis": label, "score": max(0.0, min(100.0, score)), "full": 100})
    verdict = {}
    if verdict_name or total is not None or scores:
        verdict = {
            "verdict": verdict_name or "UNKNOWN",
            "total_score": round(total) if total is not None else "unknown",
            "colour": VERDICT_COLOURS.get(verdict_name, "gray"),
        }
        if unknown:
            verdict["unknown_axes"] = ", ".join(unknown)
        score_range = data.get("score_range")
        if unknown and isinstance(score_range, list) and len(score_range) == 2:
            low, high = (_number(v) for v in score_range)
            if low is not None and high is not None:
                verdict["score_range"] = f"{round(low)}-{round(high)}"
        for key in ("confidence", "headline"):
            if data.get(key):
                verdict[key] = str(data[key])
    return verdict, points if len(points) >= 3 else []


def _competitor_points(rows: list[ReportSection]) -> tuple[list[dict[str, Any]], str]:
    """Companies placed by funding (x) and score, or rank when there is no score (y)."""
    companies = [r for r in rows if r.kind == "company"]
    with_score = [r for r in companies if _first(_company_data(r), SCORE_KEYS) is not None]
    keys, label = (SCORE_KEYS, "Score") if with_score else (RANK_KEYS, "Rank")
    points = []
    for row in companies:
        usd = _first(_company_data(row), FUNDING_KEYS)
        y = _first(_company_data(row), keys)
        if usd is not None and y is not None:
            name = (row.company_name or row.title)[:40]
            points.append({"name": name, "funding_musd": _millions(usd), "y": y})
    return (points, label) if len(points) >= 2 else ([], "")


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
        "html": evidence_render.section_html(
            to_safe_html(row.markdown), data.get("sources") or [], row.section_key
        ),
        "bullets": [str(b) for b in bullets] if isinstance(bullets, list) else [],
        "notes": str(data.get("notes") or "") if row.kind == "slide" else "",
        "slide_number": slide_number,
        "chart": chart,
        "map_before": False,
    }


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
    if not versions:
        return page
    known = {v["version"] for v in versions}
    wanted = version if version in known else page.latest_version
    if version is not None and version not in known:
        page.notice = (
            f"Version {version} is not available; showing the latest version "
            f"(v{page.latest_version})."
        )
    run = _version_run(session, report, wanted)
    fill_version(session, page, run)
    page.outdated = run.inputs_hash != current_hash
    return page


def fill_version(session: Session, page: ReportPage, run: ReportRun) -> None:
    """Put one completed version's sections, contents and charts on `page`."""
    rows = _sections(session, run.id)
    page.version = run.version
    page.generated_at = run.completed_at.strftime("%Y-%m-%d %H:%M UTC") if run.completed_at else ""
    page.offline = bool((run.data or {}).get("offline_analysis"))
    data_used = list((run.data or {}).get("data_used") or [])
    page.data_used_html = evidence_render.data_used_html(data_used)
    page.demo = evidence.is_demo(data_used) or bool((run.data or {}).get("demo_data"))
    page.unsupported_claims = int((run.data or {}).get("unsupported_claims") or 0)
    slides = 0
    for number, row in enumerate(rows, start=1):
        slides += row.kind == "slide"
        page.sections.append(_section_view(row, number, slides if row.kind == "slide" else 0))
    page.toc = [
        {"anchor": s["anchor"], "number": s["number"], "title": s["title"], "kind": s["kind"]}
        for s in page.sections
    ]
    page.funding_chart = _funding_points(rows)
    page.verdict, page.radar_chart = _verdict(rows)
    page.competitor_map, page.map_y_label = _competitor_points(rows)
    if page.competitor_map:
        first_company = next(s for s in page.sections if s["kind"] == "company")
        first_company["map_before"] = True
    if page.funding_chart and not any(s["chart"] == "funding" for s in page.sections):
        # Derived from the company sections: shown above the first of them.
        first_company = next((s for s in page.sections if s["kind"] == "company"), None)
        if first_company is not None:
            first_company["chart"] = "funding"


# -- diff ------------------------------------------------------------------------------------


def _diff_text(row: ReportSection) -> list[str]:
    lines = row.markdown.splitlines()
    if row.kind == "slide":
        data = row.section_data or {}
        lines += [f"- {b}" for b in data.get("bullets") or []]
        if data.get("notes"):
            lines.append(f"Notes: {data['notes']}")
    return lines


def diff(
    session: Session, user: User, project_id: int, report_type: str, a: int, b: int
) -> dict[str, Any]:
    """What changed from version `a` to version `b`, section by section (matched by key)."""
    project, _ = projects.get(session, user, project_id)
    _spec(report_type)
    if a == b:
        raise ValidationFailed("Choose two different versions to compare.")
    report = report_for(session, project.id, report_type)
    old = {r.section_key: r for r in _sections(session, _version_run(session, report, a).id)}
    new = {r.section_key: r for r in _sections(session, _version_run(session, report, b).id)}
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
            lines.append({"kind": kind, "text": line if kind == "hunk" else line[1:]})
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
    return {
        "a": a,
        "b": b,
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

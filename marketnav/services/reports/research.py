"""Report sections as the assistant's context (Research Mode and the report viewer).

The latest completed version of each report type, in the catalogue's order; the report the
user has open (and the version they are reading) comes first so it survives the context budget.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from marketnav.models import Report, ReportSection
from marketnav.services.ai import ReportSection as ContextSection
from marketnav.services.reports.catalog import REPORT_ORDER, REPORT_TYPES, viewer_url
from marketnav.services.reports.citations import without_markers
from marketnav.services.reports.runs import completed_run


def section_link(project_id: int, report_type: str, version: int, section_key: str) -> str:
    """The viewer URL that opens one version of a report at one section."""
    return viewer_url(project_id, report_type, version, f"sec-{section_key}")


def _sections_of(
    session: Session, project_id: int, run_id: int, report_type: str, version: int
) -> list[ContextSection]:
    rows = session.exec(
        select(ReportSection)
        .where(ReportSection.run_id == run_id)
        .order_by(col(ReportSection.position), col(ReportSection.id))
    ).all()
    label = open_report_label(report_type, version)
    return [
        ContextSection(
            report_type=report_type,
            section_key=row.section_key[:64],
            title=row.company_name or row.title,
            markdown=without_markers(row.markdown),
            report_label=label,
            link=section_link(project_id, report_type, version, row.section_key),
        )
        for row in rows
    ]


def open_report_label(report_type: str, version: int) -> str:
    spec = REPORT_TYPES.get(report_type)
    return f"{spec.label} v{version}" if spec and version else ""


def context_sections(
    session: Session, project_id: int, open_report: tuple[str, int] | None = None
) -> tuple[list[ContextSection], str]:
    """(sections for the assistant, label of the open report or "") for a project.

    `open_report` = (report type, version); version 0 means its latest. The caller has
    already authorised the user on the project.
    """
    reports = {
        r.report_type: r
        for r in session.exec(select(Report).where(Report.project_id == project_id)).all()
    }
    ordered = list(REPORT_ORDER)
    label = ""
    chosen: dict[str, int] = {t: r.latest_version for t, r in reports.items() if r.latest_version}
    if open_report and open_report[0] in reports:
        report_type, version = open_report
        version = version or reports[report_type].latest_version
        if completed_run(session, reports[report_type].id, version) is not None:
            chosen[report_type] = version
            ordered.remove(report_type)
            ordered.insert(0, report_type)
            label = open_report_label(report_type, version)
    sections: list[ContextSection] = []
    for report_type in ordered:
        if report_type not in chosen:
            continue
        run = completed_run(session, reports[report_type].id, chosen[report_type])
        if run is not None:
            sections.extend(
                _sections_of(session, project_id, run.id, report_type, chosen[report_type])
            )
    return sections, label

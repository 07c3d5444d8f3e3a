"""Exports of one report version: self-contained HTML, Markdown, raw JSON, PDF, PPTX (deck).

A `ReportDocument` is read from the version's sections; each format renders it. All text goes
through the safe Markdown renderer (markdown-it + nh3) before it becomes HTML.

Files are written to `{version prefix}/report.{ext}` right after the run is marked completed
(`write_exports`, by the worker that ran it, off the run's critical path: the PDF alone takes
0.2-1 s): the user sees the version as soon as its sections are saved. A format is listed in
`run.files` only once its file is in the store, so until then (or when its render failed) a
download renders it from the sections, byte for byte what the file will hold: both render the
completed run (its completion time and summary). One writer per version, whole objects (local
storage renames a finished temporary file, S3 puts are atomic): never a half-written file.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from marketnav.db import session_scope
from marketnav.models import Project, Report, ReportRun, ReportSection
from marketnav.services.reports import evidence_render
from marketnav.services.reports.catalog import spec_for
from marketnav.services.storage import Storage, StorageError

logger = logging.getLogger(__name__)
METADATA = "metadata.json"

FORMATS: dict[str, tuple[str, str]] = {
    "html": ("html", "text/html; charset=utf-8"),
    "md": ("md", "text/markdown; charset=utf-8"),
    "json": ("json", "application/json"),
    "pdf": ("pdf", "application/pdf"),
    "pptx": ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}


@dataclass
class SectionDoc:
    key: str
    title: str
    kind: str
    markdown: str
    company_name: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def anchor(self) -> str:
        """The section's id in every HTML rendering (viewer, share page, HTML export)."""
        return f"sec-{self.key}"


@dataclass
class ReportDocument:
    report_type: str
    title: str
    project_name: str
    startup_name: str
    version: int
    generated_at: datetime | None
    sections: list[SectionDoc]
    summary: dict[str, Any]

    @property
    def offline(self) -> bool:
        return bool(self.summary.get("offline_analysis"))

    @property
    def data_used(self) -> list[dict[str, Any]]:
        return list(self.summary.get("data_used") or [])


def section_html(section: SectionDoc) -> str:
    """A section's safe HTML, as every HTML-based renderer (HTML export, PDF) lays it out.

    Citation markers and the section's Sources list are added here, so that the renderers
    only place the result.
    """
    return evidence_render.cited_section_html(section.markdown, section.data, section.key)


def data_used_html(doc: ReportDocument) -> str:
    """The "Data used" box at the top of a report (sources, counts, demo or live, dates)."""
    return evidence_render.data_used_html(doc.data_used)


def formats_for(report_type: str) -> list[str]:
    base = ["html", "md", "json", "pdf"]
    return [*base, "pptx"] if report_type == "pitch_deck" else base


def load_document(session: Session, run: ReportRun) -> ReportDocument:
    report = session.get(Report, run.report_id)
    project = session.get(Project, report.project_id)
    from marketnav.services import project_inputs, projects

    inputs = project_inputs.as_dict(projects.get_inputs(session, project))
    rows = session.exec(
        select(ReportSection)
        .where(ReportSection.run_id == run.id)
        .order_by(col(ReportSection.position), col(ReportSection.id))
    ).all()
    return ReportDocument(
        report_type=report.report_type,
        title=spec_for(report.report_type).title,
        project_name=project.name,
        startup_name=inputs.get("startup_name") or project.name,
        version=run.version,
        generated_at=run.completed_at,
        sections=[
            SectionDoc(r.section_key, r.title, r.kind, r.markdown, r.company_name, r.section_data)
            for r in rows
        ],
        summary=dict(run.data),
    )


def render_markdown(doc: ReportDocument) -> str:
    lines = [f"# {doc.title}: {doc.startup_name}", ""]
    lines.append(
        f"_Version {doc.version}"
        + (f", {doc.generated_at:%Y-%m-%d %H:%M} UTC_" if doc.generated_at else "_")
    )
    if doc.offline:
        lines += ["", "> Offline analysis: written without an AI model, from the data alone."]
    if doc.data_used:
        lines += ["", evidence_render.data_used_markdown(doc.data_used)]
    for section in doc.sections:
        heading = section.company_name or section.title
        body = evidence_render.section_markdown(
            section.markdown.strip(), section.data.get("sources") or [], section.key
        )
        lines += ["", f"## {heading}", "", body]
    return "\n".join(lines) + "\n"


def render_json(doc: ReportDocument) -> str:
    payload = asdict(doc)
    payload["generated_at"] = doc.generated_at.isoformat() if doc.generated_at else None
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str)


def render(doc: ReportDocument, fmt: str) -> bytes:
    """The bytes of one export format."""
    # Imported here: the renderers import this module for ReportDocument.
    from marketnav.services.reports import export_html, export_pdf

    if fmt == "md":
        return render_markdown(doc).encode()
    if fmt == "json":
        return render_json(doc).encode()
    if fmt == "html":
        return export_html.render_html(doc).encode()
    if fmt == "pdf":
        return export_pdf.render_pdf(doc)
    if fmt == "pptx" and doc.report_type == "pitch_deck":
        from marketnav.services.reports import export_pptx

        return export_pptx.render_pptx(doc)
    raise ValueError(f"Unknown export format {fmt!r}.")


def _put(storage: Storage, prefix: str, fmt: str, data: bytes) -> str:
    ext, content_type = FORMATS[fmt]
    key = f"{prefix}report.{ext}"
    storage.put(key, data, content_type)
    return key


@dataclass
class ExportResult:
    files: dict[str, str]  # format -> key, of the files now in the store
    failed: dict[str, str]  # format -> error, rendered on download instead
    seconds: float


def write_exports(run_id: int, storage: Storage, prefix: str) -> ExportResult:
    """Write the files of a completed run's version, then list them on the run. Never raises.

    Each format is rendered and stored on its own: a failure is logged, the format stays out
    of `run.files` and its downloads keep rendering it from the sections (the retry). The
    version's `metadata.json` gets the list of files.
    """
    started = time.perf_counter()
    written: dict[str, str] = {}
    failed: dict[str, str] = {}
    try:
        with session_scope() as session:
            run = session.get(ReportRun, run_id)
            doc = load_document(session, run)
            already = dict(run.files or {})
    except Exception as err:
        logger.exception("report run %s: exports not written (the version did not load)", run_id)
        return ExportResult({}, {"*": f"{type(err).__name__}: {err}"}, 0.0)
    for fmt in formats_for(doc.report_type):
        try:
            written[fmt] = _put(storage, prefix, fmt, render(doc, fmt))
        except Exception as err:
            logger.exception(
                "report run %s: the %s export failed; downloads render it", run_id, fmt
            )
            failed[fmt] = f"{type(err).__name__}: {err}"
    try:
        if written:
            record_files(run_id, {**already, **written})
        _add_files_to_metadata(storage, prefix, {**already, **written})
    except Exception as err:  # the files are in the store; downloads render until listed
        logger.exception("report run %s: the exports could not be listed on the run", run_id)
        failed["record"] = f"{type(err).__name__}: {err}"
    return ExportResult(written, failed, time.perf_counter() - started)


def _add_files_to_metadata(storage: Storage, prefix: str, files: dict[str, str]) -> None:
    try:
        metadata = json.loads(storage.get(prefix + METADATA))
    except StorageError:
        return  # a version saved before the metadata existed
    metadata["files"] = files
    body = json.dumps(metadata, ensure_ascii=False, default=str).encode()
    storage.put(prefix + METADATA, body, "application/json")


def record_files(run_id: int, files: dict[str, str]) -> None:
    with session_scope() as session:
        run = session.get(ReportRun, run_id)
        run.files = dict(files)
        session.add(run)


def filename(doc: ReportDocument, fmt: str) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in doc.startup_name.lower()).strip("-")
    return f"{safe or 'report'}-{doc.report_type}-v{doc.version}.{FORMATS[fmt][0]}"

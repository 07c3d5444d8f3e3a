"""Company imports as jobs: upload and preview, start, run (task or CLI), cancel, list.

Every call made for a person authorises through `permissions.authorize` with
`Action.IMPORT_COMPANIES` (organisation owners and admins). `execute` is what the Celery task
and the CLI run: parse the stored file, deduplicate, send batches to both market-data
services (searchable when each call returns), update progress after each batch and honour
a cancel request between batches.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from marketnav.db import session_scope
from marketnav.models import CompanyImport, Organization, User
from marketnav.models.base import utcnow
from marketnav.services import organizations
from marketnav.services.company_import import parsing
from marketnav.services.errors import PermissionDenied, ValidationFailed
from marketnav.services.market_data import SERVICES, MarketDataClient, MarketDataError
from marketnav.services.permissions import NOT_FOUND_MESSAGE, Action, authorize
from marketnav.services.storage import get_storage
from marketnav.settings import get_settings
from scraper_services.common.contracts import ImportBatchRequest, ImportedCompany

ERROR_CAP = 1000  # error rows stored per import (the count is always exact)
PREVIEW_ROWS = 5
PREVIEW_SCAN = 50  # rows parsed for the preview's errors
ACTIVE = ("queued", "running")
FINISHED = ("completed", "failed", "cancelled")

ClientFactory = Callable[[], MarketDataClient]
ProgressHook = Callable[[CompanyImport], None]


class Preview(BaseModel):
    layout: str
    layout_label: str
    columns: list[str]
    mapping: dict[str, str]
    rows: list[dict[str, str]]
    errors: list[parsing.RowError]
    scanned_rows: int
    problem: str = ""


# -- access ---------------------------------------------------------------------------------


def importable_organizations(session: Session, user: User) -> list[Organization]:
    """The organisations in which `user` may import companies."""
    return organizations.allowing(session, user, Action.IMPORT_COMPANIES)


def _organization(session: Session, user: User, organization_id: int) -> Organization:
    return organizations.get(session, user, organization_id, Action.IMPORT_COMPANIES)


def get(session: Session, user: User, import_id: int) -> CompanyImport:
    """The import if `user` may import companies in its organisation."""
    job = session.get(CompanyImport, import_id)
    if job is None:
        raise PermissionDenied(NOT_FOUND_MESSAGE)
    organization = session.get(Organization, job.organization_id)
    if organization is None:
        raise PermissionDenied(NOT_FOUND_MESSAGE)
    authorize(session, user, Action.IMPORT_COMPANIES, organization)
    return job


def list_imports(
    session: Session, user: User, organization_id: int, limit: int = 20
) -> list[CompanyImport]:
    _organization(session, user, organization_id)
    return list(
        session.exec(
            select(CompanyImport)
            .where(CompanyImport.organization_id == organization_id)
            .where(CompanyImport.status != "draft")
            .order_by(col(CompanyImport.id).desc())
            .limit(limit)
        ).all()
    )


# -- upload, preview, configure, start, cancel ----------------------------------------------


def _safe_file_name(name: str) -> str:
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^\w.() -]", "_", base).strip(" .") or "companies.csv"
    return base[:120]


def _size(count: int) -> str:
    if count >= 1048576:
        return f"{count / 1048576:.1f} MB"
    return f"{count / 1024:.1f} KB"


def check_size(size: int) -> None:
    limit = get_settings().import_max_bytes
    if size > limit:
        raise ValidationFailed(
            f"The file is {_size(size)}; imports take at most {_size(limit)}. "
            "Split it into smaller files."
        )
    if size == 0:
        raise ValidationFailed("The file is empty.")


def _inspect(data: bytes) -> tuple[list[str], parsing.LayoutName]:
    text, _ = parsing.decode(data)
    columns = parsing.read_header(text)
    if not columns:
        raise ValidationFailed("The file has no header row: is it a CSV?")
    return columns, parsing.detect_layout(columns)


def create(
    session: Session,
    organization_id: int,
    file_name: str,
    data: bytes,
    *,
    user: User | None,
    layout: str | None = None,
    mapping: dict[str, str] | None = None,
) -> CompanyImport:
    """A draft import with its file in the object store (callers authorise first)."""
    check_size(len(data))
    columns, detected = _inspect(data)
    layout = layout or detected
    if layout not in parsing.LAYOUTS:
        raise ValidationFailed(
            f"Unknown layout {layout!r}; use one of {', '.join(parsing.LAYOUTS)}."
        )
    mapping = mapping or parsing.default_mapping(layout, columns)  # type: ignore[arg-type]
    problem = parsing.check_mapping(mapping, columns)
    if problem and layout != "generic":  # a generic file is mapped on the page before start
        raise ValidationFailed(problem)
    job = CompanyImport(
        organization_id=organization_id,
        user_id=user.id if user else None,
        file_name=_safe_file_name(file_name),
        size_bytes=len(data),
        layout=layout,
        mapping=mapping,
    )
    session.add(job)
    session.flush()
    job.storage_key = f"organizations/{organization_id}/imports/{job.id}/{job.file_name}"
    get_storage().put(job.storage_key, data, content_type="text/csv")
    session.add(job)
    return job


def upload(
    session: Session, user: User, organization_id: int, file_name: str, data: bytes
) -> CompanyImport:
    """Keep an uploaded CSV as a draft import (layout detected, mapping pre-filled)."""
    _organization(session, user, organization_id)
    return create(session, organization_id, file_name, data, user=user)


def preview(session: Session, user: User, import_id: int) -> Preview:
    """The layout, the mapping, the first rows as they will be imported and their errors."""
    job = get(session, user, import_id)
    return preview_of(job)


def preview_of(job: CompanyImport) -> Preview:
    data = get_storage().get(job.storage_key)
    text, _ = parsing.decode(data)
    columns = parsing.read_header(text)
    mapping = {k: v for k, v in (job.mapping or {}).items() if v}
    base = {
        "layout": job.layout,
        "layout_label": parsing.LAYOUT_LABELS.get(job.layout, job.layout),
        "columns": columns,
        "mapping": mapping,
    }
    problem = parsing.check_mapping(mapping, columns)
    if problem:
        return Preview(**base, rows=[], errors=[], scanned_rows=0, problem=problem)
    result = parsing.parse(text, job.layout, mapping, limit=PREVIEW_SCAN)  # type: ignore[arg-type]
    rows = [_display(r.line, r.company) for r in result.rows[:PREVIEW_ROWS]]
    return Preview(**base, rows=rows, errors=result.errors, scanned_rows=result.total_rows)


def _display(line: int, company: ImportedCompany) -> dict[str, str]:
    funding = company.total_funding_usd
    return {
        "line": str(line),
        "name": company.name,
        "website": company.website or "",
        "description": company.description[:140],
        "categories": ", ".join(company.categories[:4]),
        "founded": str(company.founded_year or ""),
        "hq": ", ".join(p for p in (company.hq_city, company.hq_country) if p),
        "funding": "" if funding is None else f"${funding:,.0f}",
        "status": company.status,
    }


def configure(
    session: Session, user: User, import_id: int, layout: str, mapping: dict[str, str]
) -> CompanyImport:
    """Change the layout and/or the column mapping of a draft import."""
    job = get(session, user, import_id)
    if job.status != "draft":
        raise ValidationFailed("This import has started; its mapping can no longer change.")
    if layout not in parsing.LAYOUTS:
        raise ValidationFailed(f"Unknown layout {layout!r}.")
    columns = parsing.read_header(parsing.decode(get_storage().get(job.storage_key))[0])
    if layout != job.layout:
        mapping = parsing.default_mapping(layout, columns)  # type: ignore[arg-type]
    clean = {k: v for k, v in mapping.items() if v}
    unknown = [k for k in clean if k not in parsing.FIELDS] + [
        v for v in clean.values() if v not in columns
    ]
    if unknown:
        raise ValidationFailed(f"Unknown field or column: {', '.join(unknown)}.")
    job.layout, job.mapping, job.updated_at = layout, clean, utcnow()
    session.add(job)
    return job


def start(session: Session, user: User, import_id: int) -> CompanyImport:
    """Queue a draft import (the caller then enqueues the task)."""
    job = get(session, user, import_id)
    if job.status != "draft":
        raise ValidationFailed("This import has already been started.")
    columns = parsing.read_header(parsing.decode(get_storage().get(job.storage_key))[0])
    problem = parsing.check_mapping(job.mapping or {}, columns)
    if problem:
        raise ValidationFailed(problem, {"mapping": problem})
    return queue(session, job)


def queue(session: Session, job: CompanyImport) -> CompanyImport:
    """Mark a draft queued (after `start` authorised it, or for the operator's CLI)."""
    job.status, job.message, job.updated_at = "queued", "Waiting for a worker…", utcnow()
    session.add(job)
    return job


def set_task_id(import_id: int, task_id: str) -> None:
    with session_scope() as session:
        job = session.get(CompanyImport, import_id)
        if job is not None:
            job.task_id = task_id[:64]
            session.add(job)


def cancel(session: Session, user: User, import_id: int) -> CompanyImport:
    """Cancel a queued import at once; a running one stops before its next batch."""
    job = get(session, user, import_id)
    if job.status in ("draft", "queued"):
        job.status, job.finished_at = "cancelled", utcnow()
        job.message = "Cancelled before it started; nothing was imported."
    elif job.status == "running":
        job.cancel_requested = True
        job.message = "Cancelling after the current batch…"
    else:
        raise ValidationFailed(f"This import is already {job.status}.")
    job.updated_at = utcnow()
    session.add(job)
    return job


def summary(job: CompanyImport) -> dict[str, Any]:
    """The import as the page and the CLI show it."""
    return {
        "id": job.id,
        "file_name": job.file_name,
        "layout": job.layout,
        "layout_label": parsing.LAYOUT_LABELS.get(job.layout, job.layout),
        "status": job.status,
        "message": job.message,
        "rows": job.total_rows,
        "valid": job.valid_rows,
        "errors": job.error_count,
        "created": job.created_count,
        "merged": job.merged_count,
        "sent": job.sent_count,
        "to_send": job.to_send,
        "progress": round(job.progress * 100),
        "created_at": job.created_at.strftime("%Y-%m-%d %H:%M") if job.created_at else "",
        "error_rows": list(job.errors or []),
    }


# -- running --------------------------------------------------------------------------------


def _update(import_id: int, **values: Any) -> CompanyImport:
    with session_scope() as session:
        job = session.get(CompanyImport, import_id)
        if job is None:
            raise LookupError(f"import {import_id} is gone")
        for key, value in values.items():
            setattr(job, key, value)
        job.updated_at = utcnow()
        session.add(job)
        return job


def _cancel_requested(import_id: int) -> bool:
    with session_scope() as session:
        job = session.get(CompanyImport, import_id)
        return job is None or job.cancel_requested


def execute(
    import_id: int,
    *,
    client_factory: ClientFactory = MarketDataClient,
    on_progress: ProgressHook | None = None,
) -> CompanyImport:
    """Run a queued import to completed, failed or cancelled (the task and the CLI call this)."""
    settings = get_settings()
    with session_scope() as session:
        job = session.get(CompanyImport, import_id)
        if job is None:
            raise LookupError(f"No import {import_id}")
        if job.status not in ACTIVE:
            return job  # finished or cancelled before a worker got to it
        if job.cancel_requested:
            return _update(
                import_id, status="cancelled", finished_at=utcnow(), progress=job.progress
            )
        key, layout, mapping = job.storage_key, job.layout, dict(job.mapping or {})
        organization_id = job.organization_id
    job = _update(import_id, status="running", started_at=utcnow(), message="Reading the file…")
    _notify(on_progress, job)
    try:
        data = get_storage().get(key)
        parsed = parsing.parse(data, layout, mapping, max_rows=settings.import_max_rows)  # type: ignore[arg-type]
    except (ValueError, parsing.ImportTooLarge) as exc:
        return _finish(import_id, "failed", str(exc), on_progress)
    deduped = parsing.dedupe(row.company for row in parsed.rows)
    job = _update(
        import_id,
        total_rows=parsed.total_rows,
        valid_rows=len(parsed.rows),
        error_count=len(parsed.errors),
        errors=[e.model_dump() for e in parsed.errors[:ERROR_CAP]],
        merged_count=deduped.merged,
        to_send=len(deduped.companies),
        message=f"Sending {len(deduped.companies):,} companies to the market-data services…",
    )
    _notify(on_progress, job)
    if not deduped.companies:
        return _finish(
            import_id, "failed", "No row could be imported: see the errors.", on_progress
        )
    return asyncio.run(
        _send(
            import_id,
            organization_id,
            deduped,
            client_factory,
            settings.import_batch_size,
            on_progress,
        )
    )


def _service_problem(service: str, error: BaseException) -> str:
    if isinstance(error, MarketDataError):
        return f"{service}: {error}"
    return f"{service}: {type(error).__name__}: {error}"


def _notify(hook: ProgressHook | None, job: CompanyImport) -> None:
    if hook is not None:
        hook(job)


def _finish(
    import_id: int, status: str, message: str, hook: ProgressHook | None, **values: Any
) -> CompanyImport:
    job = _update(import_id, status=status, message=message[:1000], finished_at=utcnow(), **values)
    _notify(hook, job)
    return job


async def _send(
    import_id: int,
    organization_id: int,
    deduped: parsing.DedupeResult,
    client_factory: ClientFactory,
    batch_size: int,
    hook: ProgressHook | None,
) -> CompanyImport:
    companies = deduped.companies
    total = len(companies)
    sent = created = 0
    merged = deduped.merged
    async with client_factory() as client:
        for start in range(0, total, batch_size):
            if await asyncio.to_thread(_cancel_requested, import_id):
                return _finish(
                    import_id,
                    "cancelled",
                    f"Cancelled after {sent:,} of {total:,} companies; those stay searchable.",
                    hook,
                )
            batch = ImportBatchRequest(
                organization_id=organization_id,
                import_id=f"import-{import_id}",
                companies=companies[start : start + batch_size],
            )
            answers = await asyncio.gather(
                *(client.import_batch(service, batch) for service in SERVICES),
                return_exceptions=True,
            )
            failures = [
                _service_problem(service, answer)
                for service, answer in zip(SERVICES, answers, strict=True)
                if isinstance(answer, BaseException)
            ]
            for answer in answers:  # a cancelled worker, not a service problem
                if isinstance(answer, BaseException) and not isinstance(answer, Exception):
                    raise answer
            if failures:
                return _finish(
                    import_id,
                    "failed",
                    "A market-data service did not accept the companies ("
                    + "; ".join(failures)
                    + f"). {sent:,} of {total:,} were imported; start the import again when "
                    "the service is back (companies already sent are merged, not duplicated).",
                    hook,
                )
            first = answers[0]
            sent += len(batch.companies)
            created += first.created  # type: ignore[union-attr]
            merged += first.merged  # type: ignore[union-attr]
            job = _update(
                import_id,
                sent_count=sent,
                created_count=created,
                merged_count=merged,
                progress=sent / total,
                message=f"Sent {sent:,} of {total:,} companies.",
            )
            _notify(hook, job)
    return _finish(
        import_id,
        "completed",
        f"Imported {sent:,} companies ({created:,} new, {merged:,} merged); searchable now.",
        hook,
        progress=1.0,
    )

"""`/imports`: upload a CSV of companies, check the mapping, run the import, follow it.

Thin: every event reads its input, calls `company_import.jobs` (which authorises through
`permissions.authorize` with `import_companies`: owners and admins) and sets vars. A running
import is followed by a background event that re-reads the row, authorising again on every
read, until it finishes or the page is left.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from marketnav.db import session_scope
from marketnav.services import accounts
from marketnav.services.company_import import jobs, parsing
from marketnav.services.errors import DomainError
from marketnav.services.permissions import NOT_FOUND_MESSAGE
from marketnav.state.session import PageState

POLL_SECONDS = 0.5
NO_ACCESS = (
    "Importing companies is for owners and admins of an organisation; you are neither in any "
    "of yours."
)


def _enqueue(import_id: int) -> None:
    from tasks.imports import enqueue

    enqueue(import_id)


def _poll(token: str, import_id: int) -> dict | None:
    """The import's summary if the session may still see it (authorised on every read)."""
    with session_scope() as db:
        user = accounts.user_for_token(db, token)
        if user is None:
            return None
        try:
            return jobs.summary(jobs.get(db, user, import_id))
        except DomainError:
            return None


def _text(summary: dict) -> dict[str, str]:
    return {k: str(v) for k, v in summary.items() if k != "error_rows"}


def _errors(rows: list[dict]) -> list[dict[str, str]]:
    return [
        {"line": str(r.get("line", "")), "reason": r.get("reason", ""), "name": r.get("name", "")}
        for r in rows
    ]


class ImportState(PageState):
    allowed: bool = False
    orgs: list[dict[str, str]] = []
    org_id: str = ""
    layouts: list[dict[str, str]] = [
        {"value": name, "label": parsing.LAYOUT_LABELS[name]} for name in parsing.LAYOUTS
    ]
    uploading: bool = False
    draft_id: int = 0
    file_name: str = ""
    layout: str = ""
    layout_label: str = ""
    columns: list[str] = []
    mapping_rows: list[dict[str, str]] = []
    preview_rows: list[dict[str, str]] = []
    preview_errors: list[dict[str, str]] = []
    preview_scanned: int = 0
    preview_problem: str = ""
    job: dict[str, str] = {}
    job_errors: list[dict[str, str]] = []
    imports: list[dict[str, str]] = []
    watcher: int = 0

    @rx.var
    def job_active(self) -> bool:
        return self.job.get("status", "") in ("queued", "running")

    @rx.var
    def job_progress(self) -> int:
        try:
            return int(self.job.get("progress", "0"))
        except ValueError:
            return 0

    # -- loading ----------------------------------------------------------------------------

    @rx.event
    def load(self):
        self._reset_messages()
        try:
            with session_scope() as db:
                user = self.current_user(db)
                self.orgs = [
                    {"id": str(o.id), "name": o.name}
                    for o in jobs.importable_organizations(db, user)
                ]
        except DomainError as err:
            return self._fail(err)
        self.allowed = bool(self.orgs)
        if not self.allowed:
            self.error = NO_ACCESS
            self.imports, self.job, self.job_errors = [], {}, []
            return None
        if self.org_id not in {o["id"] for o in self.orgs}:
            self.org_id = self.orgs[0]["id"]
            self._clear_draft()
            self.job, self.job_errors = {}, []
        self._load_imports()
        return ImportState.watch if self.job_active else None

    def _load_imports(self) -> None:
        try:
            with session_scope() as db:
                rows = jobs.list_imports(db, self.current_user(db), int(self.org_id))
                self.imports = [_text(jobs.summary(r)) for r in rows]
        except DomainError as err:
            self.imports = []
            self._fail(err)

    def _clear_draft(self) -> None:
        self.draft_id, self.file_name, self.layout, self.layout_label = 0, "", "", ""
        self.columns, self.mapping_rows, self.preview_rows = [], [], []
        self.preview_errors, self.preview_scanned, self.preview_problem = [], 0, ""

    @rx.event
    def select_org(self, organization_id: str):
        self._reset_messages()
        self.org_id = organization_id
        self._clear_draft()
        self.job, self.job_errors = {}, []
        self._load_imports()

    # -- upload, preview, mapping -----------------------------------------------------------

    @rx.event
    async def handle_upload(self, files: list[rx.UploadFile]):
        self._reset_messages()
        if not files:
            return None
        upload = files[0]
        data = await upload.read()
        try:
            with session_scope() as db:
                job = jobs.upload(
                    db, self.current_user(db), int(self.org_id or 0), upload.name or "", data
                )
                draft_id = job.id
        except DomainError as err:
            return self._fail(err)
        self._clear_draft()
        self.draft_id = draft_id or 0
        self.job, self.job_errors = {}, []
        return self._preview()

    def _preview(self):
        try:
            with session_scope() as db:
                preview = jobs.preview(db, self.current_user(db), self.draft_id)
                self.file_name = jobs.get(db, self.current_user(db), self.draft_id).file_name
        except DomainError as err:
            return self._fail(err)
        self.layout, self.layout_label = preview.layout, preview.layout_label
        self.columns = preview.columns
        self.mapping_rows = [
            {"field": f, "label": parsing.FIELD_LABELS[f], "column": preview.mapping.get(f, "")}
            for f in parsing.FIELDS
        ]
        self.preview_rows = preview.rows
        self.preview_errors = _errors([e.model_dump() for e in preview.errors])
        self.preview_scanned = preview.scanned_rows
        self.preview_problem = preview.problem
        return None

    def _configure(self, layout: str, mapping: dict[str, str]):
        self._reset_messages()
        try:
            with session_scope() as db:
                jobs.configure(db, self.current_user(db), self.draft_id, layout, mapping)
        except DomainError as err:
            return self._fail(err)
        return self._preview()

    @rx.event
    def set_layout(self, layout: str):
        mapping = {r["field"]: r["column"] for r in self.mapping_rows}
        return self._configure(layout, mapping)

    @rx.event
    def set_mapping(self, field: str, column: str):
        mapping = {r["field"]: r["column"] for r in self.mapping_rows}
        mapping[field] = "" if column == "-" else column
        return self._configure(self.layout, mapping)

    @rx.event
    def discard(self):
        self._reset_messages()
        if self.draft_id:
            try:
                with session_scope() as db:
                    jobs.cancel(db, self.current_user(db), self.draft_id)
            except DomainError as err:
                return self._fail(err)
        self._clear_draft()
        return None

    # -- start, cancel, follow --------------------------------------------------------------

    @rx.event
    def start(self):
        self._reset_messages()
        try:
            with session_scope() as db:
                job = jobs.start(db, self.current_user(db), self.draft_id)
                summary = jobs.summary(job)
        except DomainError as err:
            return self._fail(err)
        try:
            _enqueue(summary["id"])
        except Exception as exc:  # broker down: say so, and do not leave a queued ghost
            with session_scope() as db:
                jobs.cancel(db, self.current_user(db), summary["id"])
            self.error = f"The task queue is not reachable ({exc}); the import was not started."
            return None
        self._clear_draft()
        self.job, self.job_errors = _text(summary), []
        self.notice = "Import started."
        self._load_imports()
        return ImportState.watch

    @rx.event
    def cancel(self, import_id: int):
        self._reset_messages()
        try:
            with session_scope() as db:
                job = jobs.cancel(db, self.current_user(db), int(import_id))
                summary = jobs.summary(job)
        except DomainError as err:
            return self._fail(err)
        if self.job.get("id") == str(summary["id"]):
            self.job = _text(summary)
        self.notice = summary["message"]
        self._load_imports()
        return None

    @rx.event
    def show(self, import_id: int):
        self._reset_messages()
        try:
            with session_scope() as db:
                summary = jobs.summary(jobs.get(db, self.current_user(db), int(import_id)))
        except DomainError as err:
            return self._fail(err)
        self.job, self.job_errors = _text(summary), _errors(summary["error_rows"])
        return ImportState.watch if self.job_active else None

    @rx.event(background=True)
    async def watch(self):
        """Follow the shown import until it finishes, the page is left or access is gone."""
        async with self:
            self.watcher += 1
            generation = self.watcher
            import_id = int(self.job.get("id", "0") or 0)
            token = self.token
        if not import_id:
            return
        while True:
            summary = await asyncio.to_thread(_poll, token, import_id)
            async with self:
                if self.watcher != generation or not self.router.url.path.startswith("/imports"):
                    return
                if summary is None:
                    self.job, self.job_errors = {}, []
                    self.error = NOT_FOUND_MESSAGE
                    return
                self.job = _text(summary)
                self.job_errors = _errors(summary["error_rows"])
                if summary["status"] not in ("queued", "running"):
                    self._load_imports()
                    return
            await asyncio.sleep(POLL_SECONDS)  # the poll interval of the row, not a wait for it

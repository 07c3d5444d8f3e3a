"""Report viewer page: one version of a report, versions, diff, exports, re-run, live progress.

Thin: `services.reports.viewer` builds everything shown; this state holds it, calls the services
as the signed-in user, and follows the project's report runs on the progress bus while the page
is open (a finished run reloads the page).
"""

from __future__ import annotations

import reflex as rx

from marketnav.db import session_scope
from marketnav.services import progress
from marketnav.services.errors import DomainError, PermissionDenied
from marketnav.services.permissions import NOT_FOUND_MESSAGE
from marketnav.services.reports import runs, viewer
from marketnav.services.reports.tracker import subject_for_project
from marketnav.state.bus import follow, locked
from marketnav.state.project import route_report
from marketnav.state.report_content import ReportContentState

LISTENER_IDLE_SECONDS = 30 * 60
FINAL = ("completed", "failed", "cancelled")


def _version_param(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _enqueue(run_id: int) -> None:
    from tasks.reports import enqueue

    enqueue(run_id)


class ReportViewerState(ReportContentState):
    # Route values (named apart from the route's own `project_id` / `report_type` vars).
    rv_project_id: int = 0
    rv_type: str = ""
    requested_version: int = 0
    loaded: bool = False
    not_found: bool = False

    can_run: bool = False
    can_share: bool = False
    blocked: str = ""
    versions: list[dict] = []
    latest_version: int = 0
    outdated: bool = False
    active: dict = {}
    last_failure: str = ""
    version_missing: str = ""
    # What changed in the market since the version before the one shown.
    market_changes: list[dict] = []
    changes_since: int = 0
    changes_comparable: bool = False

    # Re-run / start, with the verdict's partial-data confirmation.
    run_busy: bool = False
    run_error: str = ""
    confirm_open: bool = False
    confirm_available: list[str] = []
    confirm_missing: list[str] = []

    # Diff of two versions.
    diff_open: bool = False
    diff_a: str = ""
    diff_b: str = ""
    diff_sections: list[dict] = []
    diff_counts: dict[str, int] = {}
    diff_unchanged: list[str] = []
    diff_changes: list[dict] = []
    diff_error: str = ""
    diff_loading: bool = False

    export_busy: str = ""

    # Panels: desktop state survives reloads; phone panels always start closed.
    left_collapsed: str = rx.LocalStorage("0", name="mn_report_left_collapsed", sync=True)
    right_collapsed: str = rx.LocalStorage("0", name="mn_report_right_collapsed", sync=True)

    rv_listener: int = 0
    rv_listening: bool = False
    rv_listen_key: str = ""
    _rv_seen: tuple[int, float] = (0, 0.0)  # (run id, published_at) of the snapshot shown

    @rx.var
    def viewing_old(self) -> bool:
        return 0 < self.version < self.latest_version

    @rx.var
    def has_content(self) -> bool:
        return self.version > 0

    @rx.var
    def header_status(self) -> str:
        return viewer.header_status(
            self.generated_at, str(self.active.get("status", "")), self.last_failure
        )

    @rx.var
    def running(self) -> bool:
        return self.active.get("status", "") in ("queued", "running")

    @rx.var
    def version_options(self) -> list[str]:
        return [str(v["version"]) for v in self.versions]

    @rx.var
    def version_items(self) -> list[dict[str, str]]:
        """The version picker's entries (string values, as the select needs)."""
        return [
            {"value": str(v["version"]), "label": f"v{v['version']} · {v['completed_at']}"}
            for v in self.versions
        ]

    @rx.var
    def version_value(self) -> str:
        return str(self.version)

    @rx.var
    def project_url(self) -> str:
        return f"/projects/{self.rv_project_id}"

    # -- loading -------------------------------------------------------------------------

    def _apply_page(self, page: viewer.ReportPage) -> None:
        self._show_content(page)
        for name in ("can_run", "can_share", "blocked", "versions", "latest_version", "outdated"):
            setattr(self, name, getattr(page, name))
        self.active, self.last_failure = page.active, page.last_failure
        if page.active:  # read now: a late bus event built before this read is older
            self._rv_seen = (page.active["run_id"], page.active["published_at"])
        self.version_missing = page.version_missing
        self.market_changes = page.market_changes
        self.changes_since, self.changes_comparable = page.changes_since, page.changes_comparable

    def _read(self, project_id: int | None = None, report_type: str | None = None) -> None:
        """Re-read the page data for the requested version; raises DomainError."""
        with session_scope() as db:
            page = viewer.report_page(
                db,
                self.current_user(db),
                project_id or self.rv_project_id,
                report_type or self.rv_type,
                self.requested_version or None,
            )
        self._apply_page(page)

    @rx.event
    def load(self):
        self._reset_messages()
        self.loaded, self.mobile_panel, self.run_error = False, "", ""
        self.diff_open, self.diff_sections, self.confirm_open = False, [], False
        # Kept only once the user may open the report: `listen` and every action read them.
        self.rv_project_id, self.rv_type = 0, ""
        project_id, report_type = route_report(self.router.url.path)
        query = self.router.url.query_parameters
        self.requested_version = _version_param(query.get("version")) or 0
        try:
            if not project_id:
                raise PermissionDenied(NOT_FOUND_MESSAGE)
            self._read(project_id, report_type)
            self.rv_project_id, self.rv_type = project_id, report_type
            self.not_found = False
        except PermissionDenied as err:
            self.not_found, self.error = True, str(err)
        except DomainError as err:
            self.loaded = True
            return self._fail(err)
        self.loaded = True
        if self.not_found:
            return None
        return [
            rx.call_script("window.mnReportViewer && window.mnReportViewer.refresh()"),
            *self._ensure_listener(),
        ]

    def _ensure_listener(self) -> list:
        """A (new) listener unless one already follows this very report."""
        key = f"{self.rv_project_id}:{self.rv_type}"
        return [] if self.rv_listening and self.rv_listen_key == key else [ReportViewerState.listen]

    def _reload(self) -> None:
        try:
            self._read()
        except DomainError as err:
            self.error = str(err)

    # -- versions ------------------------------------------------------------------------

    def _url(self, version: int | None = None) -> str:
        base = f"/projects/{self.rv_project_id}/reports/{self.rv_type}"
        return f"{base}?version={version}" if version else base

    @rx.event
    def pick_version(self, value: str):
        value = str(value)
        if value.isdigit() and int(value) != self.version:
            return rx.redirect(self._url(int(value)))
        return None

    @rx.event
    def view_latest(self):
        return rx.redirect(self._url())

    # -- diff ----------------------------------------------------------------------------

    @rx.event
    def open_diff(self):
        self.diff_error, self.diff_sections = "", []
        if len(self.versions) < 2:
            return None
        newest, previous = self.versions[0]["version"], self.versions[1]["version"]
        # Compare what is on screen with the version before it (or the latest with it).
        b = self.version or newest
        older = [v["version"] for v in self.versions if v["version"] < b]
        a = older[0] if older else previous
        if a == b:
            a, b = previous, newest
        self.diff_a, self.diff_b = str(min(a, b)), str(max(a, b))
        self.diff_open = True
        return ReportViewerState.compute_diff

    @rx.event
    def close_diff(self):
        self.diff_open = False

    @rx.event
    def set_diff_a(self, value: str):
        self.diff_a = str(value)
        return ReportViewerState.compute_diff

    @rx.event
    def set_diff_b(self, value: str):
        self.diff_b = str(value)
        return ReportViewerState.compute_diff

    @rx.event
    def compute_diff(self):
        self.diff_error, self.diff_sections, self.diff_changes = "", [], []
        self.diff_counts, self.diff_unchanged = {}, []
        if not (self.diff_a.isdigit() and self.diff_b.isdigit()):
            return
        try:
            with session_scope() as db:
                result = viewer.diff(
                    db,
                    self.current_user(db),
                    self.rv_project_id,
                    self.rv_type,
                    int(self.diff_a),
                    int(self.diff_b),
                )
        except DomainError as err:
            self.diff_error = str(err)
            return
        self.diff_sections = result["sections"]
        self.diff_changes = result["market_changes"]
        self.diff_counts = result["counts"]
        self.diff_unchanged = result["unchanged"]

    # -- exports -------------------------------------------------------------------------

    @rx.event
    def download(self, fmt: str):
        self.run_error = ""
        self.export_busy = fmt
        try:
            with session_scope() as db:
                name, data, content_type = viewer.export(
                    db, self.current_user(db), self.rv_project_id, self.rv_type, self.version, fmt
                )
        except DomainError as err:
            self.export_busy = ""
            self.run_error = str(err)
            return None
        self.export_busy = ""
        return rx.download(data=data, filename=name, mime_type=content_type.split(";")[0])

    # -- running -------------------------------------------------------------------------

    @rx.event
    def start(self, confirm_partial: bool = False):
        if self.run_busy:
            return None
        self.run_busy, self.run_error, self.confirm_open = True, "", False
        try:
            with session_scope() as db:
                run = runs.start(
                    db,
                    self.current_user(db),
                    self.rv_project_id,
                    self.rv_type,
                    confirm_partial=confirm_partial,
                    client=self.router.session.client_ip or "",
                )
                run_id = run.id
        except runs.PartialDataWarning as warning:
            self.run_busy = False
            self.confirm_available, self.confirm_missing = warning.available, warning.missing
            self.confirm_open = True
            return None
        except DomainError as err:
            self.run_busy = False
            self.run_error = str(err)
            return None
        try:
            _enqueue(run_id)
        except Exception:  # the broker is down: say so, the run stays queued for recovery
            self.run_error = "The report was queued but no worker could be reached yet."
        self.run_busy = False
        self._reload()
        progress.publish(
            subject_for_project(self.rv_project_id),
            {"type": "report_status", "report_type": self.rv_type},
        )
        return self._ensure_listener()

    @rx.event
    def proceed_partial(self):
        return ReportViewerState.start(True)

    @rx.event
    def close_confirm(self):
        self.confirm_open = False

    # -- panels --------------------------------------------------------------------------

    @rx.event
    def toggle_left(self):
        self.left_collapsed = "0" if self.left_collapsed == "1" else "1"

    @rx.event
    def toggle_right(self):
        self.right_collapsed = "0" if self.right_collapsed == "1" else "1"

    # -- live progress -------------------------------------------------------------------

    def _on_page(self, project_id: int, report_type: str) -> bool:
        return route_report(self.router.url.path) == (project_id, report_type)

    @rx.event(background=True)
    async def listen(self):
        """Follow this report's runs while the page is open (access: `follow`; the lock is held
        only to apply a batch of events, `bus.locked`)."""
        generation, project_id, report_type = await locked(self, self._arm_listener)
        if not project_id:
            await locked(self, lambda: self._disarm_listener(generation))
            return

        def still_wanted() -> bool:
            return self._on_page(project_id, report_type) and self.rv_listener == generation

        try:
            subject = subject_for_project(project_id)
            async for batch in follow(
                self, project_id, subject, still_wanted, LISTENER_IDLE_SECONDS
            ):
                if not batch:
                    continue  # an idle tick
                refresh = await locked(self, lambda b=batch: self._apply_batch(generation, b))
                if refresh is None:
                    break
                if refresh:
                    yield rx.call_script("window.mnReportViewer && window.mnReportViewer.refresh()")
        finally:
            await locked(self, lambda: self._disarm_listener(generation))

    def _arm_listener(self) -> tuple[int, int, str]:
        self.rv_listener += 1
        self.rv_listening = True
        self.rv_listen_key = f"{self.rv_project_id}:{self.rv_type}"
        return self.rv_listener, self.rv_project_id, self.rv_type

    def _disarm_listener(self, generation: int) -> None:
        if self.rv_listener == generation:
            self.rv_listening = False

    def _apply_batch(self, generation: int, events: list[dict]) -> bool | None:
        """Apply every event in order: True when the page data was reloaded, None if replaced."""
        if self.rv_listener != generation:
            return None
        return any([self._apply(event) for event in events])  # a list: apply every one

    def _apply(self, event: dict) -> bool:
        """Apply one bus event; True when the page data was reloaded."""
        kind = event.get("type")
        if event.get("report_type") not in (self.rv_type, None, ""):
            return False
        if kind == "report_progress":
            if event.get("run_id", 0) < self.active.get("run_id", 0):
                return False  # an older run's late event
            seen = (event.get("run_id", 0), float(event.get("published_at") or 0))
            if seen[1] and seen[0] == self._rv_seen[0] and seen[1] < self._rv_seen[1]:
                return False  # built before the snapshot already shown (never go back)
            self._rv_seen = seen
            if event.get("status") in FINAL:
                self._reload()
                return True
            self.active = viewer.present_snapshot(event)
            return False
        if kind in ("report_status", progress.RESYNC):  # RESYNC: events may have been lost
            self._reload()
            return True
        return False

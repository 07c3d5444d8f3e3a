"""Project page: the project, its nine inputs (view / edit / save / cancel) and the panels."""

from __future__ import annotations

import asyncio
from dataclasses import asdict

import reflex as rx

from marketnav.db import session_scope
from marketnav.services import project_inputs, projects
from marketnav.services.errors import DomainError, PermissionDenied
from marketnav.services.permissions import NOT_FOUND_MESSAGE, Action, can
from marketnav.state.session import PageState

SIDEBAR_LIMIT = 50
FILL_HIGHLIGHT_SECONDS = 3.0


def route_project_id(path: str) -> int:
    """`/projects/12` -> 12; anything else -> 0 (treated as not found)."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "projects" and parts[1].isdigit():
        return int(parts[1])
    return 0


def route_report(path: str) -> tuple[int, str]:
    """`/projects/12/reports/quick_report` -> (12, "quick_report"); else (0, "")."""
    parts = [p for p in path.split("/") if p]
    if len(parts) == 4 and parts[2] == "reports" and route_project_id(path):
        return int(parts[1]), parts[3]
    return 0, ""


class ProjectState(PageState):
    current_id: int = 0
    name: str = ""
    description: str = ""
    organization_name: str = ""
    role: str = ""
    can_edit: bool = False
    not_found: bool = False
    loaded: bool = False

    inputs: dict[str, str] = {}
    draft: dict[str, str] = {}
    ai_generated: dict[str, bool] = {}
    ai_confidence: dict[str, str] = {}
    completion_status: str = "incomplete"
    inputs_hash: str = ""
    editing: bool = False
    saving: bool = False

    sidebar_items: list[dict] = []
    sidebar_total: int = 0

    # Desktop panel state survives reloads; phone panels always start closed.
    left_collapsed: str = rx.LocalStorage("0", name="mn_left_collapsed", sync=True)
    right_collapsed: str = rx.LocalStorage("0", name="mn_right_collapsed", sync=True)
    mobile_panel: str = ""
    # Fields the assistant just filled: highlighted for a few seconds.
    ai_highlight: dict[str, bool] = {}

    @rx.var
    def missing_labels(self) -> list[str]:
        missing = project_inputs.missing_required(self.inputs)
        return [f.label for f in project_inputs.FIELDS if f.key in missing]

    @rx.event
    def load(self):
        self._reset_messages()
        self.editing, self.mobile_panel, self.loaded = False, "", False
        # Kept only once the user may open it: every action on the page reads this id.
        self.current_id = 0
        project_id = route_project_id(self.router.url.path)
        try:
            with session_scope() as db:
                user = self.current_user(db)
                if not project_id:
                    raise PermissionDenied(NOT_FOUND_MESSAGE)
                project, role = projects.get(db, user, project_id)
                self.current_id = project.id
                self.name, self.description = project.name, project.description
                self.organization_name = projects.organization_name(db, project)
                self.role, self.can_edit = role.value, can(role, Action.PROJECT_EDIT)
                self._set_inputs(projects.get_inputs(db, project))
                listing = projects.list_for_user(db, user, per_page=SIDEBAR_LIMIT)
                self.sidebar_items = [asdict(i) for i in listing.items]
                self.sidebar_total = listing.total
                self.not_found = False
        except PermissionDenied as err:
            self._forget_project()
            self.not_found, self.error = True, str(err)
        except DomainError as err:
            self._forget_project()
            return self._fail(err)
        self.loaded = True
        return None

    def _forget_project(self) -> None:
        """Drop what an earlier page of this tab showed (another project stays hidden)."""
        self.name, self.description, self.organization_name = "", "", ""
        self.role, self.can_edit = "", False
        self.inputs, self.draft, self.ai_generated, self.ai_confidence = {}, {}, {}, {}
        self.ai_highlight = {}

    def _set_inputs(self, inputs) -> None:
        values = project_inputs.as_dict(inputs)
        self.inputs, self.draft = values, dict(values)
        self.ai_generated = {k: bool(v) for k, v in inputs.ai_generated.items()}
        self.ai_confidence = {k: f"{float(v):.0%}" for k, v in inputs.ai_confidence.items()}
        self.completion_status = inputs.completion_status
        self.inputs_hash = inputs.inputs_hash

    @rx.event
    def start_editing(self):
        if self.can_edit:
            self.draft, self.editing, self.field_errors = dict(self.inputs), True, {}

    @rx.event
    def set_draft(self, key: str, value: str):
        self.draft[key] = value
        if key in self.field_errors:  # the field changed: its message is stale
            self.field_errors = {k: v for k, v in self.field_errors.items() if k != key}

    @rx.event
    def cancel_editing(self):
        """Really revert: the draft goes back to the saved answers."""
        self.draft, self.editing, self.field_errors, self.error = dict(self.inputs), False, {}, ""

    @rx.event
    def save_inputs(self):
        self._reset_messages()
        self.saving = True
        try:
            with session_scope() as db:
                inputs = projects.save_inputs(
                    db, self.current_user(db), self.current_id, self.draft
                )
                self._set_inputs(inputs)
        except DomainError as err:
            self.saving = False
            return self._fail(err)
        self.saving, self.editing = False, False
        self.notice = "Inputs saved."
        return None

    def apply_ai_fill(self, fields: list[dict], completion_status: str) -> None:
        """Show values the assistant saved (called from the assistant panel's listener)."""
        for field in fields:
            key = field["key"]
            self.inputs[key] = field["value"]
            if not self.editing:
                self.draft[key] = field["value"]
            self.ai_generated[key] = True
            self.ai_confidence[key] = f"{float(field['confidence']):.0%}"
            self.ai_highlight[key] = True
        if completion_status:
            self.completion_status = completion_status

    @rx.event(background=True)
    async def fade_ai_highlights(self):
        await asyncio.sleep(FILL_HIGHLIGHT_SECONDS)
        async with self:
            self.ai_highlight = {}

    @rx.event
    def toggle_left(self):
        self.left_collapsed = "0" if self.left_collapsed == "1" else "1"

    @rx.event
    def toggle_right(self):
        self.right_collapsed = "0" if self.right_collapsed == "1" else "1"

    @rx.event
    def open_mobile(self, panel: str):
        self.mobile_panel = panel if panel in ("left", "right") else ""

    @rx.event
    def close_mobile(self):
        self.mobile_panel = ""

"""Dashboard: the user's projects across organisations, search, pagination, lifecycle."""

from __future__ import annotations

from dataclasses import asdict

import reflex as rx

from marketnav.db import session_scope
from marketnav.services import organizations, projects
from marketnav.services.errors import DomainError
from marketnav.services.permissions import Action, can
from marketnav.state.session import PageState

PER_PAGE = 12


class DashboardState(PageState):
    items: list[dict] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    search: str = ""
    show_archived: bool = False
    # Organisations where the user may create projects: [{"id": "1", "name": ...}].
    create_orgs: list[dict[str, str]] = []
    create_open: bool = False
    create_org_id: str = ""
    # The project a rename / delete dialog is about.
    target_id: int = 0
    target_name: str = ""
    rename_open: bool = False
    delete_open: bool = False

    @rx.event
    def load(self):
        self._reset_messages()
        return self._refresh()

    def _refresh(self):
        try:
            with session_scope() as db:
                user = self.current_user(db)
                result = projects.list_for_user(
                    db,
                    user,
                    search=self.search,
                    status="archived" if self.show_archived else "active",
                    page=self.page,
                    per_page=PER_PAGE,
                )
                self.items = [asdict(item) for item in result.items]
                self.total, self.page, self.pages = result.total, result.page, result.pages
                self.create_orgs = [
                    {"id": str(org.id), "name": org.name}
                    for org, role in organizations.list_for_user(db, user)
                    if can(role, Action.PROJECT_CREATE)
                ]
                if self.create_orgs and self.create_org_id not in {
                    o["id"] for o in self.create_orgs
                }:
                    self.create_org_id = self.create_orgs[0]["id"]
        except DomainError as err:
            return self._fail(err)
        return None

    @rx.event
    def set_search(self, value: str):
        self.search, self.page = value, 1
        return self._refresh()

    @rx.event
    def toggle_archived(self, value: bool):
        self.show_archived, self.page = value, 1
        return self._refresh()

    @rx.event
    def go_to_page(self, page: int):
        self.page = page
        return self._refresh()

    @rx.event
    def set_create_open(self, value: bool):
        self.create_open = value
        self.field_errors = {}

    @rx.event
    def set_create_org_id(self, value: str):
        self.create_org_id = value

    @rx.event
    def create_project(self, form: dict):
        self._reset_messages()
        try:
            with session_scope() as db:
                user = self.current_user(db)
                project = projects.create(
                    db,
                    user,
                    int(self.create_org_id or 0),
                    form.get("name", ""),
                    form.get("description", ""),
                )
                project_id = project.id
        except DomainError as err:
            return self._fail(err)
        self.create_open = False
        return rx.redirect(f"/projects/{project_id}")

    @rx.event
    def open_rename(self, project_id: int, name: str):
        self.target_id, self.target_name, self.rename_open = project_id, name, True
        self.field_errors = {}

    @rx.event
    def set_rename_open(self, value: bool):
        self.rename_open = value

    @rx.event
    def rename(self, form: dict):
        self._reset_messages()
        try:
            with session_scope() as db:
                projects.rename(db, self.current_user(db), self.target_id, form.get("name", ""))
        except DomainError as err:
            return self._fail(err)
        self.rename_open = False
        self.notice = "Project renamed."
        return self._refresh()

    @rx.event
    def set_archived(self, project_id: int, archived: bool):
        self._reset_messages()
        try:
            with session_scope() as db:
                projects.set_archived(db, self.current_user(db), project_id, archived)
        except DomainError as err:
            return self._fail(err)
        self.notice = "Project archived." if archived else "Project restored."
        return self._refresh()

    @rx.event
    def open_delete(self, project_id: int, name: str):
        self.target_id, self.target_name, self.delete_open = project_id, name, True

    @rx.event
    def set_delete_open(self, value: bool):
        self.delete_open = value

    @rx.event
    def confirm_delete(self):
        self._reset_messages()
        try:
            with session_scope() as db:
                deleted, left = projects.delete(db, self.current_user(db), self.target_id)
        except DomainError as err:
            self.delete_open = False
            return self._fail(err)
        self.delete_open = False
        files = f"{deleted} report file{'s' if deleted != 1 else ''}"
        self.notice = f"Deleted “{self.target_name}” and its {files}." + (
            f" {left} file(s) could not be removed from storage; an administrator can remove "
            "them (see the audit log)."
            if left
            else ""
        )
        return self._refresh()

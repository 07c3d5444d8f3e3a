"""The queue page: every organisation's runs and the workers for instance administrators,
the organisations they administer for owners and admins, a refusal for anyone else."""

from __future__ import annotations

import asyncio

import reflex as rx

from marketnav.db import session_scope
from marketnav.services import progress
from marketnav.services.errors import DomainError
from marketnav.services.permissions import is_instance_admin
from marketnav.services.reports import queue_admin, runs
from marketnav.services.reports.tracker import subject_for_project
from marketnav.state.session import PageState


def _workers() -> tuple[list[dict], str]:
    from tasks.inspection import workers

    return workers()


class QueueState(PageState):
    runs: list[dict] = []
    workers: list[dict[str, str]] = []
    workers_note: str = ""
    allowed: bool = False
    # Every organisation's runs and the workers (instance administrators only).
    instance_wide: bool = False
    loading_workers: bool = False

    def _load_runs(self) -> None:
        with session_scope() as db:
            user = self.current_user(db)
            self.runs = queue_admin.active_runs(db, user)
            self.instance_wide = is_instance_admin(user)

    @rx.event
    def load(self):
        self._reset_messages()
        try:
            self._load_runs()
        except DomainError as err:
            self.allowed, self.instance_wide, self.runs, self.workers = False, False, [], []
            return self._fail(err)
        self.allowed = True
        if not self.instance_wide:
            self.workers, self.workers_note = [], ""
            return None
        return QueueState.load_workers

    @rx.event(background=True)
    async def load_workers(self):
        async with self:
            if not self.allowed or not self.instance_wide or self.loading_workers:
                return
            # Checked again here: the event can be sent on its own, without `load`.
            try:
                with session_scope() as db:
                    if not is_instance_admin(self.current_user(db)):
                        return
            except DomainError:
                return
            self.loading_workers = True
        rows, note = await asyncio.to_thread(_workers)
        async with self:
            self.workers, self.workers_note, self.loading_workers = rows, note, False

    @rx.event
    def refresh(self):
        return QueueState.load

    @rx.event
    def cancel(self, run_id: int):
        self._reset_messages()
        try:
            with session_scope() as db:
                run = runs.cancel(
                    db, self.current_user(db), run_id, client=self.router.session.client_ip or ""
                )
                status = run.status
            project_id = next((r["project_id"] for r in self.runs if r["run_id"] == run_id), 0)
            self._load_runs()
        except DomainError as err:
            return self._fail(err)
        if project_id:
            progress.publish(subject_for_project(project_id), {"type": "report_status"})
        self.notice = (
            "Run cancelled."
            if status == "cancelled"
            else "Cancel requested: the worker stops at its next check (within a second)."
        )
        return None

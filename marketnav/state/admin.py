"""Admin pages: the audit log of an organisation and the live system status."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import reflex as rx

from marketnav.db import session_scope
from marketnav.models.base import utcnow
from marketnav.services import ai, audit, organizations, system_status
from marketnav.services.errors import DomainError, PermissionDenied
from marketnav.services.permissions import INSTANCE, Action, authorize, can
from marketnav.settings import get_settings
from marketnav.state.session import PageState

AUDIT_PER_PAGE = 50
CHECK_WAIT_SECONDS = 30


class AuditState(PageState):
    orgs: list[dict[str, str]] = []
    selected_id: str = ""
    rows: list[dict[str, str]] = []
    page: int = 1
    pages: int = 1
    total: int = 0

    @rx.event
    def load(self):
        self._reset_messages()
        return self._refresh()

    def _refresh(self):
        try:
            with session_scope() as db:
                user = self.current_user(db)
                self.orgs = [
                    {"id": str(o.id), "name": o.name}
                    for o, role in organizations.list_for_user(db, user)
                    if can(role, Action.ORG_VIEW_AUDIT)
                ]
                if not self.orgs:
                    raise PermissionDenied(
                        "Only organisation owners and admins can see audit logs."
                    )
                if self.selected_id not in {o["id"] for o in self.orgs}:
                    self.selected_id = self.orgs[0]["id"]
                organizations.get(db, user, int(self.selected_id), Action.ORG_VIEW_AUDIT)
                rows, self.total = audit.list_for_organization(
                    db, int(self.selected_id), page=self.page, per_page=AUDIT_PER_PAGE
                )
                self.pages = max(1, -(-self.total // AUDIT_PER_PAGE))
                self.rows = [
                    {
                        "when": row.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                        "who": email or "—",
                        "action": row.action,
                        "target": f"{row.resource_type} {row.resource_id}".strip(),
                        "details": ", ".join(f"{k}={v}" for k, v in row.details.items()),
                    }
                    for row, email in rows
                ]
        except DomainError as err:
            self.rows = []
            return self._fail(err)
        return None

    @rx.event
    def select(self, organization_id: str):
        self.selected_id, self.page = organization_id, 1
        return self._refresh()

    @rx.event
    def go_to_page(self, page: int):
        self.page = page
        return self._refresh()


class StatusState(PageState):
    """`/status`: instance-wide component status, AI usage and "Check now" (instance admins)."""

    components: list[dict[str, str]] = []
    # AI calls of the last 30 days on the whole instance.
    ai_usage: list[dict[str, str]] = []
    ai_usage_total: str = ""
    checked_at: str = ""
    checking: bool = False
    allowed: bool = False
    flower_url: str = get_settings().flower_url

    def _authorize(self, db, action: Action = Action.INSTANCE_VIEW_SYSTEM) -> None:
        """Instance administrators only (`permissions.authorize` on INSTANCE), else denied."""
        authorize(db, self.current_user(db), action, INSTANCE)

    def _show_ai_usage(self) -> None:
        summary = ai.usage_summary(since=utcnow() - timedelta(days=30))
        self.ai_usage = [
            {
                "provider": row.provider,
                "model": row.model or "—",
                "calls": str(row.calls),
                "failed": str(row.failed_calls),
                "cached": str(row.cached_calls),
                "latency": f"{row.avg_latency_ms:.0f} ms",
                "tokens": f"{row.prompt_tokens} / {row.completion_tokens}",
                "cost": f"${row.cost_usd:.4f}" + (" +" if row.cost_incomplete else ""),
            }
            for row in summary.by_provider
        ]
        self.ai_usage_total = (
            f"{summary.total_calls} calls, {summary.failed_calls} failed, "
            f"{summary.cached_calls} from cache, ${summary.cost_usd:.4f}"
        )

    def _show_latest(self) -> int:
        row = system_status.latest()
        if row is None:
            return 0
        self.checked_at = row.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        self.components = [
            {
                "name": c["name"],
                "kind": c["kind"],
                "ok": "up" if c["ok"] else "down",
                "latency": f"{c['latency_ms']:.0f} ms",
                "detail": c["detail"],
            }
            for c in row.components
        ]
        return row.id

    @rx.event
    def load(self):
        self._reset_messages()
        try:
            with session_scope() as db:
                self._authorize(db)
            self.allowed = True
        except DomainError as err:
            self.allowed = False
            self.components, self.ai_usage, self.ai_usage_total, self.checked_at = [], [], "", ""
            return self._fail(err)
        self._show_latest()
        self._show_ai_usage()
        return None

    @rx.event(background=True)
    async def run_check(self):
        """Queue a live check on the worker and show its result when it lands.

        One pending check for the whole instance (`system_status.request_check`).
        """
        async with self:
            self._reset_messages()
            if self.checking:
                return
            try:
                with session_scope() as db:
                    system_status.request_check(db, self.current_user(db), self._client())
            except DomainError as err:
                self.error = str(err)
                return
            self.checking = True
            previous = system_status.latest()
            previous_id = previous.id if previous else 0
        from tasks.celery_app import app as celery_app

        celery_app.send_task("tasks.maintenance.system_check", queue="default")
        for _ in range(CHECK_WAIT_SECONDS * 4):
            await asyncio.sleep(0.25)
            latest = await asyncio.to_thread(system_status.latest)
            if latest is not None and latest.id != previous_id:
                async with self:
                    self._show_latest()
                    self.checking = False
                    self.notice = "System check finished."
                return
        async with self:
            self.checking = False
            self.error = "No worker answered within 30 s: is the Celery worker running?"


class AccountState(PageState):
    @rx.event
    def reset_page(self):
        self._reset_messages()

    @rx.event
    def change_password(self, form: dict):
        from marketnav.services import accounts

        self._reset_messages()
        if form.get("new", "") != form.get("confirm", ""):
            self.field_errors = {"confirm": "The new passwords do not match."}
            self.error = "Please correct the highlighted fields."
            return None
        try:
            with session_scope() as db:
                accounts.change_password(
                    db,
                    self.current_user(db),
                    form.get("current", ""),
                    form.get("new", ""),
                    self.token,
                )
        except DomainError as err:
            return self._fail(err)
        self.notice = "Password changed. Your other sessions were signed out."
        return None

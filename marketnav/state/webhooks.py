"""`/webhooks`: an organisation's webhooks, their secrets and delivery logs (owners and admins).

Thin: every action goes through `services.watching.webhooks`, which checks
`org.manage_webhooks` on the organisation (`organizations.get` -> `permissions.authorize`).
"""

from __future__ import annotations

import reflex as rx

from marketnav.db import session_scope
from marketnav.services.errors import DomainError
from marketnav.services.watching import webhooks
from marketnav.state.session import PageState

NO_ACCESS = "Only organisation owners and admins manage webhooks."


class WebhooksState(PageState):
    hook_orgs: list[dict[str, str]] = []
    hook_org_id: str = ""
    hooks: list[dict] = []
    hook_url: str = ""
    hook_label: str = ""
    # Webhooks whose secret is shown (hidden by default, even to admins, until asked).
    revealed: list[int] = []
    hooks_allowed: bool = False

    def _read(self) -> None:
        with session_scope() as db:
            self.hooks = webhooks.listing(db, self.current_user(db), int(self.hook_org_id))

    @rx.event
    def load(self):
        self._reset_messages()
        self.revealed = []
        try:
            with session_scope() as db:
                user = self.current_user(db)
                self.hook_orgs = [
                    {"id": str(o.id), "name": o.name}
                    for o in webhooks.manageable_organizations(db, user)
                ]
            self.hooks_allowed = bool(self.hook_orgs)
            if not self.hooks_allowed:
                self.error, self.hooks = NO_ACCESS, []
                return None
            if self.hook_org_id not in {o["id"] for o in self.hook_orgs}:
                self.hook_org_id = self.hook_orgs[0]["id"]
            self._read()
        except DomainError as err:
            return self._fail(err)
        return None

    def _act(self, change, notice: str):
        self._reset_messages()
        try:
            with session_scope() as db:
                change(db, self.current_user(db))
            self._read()
        except DomainError as err:
            return self._fail(err)  # the form keeps what was typed
        self.notice = notice
        return None

    @rx.event
    def select_org(self, organization_id: str):
        self.hook_org_id, self.revealed = str(organization_id), []
        return self._act(lambda db, user: None, "")

    @rx.event
    def set_hook_url(self, value: str):
        self.hook_url = value

    @rx.event
    def set_hook_label(self, value: str):
        self.hook_label = value

    @rx.event
    def add(self):
        url, label, org_id = self.hook_url, self.hook_label, int(self.hook_org_id)
        result = self._act(
            lambda db, user: webhooks.create(db, user, org_id, url, label),
            "Webhook added. Check signatures with its secret (Show secret).",
        )
        if not self.error:
            self.hook_url, self.hook_label = "", ""
        return result

    @rx.event
    def remove(self, webhook_id: int):
        return self._act(lambda db, user: webhooks.delete(db, user, int(webhook_id)), "Deleted.")

    @rx.event
    def set_active(self, webhook_id: int, active: bool):
        return self._act(
            lambda db, user: webhooks.set_active(db, user, int(webhook_id), bool(active)),
            "Switched on." if active else "Switched off: nothing is posted to it.",
        )

    @rx.event
    def send_test(self, webhook_id: int):
        return self._act(
            lambda db, user: webhooks.send_test(db, user, int(webhook_id)),
            "Test post queued: it is sent within a minute and appears in the log below.",
        )

    @rx.event
    def toggle_secret(self, webhook_id: int):
        webhook_id = int(webhook_id)
        shown = [i for i in self.revealed if i != webhook_id]
        self.revealed = shown if webhook_id in self.revealed else [*shown, webhook_id]

    @rx.event
    def refresh(self):
        return self._act(lambda db, user: None, "")

"""The viewer's Share dialog: create a link (latest or pinned, expiry, password), list, revoke."""

from __future__ import annotations

import reflex as rx

from marketnav.db import session_scope
from marketnav.services import share_links
from marketnav.services.errors import DomainError, ValidationFailed
from marketnav.state.session import PageState

EXPIRY_CHOICES = {"never": None, "1": 1, "7": 7, "30": 30, "90": 90}


class ShareLinksState(PageState):
    share_open: bool = False
    share_project_id: int = 0
    share_type: str = ""
    links: list[dict] = []
    created_url: str = ""
    share_error: str = ""
    share_field_errors: dict[str, str] = {}
    pin: str = "latest"
    expiry: str = "never"

    def _reload(self) -> None:
        with session_scope() as db:
            self.links = share_links.list_for_report(
                db, self.current_user(db), self.share_project_id, self.share_type
            )

    @rx.event
    def open_dialog(self, project_id: int, report_type: str):
        self.share_project_id, self.share_type = project_id, report_type
        self.created_url, self.share_error, self.share_field_errors = "", "", {}
        try:
            self._reload()
        except DomainError as err:
            self.share_error = str(err)
        self.share_open = True

    @rx.event
    def reset_dialog(self):
        """On every load of the page: the dialog starts closed (the state outlives a reload,
        and the dialog used to reopen by itself), with no link shown from before."""
        self.share_open, self.created_url, self.share_error = False, "", ""

    @rx.event
    def set_share_open(self, value: bool):
        self.share_open = value

    @rx.event
    def set_pin(self, value: str):
        self.pin = value

    @rx.event
    def set_expiry(self, value: str):
        self.expiry = value if value in EXPIRY_CHOICES else "never"

    @rx.event
    def create(self, form: dict):
        self.created_url, self.share_error, self.share_field_errors = "", "", {}
        try:
            with session_scope() as db:
                created = share_links.create(
                    db,
                    self.current_user(db),
                    self.share_project_id,
                    self.share_type,
                    pinned_version=int(self.pin) if self.pin.isdigit() else None,
                    expires_in_days=EXPIRY_CHOICES.get(self.expiry),
                    password=form.get("password", ""),
                    label=form.get("label", ""),
                    client=self.router.session.client_ip or "",
                )
                self.created_url = created.url
            self._reload()
        except ValidationFailed as err:
            self.share_error, self.share_field_errors = str(err), err.field_errors
        except DomainError as err:
            self.share_error = str(err)

    @rx.event
    def copy_link(self):
        return [rx.set_clipboard(self.created_url), rx.toast("Link copied.")]

    @rx.event
    def revoke(self, link_id: int):
        self.share_error = ""
        try:
            with session_scope() as db:
                share_links.revoke(
                    db, self.current_user(db), link_id, client=self.router.session.client_ip or ""
                )
            self._reload()
        except DomainError as err:
            self.share_error = str(err)

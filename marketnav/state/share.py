"""The public `/share/[token]` page: a shared report, read-only, behind its password if any.

Nobody signs in here. A checked password unlocks the link for this browser session only (a
backend-only var that never reaches the page); downloads go through the same checks.
"""

from __future__ import annotations

import reflex as rx

from marketnav.db import session_scope
from marketnav.services import share_links
from marketnav.services.errors import DomainError, RateLimited, ValidationFailed
from marketnav.state.report_content import ReportContentState


def route_token(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    return parts[1] if len(parts) == 2 and parts[0] == "share" else ""


class ShareState(ReportContentState):
    # loading | password | unavailable | ready
    share_status: str = "loading"
    password_error: str = ""
    unlocking: bool = False
    # The link unlocked by a correct password in this session (its hash; backend only).
    _unlocked_hash: str = ""

    def _token(self) -> str:
        return route_token(self.router.url.path)

    def _unlocked(self, token: str) -> bool:
        return bool(self._unlocked_hash) and self._unlocked_hash == share_links.hash_token(token)

    def _show(self, token: str, count_view: bool) -> None:
        with session_scope() as db:
            page = share_links.shared_page(
                db, token, unlocked=self._unlocked(token), count_view=count_view
            )
        self._show_content(page)
        self.share_status = "ready"

    @rx.event
    def load(self):
        self.password_error, self.mobile_panel = "", ""
        token = self._token()
        try:
            self._show(token, count_view=True)
        except share_links.PasswordRequired:
            self.share_status = "password"
        except DomainError:
            self.share_status = "unavailable"

    @rx.event
    def unlock(self, form: dict):
        token = self._token()
        self.password_error, self.unlocking = "", True
        try:
            with session_scope() as db:
                share_links.unlock(
                    db, token, form.get("password", ""), self.router.session.client_ip or ""
                )
            self._unlocked_hash = share_links.hash_token(token)
            self._show(token, count_view=True)
        except (ValidationFailed, RateLimited) as err:
            self.password_error = str(err)
        except DomainError:
            self.share_status = "unavailable"
        self.unlocking = False

    @rx.event
    def download(self, fmt: str):
        token = self._token()
        try:
            with session_scope() as db:
                name, data, content_type = share_links.download(
                    db, token, fmt, unlocked=self._unlocked(token)
                )
        except share_links.PasswordRequired:
            self.share_status = "password"
            return None
        except DomainError:
            self.share_status = "unavailable"
            return None
        return rx.download(data=data, filename=name, mime_type=content_type.split(";")[0])

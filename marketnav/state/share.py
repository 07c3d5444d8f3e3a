"""The public `/share/[token]` page: a shared report, read-only, behind its password if any.

Nobody signs in here. A checked password unlocks the link in this browser: the unlock event
hands a one-time code to `/_share/unlock`, which sets the link's HttpOnly grant cookie and
comes back (`share_unlocks`); the page reads the cookie's digest from its websocket request,
so the unlock survives reloads, other tabs and a fresh Reflex client token. Downloads go
through the same checks.
"""

from __future__ import annotations

import reflex as rx
from reflex_base.config import get_config

from marketnav.db import session_scope
from marketnav.services import share_links
from marketnav.services.errors import DomainError, RateLimited, ValidationFailed
from marketnav.state.report_content import ReportContentState
from marketnav.web import cookies


def route_token(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    return parts[1] if len(parts) == 2 and parts[0] == "share" else ""


class ShareState(ReportContentState):
    # loading | password | unavailable | ready
    share_status: str = "loading"
    password_error: str = ""
    unlocking: bool = False

    def _token(self) -> str:
        return route_token(self.router.url.path)

    def _grant(self, token: str) -> str:
        """The digest of this link's grant cookie on the page's connection ("" without one)."""
        name = cookies.unlock_cookie_name(share_links.hash_token(token))
        return cookies.read(self.router.headers.cookie, name)

    def _show(self, token: str, count_view: bool) -> None:
        with session_scope() as db:
            page = share_links.shared_page(
                db, token, grant=self._grant(token), count_view=count_view
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
                code = share_links.unlock(
                    db, token, form.get("password", ""), self.router.session.client_ip or ""
                )
        except (ValidationFailed, RateLimited) as err:
            self.password_error, self.unlocking = str(err), False
            return None
        except DomainError:
            self.share_status, self.unlocking = "unavailable", False
            return None
        if not code:  # the link has no password (any more): just show it
            self.unlocking = False
            return ShareState.load
        # "Unlocking…" stays until the page comes back from `/_share/unlock` with the cookie.
        return rx.call_script(
            cookies.share_unlock_script(code, f"/share/{token}", get_config().api_url)
        )

    @rx.event
    def download(self, fmt: str):
        token = self._token()
        try:
            with session_scope() as db:
                name, data, content_type = share_links.download(
                    db, token, fmt, grant=self._grant(token)
                )
        except share_links.PasswordRequired:
            self.share_status = "password"
            return None
        except DomainError:
            self.share_status = "unavailable"
            return None
        return rx.download(data=data, filename=name, mime_type=content_type.split(";")[0])

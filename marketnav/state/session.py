"""Who is asking: the session cookie, the signed-in user, login, registration and logout.

`SessionState.current_user(db)` is the one helper every page event uses to learn the user;
services then authorise the action on the object with `permissions.authorize`.

The session token is an HttpOnly cookie (`marketnav.web.cookies`): page scripts cannot read or
set it, and it is not part of the synced state. `token` reads it from the `Cookie` header of
the tab's websocket connection; login and logout go through `/_auth/*` (a full page load, so
the next connection carries the new cookie).
"""

from __future__ import annotations

import reflex as rx
from reflex_base.config import get_config
from sqlmodel import Session

from marketnav.db import session_scope
from marketnav.models import User
from marketnav.services import accounts, organizations, redirects
from marketnav.services.errors import DomainError, NotAuthenticated, ValidationFailed
from marketnav.services.permissions import Action, can, is_instance_admin
from marketnav.services.sessions import SessionStoreUnavailable
from marketnav.web import cookies

PROTECTED_HOME = "/dashboard"
# The form-level summary of field errors (as `accounts` raises it).
FIELDS_MESSAGE = "Please correct the highlighted fields."


class SessionState(rx.State):
    """Root of the app's states: the signed-in user's display data (the token stays server-side)."""

    user_id: int = 0
    user_name: str = ""
    user_email: str = ""
    # What the navigation offers: System status for instance administrators, Queues for
    # anyone who administers an organisation (the pages check again).
    instance_admin: bool = False
    administers_an_org: bool = False
    auth_error: str = ""
    auth_notice: str = ""
    auth_field_errors: dict[str, str] = {}
    auth_busy: bool = False

    @rx.var
    def user_initials(self) -> str:
        parts = self.user_name.split()
        return "".join(p[0] for p in parts[:2]).upper() or "?"

    @property
    def token(self) -> str:
        """The session token from the HttpOnly cookie this tab's connection was opened with."""
        return cookies.session_token(self.router.headers.cookie)

    def _client(self) -> str:
        return self.router.session.client_ip or ""

    def current_user(self, db: Session) -> User:
        """The signed-in user, or NotAuthenticated."""
        user = accounts.user_for_token(db, self.token)
        if user is None:
            raise NotAuthenticated("Please log in to continue.")
        self.user_id, self.user_name, self.user_email = user.id, user.name, user.email
        self.instance_admin = is_instance_admin(user)
        return user

    def _clear_user(self):
        self.user_id, self.user_name, self.user_email = 0, "", ""
        self.instance_admin = self.administers_an_org = False

    def _to_backend(self, route: str, next_path: str = "", cookie: str = ""):
        return rx.call_script(
            cookies.backend_navigation(route, get_config().api_url, next_path, cookie)
        )

    @rx.event
    def require_login(self):
        """on_load of every protected page: send strangers to the login page.

        When the session store cannot answer (Redis restarting) nobody is sent away: the page
        stays and says so, and the next load checks again."""
        try:
            return self._require_login()
        except SessionStoreUnavailable as err:
            return rx.toast.error(str(err), id="session-store")

    def _require_login(self):
        with session_scope() as db:
            if accounts.user_for_token(db, self.token) is None:
                self._clear_user()
                return rx.redirect(f"/login?next={self.router.url.path}")
            user = self.current_user(db)
            # Invited while signed in: join now rather than at the next sign-in.
            organizations.accept_invitations(db, user)
            self.administers_an_org = any(
                can(role, Action.ORG_VIEW_SYSTEM)
                for _org, role in organizations.list_for_user(db, user)
            )
        return None

    @rx.event
    def redirect_if_logged_in(self):
        try:
            with session_scope() as db:
                if self.token and accounts.user_for_token(db, self.token) is not None:
                    return rx.redirect(PROTECTED_HOME)
        except SessionStoreUnavailable as err:
            return rx.toast.error(str(err), id="session-store")
        return None

    def _next_path(self) -> str:
        target = self.router.url.query_parameters.get("next", "")
        return redirects.safe_next_path(target, PROTECTED_HOME)

    @rx.event
    def login(self, form: dict):
        """Check the password here, then hand over to `/_auth/session` for the cookie."""
        self.auth_error, self.auth_notice, self.auth_field_errors = "", "", {}
        try:
            with session_scope() as db:
                result = accounts.login_handoff(
                    db, form.get("email", ""), form.get("password", ""), self._client()
                )
        except DomainError as err:
            self.auth_error = str(err)
            return None
        return rx.call_script(
            cookies.handoff_script(result.token, self._next_path(), get_config().api_url)
        )

    @rx.event
    def register(self, form: dict):
        """Create the account; the same answer whether or not the e-mail had one."""
        self.auth_error, self.auth_notice, self.auth_field_errors = "", "", {}
        if form.get("password", "") != form.get("password_confirm", ""):
            self.auth_field_errors = {"password_confirm": "The passwords do not match."}
            self.auth_error = FIELDS_MESSAGE
            return None
        try:
            with session_scope() as db:
                accounts.register(
                    db,
                    form.get("name", ""),
                    form.get("email", ""),
                    form.get("password", ""),
                    self._client(),
                )
        except ValidationFailed as err:
            self.auth_error, self.auth_field_errors = str(err), err.field_errors
            return None
        except DomainError as err:
            self.auth_error = str(err)
            return None
        self.auth_notice = accounts.REGISTERED_MESSAGE
        return rx.redirect("/login")

    @rx.event
    def clear_auth_field_error(self, name: str):
        """The user changed a field: its message goes (and the form's summary with the last)."""
        if name not in self.auth_field_errors:
            return
        self.auth_field_errors = {k: v for k, v in self.auth_field_errors.items() if k != name}
        if not self.auth_field_errors and self.auth_error == FIELDS_MESSAGE:
            self.auth_error = ""

    @rx.event
    def logout(self):
        """Revoke the session here; `/_auth/logout` then clears the cookie."""
        with session_scope() as db:
            accounts.logout(db, self.token)
        self._clear_user()
        return self._to_backend(cookies.LOGOUT_ROUTE)


class PageState(SessionState):
    """Base of page states: runs a service call as the current user and reports errors."""

    error: str = ""
    notice: str = ""
    field_errors: dict[str, str] = {}

    def _fail(self, err: DomainError):
        """Turn a domain error into a message (or a trip to the login page)."""
        if isinstance(err, NotAuthenticated):
            return rx.redirect(f"/login?next={self.router.url.path}")
        self.error = str(err)
        self.field_errors = err.field_errors if isinstance(err, ValidationFailed) else {}
        return None

    def _reset_messages(self):
        self.error, self.notice, self.field_errors = "", "", {}

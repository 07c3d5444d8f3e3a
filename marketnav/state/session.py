"""Who is asking: the session cookie, the signed-in user, login, registration and logout.

`SessionState.current_user(db)` is the one helper every page event uses to learn the user;
services then authorise the action on the object with `permissions.authorize`.
"""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from marketnav.db import session_scope
from marketnav.models import User
from marketnav.services import accounts, redirects
from marketnav.services.errors import DomainError, NotAuthenticated, ValidationFailed
from marketnav.settings import get_settings

PROTECTED_HOME = "/dashboard"


class SessionState(rx.State):
    """Root of the app's states: the token and the user's display data."""

    token: str = rx.Cookie(
        "",
        name="mn_session",
        same_site="strict",
        max_age=get_settings().session_ttl_hours * 3600,
    )
    user_id: int = 0
    user_name: str = ""
    user_email: str = ""
    auth_error: str = ""
    auth_field_errors: dict[str, str] = {}
    auth_busy: bool = False

    @rx.var
    def user_initials(self) -> str:
        parts = self.user_name.split()
        return "".join(p[0] for p in parts[:2]).upper() or "?"

    def _client(self) -> str:
        return self.router.session.client_ip or ""

    def current_user(self, db: Session) -> User:
        """The signed-in user, or NotAuthenticated."""
        user = accounts.user_for_token(db, self.token)
        if user is None:
            raise NotAuthenticated("Please log in to continue.")
        self.user_id, self.user_name, self.user_email = user.id, user.name, user.email
        return user

    def _clear_user(self):
        self.token = ""
        self.user_id, self.user_name, self.user_email = 0, "", ""

    @rx.event
    def require_login(self):
        """on_load of every protected page: send strangers to the login page."""
        with session_scope() as db:
            if accounts.user_for_token(db, self.token) is None:
                self._clear_user()
                return rx.redirect(f"/login?next={self.router.url.path}")
            self.current_user(db)
        return None

    @rx.event
    def redirect_if_logged_in(self):
        with session_scope() as db:
            if self.token and accounts.user_for_token(db, self.token) is not None:
                return rx.redirect(PROTECTED_HOME)
        return None

    def _next_path(self) -> str:
        target = self.router.url.query_parameters.get("next", "")
        return redirects.safe_next_path(target, PROTECTED_HOME)

    @rx.event
    def login(self, form: dict):
        self.auth_error, self.auth_field_errors = "", {}
        try:
            with session_scope() as db:
                result = accounts.login(
                    db, form.get("email", ""), form.get("password", ""), self._client()
                )
                self.token = result.token
                self.current_user(db)
        except DomainError as err:
            self.auth_error = str(err)
            return None
        return rx.redirect(self._next_path())

    @rx.event
    def register(self, form: dict):
        self.auth_error, self.auth_field_errors = "", {}
        if form.get("password", "") != form.get("password_confirm", ""):
            self.auth_field_errors = {"password_confirm": "The passwords do not match."}
            self.auth_error = "Please correct the highlighted fields."
            return None
        try:
            with session_scope() as db:
                result = accounts.register(
                    db,
                    form.get("name", ""),
                    form.get("email", ""),
                    form.get("password", ""),
                    self._client(),
                )
                self.token = result.token
                self.current_user(db)
        except ValidationFailed as err:
            self.auth_error, self.auth_field_errors = str(err), err.field_errors
            return None
        except DomainError as err:
            self.auth_error = str(err)
            return None
        return rx.redirect(PROTECTED_HOME)

    @rx.event
    def logout(self):
        with session_scope() as db:
            accounts.logout(db, self.token)
        self._clear_user()
        return rx.redirect("/login")


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

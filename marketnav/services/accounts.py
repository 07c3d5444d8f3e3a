"""Registration, login with rate limiting, logout and password change."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from marketnav.models import LoginAttempt, User
from marketnav.models.base import utcnow
from marketnav.services import audit, organizations, passwords, sessions
from marketnav.services.errors import RateLimited, ValidationFailed
from marketnav.settings import get_settings

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LOGIN_FAILED_MESSAGE = "Wrong e-mail or password."
# A client (IP) may try several accounts; it gets a wider budget than one account.
CLIENT_BUDGET_FACTOR = 4


@dataclass(frozen=True)
class LoginResult:
    user: User
    token: str


def normalise_email(email: str) -> str:
    return email.strip().lower()


def register(
    session: Session, name: str, email: str, password: str, client: str = ""
) -> LoginResult:
    """Create a user, their personal organisation and a session."""
    name, email = name.strip(), normalise_email(email)
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter your name."
    elif len(name) > 255:
        errors["name"] = "Use at most 255 characters."
    if not EMAIL_RE.match(email) or len(email) > 255:
        errors["email"] = "Enter a valid e-mail address."
    problem = passwords.policy_problem(password)
    if problem:
        errors["password"] = problem
    if not errors and find_by_email(session, email) is not None:
        errors["email"] = "An account with this e-mail already exists. Log in instead."
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    user = User(name=name, email=email, password_hash=passwords.hash_password(password))
    user.last_login_at = utcnow()
    session.add(user)
    session.flush()
    organizations.create(session, user, f"{name}'s workspace", personal=True)
    audit.record(session, "user.register", user_id=user.id, client=client)
    token = sessions.create(session, user.id, client)
    return LoginResult(user, token)


def find_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def _recent_failures(session: Session, **where: str) -> int:
    window = timedelta(seconds=get_settings().login_window_seconds)
    query = select(func.count()).where(
        col(LoginAttempt.succeeded).is_(False), col(LoginAttempt.created_at) >= utcnow() - window
    )
    for field, value in where.items():
        query = query.where(getattr(LoginAttempt, field) == value)
    return session.exec(query.select_from(LoginAttempt)).one()


def login(session: Session, email: str, password: str, client: str = "") -> LoginResult:
    """Check credentials (same message for unknown e-mail and wrong password), rate-limited.

    A failure is recorded (attempt row and `auth.login_failed` audit row) in a transaction of
    its own before `ValidationFailed` is raised, so it counts whatever the caller does next.
    """
    email = normalise_email(email)
    limit = get_settings().login_max_attempts
    if _recent_failures(session, email=email) >= limit or (
        client and _recent_failures(session, client=client) >= limit * CLIENT_BUDGET_FACTOR
    ):
        raise RateLimited("Too many failed attempts. Wait a few minutes and try again.")
    user = find_by_email(session, email)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    ok = ok and user is not None and user.is_active
    if not ok:
        # Committed on its own: the error below rolls the caller's transaction back, and the
        # limits above count these rows.
        audit.record_failure(
            "auth.login_failed",
            rows=[LoginAttempt(email=email, client=client[:255], succeeded=False)],
            user_id=user.id if user else None,
            client=client,
            email=email,
        )
        raise ValidationFailed(LOGIN_FAILED_MESSAGE)
    session.add(LoginAttempt(email=email, client=client[:255], succeeded=True))
    user.last_login_at = utcnow()
    audit.record(session, "auth.login", user_id=user.id, client=client)
    return LoginResult(user, sessions.create(session, user.id, client))


def logout(session: Session, token: str) -> None:
    user_id = sessions.user_id_for(session, token)
    sessions.revoke(session, token)
    if user_id is not None:
        audit.record(session, "auth.logout", user_id=user_id)


def user_for_token(session: Session, token: str) -> User | None:
    user_id = sessions.user_id_for(session, token)
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None


def change_password(session: Session, user: User, current: str, new: str, keep_token: str) -> None:
    """Replace the password after checking the current one; other sessions end."""
    if not passwords.verify_password(user.password_hash, current):
        raise ValidationFailed("Your current password is not correct.", {"current": "Not correct."})
    problem = passwords.policy_problem(new)
    if problem:
        raise ValidationFailed(problem, {"new": problem})
    user.password_hash = passwords.hash_password(new)
    session.add(user)
    sessions.revoke_all_except(session, user.id, keep_token)
    audit.record(session, "auth.password_changed", user_id=user.id)

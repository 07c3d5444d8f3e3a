"""Registration, login with rate limiting, logout and password change."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from marketnav.models import LoginAttempt, User
from marketnav.models.base import utcnow
from marketnav.services import audit, login_throttle, organizations, passwords, sessions
from marketnav.services.errors import RateLimited, ValidationFailed
from marketnav.settings import get_settings

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LOGIN_FAILED_MESSAGE = "Wrong e-mail or password."


@dataclass(frozen=True)
class LoginResult:
    user: User
    token: str


def normalise_email(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True)
class Registration:
    """What `register` did; the page shows the same answer either way."""

    user: User | None  # the new account, or None when the e-mail already had one


REGISTERED_MESSAGE = (
    "Thanks. If this e-mail is new, your account is ready: log in with it and the password "
    "you chose. If it already had an account, nothing was changed: log in with that "
    "account's password."
)


def register(
    session: Session, name: str, email: str, password: str, client: str = ""
) -> Registration:
    """Create a user and their personal organisation (`user` None when the e-mail is taken).

    The caller shows `REGISTERED_MESSAGE` either way and signs nobody in, so the answer does not
    tell whether an account exists (docs/security.md). A taken e-mail costs the same password
    hash and leaves a `user.register_existing` audit row for the account's owner to see.
    The first account of the instance is flagged as its administrator
    (`permissions.is_instance_admin`; INSTANCE_ADMIN_EMAILS, when set, decides instead).
    """
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
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    password_hash = passwords.hash_password(password)
    existing = find_by_email(session, email)
    if existing is not None:
        audit.record(session, "user.register_existing", user_id=existing.id, client=client)
        return Registration(None)
    first = session.exec(select(User.id).limit(1)).first() is None
    user = User(name=name, email=email, password_hash=password_hash, is_instance_admin=first)
    session.add(user)
    session.flush()
    organizations.create(session, user, f"{name}'s workspace", personal=True)
    organizations.accept_invitations(session, user)
    audit.record(session, "user.register", user_id=user.id, client=client, first=first)
    return Registration(user)


def find_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def _failure_times(session: Session, **where: str) -> list:
    window = timedelta(seconds=get_settings().login_window_seconds)
    query = select(LoginAttempt.created_at).where(
        col(LoginAttempt.succeeded).is_(False), col(LoginAttempt.created_at) >= utcnow() - window
    )
    for field, value in where.items():
        query = query.where(getattr(LoginAttempt, field) == value)
    return list(session.exec(query).all())


def login_wait_seconds(session: Session, email: str, client: str = "") -> float:
    """How long this e-mail from this client must wait before the next try (0 = now).

    Growing delays per account and client (see `login_throttle`), never a hard lock: wrong
    passwords typed by someone else slow the owner down by seconds at most.
    """
    settings = get_settings()
    scopes = login_throttle.scopes(settings.login_max_attempts, settings.login_window_seconds)
    now = utcnow()
    where = {
        "pair": {"email": email, "client": client[:255]},
        "client": {"client": client[:255]} if client else None,
        "account": {"email": email},
    }
    return max(
        login_throttle.wait_seconds(_failure_times(session, **filters), scopes[name], now)
        for name, filters in where.items()
        if filters is not None
    )


def authenticate(session: Session, email: str, password: str, client: str = "") -> User:
    """Check credentials (same message for unknown e-mail and wrong password), throttled.

    A failure is recorded (attempt row and `auth.login_failed` audit row) in a transaction of
    its own before `ValidationFailed` is raised, so it counts whatever the caller does next.
    A try during a wait is refused without being counted.
    """
    email = normalise_email(email)
    wait = login_wait_seconds(session, email, client)
    if wait > 0:
        raise RateLimited(f"Too many failed attempts. Try again in {math.ceil(wait)} seconds.")
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
    organizations.accept_invitations(session, user)
    return user


def login(session: Session, email: str, password: str, client: str = "") -> LoginResult:
    """`authenticate`, then a session token (for callers that hold the token themselves)."""
    user = authenticate(session, email, password, client)
    return LoginResult(user, sessions.create(session, user.id, client))


def login_handoff(session: Session, email: str, password: str, client: str = "") -> LoginResult:
    """`authenticate`, then a one-time code that `/_auth/session` turns into the cookie."""
    user = authenticate(session, email, password, client)
    return LoginResult(user, sessions.create_handoff(session, user.id, client))


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

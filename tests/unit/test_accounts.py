"""Registration, login, rate limiting, sessions and password change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from marketnav.db import session_scope
from marketnav.models import AuditLog, LoginAttempt, User
from marketnav.services import accounts, login_throttle, organizations, sessions
from marketnav.services.errors import RateLimited, ValidationFailed
from tests.factories import make_user


def test_register_creates_user_and_personal_org_and_login_gives_a_session(db):
    result = accounts.register(db, "  Ada Lovelace ", "Ada@Example.com", "correct horse")
    db.commit()
    assert result.user.email == "ada@example.com"
    assert result.user.password_hash.startswith("$argon2id$")
    assert "correct horse" not in result.user.password_hash
    orgs = organizations.list_for_user(db, result.user)
    assert [(o.name, o.is_personal, r.value) for o, r in orgs] == [
        ("Ada Lovelace's workspace", True, "owner")
    ]
    token = accounts.login(db, "ada@example.com", "correct horse").token
    assert accounts.user_for_token(db, token).id == result.user.id


@pytest.mark.parametrize(
    ("name", "email", "password", "field"),
    [
        ("", "a@b.co", "long enough", "name"),
        ("Ada", "not-an-email", "long enough", "email"),
        ("Ada", "a@b.co", "short", "password"),
        ("Ada", "a@b.co", "12345678", "password"),
    ],
)
def test_register_rejects_bad_input_with_field_messages(db, name, email, password, field):
    with pytest.raises(ValidationFailed) as err:
        accounts.register(db, name, email, password)
    assert field in err.value.field_errors
    assert db.exec(select(User)).all() == []


def test_register_with_a_taken_email_changes_nothing_and_says_so_only_in_the_audit(db):
    ada = make_user(db, "Ada Lovelace", "ada@example.com")
    result = accounts.register(db, "Other", "ADA@example.com", "another password")
    db.commit()
    assert result.user is None
    assert [u.name for u in db.exec(select(User)).all()] == ["Ada Lovelace"]
    assert accounts.login(db, "ada@example.com", "correct horse battery").user.id == ada.id
    db.commit()
    with pytest.raises(ValidationFailed):
        accounts.login(db, "ada@example.com", "another password")
    db.rollback()
    rows = db.exec(select(AuditLog).where(AuditLog.action == "user.register_existing")).all()
    assert [r.user_id for r in rows] == [ada.id]


def test_unknown_email_and_wrong_password_get_the_same_message(db):
    make_user(db, "Ada Lovelace", "ada@example.com")
    with pytest.raises(ValidationFailed) as unknown:
        accounts.login(db, "nobody@example.com", "whatever123")
    with pytest.raises(ValidationFailed) as wrong:
        accounts.login(db, "ada@example.com", "wrong password")
    assert str(unknown.value) == str(wrong.value) == accounts.LOGIN_FAILED_MESSAGE


def test_login_succeeds_and_records_audit(db):
    user = make_user(db, "Ada Lovelace", "ada@example.com")
    result = accounts.login(db, "ADA@example.com ", "correct horse battery", "10.0.0.1")
    db.commit()
    assert result.user.id == user.id
    actions = [a.action for a in db.exec(select(AuditLog)).all()]
    assert "auth.login" in actions


def _login(email: str, password: str, client: str = ""):
    """One request's worth of login: its own session scope, rolled back when login raises."""
    with session_scope() as session:
        return accounts.login(session, email, password, client)


def _failed_logins(db) -> list[AuditLog]:
    return db.exec(select(AuditLog).where(AuditLog.action == "auth.login_failed")).all()


def test_failed_login_is_recorded_although_the_request_rolls_back(db):
    user = make_user(db, "Ada Lovelace", "ada@example.com")
    with pytest.raises(ValidationFailed):
        _login("ada@example.com", "wrong password", "10.0.0.1")
    (attempt,) = db.exec(select(LoginAttempt)).all()
    assert (attempt.email, attempt.client) == ("ada@example.com", "10.0.0.1")
    assert not attempt.succeeded
    (failure,) = _failed_logins(db)
    assert failure.user_id == user.id and failure.details == {"email": "ada@example.com"}


def test_wrong_passwords_slow_that_client_down_but_never_lock_the_owner_out(db):
    make_user(db, "Ada Lovelace", "ada@example.com")
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            _login("ada@example.com", "wrong password", "10.0.0.1")
    # The guessing client must wait before its next try (not counted as a failure) ...
    with pytest.raises(RateLimited, match=r"Try again in \d+ seconds"):
        _login("ada@example.com", "correct horse battery", "10.0.0.1")
    assert len(_failed_logins(db)) == 5
    assert len(db.exec(select(LoginAttempt)).all()) == 5
    # ... while the owner on their own machine signs in at once.
    assert _login("ada@example.com", "correct horse battery", "10.0.0.2").token


def test_the_wait_doubles_with_each_failure_and_is_capped():
    scope = login_throttle.Scope("pair", free=5, cap_seconds=900)
    assert [login_throttle.delay_after(n, scope) for n in (4, 5, 6, 7, 20)] == [
        0.0,
        1.0,
        2.0,
        4.0,
        900,
    ]
    now = datetime(2026, 12, 2, 12, 0, 0, tzinfo=UTC)
    times = [now - timedelta(seconds=s) for s in (50, 40, 30, 20, 10, 1)]  # 6 failures
    assert login_throttle.wait_seconds(times, scope, now) == pytest.approx(1.0)
    assert login_throttle.wait_seconds(times[:-1], scope, now) == 0.0  # 1 s passed 10 s ago
    distributed = login_throttle.scopes(5, 900)["account"]
    assert login_throttle.delay_after(100, distributed) == 30.0


def test_login_is_rate_limited_per_client(db):
    for i in range(20):
        with pytest.raises(ValidationFailed):
            _login(f"user{i}@example.com", "wrong password", "10.9.9.9")
    with pytest.raises(RateLimited):
        _login("fresh@example.com", "wrong password", "10.9.9.9")
    assert len(db.exec(select(LoginAttempt)).all()) == 20
    assert len(_failed_logins(db)) == 20


def test_logout_ends_the_session(db):
    make_user(db, "Ada Lovelace", "ada@example.com")
    token = accounts.login(db, "ada@example.com", "correct horse battery").token
    db.commit()
    accounts.logout(db, token)
    db.commit()
    assert accounts.user_for_token(db, token) is None


def test_change_password_checks_current_and_ends_other_sessions(db):
    user = make_user(db, "Ada Lovelace", "ada@example.com")
    keep = accounts.login(db, "ada@example.com", "correct horse battery").token
    other = accounts.login(db, "ada@example.com", "correct horse battery").token
    db.commit()
    with pytest.raises(ValidationFailed):
        accounts.change_password(db, user, "wrong", "brand new pass", keep)
    accounts.change_password(db, user, "correct horse battery", "brand new pass", keep)
    db.commit()
    assert accounts.user_for_token(db, keep) is not None
    assert accounts.user_for_token(db, other) is None
    assert accounts.login(db, "ada@example.com", "brand new pass").user.id == user.id


def test_expired_session_is_refused(db, monkeypatch):
    from datetime import timedelta

    from marketnav.models import UserSession

    user = make_user(db)
    token = sessions.create(db, user.id)
    db.commit()
    row = db.exec(select(UserSession)).all()[-1]
    row.expires_at = row.expires_at - timedelta(days=365)
    db.add(row)
    db.commit()
    assert accounts.user_for_token(db, token) is None

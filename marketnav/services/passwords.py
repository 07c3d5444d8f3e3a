"""Password hashing with argon2id and the password policy."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from marketnav.settings import get_settings


@lru_cache
def _hasher(time_cost: int, memory_cost: int) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)
    # Verifying against a dummy hash keeps unknown-email logins as slow as wrong passwords.
    return hasher, hasher.hash("not-a-real-password")


def _current() -> tuple[PasswordHasher, str]:
    settings = get_settings()
    return _hasher(settings.argon2_time_cost, settings.argon2_memory_cost_kib)


MIN_LENGTH = 8
MAX_LENGTH = 256


def hash_password(password: str) -> str:
    return _current()[0].hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-work check; a missing hash still costs one verification."""
    hasher, dummy = _current()
    try:
        return hasher.verify(password_hash or dummy, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def policy_problem(password: str) -> str | None:
    """A message when the password is not acceptable, else None."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if password.isdigit():
        return "Use letters as well as digits."
    return None

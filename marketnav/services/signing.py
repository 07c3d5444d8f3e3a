"""Signed tokens for links that act without a login (an e-mail's unsubscribe link).

HMAC-SHA256 over a purpose and a value with `SECRET_KEY`; when that is empty, a random key is
made once in VAR_DIR/secret_key (readable by its owner only) and reused by every process that
shares VAR_DIR. A token says what it is for, so one made for one purpose never passes for
another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from functools import lru_cache

from marketnav.settings import get_settings

KEY_FILE = "secret_key"


@lru_cache(maxsize=1)
def _key() -> bytes:
    settings = get_settings()
    configured = settings.secret_key.get_secret_value()
    if configured:
        return configured.encode()
    path = settings.var_dir / KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as out:
        key = secrets.token_urlsafe(48).encode()
        out.write(key)
    return key


def _mac(purpose: str, value: str) -> str:
    digest = hmac.new(_key(), f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def sign(purpose: str, value: str) -> str:
    """`value.mac`: `value` must not contain a dot."""
    return f"{value}.{_mac(purpose, value)}"


def verify(purpose: str, token: str) -> str | None:
    """The signed value, or None when the token was not made by `sign(purpose, ...)`."""
    value, _, mac = (token or "").rpartition(".")
    if not value or not hmac.compare_digest(mac, _mac(purpose, value)):
        return None
    return value


def clear_cache() -> None:
    _key.cache_clear()

"""Server-side session tokens: the browser holds an opaque token, the server its digest.

Stored in Redis (with a TTL) when Redis is configured, otherwise in the `user_sessions` table.
Redis keys carry the deployment prefix: `<prefix>session:<digest>` -> user id, and
`<prefix>user-sessions:<user id>` -> the user's digests (a set whose TTL is pushed out to the
newest session's expiry, so it never outlives them). When Redis cannot be reached a lookup
raises `SessionStoreUnavailable`, a DomainError with a message pages show as it is.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import delete
from sqlmodel import Session, col

from marketnav.models import UserSession
from marketnav.models.base import utcnow
from marketnav.services.errors import ServiceUnavailable
from marketnav.services.redis_client import UNAVAILABLE, RateLimitedLog, get_redis, key
from marketnav.settings import get_settings

logger = logging.getLogger(__name__)
_failures = RateLimitedLog(logger)
T = TypeVar("T")

UNAVAILABLE_MESSAGE = (
    "Sign-in is unavailable for a moment: the session store cannot be reached. "
    "Try again in a few seconds."
)


class SessionStoreUnavailable(ServiceUnavailable):
    def __init__(self, message: str = UNAVAILABLE_MESSAGE):
        super().__init__(message)


# Requests carry the token's digest in this form, never the token (web/session_digest.py);
# a raw token (urlsafe base64) never contains a dot.
DIGEST_TAG = "h."


def tagged_digest(token: str) -> str:
    """The form in which a request presents its session: `h.<sha256 hex of the token>`."""
    return DIGEST_TAG + hashlib.sha256(token.encode()).hexdigest()


def _digest(token: str) -> str:
    """The stored digest of a raw token, or of the tagged digest a request carries."""
    if token.startswith(DIGEST_TAG) and len(token) == len(DIGEST_TAG) + 64:
        return token[len(DIGEST_TAG) :]
    return hashlib.sha256(token.encode()).hexdigest()


def _session_key(digest: str) -> str:
    return key("session", digest)


def _user_key(user_id: int | str) -> str:
    return key("user-sessions", user_id)


def _on_redis(call: Callable[[], T]) -> T:
    try:
        return call()
    except UNAVAILABLE as err:
        _failures.warning("session store unavailable: %s", err)
        raise SessionStoreUnavailable() from err


def create(session: Session, user_id: int, client: str = "") -> str:
    """Issue a new token for the user and return it (only the digest is stored)."""
    token = secrets.token_urlsafe(32)
    ttl = timedelta(hours=get_settings().session_ttl_hours)
    redis = get_redis()
    if redis is not None:
        seconds = int(ttl.total_seconds())
        digest = _digest(token)

        def store() -> None:
            with redis.pipeline() as pipe:
                pipe.set(_session_key(digest), str(user_id), ex=seconds)
                pipe.sadd(_user_key(user_id), digest)
                pipe.expire(_user_key(user_id), seconds, gt=True)
                pipe.expire(_user_key(user_id), seconds, nx=True)
                pipe.execute()

        _on_redis(store)
    else:
        session.add(
            UserSession(
                token_hash=_digest(token),
                user_id=user_id,
                expires_at=utcnow() + ttl,
                client=client[:255],
            )
        )
    return token


def user_id_for(session: Session, token: str) -> int | None:
    """The user id behind a live token, or None (SessionStoreUnavailable when Redis is down)."""
    if not token:
        return None
    redis = get_redis()
    if redis is not None:
        value = _on_redis(lambda: redis.get(_session_key(_digest(token))))
        return int(value) if value else None
    row = session.get(UserSession, _digest(token))
    if row is None or row.expires_at <= utcnow():
        return None
    return row.user_id


def revoke(session: Session, token: str) -> None:
    if not token:
        return
    redis = get_redis()
    if redis is not None:
        digest = _digest(token)

        def drop() -> None:
            user_id = redis.get(_session_key(digest))
            redis.delete(_session_key(digest))
            if user_id:
                redis.srem(_user_key(user_id), digest)

        _on_redis(drop)
        return
    row = session.get(UserSession, _digest(token))
    if row is not None:
        session.delete(row)


def revoke_all_except(session: Session, user_id: int, keep_token: str) -> None:
    """End every other session of the user (after a password change)."""
    keep = _digest(keep_token)
    redis = get_redis()
    if redis is not None:

        def drop_others() -> None:
            for digest in redis.smembers(_user_key(user_id)):
                if digest != keep:
                    redis.delete(_session_key(digest))
                    redis.srem(_user_key(user_id), digest)

        _on_redis(drop_others)
        return
    session.exec(
        delete(UserSession).where(
            col(UserSession.user_id) == user_id, col(UserSession.token_hash) != keep
        )
    )


def prune_expired(session: Session) -> int:
    result = session.exec(delete(UserSession).where(col(UserSession.expires_at) <= utcnow()))
    return result.rowcount or 0


# -- one-time login hand-over codes ------------------------------------------------------------
# A login happens over the websocket, but only an HTTP response can set an HttpOnly cookie. The
# login handler issues a code (its digest kept for HANDOFF_SECONDS, in the database even when
# sessions live in Redis); `/_auth/session` redeems it once for a session token and the cookie.
# The digest is of "handoff:" + code, so a code is never accepted as a session token itself.
HANDOFF_SECONDS = 60


def _handoff_digest(code: str) -> str:
    return _digest("handoff:" + code)


def create_handoff(session: Session, user_id: int, client: str = "") -> str:
    code = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=_handoff_digest(code),
            user_id=user_id,
            expires_at=utcnow() + timedelta(seconds=HANDOFF_SECONDS),
            client=("handoff " + client)[:255],
        )
    )
    return code


def redeem_handoff(session: Session, code: str) -> int | None:
    """The user id of a live code, which is used up; None when unknown, expired or used."""
    if not code:
        return None
    digest = _handoff_digest(code)
    row = session.get(UserSession, digest)
    if row is None:
        return None
    user_id, live = row.user_id, row.expires_at > utcnow()
    # Whoever deletes the row redeems it: a second, concurrent redemption deletes nothing.
    deleted = session.exec(delete(UserSession).where(col(UserSession.token_hash) == digest))
    if not live or (deleted.rowcount or 0) != 1:
        return None
    return user_id

"""Server-side session tokens: the browser holds an opaque token, the server its digest.

Stored in Redis (with a TTL) when Redis is configured, otherwise in the `user_sessions` table.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col

from marketnav.models import UserSession
from marketnav.models.base import utcnow
from marketnav.services.redis_client import get_redis
from marketnav.settings import get_settings

_REDIS_PREFIX = "mn:session:"
_REDIS_USER_PREFIX = "mn:user-sessions:"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(session: Session, user_id: int, client: str = "") -> str:
    """Issue a new token for the user and return it (only the digest is stored)."""
    token = secrets.token_urlsafe(32)
    ttl = timedelta(hours=get_settings().session_ttl_hours)
    redis = get_redis()
    if redis is not None:
        redis.set(_REDIS_PREFIX + _digest(token), str(user_id), ex=int(ttl.total_seconds()))
        redis.sadd(_REDIS_USER_PREFIX + str(user_id), _digest(token))
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
    """The user id behind a live token, or None."""
    if not token:
        return None
    redis = get_redis()
    if redis is not None:
        value = redis.get(_REDIS_PREFIX + _digest(token))
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
        redis.delete(_REDIS_PREFIX + _digest(token))
        return
    row = session.get(UserSession, _digest(token))
    if row is not None:
        session.delete(row)


def revoke_all_except(session: Session, user_id: int, keep_token: str) -> None:
    """End every other session of the user (after a password change)."""
    keep = _digest(keep_token)
    redis = get_redis()
    if redis is not None:
        key = _REDIS_USER_PREFIX + str(user_id)
        for digest in redis.smembers(key):
            if digest != keep:
                redis.delete(_REDIS_PREFIX + digest)
                redis.srem(key, digest)
        return
    session.exec(
        delete(UserSession).where(
            col(UserSession.user_id) == user_id, col(UserSession.token_hash) != keep
        )
    )


def prune_expired(session: Session) -> int:
    result = session.exec(delete(UserSession).where(col(UserSession.expires_at) <= utcnow()))
    return result.rowcount or 0

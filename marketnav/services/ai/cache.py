"""Cache of AI answers for identical analysis prompts: Redis when configured, else the DB."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete
from sqlmodel import col

from marketnav.db import session_scope
from marketnav.models.ai import AICacheEntry
from marketnav.models.base import utcnow
from marketnav.services.ai.results import Completion
from marketnav.services.redis_client import get_cache_redis
from marketnav.services.redis_client import key as redis_key
from marketnav.settings import get_settings

logger = logging.getLogger(__name__)


def redis_prefix() -> str:
    """Where cache entries live in Redis: `<deployment prefix>ai-cache:` (CACHE_REDIS_URL, an
    LRU instance, or REDIS_URL)."""
    return redis_key("ai-cache", "")


# Bump when the cached shape or the prompts change meaningfully.
CACHE_VERSION = 1


class CacheBackend(Protocol):
    name: str

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, value: str, ttl_seconds: int) -> None: ...


def cache_key(request: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of everything that determines the answer."""
    canonical = json.dumps(
        {"v": CACHE_VERSION, **request}, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class RedisCache:
    """Entries as Redis strings with a TTL."""

    name = "redis"

    def get(self, key: str) -> str | None:
        client = get_cache_redis()
        return client.get(redis_prefix() + key) if client else None

    def put(self, key: str, value: str, ttl_seconds: int) -> None:
        client = get_cache_redis()
        if client:
            client.set(redis_prefix() + key, value, ex=ttl_seconds)


class DatabaseCache:
    """Entries in `ai_cache_entries`; expired rows are ignored and purged lazily."""

    name = "database"

    def get(self, key: str) -> str | None:
        with session_scope() as session:
            entry = session.get(AICacheEntry, key)
            if entry is None:
                return None
            if entry.expires_at <= utcnow():
                session.delete(entry)
                return None
            return entry.value

    def put(self, key: str, value: str, ttl_seconds: int) -> None:
        expires_at = utcnow() + timedelta(seconds=ttl_seconds)
        with session_scope() as session:
            session.merge(AICacheEntry(key=key, value=value, expires_at=expires_at))


def active_backend() -> CacheBackend:
    """Redis when CACHE_REDIS_URL or REDIS_URL is set, else the database."""
    settings = get_settings()
    return RedisCache() if settings.cache_redis_url or settings.redis_url else DatabaseCache()


class CachedAnswer(BaseModel):
    """What is stored: the successful completion (never an error)."""

    completion: Completion


def cache_enabled() -> bool:
    return get_settings().ai_cache_ttl_seconds > 0


def load_answer(key: str) -> Completion | None:
    """The cached completion for `key`, or None (a broken backend counts as a miss)."""
    if not cache_enabled():
        return None
    backend = active_backend()
    try:
        raw = backend.get(key)
    except Exception:
        logger.warning("AI cache (%s) unavailable on read; treating as a miss", backend.name)
        return None
    if raw is None:
        return None
    try:
        return CachedAnswer.model_validate_json(raw).completion
    except ValidationError:
        logger.warning("discarding unreadable AI cache entry %s", key[:12])
        return None


def store_answer(key: str, completion: Completion) -> None:
    """Cache a successful, validated completion for AI_CACHE_TTL_SECONDS."""
    ttl = get_settings().ai_cache_ttl_seconds
    if ttl <= 0 or completion.offline:
        return
    backend = active_backend()
    stored = completion.model_copy(update={"cached": False})
    try:
        backend.put(key, CachedAnswer(completion=stored).model_dump_json(), ttl)
    except Exception:
        logger.warning("AI cache (%s) unavailable on write; answer not cached", backend.name)


def purge_expired_entries() -> int:
    """Delete expired DB cache rows (for a periodic maintenance task); returns the count."""
    with session_scope() as session:
        result = session.exec(delete(AICacheEntry).where(col(AICacheEntry.expires_at) <= utcnow()))
        return result.rowcount or 0

"""The shared Redis connection, when Redis is configured."""

from __future__ import annotations

from functools import lru_cache

import redis

from marketnav.settings import get_settings


@lru_cache
def get_redis() -> redis.Redis | None:
    """A pooled client for `REDIS_URL`, or None on embedded defaults."""
    url = get_settings().redis_url
    return redis.Redis.from_url(url, decode_responses=True) if url else None

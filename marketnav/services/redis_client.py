"""The shared Redis connections, when Redis is configured, and the deployment's key prefix.

Every key and pub/sub channel the app writes goes through `key()`, so it starts with the
deployment prefix (`Settings.redis_key_prefix`): two deployments on one Redis server never see
each other's sessions, progress events or cache entries (pub/sub ignores database numbers, so
a prefix is the only separation channels have). Celery's broker and result keys carry the same
prefix (`tasks/celery_app.py`); Reflex's page state lives in its own database
(`Settings.reflex_redis_url`), because Reflex 0.10 cannot prefix its keys.

Clients fail fast (short connect/read timeouts) so a Redis restart costs a caller an error it
can handle, never a hang; callers decide what degrades (see docs/reliability.md).
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from marketnav.settings import get_settings

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 2.0
SOCKET_TIMEOUT_SECONDS = 5.0
# Connection errors the app treats as "Redis is unavailable right now".
UNAVAILABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def client_options(retries: int = 1) -> dict:
    """Options of every client the app opens (sync or asyncio).

    redis-py's default is 3 retries with up to 10 s of backoff each, i.e. a call can hang for
    half a minute while Redis restarts; here a call retries `retries` times within ~0.2 s and
    then raises, and the caller degrades. (asyncio clients take their own `Retry`: see
    `progress.subscribe`.)
    """
    return {
        "decode_responses": True,
        "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "socket_timeout": SOCKET_TIMEOUT_SECONDS,
        "health_check_interval": 15,
        "retry": Retry(ExponentialBackoff(cap=0.2, base=0.05), retries),
    }


def prefix() -> str:
    """The deployment's prefix, e.g. `mn:1a2b3c4d:` (or `REDIS_PREFIX` + ':')."""
    return get_settings().redis_key_prefix


def key(*parts: str | int) -> str:
    """A namespaced key or channel name: `key("session", digest)` -> `<prefix>session:<digest>`."""
    return prefix() + ":".join(str(p) for p in parts)


@lru_cache
def get_redis() -> redis.Redis | None:
    """A pooled client for `REDIS_URL`, or None on embedded defaults."""
    url = get_settings().redis_url
    return redis.Redis.from_url(url, **client_options()) if url else None


def get_cache_redis() -> redis.Redis | None:
    """The cache's client: `CACHE_REDIS_URL` (an LRU instance) or else `REDIS_URL`."""
    url = get_settings().cache_redis_url
    return _client_for(url) if url else get_redis()


@lru_cache
def _client_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, **client_options())


class RateLimitedLog:
    """Log a recurring failure at most once per `every` seconds, counting the ones skipped."""

    def __init__(self, log: logging.Logger, every: float = 30.0):
        self.log, self.every = log, every
        self._last = float("-inf")
        self._skipped = 0

    def warning(self, message: str, *args: object) -> bool:
        """True when this call was logged."""
        now = time.monotonic()
        if now - self._last < self.every:
            self._skipped += 1
            return False
        skipped, self._skipped, self._last = self._skipped, 0, now
        suffix = f" ({skipped} similar since the last report)" if skipped else ""
        self.log.warning(message + suffix, *args)
        return True

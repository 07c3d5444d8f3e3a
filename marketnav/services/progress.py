"""The progress bus: workers publish events for a subject, pages subscribe in order.

Redis pub/sub when Redis is configured (a few milliseconds); otherwise events are rows in
`progress_events` that subscribers poll (about 100 ms). Events carry a per-subject sequence
number so a subscriber can tell it missed nothing.

The bus is a notification channel, never the record: the database rows (runs, steps, messages)
are the truth. So `publish` never raises (a run must not fail because Redis restarted: the
error is logged, rate-limited, and the run goes on), and a Redis subscriber that loses its
connection re-subscribes with backoff and then yields one `{"type": "resync"}` event, on which
every listener re-reads its subject's current state from the database (whatever was published
while it was away is lost on pub/sub). Channels carry the deployment prefix
(`redis_client.key`), so two deployments on one Redis server never hear each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col

from marketnav.db import session_scope
from marketnav.models import ProgressEvent
from marketnav.models.base import utcnow
from marketnav.services import progress_hub
from marketnav.services.redis_client import RateLimitedLog, get_redis, key
from marketnav.settings import get_settings

logger = logging.getLogger(__name__)

RESYNC = progress_hub.RESYNC
# After a Redis publish timed out, skip Redis for this long (each try would cost seconds).
PUBLISH_PAUSE_SECONDS = 1.0

_publish_failures = RateLimitedLog(logger)
_paused_until = 0.0


def channel(subject: str) -> str:
    """The deployment's pub/sub channel of `subject`."""
    return key("progress", subject)


def publish(subject: str, payload: dict[str, Any]) -> bool:
    """Send one event to everyone subscribed to `subject` (sync; called from workers).

    Returns False when the event could not be sent (logged); never raises for a bus failure.
    """
    global _paused_until
    redis = get_redis()
    if redis is not None:
        if time.monotonic() < _paused_until:
            _publish_failures.warning("progress bus paused: event for %s dropped", subject)
            return False
        try:
            redis.publish(channel(subject), json.dumps(payload, default=str))
        except RedisError as err:
            if isinstance(err, RedisTimeoutError):  # a refused connection fails fast anyway
                _paused_until = time.monotonic() + PUBLISH_PAUSE_SECONDS
            _publish_failures.warning(
                "progress event for %s not published (%s); the database stays the truth",
                subject,
                err,
            )
            return False
        return True
    try:
        with session_scope() as session:
            session.add(ProgressEvent(subject=subject, payload=payload))
    except SQLAlchemyError as err:
        _publish_failures.warning("progress event for %s not stored (%s)", subject, err)
        return False
    return True


async def subscribe(
    subject: str, *, stop: asyncio.Event | None = None
) -> AsyncIterator[dict[str, Any]]:
    """Yield events for `subject` from now on, in publish order, until `stop` is set.

    The process reads the bus once for all its listeners (`progress_hub`). On Redis, a lost
    connection is re-established with backoff, followed by one
    `{"type": "resync", "subject": subject}` event (re-read the state from the database).
    """
    stop = stop or asyncio.Event()
    settings = get_settings()
    if settings.redis_url:
        hub: progress_hub.RedisHub | progress_hub.PollingHub = progress_hub.redis_hub(
            settings.redis_url
        )
    else:
        hub = progress_hub.polling_hub(lambda: get_settings().progress_poll_interval_seconds)
    name = channel(subject)
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await hub.add(name, subject, queue)
    try:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                yield await asyncio.wait_for(queue.get(), progress_hub.READ_TIMEOUT_SECONDS)
    finally:
        hub.remove(name, queue)


def prune(older_than: timedelta = timedelta(hours=1)) -> int:
    """Delete old polled events (the DB bus keeps only recent history)."""
    with session_scope() as session:
        result = session.exec(
            delete(ProgressEvent).where(col(ProgressEvent.created_at) < utcnow() - older_than)
        )
        return result.rowcount or 0

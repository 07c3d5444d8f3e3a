"""The progress bus: workers publish events for a subject, pages subscribe in order.

Redis pub/sub when Redis is configured (a few milliseconds); otherwise events are rows in
`progress_events` that subscribers poll (about 100 ms). Events carry a per-subject sequence
number so a subscriber can tell it missed nothing.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import redis.asyncio as aioredis
from sqlalchemy import delete
from sqlmodel import col, select

from marketnav.db import session_scope
from marketnav.models import ProgressEvent
from marketnav.models.base import utcnow
from marketnav.services.redis_client import get_redis
from marketnav.settings import get_settings

_CHANNEL_PREFIX = "mn:progress:"


def channel(subject: str) -> str:
    return _CHANNEL_PREFIX + subject


def publish(subject: str, payload: dict[str, Any]) -> None:
    """Send one event to everyone subscribed to `subject` (sync; called from workers)."""
    redis = get_redis()
    if redis is not None:
        redis.publish(channel(subject), json.dumps(payload, default=str))
        return
    with session_scope() as session:
        session.add(ProgressEvent(subject=subject, payload=payload))


async def subscribe(
    subject: str, *, stop: asyncio.Event | None = None
) -> AsyncIterator[dict[str, Any]]:
    """Yield events for `subject` from now on, in publish order, until `stop` is set."""
    stop = stop or asyncio.Event()
    settings = get_settings()
    if settings.redis_url:
        client = aioredis.Redis.from_url(settings.redis_url, decode_responses=True)
        pubsub = client.pubsub()
        await pubsub.subscribe(channel(subject))
        try:
            while not stop.is_set():
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
                if message is not None:
                    yield json.loads(message["data"])
        finally:
            await pubsub.unsubscribe(channel(subject))
            await pubsub.aclose()
            await client.aclose()
        return
    last_id = await asyncio.to_thread(_latest_event_id, subject)
    while not stop.is_set():
        events = await asyncio.to_thread(_events_after, subject, last_id)
        for event_id, payload in events:
            last_id = event_id
            yield payload
        if not events:
            await asyncio.sleep(settings.progress_poll_interval_seconds)


def _latest_event_id(subject: str) -> int:
    with session_scope() as session:
        row = session.exec(
            select(ProgressEvent.id)
            .where(ProgressEvent.subject == subject)
            .order_by(col(ProgressEvent.id).desc())
            .limit(1)
        ).first()
        return row or 0


def _events_after(subject: str, last_id: int) -> list[tuple[int, dict[str, Any]]]:
    with session_scope() as session:
        rows = session.exec(
            select(ProgressEvent)
            .where(ProgressEvent.subject == subject, col(ProgressEvent.id) > last_id)
            .order_by(col(ProgressEvent.id))
        ).all()
        return [(row.id, row.payload) for row in rows]


def prune(older_than: timedelta = timedelta(hours=1)) -> int:
    """Delete old polled events (the DB bus keeps only recent history)."""
    with session_scope() as session:
        result = session.exec(
            delete(ProgressEvent).where(col(ProgressEvent.created_at) < utcnow() - older_than)
        )
        return result.rowcount or 0

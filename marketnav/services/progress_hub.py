"""One reader of the progress bus per process, fanned out to every listener in it.

Every open page listens to its project's subject. With one Redis connection and one JSON
decode per listener, 200 tabs on two backend workers meant 200 connections each polled twice
a second and every event decoded 100 times per process (issue #16's load figures); on the
embedded bus each listener polled the database ten times a second. A hub reads the bus once
for the whole process (its event loop) and hands every event to the queues of the listeners
of its subject, in publish order.

- `RedisHub`: one pub/sub connection holding the channels somebody in this process listens
  to (subscribed when the first listener of a channel arrives, unsubscribed after the last
  one left). A lost connection is re-established with backoff, every channel subscribed
  again, and each listener gets one `{"type": "resync"}` event (re-read from the database:
  what was published meanwhile is lost on pub/sub).
- `PollingHub`: one query for every subject listened to per poll interval, each listener
  getting the events after the one that was newest when it subscribed.

Queues are keyed by channel, not subject: two deployments' prefixes in one process (tests)
never share a queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref
from collections.abc import Callable
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from sqlalchemy import or_
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select

from marketnav.db import session_scope
from marketnav.models import ProgressEvent
from marketnav.services.redis_client import RateLimitedLog, client_options

logger = logging.getLogger(__name__)

RESYNC = "resync"
# A subscriber's reconnect backoff: first wait, doubling up to the cap.
RECONNECT_FIRST_SECONDS = 0.1
RECONNECT_MAX_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 0.5

_failures = RateLimitedLog(logger)
Queue = asyncio.Queue


class _Listeners:
    """The queues of each channel and the subject each channel carries."""

    def __init__(self) -> None:
        self.queues: dict[str, set[Queue]] = {}
        self.subjects: dict[str, str] = {}

    def add(self, name: str, subject: str, queue: Queue) -> bool:
        """Register `queue`; True when it is the channel's first listener."""
        first = name not in self.queues
        self.queues.setdefault(name, set()).add(queue)
        self.subjects[name] = subject
        return first

    def remove(self, name: str, queue: Queue) -> bool:
        """Unregister `queue`; True when the channel has no listener left."""
        queues = self.queues.get(name)
        if queues is None:
            return False
        queues.discard(queue)
        if queues:
            return False
        del self.queues[name]
        self.subjects.pop(name, None)
        return True

    def deliver(self, name: str, payload: Any) -> None:
        for queue in self.queues.get(name, ()):
            queue.put_nowait(payload)


class RedisHub:
    """One pub/sub connection of this event loop for every channel its listeners hear."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.listeners = _Listeners()
        self._pubsub: Any = None  # the connected PubSub while the reader runs
        self._reader: asyncio.Task | None = None
        self._leaving: set[str] = set()  # channels to unsubscribe (the reader does it)

    async def add(self, name: str, subject: str, queue: Queue) -> None:
        first = self.listeners.add(name, subject, queue)
        self._leaving.discard(name)
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read(), name="progress-hub")
        elif first and self._pubsub is not None:
            try:
                await self._pubsub.subscribe(name)
            except (RedisError, OSError) as err:  # the reader reconnects and subscribes it
                _failures.warning("progress bus: subscribing %s failed (%s)", name, err)

    def remove(self, name: str, queue: Queue) -> None:
        if self.listeners.remove(name, queue):
            self._leaving.add(name)

    async def _read(self) -> None:
        delay = RECONNECT_FIRST_SECONDS
        missed = False  # after a failure: the next connection announces a resync
        options = {**client_options(), "retry": AsyncRetry(NoBackoff(), 0)}
        while self.listeners.queues:
            client = aioredis.Redis.from_url(self.url, **options)
            pubsub = client.pubsub()
            try:
                names = list(self.listeners.queues)
                await pubsub.subscribe(*names)
                self._pubsub = pubsub
                # Listeners that arrived during the await found no connection to use.
                late = [n for n in self.listeners.queues if n not in names]
                if late:
                    await pubsub.subscribe(*late)
                if missed:
                    logger.info("progress bus: %d channel(s) subscribed again", len(names))
                    missed, delay = False, RECONNECT_FIRST_SECONDS
                    for name, subject in list(self.listeners.subjects.items()):
                        self.listeners.deliver(name, {"type": RESYNC, "subject": subject})
                while self.listeners.queues:
                    if self._leaving:
                        leaving, self._leaving = list(self._leaving), set()
                        await pubsub.unsubscribe(*leaving)
                    message = await pubsub.get_message(
                        ignore_subscribe_messages=True, timeout=READ_TIMEOUT_SECONDS
                    )
                    if message is not None:
                        self._deliver(message)
            except (RedisError, OSError) as err:
                missed = True
                _failures.warning("progress bus: subscription lost (%s); retrying", err)
            finally:
                self._pubsub = None
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await client.aclose()
            if missed and self.listeners.queues:
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)
        self._leaving.clear()

    def _deliver(self, message: dict[str, Any]) -> None:
        name = message["channel"]
        name = name.decode() if isinstance(name, bytes) else str(name)
        try:
            payload = json.loads(message["data"])
        except (TypeError, ValueError) as err:  # one bad message must not end the reader
            _failures.warning("progress bus: unreadable event on %s dropped (%s)", name, err)
            return
        self.listeners.deliver(name, payload)


class PollingHub:
    """The embedded bus: one query per interval for every subject this loop listens to."""

    def __init__(self, interval: Callable[[], float]) -> None:
        self.interval = interval
        self.listeners = _Listeners()
        self._cursors: dict[Queue, int] = {}  # each listener: the last event id it has
        self._reader: asyncio.Task | None = None

    async def add(self, name: str, subject: str, queue: Queue) -> None:
        self._cursors[queue] = await asyncio.to_thread(_latest_event_id, subject)
        self.listeners.add(name, subject, queue)
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read(), name="progress-hub")

    def remove(self, name: str, queue: Queue) -> None:
        self.listeners.remove(name, queue)
        self._cursors.pop(queue, None)

    def _since(self) -> dict[str, int]:
        """Per subject, the oldest cursor of its listeners."""
        since: dict[str, int] = {}
        for name, queues in self.listeners.queues.items():
            subject = self.listeners.subjects[name]
            low = min(self._cursors.get(q, 0) for q in queues)
            since[subject] = min(low, since.get(subject, low))
        return since

    async def _read(self) -> None:
        while self.listeners.queues:
            since = self._since()
            try:
                rows = await asyncio.to_thread(_events_after, since)
            except SQLAlchemyError as err:  # the next poll tries again
                _failures.warning("progress bus: polling failed (%s)", err)
                rows = []
            for event_id, subject, payload in rows:
                for name, queues in list(self.listeners.queues.items()):
                    if self.listeners.subjects.get(name) != subject:
                        continue
                    for queue in list(queues):
                        if event_id > self._cursors.get(queue, event_id):
                            self._cursors[queue] = event_id
                            queue.put_nowait(payload)
            if not rows:
                await asyncio.sleep(self.interval())


_redis_hubs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_polling_hubs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def redis_hub(url: str) -> RedisHub:
    """This event loop's hub for the Redis server at `url`."""
    hubs = _redis_hubs.setdefault(asyncio.get_running_loop(), {})
    return hubs.setdefault(url, RedisHub(url))


def polling_hub(interval: Callable[[], float]) -> PollingHub:
    """This event loop's hub for the embedded (database) bus."""
    loop = asyncio.get_running_loop()
    if loop not in _polling_hubs:
        _polling_hubs[loop] = PollingHub(interval)
    return _polling_hubs[loop]


def _latest_event_id(subject: str) -> int:
    with session_scope() as session:
        row = session.exec(
            select(ProgressEvent.id)
            .where(ProgressEvent.subject == subject)
            .order_by(col(ProgressEvent.id).desc())
            .limit(1)
        ).first()
        return row or 0


def _events_after(since: dict[str, int]) -> list[tuple[int, str, dict[str, Any]]]:
    """(id, subject, payload) of each subject's events after its id, oldest first."""
    if not since:
        return []
    with session_scope() as session:
        rows = session.exec(
            select(ProgressEvent)
            .where(
                or_(
                    *(
                        (col(ProgressEvent.subject) == subject) & (col(ProgressEvent.id) > last)
                        for subject, last in since.items()
                    )
                )
            )
            .order_by(col(ProgressEvent.id))
        ).all()
        return [(row.id, row.subject, row.payload) for row in rows]

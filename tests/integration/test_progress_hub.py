"""One bus reader per process (#16 load): many listeners, one Redis subscription, one poll.

Against a redis-server of our own (its client list and channel counts are exact) and the
embedded database bus. Readiness is the server's own count of subscribers, or a probe event
the listener has seen; never a sleep.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from marketnav.services import progress, progress_hub
from tests.support.redis_server import wait_for

pytestmark = pytest.mark.integration


def pubsub_clients(server) -> int:
    with server.client() as client:
        return sum(1 for c in client.client_list() if int(c.get("sub", 0)) > 0)


async def _listen(subject: str, stop: asyncio.Event, into: list, seen: asyncio.Event) -> None:
    async for event in progress.subscribe(subject, stop=stop):
        into.append(event)
        seen.set()


async def _heard(events: list, seen: asyncio.Event, count: int, kind: str = "seq") -> None:
    """Wait (on the listener's own signal) until it has heard `count` events with `kind`."""
    while sum(1 for e in events if kind in e) < count:
        seen.clear()
        await asyncio.wait_for(seen.wait(), 10)


async def _until(condition, what: str) -> None:
    await asyncio.to_thread(wait_for, condition, 10, what)


@pytest.mark.asyncio
async def test_many_listeners_share_one_subscription_and_each_hears_every_event_in_order(
    restartable_redis,
):
    server = restartable_redis
    subjects = ["project:1:reports", "project:2:reports"]
    stop = asyncio.Event()
    heard = [[] for _ in range(6)]
    seen = [asyncio.Event() for _ in range(6)]
    tasks = [
        asyncio.create_task(_listen(subjects[i % 2], stop, heard[i], seen[i])) for i in range(6)
    ]
    for subject in subjects:
        channel = progress.channel(subject)
        await _until(lambda c=channel: server.subscribers(c) == 1, channel)
    assert pubsub_clients(server) == 1  # six listeners, one connection

    for seq in range(20):
        assert progress.publish(subjects[0], {"seq": seq})
        assert progress.publish(subjects[1], {"seq": 100 + seq})
    for i in range(6):
        await _heard(heard[i], seen[i], 20)
    for i in range(6):
        first = 0 if i % 2 == 0 else 100
        assert [e["seq"] for e in heard[i]] == list(range(first, first + 20))

    # The last listener of a channel leaving unsubscribes it; the last of all closes it.
    stop.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 10)
    await _until(lambda: pubsub_clients(server) == 0, "no subscriber connection left")
    assert all(server.subscribers(progress.channel(s)) == 0 for s in subjects)


@contextlib.asynccontextmanager
async def _listening(server, subject: str):
    """A listener of `subject`, subscribed at the server; yields (heard, seen)."""
    stop, seen, heard = asyncio.Event(), asyncio.Event(), []
    task = asyncio.create_task(_listen(subject, stop, heard, seen))
    channel = progress.channel(subject)
    await _until(lambda: server.subscribers(channel) == 1, channel)
    yield heard, seen
    stop.set()
    await asyncio.wait_for(task, 10)


@pytest.mark.asyncio
async def test_an_unreadable_message_is_dropped_and_the_reader_goes_on(restartable_redis):
    server = restartable_redis
    async with _listening(server, "project:3:reports") as (heard, seen):
        with server.client() as client:
            client.publish(progress.channel("project:3:reports"), b"not json {")
        assert progress.publish("project:3:reports", {"after": True})
        await _heard(heard, seen, 1, "after")
        assert heard == [{"after": True}]


@pytest.mark.asyncio
async def test_a_listener_leaving_unsubscribes_only_its_channel(restartable_redis):
    server = restartable_redis
    one, two = progress.channel("project:1:reports"), progress.channel("project:2:reports")
    async with _listening(server, "project:1:reports") as (heard, seen):
        async with _listening(server, "project:2:reports"):
            assert server.subscribers(one) == 1
        await _until(lambda: server.subscribers(two) == 0, "project 2 unsubscribed")
        assert server.subscribers(one) == 1
        assert progress.publish("project:1:reports", {"still": True})
        await _heard(heard, seen, 1, "still")
        assert heard == [{"still": True}]


@pytest.mark.asyncio
async def test_the_embedded_bus_polls_once_for_every_listener(db, monkeypatch):
    """Three listeners of two subjects: one query per poll, each hears its own subject only,
    and nothing published before it subscribed."""
    queries = []
    original = progress_hub._events_after

    def counted(since):
        queries.append(dict(since))
        return original(since)

    monkeypatch.setattr(progress_hub, "_events_after", counted)
    progress.publish("report:1", {"seq": -1})  # before anyone listens: never delivered
    stop = asyncio.Event()
    heard = [[], [], []]
    ready = [asyncio.Event(), asyncio.Event(), asyncio.Event()]
    subjects = ["report:1", "report:1", "report:2"]
    tasks = [
        asyncio.create_task(_listen(s, stop, heard[i], ready[i])) for i, s in enumerate(subjects)
    ]
    # Readiness probe: probes until every listener has seen one of its subject's.
    for _attempt in range(100):
        for subject in set(subjects):
            await asyncio.to_thread(progress.publish, subject, {"probe": True})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(r.wait() for r in ready)), 0.5)
            break
    for i in range(3):
        heard[i].clear()
    queries.clear()
    for seq in range(5):
        progress.publish("report:1", {"seq": seq})
        progress.publish("report:2", {"seq": 100 + seq})
    for i in range(3):
        await _heard(heard[i], ready[i], 5)
    for i, subject in enumerate(subjects):
        seqs = [e["seq"] for e in heard[i] if "seq" in e]
        assert seqs == ([0, 1, 2, 3, 4] if subject == "report:1" else [100, 101, 102, 103, 104])
    # Every poll asked for both subjects at once: one query for the three listeners.
    assert queries and all(set(q) == {"report:1", "report:2"} for q in queries)
    stop.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 10)

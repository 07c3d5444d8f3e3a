"""Local object storage and the database progress bus."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from marketnav.services import progress
from marketnav.services.storage import LocalStorage, StorageError, get_storage


def test_local_storage_round_trip(tmp_path):
    store = LocalStorage(tmp_path / "store")
    key = "organizations/1/projects/2/reports/quick_report/v1/report.html"
    store.put(key, b"<h1>Hi</h1>")
    store.put("organizations/1/other.json", b"{}")
    assert store.get(key) == b"<h1>Hi</h1>"
    assert store.list("organizations/1/projects/") == [key]
    assert store.download_url(key) == f"/files/{key}"
    store.delete(key)
    with pytest.raises(StorageError):
        store.get(key)
    store.ping()


@pytest.mark.parametrize("key", ["", "/abs", "a/../b", "a//b", "../escape"])
def test_local_storage_refuses_keys_that_escape(tmp_path, key):
    with pytest.raises(StorageError):
        LocalStorage(tmp_path).put(key, b"x")


def test_default_storage_is_local_under_var(isolated_settings):
    store = get_storage()
    assert store.name == "local"
    store.put("a/b.txt", b"ok")
    assert store.get("a/b.txt") == b"ok"


async def _collect(subject: str, count: int, publish_later) -> list[dict]:
    stop, ready = asyncio.Event(), asyncio.Event()
    received: list[dict] = []

    async def consume():
        async for event in progress.subscribe(subject, stop=stop):
            if event.get("probe"):  # the subscription is live: it sees what is published now
                ready.set()
                continue
            received.append(event)
            if len(received) == count:
                stop.set()

    consumer = asyncio.create_task(consume())
    # Readiness probe: publish a marker until the subscriber has seen one (a marker published
    # before it subscribed is skipped, like any older event), then the real events.
    for _attempt in range(100):
        await asyncio.to_thread(progress.publish, subject, {"probe": True})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ready.wait(), timeout=0.5)
            break
    assert ready.is_set(), "the subscriber never saw a probe"
    await asyncio.to_thread(publish_later)
    await asyncio.wait_for(consumer, timeout=10)
    return received


@pytest.mark.asyncio
async def test_database_bus_delivers_in_order_only_own_subject(db):
    def publish():
        for i in range(5):
            progress.publish("report:1", {"seq": i})
            progress.publish("report:2", {"seq": 100 + i})

    events = await _collect("report:1", 5, publish)
    assert [e["seq"] for e in events] == [0, 1, 2, 3, 4]


@pytest.mark.asyncio
async def test_database_bus_skips_events_before_subscription(db):
    progress.publish("report:9", {"seq": "old"})
    events = await _collect("report:9", 1, lambda: progress.publish("report:9", {"seq": "new"}))
    assert events == [{"seq": "new"}]

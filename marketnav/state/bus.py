"""Following a progress-bus subject from a background event while its page stays open."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import reflex as rx

from marketnav.services import progress

WATCH_SECONDS = 2.0


async def follow(
    state: rx.State, subject: str, still_wanted: Callable[[], bool], idle_seconds: float
) -> AsyncIterator[dict]:
    """Yield `subject`'s events until `still_wanted()` turns false or nothing came for a while.

    `still_wanted` is checked under the state's lock every two seconds (the user moved to
    another page, or a newer listener replaced this one); the next page action re-arms it.
    """
    stop = asyncio.Event()
    last_activity = time.monotonic()

    async def watchdog() -> None:
        while not stop.is_set():
            await asyncio.sleep(WATCH_SECONDS)
            async with state:
                wanted = still_wanted()
            if not wanted or time.monotonic() - last_activity > idle_seconds:
                stop.set()

    watcher = asyncio.create_task(watchdog())
    try:
        async for event in progress.subscribe(subject, stop=stop):
            last_activity = time.monotonic()
            yield event
    finally:
        stop.set()
        watcher.cancel()

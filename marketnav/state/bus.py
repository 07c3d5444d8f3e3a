"""Following a project's progress-bus subject from a background event while its page stays open.

Every live panel (assistant thread, report cards, report viewer) subscribes through `follow`,
and `follow` decides who may hear a project: it asks `may_follow` (the session's user, then
`projects.get`, i.e. `permissions.authorize` for `project.view`) before it subscribes, and again
every `REAUTHORIZE_SECONDS` while it listens. A client that sends `listen` for a project it
cannot open, signed out or from another organisation, gets no subscription at all.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import reflex as rx

from marketnav.db import session_scope
from marketnav.services import accounts, progress, projects
from marketnav.services.errors import DomainError, ServiceUnavailable

WATCH_SECONDS = 2.0
# How often a running subscription re-checks access (a removed member, a revoked session or a
# deleted project stops hearing the project within this time).
REAUTHORIZE_SECONDS = 10.0


def may_follow(token: str, project_id: int) -> bool | None:
    """True when the session `token` belongs to a user who may view project `project_id`.

    None when that cannot be told now (the session store is unreachable): a listener does not
    start on None, and a running one keeps listening until the store answers again.
    """
    if not token or project_id <= 0:
        return False
    with session_scope() as db:
        try:
            user = accounts.user_for_token(db, token)
        except ServiceUnavailable:
            return None
        if user is None:
            return False
        try:
            projects.get(db, user, project_id)  # -> permissions.authorize(PROJECT_VIEW)
        except DomainError:
            return False
    return True


async def follow(
    state: rx.State,
    project_id: int,
    subject: str,
    still_wanted: Callable[[], bool],
    idle_seconds: float,
) -> AsyncIterator[dict]:
    """Yield `subject`'s events (a subject of project `project_id`) while the asker may see them.

    Nothing is yielded unless the state's session may view the project, checked before the
    subscription starts and re-checked every `REAUTHORIZE_SECONDS`. A listener's subject never
    changes: a page that moves to another project ends this listener (`still_wanted`) and its
    new `listen` is checked afresh. `still_wanted` is read under the state's lock every two
    seconds (the user moved to another page, or a newer listener replaced this one); the
    listener also ends after `idle_seconds` without events; the next page action re-arms it.
    """

    async def allowed() -> bool | None:
        async with state:
            token = state.token
        return await asyncio.to_thread(may_follow, token, project_id)

    if not await allowed():
        return
    stop = asyncio.Event()
    last_activity = last_check = time.monotonic()

    async def watchdog() -> None:
        nonlocal last_check
        while not stop.is_set():
            await asyncio.sleep(WATCH_SECONDS)
            async with state:
                wanted = still_wanted()
            now = time.monotonic()
            if wanted and now - last_check >= REAUTHORIZE_SECONDS:
                last_check = now
                wanted = await allowed() is not False  # None: the store is down, keep on
            if not wanted or now - last_activity > idle_seconds:
                stop.set()

    watcher = asyncio.create_task(watchdog())
    try:
        async for event in progress.subscribe(subject, stop=stop):
            if stop.is_set():
                break
            last_activity = time.monotonic()
            yield event
    finally:
        stop.set()
        watcher.cancel()

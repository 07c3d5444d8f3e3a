"""Following a project's progress-bus subject from a background event while its page stays open.

Every live panel (assistant thread, report cards, report viewer) subscribes through `follow`,
and `follow` decides who may hear a project: it asks `may_follow` (the session's user, then
`projects.get`, i.e. `permissions.authorize` for `project.view`) before it subscribes, and again
every `REAUTHORIZE_SECONDS` while it listens. A client that sends `listen` for a project it
cannot open, signed out or from another organisation, gets no subscription at all.

The state lock (issue #16). With Reflex state in Redis, `async with state` takes the tab's one
lock (every substate of the tab shares it), and a page load or reload waits for it. So:

- nothing awaits while holding it except the state update itself (`locked`): the bus is read
  by a task of its own into a queue, access checks run outside the lock;
- every locked section is shielded from cancellation. Reflex cancels a page's listener when the
  tab reloads or navigates; cancelled while acquiring the lock (after Redis granted it, before
  the reply was read) the lock was never released and every later event of the tab, the
  reload's hydrate included, waited for it to expire: the 10 s stalls. A shielded section
  always completes and releases the lock; the listener ends after it;
- events that arrived while the listener waited for the lock are applied together, in order,
  in one locked section (one lock round trip per batch, not per event), so a slow lock makes
  fewer, larger updates instead of a growing backlog.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import reflex as rx
from sqlmodel import Session

from marketnav.db import session_scope
from marketnav.models import User
from marketnav.services import accounts, progress, projects
from marketnav.services.errors import DomainError, ServiceUnavailable

# How often a running subscription re-checks access and whether the page still wants it (a
# removed member, a revoked session or a deleted project stops hearing the project within
# this time; a page the tab left normally ends its listener at once, Reflex cancels it).
REAUTHORIZE_SECONDS = 10.0
# At most this many events are applied in one locked section.
MAX_BATCH = 200
# A quiet subscription yields an empty batch this often (a page may check the database then,
# e.g. whether a worker still serves a run: a dead worker publishes nothing).
IDLE_TICK_SECONDS = 5.0

T = TypeVar("T")
_END = object()


def _session_may(token: str, allowed: Callable[[Session, User], bool]) -> bool | None:
    """`allowed(db, user)` for the user of session `token` (False without one); None when the
    session store is unreachable: a listener does not start on None, and a running one keeps
    listening until the store answers again."""
    if not token:
        return False
    with session_scope() as db:
        try:
            user = accounts.user_for_token(db, token)
        except ServiceUnavailable:
            return None
        return user is not None and allowed(db, user)


def may_follow(token: str, project_id: int) -> bool | None:
    """True when the session `token` belongs to a user who may view project `project_id`."""

    def may_view(db: Session, user: User) -> bool:
        try:
            projects.get(db, user, project_id)  # -> permissions.authorize(PROJECT_VIEW)
        except DomainError:
            return False
        return True

    return _session_may(token, may_view) if project_id > 0 else False


def may_hear_user(token: str, user_id: int) -> bool | None:
    """True when the session `token` is `user_id`'s own (a person's notifications subject)."""
    return _session_may(token, lambda _db, user: user.id == user_id) if user_id > 0 else False


def _consume(task: asyncio.Task) -> None:
    if not task.cancelled():
        task.exception()  # retrieved: a section whose awaiter left is not "never retrieved"


async def locked(state: rx.State, change: Callable[[], Any]) -> Any:
    """Run `change()` (sync, or returning an awaitable) under the state's lock; its result.

    The section runs as its own task behind `asyncio.shield`: cancelling the caller never
    interrupts the lock's acquisition or release, the section finishes and the caller's
    CancelledError is raised after it was started. `change` must be short: no I/O but the
    state's own (and quick database reads).
    """

    async def section() -> Any:
        async with state:
            result = change()
            if inspect.isawaitable(result):
                result = await result
            return result

    task = asyncio.ensure_future(section())
    task.add_done_callback(_consume)
    return await asyncio.shield(task)


async def follow(
    state: rx.State,
    project_id: int,
    subject: str,
    still_wanted: Callable[[], bool],
    idle_seconds: float,
    *,
    allowed: Callable[[str], bool | None] | None = None,
) -> AsyncIterator[list[dict]]:
    """Yield batches of `subject`'s events (project `project_id`) while the asker may see them.

    Each batch holds every event that arrived since the previous one, in publish order (at
    most `MAX_BATCH`); apply a batch in one `locked` section. An empty batch is an idle tick
    (at least every `IDLE_TICK_SECONDS` without events): take no lock for it unless needed.
    Nothing is yielded unless the state's session may view the project, checked before the
    subscription starts and every `REAUTHORIZE_SECONDS`, together with `still_wanted` (read
    under the lock: the user moved to another page, or a newer listener replaced this one).
    A listener's subject never changes: a page that moves to another project gets a new
    listener, checked afresh. The listener also ends after `idle_seconds` without events;
    the next page action re-arms it. `allowed(token)` replaces the project check for a
    subject that is not a project's (a person's notifications: `may_hear_user`).
    """
    check = allowed or (lambda token: may_follow(token, project_id))
    token = await locked(state, lambda: state.token)
    if not await asyncio.to_thread(check, token):
        return
    queue: asyncio.Queue[Any] = asyncio.Queue()
    stop = asyncio.Event()

    async def read() -> None:
        try:
            async for event in progress.subscribe(subject, stop=stop):
                queue.put_nowait(event)
        finally:
            queue.put_nowait(_END)

    reader = asyncio.create_task(read())
    last_activity = last_check = time.monotonic()
    try:
        while True:
            to_check = REAUTHORIZE_SECONDS - (time.monotonic() - last_check)
            wait = max(0.05, min(IDLE_TICK_SECONDS, to_check))
            batch: list[Any] = []
            with contextlib.suppress(TimeoutError):
                batch.append(await asyncio.wait_for(queue.get(), timeout=wait))
            while batch and len(batch) < MAX_BATCH and not queue.empty():
                batch.append(queue.get_nowait())
            ended = _END in batch
            events = [e for e in batch if e is not _END]
            now = time.monotonic()
            if events:
                last_activity = now
            if events or not ended:
                yield events  # empty: an idle tick
            if ended:
                return
            if now - last_check >= REAUTHORIZE_SECONDS:
                last_check = now
                if not await locked(state, still_wanted):
                    return
                # None: the session store is down; keep listening until it answers.
                if await asyncio.to_thread(check, token) is False:
                    return
            if now - last_activity > idle_seconds:
                return
    finally:
        stop.set()
        reader.cancel()  # the reader holds no lock: cancelling it is safe

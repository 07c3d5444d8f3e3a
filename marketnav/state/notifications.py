"""The bell (unread count, live) and the changes page of the signed-in person.

The count is read on every signed-in page and kept live by a listener on the person's own
progress-bus subject (`notifications.subject_for_user`): the runner publishes there when it
records a notification. `bus.follow` checks with `may_hear_user` that the tab's session is that
person's, before subscribing and every few seconds after; the notifications themselves are read
through `services.watching.notifications`, which shows only projects the person can open.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from marketnav.db import session_scope
from marketnav.services.errors import DomainError
from marketnav.services.watching import notifications
from marketnav.state.bus import follow, locked, may_hear_user
from marketnav.state.session import PageState

BELL_IDLE_SECONDS = 30 * 60


class NotificationsState(PageState):
    unread: int = 0
    items: list[dict] = []
    changes_loaded: bool = False
    bell_listener: int = 0
    bell_listening: bool = False
    bell_user: int = 0

    @rx.var
    def unread_label(self) -> str:
        return "99+" if self.unread > 99 else str(self.unread)

    def _count(self) -> None:
        with session_scope() as db:
            user = self.current_user(db)
            self.unread = notifications.unread_count(db, user)
            self.bell_user = user.id

    @rx.event
    def load_bell(self):
        """Every signed-in page: the count now, then live."""
        try:
            self._count()
        except DomainError:
            self.unread, self.bell_user = 0, 0
            return None
        return None if self.bell_listening else NotificationsState.listen_bell

    @rx.event(background=True)
    async def listen_bell(self):
        generation, user_id = await locked(self, self._arm)
        if not user_id:
            return

        def still_wanted() -> bool:
            return self.bell_listener == generation and self.bell_user == user_id

        try:
            async for batch in follow(
                self,
                0,
                notifications.subject_for_user(user_id),
                still_wanted,
                BELL_IDLE_SECONDS,
                allowed=lambda token: may_hear_user(token, user_id),
            ):
                if not batch:
                    continue
                count = await asyncio.to_thread(self._unread_of, user_id)
                if not await locked(self, lambda c=count: self._show(generation, c)):
                    break
        finally:
            await locked(self, lambda: self._disarm(generation))

    @staticmethod
    def _unread_of(user_id: int) -> int:
        from marketnav.models import User

        with session_scope() as db:
            user = db.get(User, user_id)
            return notifications.unread_count(db, user) if user else 0

    def _arm(self) -> tuple[int, int]:
        self.bell_listener += 1
        self.bell_listening = True
        return self.bell_listener, self.bell_user

    def _disarm(self, generation: int) -> None:
        if self.bell_listener == generation:
            self.bell_listening = False

    def _show(self, generation: int, count: int) -> bool:
        if self.bell_listener != generation:
            return False
        self.unread = count
        if self.changes_loaded and self.router.url.path.rstrip("/") == "/changes":
            self._read_items()
        return True

    # -- the changes page ----------------------------------------------------------------

    def _read_items(self) -> None:
        with session_scope() as db:
            user = self.current_user(db)
            self.items = notifications.recent(db, user)
            self.unread = notifications.unread_count(db, user)

    @rx.event
    def load_changes(self):
        self._reset_messages()
        try:
            self._read_items()
        except DomainError as err:
            return self._fail(err)
        self.changes_loaded = True
        return None

    @rx.event
    def open_change(self, notification_id: int, href: str):
        try:
            with session_scope() as db:
                notifications.mark_read(db, self.current_user(db), int(notification_id))
            self._read_items()
        except DomainError as err:
            return self._fail(err)
        # Only the service-built viewer link of one of this person's own notifications.
        known = {item["href"] for item in self.items}
        return rx.redirect(href) if href in known else None

    @rx.event
    def mark_all_read(self):
        try:
            with session_scope() as db:
                marked = notifications.mark_read(db, self.current_user(db))
            self._read_items()
        except DomainError as err:
            return self._fail(err)
        self.notice = f"{marked} marked read." if marked else "Nothing unread."
        return None

"""The assistant panel: the project's thread, modes, sending, live replies and auto-fill."""

from __future__ import annotations

import reflex as rx

from marketnav.db import session_scope
from marketnav.services import assistant, progress, projects
from marketnav.services.errors import DomainError
from marketnav.services.permissions import Action, can
from marketnav.state.bus import follow, locked
from marketnav.state.project import ProjectState, route_project_id
from marketnav.state.session import PageState

# A listener with nothing to do for this long stops; the next page action re-arms it.
LISTENER_IDLE_SECONDS = 15 * 60


def _enqueue_reply(reply_id: int) -> dict | None:
    """Queue the reply; the failed reply's view when the queue cannot be reached."""
    from tasks.chat import enqueue

    return enqueue(reply_id)


def route_report_type(path: str) -> str:
    """`/projects/12/reports/verdict` -> "verdict"; "" elsewhere."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 4 and parts[0] == "projects" and parts[2] == "reports":
        return parts[3]
    return ""


class AssistantState(PageState):
    thread_project_id: int = 0
    messages: list[dict] = []
    has_more: bool = False
    modes: list[dict[str, str]] = []
    active_modes: list[str] = []
    modes_project_id: int = 0  # the project the active modes were chosen in
    streaming_id: int = 0
    streaming_text: str = ""
    chat_error: str = ""
    can_send: bool = False
    can_clear: bool = False
    clear_open: bool = False
    listener_generation: int = 0
    listening: bool = False
    # On a report's page: which report (and version) the user is reading.
    open_report_type: str = ""
    open_report_version: int = 0

    @rx.var
    def thinking(self) -> bool:
        return any(m["status"] in ("pending", "streaming") for m in self.messages)

    @rx.event
    def load(self):
        self.chat_error, self.streaming_id, self.streaming_text = "", 0, ""
        # Kept only once the user may open it: `listen` and every action read this id.
        self.thread_project_id = 0
        project_id = route_project_id(self.router.url.path)
        self.open_report_type = route_report_type(self.router.url.path)
        version = str(self.router.url.query_parameters.get("version", ""))
        self.open_report_version = int(version) if version.isdigit() else 0
        try:
            with session_scope() as db:
                user = self.current_user(db)
                _, role = projects.get(db, user, project_id)
                self.messages, self.has_more = assistant.thread(db, user, project_id)
        except DomainError:
            self.messages, self.has_more, self.can_send, self.can_clear = [], False, False, False
            return None
        self.thread_project_id = project_id
        if self.modes_project_id != project_id:
            # Modes belong to the project they were switched on in: another starts with none.
            self.active_modes, self.modes_project_id = [], project_id
        self.can_send = can(role, Action.CHAT_SEND)
        self.can_clear = can(role, Action.CHAT_CLEAR)
        self.modes = assistant.mode_choices()
        if not can(role, Action.PROJECT_EDIT):
            self.active_modes = [m for m in self.active_modes if m != "editing"]
        return AssistantState.listen

    @rx.event
    def load_earlier(self):
        if not self.messages:
            return
        try:
            with session_scope() as db:
                older, self.has_more = assistant.thread(
                    db, self.current_user(db), self.thread_project_id, self.messages[0]["id"]
                )
        except DomainError as err:
            self.chat_error = str(err)
            return
        self.messages = older + self.messages

    @rx.event
    def toggle_mode(self, mode_id: str):
        if mode_id in self.active_modes:
            self.active_modes = [m for m in self.active_modes if m != mode_id]
        else:
            self.active_modes = [*self.active_modes, mode_id]

    @rx.event
    def send(self, form: dict):
        self.chat_error = ""
        try:
            with session_scope() as db:
                question, reply = assistant.post(
                    db,
                    self.current_user(db),
                    self.thread_project_id,
                    form.get("message", ""),
                    self.active_modes,
                    (self.open_report_type, self.open_report_version)
                    if self.open_report_type
                    else None,
                )
                shown = [assistant.view(question, self.user_name), assistant.view(reply)]
        except DomainError as err:
            self.chat_error = str(err)
            return None
        for message in shown:
            progress.publish(
                assistant.subject(self.thread_project_id), {"type": "message", "message": message}
            )
        self._merge(shown)
        failed = _enqueue_reply(shown[1]["id"])
        if failed is not None:
            self._merge([failed])
        return None if self.listening else AssistantState.listen

    @rx.event
    def retry(self, message_id: int):
        self.chat_error = ""
        try:
            with session_scope() as db:
                reply = assistant.retry(db, self.current_user(db), message_id)
                shown = assistant.view(reply)
        except DomainError as err:
            self.chat_error = str(err)
            return None
        self._merge([shown])
        failed = _enqueue_reply(message_id)
        if failed is not None:
            self._merge([failed])
        return None if self.listening else AssistantState.listen

    @rx.event
    def set_clear_open(self, value: bool):
        self.clear_open = value

    @rx.event
    def clear(self):
        self.clear_open = False
        try:
            with session_scope() as db:
                assistant.clear(db, self.current_user(db), self.thread_project_id)
        except DomainError as err:
            self.chat_error = str(err)
            return
        self.messages, self.has_more = [], False
        progress.publish(assistant.subject(self.thread_project_id), {"type": "cleared"})

    def _merge(self, incoming: list[dict]) -> None:
        by_id = {m["id"]: i for i, m in enumerate(self.messages)}
        messages = list(self.messages)
        for message in incoming:
            if message["id"] in by_id:
                messages[by_id[message["id"]]] = message
            else:
                messages.append(message)
        self.messages = messages

    async def _apply(self, event: dict) -> bool:
        """Apply one bus event to the panel (and the inputs card); True when fields changed."""
        kind = event.get("type")
        if kind == "message":
            self._merge([event["message"]])
        elif kind == "start":
            self.streaming_id, self.streaming_text = event["id"], ""
            self._set_status(event["id"], "streaming")
        elif kind == "delta":
            if self.streaming_id != event["id"]:
                self.streaming_id, self.streaming_text = event["id"], ""
            self.streaming_text += event["text"]
        elif kind == "reset":
            self.streaming_text = ""
        elif kind in ("done", "failed"):
            self._merge([event["message"]])
            if self.streaming_id == event["message"]["id"]:
                self.streaming_id, self.streaming_text = 0, ""
        elif kind == "cleared":
            self.messages, self.has_more = [], False
        elif kind == progress.RESYNC:  # the bus reconnected: events may have been lost
            self._reload_thread()
        elif kind == "auto_fill":
            project = await self.get_state(ProjectState)
            project.apply_ai_fill(event["fields"], event.get("completion_status", ""))
            return True
        return False

    def _reload_thread(self) -> None:
        """Re-read the latest page of the thread from the database (the truth)."""
        try:
            with session_scope() as db:
                self.messages, self.has_more = assistant.thread(
                    db, self.current_user(db), self.thread_project_id
                )
        except DomainError as err:
            self.chat_error = str(err)
            return
        self.streaming_id, self.streaming_text = 0, ""

    def _set_status(self, message_id: int, status: str) -> None:
        self.messages = [
            {**m, "status": status} if m["id"] == message_id else m for m in self.messages
        ]

    @rx.event(background=True)
    async def listen(self):
        """Follow the project's thread on the progress bus while the page is open.

        `follow` checks that this session may view the project before subscribing; the tab's
        state lock is held only to apply a batch of events (`bus.locked`), never while waiting.
        """
        generation, project_id = await locked(self, self._arm_listener)
        if not project_id:
            return

        def still_wanted() -> bool:
            on_page = route_project_id(self.router.url.path) == project_id
            return on_page and self.listener_generation == generation

        try:
            subject = assistant.subject(project_id)
            async for batch in follow(
                self, project_id, subject, still_wanted, LISTENER_IDLE_SECONDS
            ):
                if not batch:
                    continue  # an idle tick
                outcome = await locked(self, lambda b=batch: self._apply_batch(generation, b))
                if outcome is None:
                    break
                if outcome:
                    yield ProjectState.fade_ai_highlights
        finally:
            await locked(self, lambda: self._disarm_listener(generation))

    def _arm_listener(self) -> tuple[int, int]:
        self.listener_generation += 1
        self.listening = True
        return self.listener_generation, self.thread_project_id

    def _disarm_listener(self, generation: int) -> None:
        if self.listener_generation == generation:
            self.listening = False

    async def _apply_batch(self, generation: int, events: list[dict]) -> bool | None:
        """Apply every event in order: True when fields were filled, None when replaced."""
        if self.listener_generation != generation:
            return None
        filled = False
        for event in events:
            filled = await self._apply(event) or filled
        return filled

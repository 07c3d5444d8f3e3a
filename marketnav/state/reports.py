"""The project page's six report cards: start, cancel, retry, and live progress.

A background listener follows `project:{id}:reports` on the progress bus; each event carries
the full snapshot of one report's run (steps, details, ETA), so the card is replaced, never
patched. When a run ends, the card is re-read from the database (versions, summary, errors).
"""

from __future__ import annotations

import asyncio

import reflex as rx

from marketnav.db import session_scope
from marketnav.services import progress
from marketnav.services.errors import DomainError, ValidationFailed
from marketnav.services.reports import liveness, runs, views
from marketnav.services.reports.catalog import REPORT_ORDER, REPORT_TYPES
from marketnav.services.reports.tracker import subject_for_project
from marketnav.state.bus import follow, locked
from marketnav.state.project import route_project_id
from marketnav.state.session import PageState

LISTENER_IDLE_SECONDS = 30 * 60
FINAL = ("completed", "failed", "cancelled")


def _enqueue(run_id: int) -> None:
    from tasks.reports import enqueue

    enqueue(run_id)


def present(card: dict) -> dict:
    """The card with its run's progress turned into display strings (steps, ETA)."""
    shown = views.present_snapshot(card.pop("snapshot", None) or {})
    for key in ("steps", "done_steps", "current_step", "eta_text", "eta_confidence"):
        card[key] = shown.get(key, [] if key == "steps" else "")
    card["done_steps"] = card["done_steps"] or 0
    card["failed_step_error"] = shown.get("failed_step_error", "")
    card["stage_text"] = views.stage_text(card["status"], card["current_step"], card["steps"])
    if card.get("no_worker"):  # set by the listener from the run's heartbeat (liveness)
        card["stage_text"] = liveness.NO_WORKER_TEXT
    return card


class ReportsState(PageState):
    reports_project_id: int = 0
    cards: dict[str, dict] = {t: present(views.empty_card(t)) for t in REPORT_ORDER}
    expanded: dict[str, bool] = {}
    busy: dict[str, bool] = {}
    report_error: str = ""
    confirm_type: str = ""
    confirm_available: list[str] = []
    confirm_missing: list[str] = []
    reports_listener: int = 0
    reports_listening: bool = False
    # report type -> (run id, published_at) of the last progress snapshot applied (backend only).
    _progress_seen: dict[str, tuple[int, float]] = {}

    @rx.var
    def confirm_label(self) -> str:
        spec = REPORT_TYPES.get(self.confirm_type)
        return spec.label if spec else ""

    @rx.event
    def load(self):
        self.report_error, self.confirm_type = "", ""
        # Kept only once the user may open it: `listen` and every action read this id.
        self.reports_project_id = 0
        project_id = route_project_id(self.router.url.path)
        try:
            self._reload_all(project_id)
        except DomainError:
            self.cards = {t: present(views.empty_card(t)) for t in REPORT_ORDER}
            return None
        self.reports_project_id = project_id
        self.expanded = {t: c["status"] in ("running", "queued") for t, c in self.cards.items()}
        return ReportsState.listen

    def _set_card(self, card: dict) -> None:
        self.cards = {**self.cards, card["type"]: present(card)}

    def _reload_card(self, report_type: str) -> None:
        with session_scope() as db:
            card = views.card(db, self.current_user(db), self.reports_project_id, report_type)
        self._remember_read([card])
        self._set_card(card)

    def _remember_read(self, cards: list[dict]) -> None:
        """Cards just read from the database hold every snapshot published before the read
        (its `published_at`): a bus event built earlier that arrives late (a listener behind
        under load) must not take the card back, so it counts as seen."""
        seen = dict(self._progress_seen)
        for card in cards:
            snapshot = card.get("snapshot") or {}
            if snapshot.get("run_id") and snapshot.get("published_at"):
                seen[card["type"]] = (snapshot["run_id"], float(snapshot["published_at"]))
        self._progress_seen = seen

    def _guard(self, report_type: str) -> bool:
        if report_type not in REPORT_TYPES or self.busy.get(report_type):
            return False
        self.report_error = ""
        self.busy = {**self.busy, report_type: True}
        return True

    def _done(self, report_type: str, changed: bool = False) -> None:
        self.busy = {**self.busy, report_type: False}
        if changed:  # other tabs and members watching this project re-read the card
            progress.publish(
                subject_for_project(self.reports_project_id),
                {"type": "report_status", "report_type": report_type},
            )

    @rx.event
    def start(self, report_type: str, confirm_partial: bool = False):
        if not self._guard(report_type):
            return None
        self.confirm_type = ""
        try:
            with session_scope() as db:
                run = runs.start(
                    db,
                    self.current_user(db),
                    self.reports_project_id,
                    report_type,
                    confirm_partial=confirm_partial,
                    client=self.router.session.client_ip or "",
                )
                run_id = run.id
        except runs.PartialDataWarning as warning:
            self.confirm_type = report_type
            self.confirm_available, self.confirm_missing = warning.available, warning.missing
            self._done(report_type)
            return None
        except ValidationFailed as err:
            self.report_error = str(err)
            self._done(report_type)
            return rx.scroll_to("inputs-card")
        except DomainError as err:
            self.report_error = str(err)
            self._done(report_type)
            return None
        _enqueue(run_id)
        self._reload_card(report_type)
        self.expanded = {**self.expanded, report_type: True}
        self._done(report_type, changed=True)
        return None if self.reports_listening else ReportsState.listen

    def _reload_all(self, project_id: int | None = None) -> None:
        with session_scope() as db:
            cards = views.project_cards(
                db, self.current_user(db), project_id or self.reports_project_id
            )
        self._remember_read(cards)
        self.cards = {c["type"]: present(c) for c in cards}

    @rx.event
    def refresh(self):
        """Re-read the cards (after the inputs changed: outdated flags)."""
        try:
            self._reload_all()
        except DomainError:
            return

    @rx.event
    def confirm_partial(self):
        return ReportsState.start(self.confirm_type, True)

    @rx.event
    def close_confirm(self):
        self.confirm_type = ""

    @rx.event
    def retry(self, report_type: str):
        if not self._guard(report_type):
            return None
        try:
            with session_scope() as db:
                run = runs.retry(
                    db,
                    self.current_user(db),
                    self.cards[report_type]["run_id"],
                    client=self.router.session.client_ip or "",
                )
                run_id = run.id
        except DomainError as err:
            self.report_error = str(err)
            self._done(report_type)
            return None
        _enqueue(run_id)
        self._reload_card(report_type)
        self._done(report_type, changed=True)
        return None if self.reports_listening else ReportsState.listen

    @rx.event
    def cancel(self, report_type: str):
        if not self._guard(report_type):
            return
        try:
            with session_scope() as db:
                runs.cancel(
                    db,
                    self.current_user(db),
                    self.cards[report_type]["run_id"],
                    client=self.router.session.client_ip or "",
                )
            self._reload_card(report_type)
        except DomainError as err:
            self.report_error = str(err)
            self._done(report_type)
            return
        self._done(report_type, changed=True)

    @rx.event
    def toggle_details(self, report_type: str):
        self.expanded = {**self.expanded, report_type: not self.expanded.get(report_type)}

    @rx.event(background=True)
    async def listen(self):
        """Follow the project's report runs while the page is open (`follow` checks access).

        Holds the tab's state lock only to apply a batch of events (`bus.locked`), never while
        waiting for one: a reload during a run is served at once.
        """
        generation, project_id = await locked(self, self._arm_listener)
        if not project_id:
            return

        def still_wanted() -> bool:
            on_page = route_project_id(self.router.url.path) == project_id
            return on_page and self.reports_listener == generation

        try:
            subject = subject_for_project(project_id)
            async for batch in follow(
                self, project_id, subject, still_wanted, LISTENER_IDLE_SECONDS
            ):
                if not batch:  # an idle tick: is a worker still serving the running cards?
                    batch = await asyncio.to_thread(self._liveness_events)
                    if not batch:
                        continue
                if not await locked(self, lambda b=batch: self._apply_batch(generation, b)):
                    break
        finally:
            await locked(self, lambda: self._disarm_listener(generation))

    def _arm_listener(self) -> tuple[int, int]:
        self.reports_listener += 1
        self.reports_listening = True
        return self.reports_listener, self.reports_project_id

    def _disarm_listener(self, generation: int) -> None:
        if self.reports_listener == generation:
            self.reports_listening = False

    def _apply_batch(self, generation: int, events: list[dict]) -> bool:
        """Apply every event in order; False when a newer listener took over."""
        if self.reports_listener != generation:
            return False
        for event in events:
            self._apply(event)
        return True

    def _liveness_events(self) -> list[dict]:
        """One `liveness` event naming the running runs no worker beats for (read unlocked)."""
        cards = dict(self.cards)  # a snapshot: outside the lock the state is read-only
        run_ids = [c["run_id"] for c in cards.values() if c["status"] == "running"]
        if not run_ids and not any(c.get("no_worker") for c in cards.values()):
            return []
        with session_scope() as db:
            silent = liveness.silent_runs(db, run_ids)
        return [{"type": "liveness", "silent": list(silent)}]

    def _apply(self, event: dict) -> None:
        report_type = event.get("report_type", "")
        if event.get("type") == "liveness":
            for card in list(self.cards.values()):
                no_worker = card["status"] == "running" and card["run_id"] in event["silent"]
                if bool(card.get("no_worker")) != no_worker:
                    shown = {**card, "no_worker": no_worker}
                    shown["stage_text"] = (
                        liveness.NO_WORKER_TEXT
                        if no_worker
                        else views.stage_text(card["status"], card["current_step"], card["steps"])
                    )
                    self.cards = {**self.cards, card["type"]: shown}
            return
        if event.get("type") == "report_progress" and report_type in self.cards:
            card = dict(self.cards[report_type])
            if event["run_id"] < card.get("run_id", 0):
                return  # an older run's late event
            published = float(event.get("published_at") or 0)
            seen_run, seen_at = self._progress_seen.get(report_type, (0, 0.0))
            if published and event["run_id"] == seen_run and published < seen_at:
                return  # built before the snapshot already shown (never go back)
            self._progress_seen = {**self._progress_seen, report_type: (event["run_id"], published)}
            card.update(
                no_worker=False,  # a worker published this
                status=event["status"],
                progress=event["progress"],
                run_id=event["run_id"],
                run_version=event["version"],
                snapshot=event,
            )
            self._set_card(card)
            if event["status"] in FINAL:
                # Verdict and the deck depend on the others: every card may change.
                self._reload_all()
        elif event.get("type") in ("report_status", progress.RESYNC):
            # RESYNC: the bus reconnected and may have lost events: re-read every card.
            for known in [report_type] if report_type in self.cards else list(self.cards):
                self._reload_card(known)

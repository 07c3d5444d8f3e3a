"""The project page's "Watch this market" card: the refresh schedule and following changes.

Thin: `services.watching.schedule` and `.notifications` check every action against the signed-in
user (`projects.get`, i.e. `permissions.authorize`): anyone who can open the project may follow
it, members and up may change the schedule.
"""

from __future__ import annotations

from dataclasses import asdict

import reflex as rx

from marketnav.db import session_scope
from marketnav.services.errors import DomainError
from marketnav.services.watching import cadence, company_follows, notifications, schedule
from marketnav.state.project import route_project_id
from marketnav.state.session import PageState

TYPE_OPTIONS = [{"value": t, "label": label} for t, label in schedule.watchable_types()]
CADENCE_OPTIONS = [{"value": c, "label": cadence.CADENCE_LABELS[c]} for c in cadence.CADENCES]


def _labels(report_types: list[str]) -> str:
    labels = {o["value"]: o["label"] for o in TYPE_OPTIONS}
    return ", ".join(labels.get(t, t) for t in report_types)


class WatchState(PageState):
    watch_project_id: int = 0
    watching: bool = False
    watch_can_change: bool = False
    watch_types: list[str] = []
    watch_cadence: str = "weekly"
    watch_status: str = ""
    watch_next: str = ""
    watch_last: str = ""
    watch_last_error: str = ""
    watch_pending: list[str] = []
    following: bool = False
    email_digest: bool = True
    followed_companies: list[dict] = []

    # The schedule form.
    form_open: bool = False
    form_types: list[str] = []
    form_cadence: str = "weekly"
    watch_error: str = ""
    watch_notice: str = ""
    watch_busy: bool = False

    @rx.var
    def type_options(self) -> list[dict[str, str]]:
        return TYPE_OPTIONS

    @rx.var
    def cadence_options(self) -> list[dict[str, str]]:
        return CADENCE_OPTIONS

    @rx.var
    def watch_type_labels(self) -> str:
        return _labels(self.watch_types)

    @rx.var
    def watch_pending_labels(self) -> str:
        return _labels(self.watch_pending)

    @rx.var
    def watch_cadence_label(self) -> str:
        return cadence.CADENCE_LABELS.get(self.watch_cadence, self.watch_cadence)

    def _read(self, db, user) -> None:
        shown = schedule.view(db, user, self.watch_project_id)
        data = asdict(shown)
        self.watching, self.watch_can_change = data["watching"], data["can_change"]
        self.watch_types, self.watch_cadence = data["report_types"], data["cadence"]
        self.watch_status, self.watch_next = data["status"], data["next_run_at"]
        self.watch_last, self.watch_last_error = data["last_run_at"], data["last_error"]
        self.watch_pending = data["pending"]
        self.followed_companies = company_follows.followed(db, user, self.watch_project_id)
        follower = notifications.following(db, user, self.watch_project_id)
        self.following = follower is not None
        self.email_digest = follower.email_digest if follower else True

    @rx.event
    def load(self):
        self.form_open, self.watch_error, self.watch_notice = False, "", ""
        self.watch_project_id = 0
        project_id = route_project_id(self.router.url.path)
        if not project_id:
            return None
        try:
            with session_scope() as db:
                user = self.current_user(db)
                self.watch_project_id = project_id
                self._read(db, user)
        except DomainError:
            self.watch_project_id, self.watching = 0, False  # the project page says why
        return None

    def _act(self, change, notice: str) -> None:
        """Run `change(db, user)` as the signed-in user, then re-read the card."""
        self.watch_error, self.watch_notice = "", ""
        self.watch_busy = True
        try:
            with session_scope() as db:
                user = self.current_user(db)
                change(db, user)
            with session_scope() as db:
                self._read(db, self.current_user(db))
            self.watch_notice = notice
        except DomainError as err:
            self.watch_error = str(err)  # the form keeps what was chosen
        finally:
            self.watch_busy = False

    # -- the schedule --------------------------------------------------------------------

    @rx.event
    def open_form(self):
        self.form_types = list(self.watch_types) or ["crunchbase", "tracxn"]
        self.form_cadence = self.watch_cadence or "weekly"
        self.form_open, self.watch_error = True, ""

    @rx.event
    def close_form(self):
        self.form_open, self.watch_error = False, ""

    @rx.event
    def toggle_type(self, report_type: str, checked: bool):
        chosen = [t for t in self.form_types if t != report_type]
        self.form_types = [*chosen, report_type] if checked else chosen

    @rx.event
    def set_form_cadence(self, value: str):
        self.form_cadence = str(value)

    @rx.event
    def save(self):
        types, cadence = list(self.form_types), self.form_cadence
        was_watching = self.watching
        self._act(
            lambda db, user: schedule.save(db, user, self.watch_project_id, types, cadence),
            "Schedule saved." if was_watching else "Watching this market.",
        )
        if not self.watch_error:
            self.form_open = False

    @rx.event
    def pause(self):
        self._act(
            lambda db, user: schedule.set_paused(db, user, self.watch_project_id, True), "Paused."
        )

    @rx.event
    def resume(self):
        self._act(
            lambda db, user: schedule.set_paused(db, user, self.watch_project_id, False),
            "Resumed.",
        )

    @rx.event
    def stop(self):
        self._act(
            lambda db, user: schedule.stop(db, user, self.watch_project_id),
            "Stopped watching: no more scheduled refreshes.",
        )

    # -- following -----------------------------------------------------------------------

    @rx.event
    def set_following(self, on: bool):
        def change(db, user):
            if on:
                notifications.follow(db, user, self.watch_project_id, email_digest=True)
            else:
                notifications.unfollow(db, user, self.watch_project_id)

        self._act(change, "Following its changes." if on else "No longer following.")

    @rx.event
    def set_email_digest(self, on: bool):
        self._act(
            lambda db, user: notifications.follow(
                db, user, self.watch_project_id, email_digest=bool(on)
            ),
            "E-mail digests on." if on else "E-mail digests off: changes show under the bell only.",
        )

    @rx.event
    def unfollow_company(self, source: str, slug: str):
        self._act(
            lambda db, user: company_follows.unfollow(
                db, user, self.watch_project_id, str(source), str(slug)
            ),
            "No longer following that company.",
        )

"""What a page showing one report version holds: sections, contents, charts, formats.

The signed-in viewer and the public share page both extend this state, so the same section,
contents and chart components render either of them.
"""

from __future__ import annotations

from dataclasses import asdict

import reflex as rx

from marketnav.db import session_scope
from marketnav.services.errors import DomainError
from marketnav.services.reports import viewer
from marketnav.services.watching import company_follows
from marketnav.state.project import route_report
from marketnav.state.session import PageState

CONTENT_FIELDS = (
    "project_name",
    "label",
    "title",
    "formats",
    "version",
    "generated_at",
    "offline",
    "sections",
    "toc",
    "funding_chart",
    "radar_chart",
    "competitor_map",
    "competitor_view",
    "map_y_label",
    "data_used_html",
    "demo",
    "unsupported_claims",
    "can_follow",
    "followed_keys",
)


class ReportContentState(PageState):
    project_name: str = ""
    label: str = ""
    title: str = ""
    formats: list[dict[str, str]] = []
    version: int = 0
    generated_at: str = ""
    offline: bool = False
    sections: list[dict] = []
    toc: list[dict] = []
    funding_chart: list[dict] = []
    radar_chart: list[dict] = []
    verdict: dict[str, str] = {}
    competitor_map: list[dict] = []
    competitor_view: dict = {}
    map_y_label: str = ""
    data_used_html: str = ""
    demo: bool = False
    unsupported_claims: int = 0
    # Following a company of the version shown (never on the share page).
    can_follow: bool = False
    followed_keys: list[str] = []
    follow_notice: str = ""
    # The phone's fullscreen panel ("left" / "right"), "" when none is open.
    mobile_panel: str = ""

    def _show_content(self, page: viewer.ReportPage) -> None:
        data = asdict(page)
        for name in CONTENT_FIELDS:
            setattr(self, name, data[name])
        self.verdict = {k: str(v) for k, v in page.verdict.items()}

    @rx.var
    def follow_prefix(self) -> str:
        """`crunchbase:` on a Crunchbase report's page: its companies' follow keys start so."""
        return route_report(self.router.url.path)[1] + ":"

    @rx.event
    def toggle_follow(self, slug: str):
        """Follow (or stop following) a company of the report on this URL, as the signed-in
        user; the service checks they may open the project."""
        project_id, report_type = route_report(self.router.url.path)
        if not (self.can_follow and project_id):
            return None
        key = f"{report_type}:{slug}"
        try:
            with session_scope() as db:
                user = self.current_user(db)
                if key in self.followed_keys:
                    company_follows.unfollow(db, user, project_id, report_type, slug)
                    self.follow_notice = "No longer following it."
                else:
                    row = company_follows.follow(db, user, project_id, report_type, slug)
                    self.follow_notice = (
                        f"Following {row.company_name}: re-checked with its data source on "
                        "this project's watch cadence (weekly without one)."
                    )
            with session_scope() as db:
                user = self.current_user(db)
                shown = company_follows.followed(db, user, project_id)
                self.followed_keys = [f["key"] for f in shown]
        except DomainError as err:
            self.follow_notice = str(err)
        return None

    @rx.event
    def open_mobile(self, panel: str):
        self.mobile_panel = panel if panel in ("left", "right") else ""

    @rx.event
    def close_mobile(self):
        self.mobile_panel = ""

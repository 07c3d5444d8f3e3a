"""What a page showing one report version holds: sections, contents, charts, formats.

The signed-in viewer and the public share page both extend this state, so the same section,
contents and chart components render either of them.
"""

from __future__ import annotations

from dataclasses import asdict

import reflex as rx

from marketnav.services.reports import viewer
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
    # The phone's fullscreen panel ("left" / "right"), "" when none is open.
    mobile_panel: str = ""

    def _show_content(self, page: viewer.ReportPage) -> None:
        data = asdict(page)
        for name in CONTENT_FIELDS:
            setattr(self, name, data[name])
        self.verdict = {k: str(v) for k, v in page.verdict.items()}

    @rx.event
    def open_mobile(self, panel: str):
        self.mobile_panel = panel if panel in ("left", "right") else ""

    @rx.event
    def close_mobile(self):
        self.mobile_panel = ""

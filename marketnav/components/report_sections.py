"""The report viewer's body: table of contents, sections by kind, and the version diff.

Section HTML comes sanitised from the service (`markdown_render.to_safe_html`); slide bullets
and notes are plain text. Every section is a box with `id=anchor` and `data-report-section`;
the TOC links carry `data-toc-target=anchor` so `assets/report_viewer.js` can scroll to them
and highlight the one in view.
"""

from __future__ import annotations

import reflex as rx

from marketnav.components.market_changes import diff_changes
from marketnav.components.report_charts import competitor_map, funding_chart, verdict_radar
from marketnav.state.report_content import ReportContentState as S
from marketnav.state.report_viewer import ReportViewerState as Viewer


def toc() -> rx.Component:
    """Numbered sections; the one in view is highlighted by the scroll-spy script."""
    return rx.cond(
        S.toc.length() > 0,
        rx.el.nav(
            rx.text("Sections", size="1", weight="bold", color_scheme="gray", margin_bottom="4px"),
            rx.el.ol(
                rx.foreach(
                    S.toc,
                    lambda item: rx.el.li(
                        rx.el.a(
                            rx.text.span(item["number"], ".", class_name="mn-toc-number"),
                            rx.text.span(item["title"]),
                            href="#" + item["anchor"].to(str),
                            on_click=S.close_mobile,
                            class_name=rx.cond(
                                item["kind"] == "company", "mn-toc-link mn-toc-sub", "mn-toc-link"
                            ),
                            custom_attrs={
                                "data-toc-target": item["anchor"],
                                "data-testid": "toc-link",
                            },
                        ),
                    ),
                ),
                class_name="mn-toc",
            ),
            aria_label="Sections",
            custom_attrs={"data-testid": "report-toc"},
        ),
        rx.text("No sections yet.", size="2", color_scheme="gray"),
    )


def _markdown(section: rx.Var) -> rx.Component:
    return rx.box(rx.html(section["html"].to(str)), class_name="mn-report-md")


def _slide(section: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge("Slide ", section["slide_number"], variant="soft"),
                rx.heading(section["title"], size="5", as_="h2"),
                align="center",
                spacing="3",
                wrap="wrap",
            ),
            rx.cond(
                section["bullets"].to(list[str]).length() > 0,
                rx.el.ul(
                    rx.foreach(section["bullets"].to(list[str]), lambda b: rx.el.li(b)),
                    class_name="mn-slide-bullets",
                ),
                _markdown(section),
            ),
            rx.cond(
                section["notes"].to(str) != "",
                rx.text(
                    rx.text.strong("Speaker notes: "),
                    section["notes"].to(str),
                    size="2",
                    color_scheme="gray",
                    class_name="mn-field-value",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        class_name="mn-slide",
        width="100%",
    )


def _follow_button(section: rx.Var) -> rx.Component:
    slug = section["slug"].to(str)
    following = S.followed_keys.contains(S.follow_prefix + slug)
    return rx.cond(
        S.can_follow & (slug != ""),
        rx.button(
            rx.icon(rx.cond(following, "bell-ring", "bell-plus"), size=14),
            rx.cond(following, "Following", "Follow"),
            size="1",
            variant=rx.cond(following, "solid", "soft"),
            on_click=S.toggle_follow(slug).stop_propagation.prevent_default,
            aria_label=rx.cond(following, "Stop following ", "Follow ") + section["title"].to(str),
            custom_attrs={"data-testid": "follow-company"},
        ),
    )


def _company(section: rx.Var) -> rx.Component:
    return rx.el.details(
        rx.el.summary(
            rx.text.span(section["title"], weight="bold"),
            _follow_button(section),
            class_name="mn-company-summary",
        ),
        _markdown(section),
        class_name="mn-company",
    )


def _plain(section: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.heading(section["number"], ". ", section["title"], size="5", as_="h2"),
        rx.match(
            section["chart"].to(str),
            ("radar", _verdict_block()),
            rx.fragment(),
        ),
        _markdown(section),
        rx.cond(section["chart"].to(str) == "funding", funding_chart(S.funding_chart)),
        spacing="3",
        width="100%",
    )


def _verdict_block() -> rx.Component:
    verdict = S.verdict
    return rx.vstack(
        rx.cond(
            verdict.contains("verdict"),
            rx.hstack(
                rx.badge(
                    verdict["verdict"],
                    size="3",
                    color_scheme=rx.match(
                        verdict["colour"],
                        ("green", "green"),
                        ("amber", "amber"),
                        ("red", "red"),
                        "gray",
                    ),
                    custom_attrs={"data-testid": "verdict-badge"},
                ),
                rx.text("Total score ", rx.text.strong(verdict["total_score"]), " / 100", size="3"),
                rx.cond(
                    verdict.contains("score_range"),
                    rx.text("range ", verdict["score_range"], size="2", color_scheme="gray"),
                ),
                rx.cond(
                    verdict.contains("confidence"),
                    rx.text("confidence ", verdict["confidence"], size="2", color_scheme="gray"),
                ),
                align="center",
                spacing="3",
                wrap="wrap",
            ),
        ),
        rx.cond(
            verdict.contains("unknown_axes"),
            rx.text(
                verdict["headline"], size="2", custom_attrs={"data-testid": "verdict-headline"}
            ),
        ),
        rx.cond(
            S.radar_chart.length() > 0,
            verdict_radar(
                S.radar_chart,
                rx.cond(verdict.contains("unknown_axes"), verdict["unknown_axes"], ""),
            ),
        ),
        width="100%",
        spacing="2",
    )


def _section(section: rx.Var) -> rx.Component:
    kind = section["kind"].to(str)
    return rx.fragment(
        rx.cond(
            section["map_before"].to(bool),
            rx.box(
                competitor_map(S.competitor_view, S.map_y_label),
                rx.cond(
                    (section["chart"].to(str) == "funding") & (kind == "company"),
                    funding_chart(S.funding_chart),
                ),
                class_name="mn-report-section",
            ),
            rx.cond(
                (section["chart"].to(str) == "funding") & (kind == "company"),
                rx.box(funding_chart(S.funding_chart), class_name="mn-report-section"),
            ),
        ),
        rx.box(
            rx.match(
                kind,
                ("company", _company(section)),
                ("slide", _slide(section)),
                _plain(section),
            ),
            id=section["anchor"].to(str),
            class_name=rx.cond(
                kind == "company", "mn-report-section mn-report-company", "mn-report-section"
            ),
            custom_attrs={
                "data-report-section": section["anchor"],
                "data-testid": "report-section",
            },
        ),
    )


def data_used() -> rx.Component:
    """Where the report's records came from (demo data flagged), above the first section."""
    return rx.cond(
        S.data_used_html != "",
        rx.box(
            rx.html(S.data_used_html),
            rx.cond(
                S.unsupported_claims > 0,
                rx.text(
                    S.unsupported_claims,
                    " statement(s) of the AI-written text are not in the data: they are marked "
                    "“not in the data” where they appear.",
                    size="2",
                    color_scheme="red",
                    custom_attrs={"data-testid": "unsupported-claims"},
                ),
            ),
            class_name=rx.cond(S.demo, "mn-data-used mn-demo", "mn-data-used"),
            id="data-used",
            width="100%",
            custom_attrs={"data-testid": "data-used"},
        ),
    )


def sections() -> rx.Component:
    return rx.vstack(
        data_used(),
        rx.foreach(S.sections, _section),
        spacing="3",
        width="100%",
        custom_attrs={"data-testid": "report-sections"},
    )


# -- diff ------------------------------------------------------------------------------------

VERDICT_COLOURS = (("green", "green"), ("amber", "amber"), ("red", "red"))
STATUS_COLOURS = (("added", "green"), ("removed", "red"), ("changed", "amber"))


def _diff_line(line: rx.Var) -> rx.Component:
    kind = line["kind"].to(str)
    return rx.el.div(
        rx.el.span(
            rx.match(kind, ("add", "+ "), ("del", "- "), ("hunk", ""), "  "),
            class_name="mn-diff-mark",
            custom_attrs={"aria-hidden": "true"},
        ),
        # Rendered Markdown of the line (bold as bold, never `**Stage**`), escaped by the service.
        rx.html(line["html"].to(str), class_name="mn-diff-text"),
        class_name=rx.match(
            kind,
            ("add", "mn-diff-line mn-diff-add"),
            ("del", "mn-diff-line mn-diff-del"),
            ("hunk", "mn-diff-line mn-diff-hunk"),
            "mn-diff-line",
        ),
    )


def _diff_section(section: rx.Var) -> rx.Component:
    status = section["status"].to(str)
    return rx.box(
        rx.hstack(
            rx.badge(status, color_scheme=rx.match(status, *STATUS_COLOURS, "gray")),
            rx.text(section["title"], weight="bold", size="2"),
            rx.spacer(),
            rx.text(
                "+", section["added"], " / -", section["removed"], size="1", color_scheme="gray"
            ),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        rx.box(
            rx.foreach(section["lines"].to(list[dict]), _diff_line),
            class_name="mn-diff-lines",
        ),
        rx.cond(
            section["truncated"].to(bool),
            rx.text("Long diff cut short.", size="1", color_scheme="gray"),
        ),
        class_name="mn-diff-section",
        custom_attrs={"data-testid": "diff-section", "data-status": status},
    )


def _version_select(value: rx.Var, on_change, test_id: str, name: str) -> rx.Component:
    return rx.select(
        Viewer.version_options,
        value=value,
        on_change=on_change,
        size="2",
        custom_attrs={"data-testid": test_id, "aria-label": name},
    )


def diff_panel() -> rx.Component:
    """Two version pickers and, per section, what was added, removed or changed."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Compare versions", size="4"),
                rx.spacer(),
                rx.icon_button(
                    rx.icon("x"),
                    variant="ghost",
                    on_click=Viewer.close_diff,
                    aria_label="Close comparison",
                    custom_attrs={"data-testid": "diff-close"},
                ),
                width="100%",
                align="center",
            ),
            rx.hstack(
                rx.text("From v", size="2"),
                _version_select(Viewer.diff_a, Viewer.set_diff_a, "diff-a", "From version"),
                rx.text("to v", size="2"),
                _version_select(Viewer.diff_b, Viewer.set_diff_b, "diff-b", "To version"),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            rx.cond(
                Viewer.diff_error != "",
                rx.text(Viewer.diff_error, color_scheme="red", size="2"),
                rx.vstack(
                    rx.text(
                        Viewer.diff_counts["changed"],
                        " changed · ",
                        Viewer.diff_counts["added"],
                        " added · ",
                        Viewer.diff_counts["removed"],
                        " removed · ",
                        Viewer.diff_counts["unchanged"],
                        " unchanged",
                        size="2",
                        color_scheme="gray",
                        custom_attrs={"data-testid": "diff-counts"},
                    ),
                    diff_changes(),
                    rx.foreach(Viewer.diff_sections, _diff_section),
                    rx.cond(
                        Viewer.diff_unchanged.length() > 0,
                        rx.text(
                            "Unchanged: ",
                            Viewer.diff_unchanged.join(", "),
                            size="1",
                            color_scheme="gray",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": "diff-panel"},
    )

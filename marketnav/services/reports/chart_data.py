"""The data of a report's charts (funding, competitor map, verdict radar): one computation.

The viewer (Recharts), the HTML export and the PDF export all draw from `report_charts`, which
reads the sections' `section_data`. Missing values stay missing: a company without a public
funding figure is left out of the funding chart and counted in `funding_unknown`, and a verdict
axis whose score is None or "unknown" is listed in `radar_axes` with score None, never as 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from marketnav.services.reports.catalog import VERDICT_AXES

if TYPE_CHECKING:
    from marketnav.models import ReportSection
    from marketnav.services.reports.exports import SectionDoc

VERDICT_COLOURS = {"GO": "green", "ITERATE": "amber", "PARK": "red", "KILL": "red"}
MAX_FUNDING_BARS = 12
MIN_RADAR_AXES = 3
# Keys a company section's data may use for the competitor map (first present wins).
FUNDING_KEYS = ("funding_usd", "total_funding_usd", "funding")
SCORE_KEYS = ("score", "similarity_score", "relevance_score", "combined_score", "tracxn_score")
RANK_KEYS = ("rank", "cb_rank", "tracxn_rank")
NAME_LENGTH = 40


@dataclass(frozen=True)
class ChartSection:
    """What the charts read of one section, whichever model it comes from."""

    key: str
    kind: str
    name: str
    data: dict[str, Any]


@dataclass
class ReportCharts:
    """Every chart of one report version, ready to draw.

    The point lists are those the viewer's Recharts components take; the counts and
    `radar_axes` say what could not be drawn, so every rendering can say so.
    """

    funding: list[dict[str, Any]] = field(default_factory=list)
    funding_unknown: int = 0  # companies named in the data without a public funding figure
    funding_hidden: int = 0  # companies with funding beyond the MAX_FUNDING_BARS largest
    verdict: dict[str, Any] = field(default_factory=dict)
    radar: list[dict[str, Any]] = field(default_factory=list)
    radar_axes: list[dict[str, Any]] = field(default_factory=list)  # every axis; score or None
    competitors: list[dict[str, Any]] = field(default_factory=list)
    competitor_y_label: str = ""
    competitors_unplaced: int = 0  # companies lacking funding or a score/rank

    @property
    def empty(self) -> bool:
        return not (self.funding or self.radar_axes or self.competitors)


def from_rows(rows: Iterable[ReportSection]) -> list[ChartSection]:
    return [
        ChartSection(r.section_key, r.kind, r.company_name or r.title, r.section_data or {})
        for r in rows
    ]


def from_sections(sections: Iterable[SectionDoc]) -> list[ChartSection]:
    return [ChartSection(s.key, s.kind, s.company_name or s.title, s.data or {}) for s in sections]


def number(value: Any) -> float | None:
    """A finite number from JSON data (numbers or numeric strings), else None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        parsed = float(value)
    except (TypeError, ValueError):
        return None
    return parsed if math.isfinite(parsed) else None


def _first(data: dict[str, Any], keys: tuple[str, ...]) -> float | None:
    for key in keys:
        found = number(data.get(key))
        if found is not None:
            return found
    return None


def _millions(usd: float) -> float:
    return round(usd / 1_000_000, 2)


def _company_data(section: ChartSection) -> dict[str, Any]:
    """A company section's figures: the market pipelines nest them under "facts"."""
    facts = section.data.get("facts") if isinstance(section.data.get("facts"), dict) else {}
    return {**facts, **section.data}


# -- funding ---------------------------------------------------------------------------------


def funding_points(sections: list[ChartSection]) -> tuple[list[dict[str, Any]], int, int]:
    """(bars, companies without funding, companies cut off): a section's `funding_chart`,
    else the company sections; largest first."""
    raw: list[tuple[str, float]] = []
    unknown: set[str] = set()
    chart_section = next(
        (
            s
            for s in sections
            if isinstance(s.data.get("funding_chart"), list) and s.data["funding_chart"]
        ),
        None,
    )
    if chart_section is not None:
        for item in chart_section.data["funding_chart"]:
            if not isinstance(item, dict) or not str(item.get("name") or "").strip():
                continue
            usd = number(item.get("funding_usd"))
            name = str(item["name"])[:NAME_LENGTH]
            if usd is None:
                unknown.add(name.casefold())
            else:
                raw.append((name, usd))
    else:
        for section in sections:
            if section.kind == "company":
                usd = _first(_company_data(section), FUNDING_KEYS)
                if usd is None:
                    unknown.add(section.name[:NAME_LENGTH].casefold())
                else:
                    raw.append((section.name[:NAME_LENGTH], usd))
    drawn = {name.casefold() for name, _ in raw}
    if chart_section is not None:  # company sections the chart leaves out, without a figure
        for section in sections:
            if section.kind == "company" and _first(_company_data(section), FUNDING_KEYS) is None:
                unknown.add(section.name[:NAME_LENGTH].casefold())
    raw.sort(key=lambda item: item[1], reverse=True)
    bars = [
        {"name": name, "funding_usd": usd, "funding_musd": _millions(usd)}
        for name, usd in raw[:MAX_FUNDING_BARS]
    ]
    return bars, len(unknown - drawn), max(0, len(raw) - MAX_FUNDING_BARS)


# -- verdict ---------------------------------------------------------------------------------


def _axis_score(value: Any) -> float | None:
    """An axis score from stored JSON: a number, {"raw": n}, or None / "unknown" (no evidence)."""
    if isinstance(value, dict):  # {"raw": 62, "weighted": 15.5}
        value = value.get("raw", value.get("score"))
    return number(value)


def verdict_chart(
    sections: list[ChartSection],
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """(badge, radar points of the known axes, every axis with its score or None).

    Only known axes are points: an unknown axis (score None, from runs since the verdict
    keeps unknown apart from zero) is never drawn as 0; the badge names it under
    `unknown_axes`. Old runs (every score a number, a missing source stored as 0) render as
    they were stored.
    """
    section = next((s for s in sections if s.key == "verdict_decision"), None)
    if section is None:
        return {}, [], []
    data = section.data
    verdict_name = str(data.get("verdict") or "").upper()
    total = number(data.get("total_score"))
    labels = {key: label for key, label, _ in VERDICT_AXES}
    points: list[dict[str, Any]] = []
    axes: list[dict[str, Any]] = []
    unknown: list[str] = []
    scores = data.get("scores") if isinstance(data.get("scores"), dict) else {}
    for axis, value in scores.items():
        label = labels.get(axis, str(axis).replace("_", " ").title())
        score = _axis_score(value)
        if score is None:
            unknown.append(label)
            axes.append({"axis": label, "score": None})
            continue
        clamped = max(0.0, min(100.0, score))
        axes.append({"axis": label, "score": clamped})
        points.append({"axis": label, "score": clamped, "full": 100})
    verdict: dict[str, Any] = {}
    if verdict_name or total is not None or scores:
        verdict = {
            "verdict": verdict_name or "UNKNOWN",
            "total_score": round(total) if total is not None else "unknown",
            "colour": VERDICT_COLOURS.get(verdict_name, "gray"),
        }
        if unknown:
            verdict["unknown_axes"] = ", ".join(unknown)
        score_range = data.get("score_range")
        if unknown and isinstance(score_range, list) and len(score_range) == 2:
            low, high = (number(v) for v in score_range)
            if low is not None and high is not None:
                verdict["score_range"] = f"{round(low)}-{round(high)}"
        for key in ("confidence", "headline"):
            if data.get(key):
                verdict[key] = str(data[key])
    return (
        verdict,
        points if len(points) >= MIN_RADAR_AXES else [],
        axes if len(axes) >= MIN_RADAR_AXES else [],
    )


# -- competitor map --------------------------------------------------------------------------


def competitor_points(sections: list[ChartSection]) -> tuple[list[dict[str, Any]], str, int]:
    """(points, y label, companies not placed): funding (x) and score, or rank without (y)."""
    companies = [s for s in sections if s.kind == "company"]
    with_score = [s for s in companies if _first(_company_data(s), SCORE_KEYS) is not None]
    keys, label = (SCORE_KEYS, "Score") if with_score else (RANK_KEYS, "Rank")
    points = []
    for section in companies:
        usd = _first(_company_data(section), FUNDING_KEYS)
        y = _first(_company_data(section), keys)
        if usd is not None and y is not None:
            points.append(
                {"name": section.name[:NAME_LENGTH], "funding_musd": _millions(usd), "y": y}
            )
    if len(points) < 2:
        return [], "", 0
    return points, label, len(companies) - len(points)


def report_charts(sections: list[ChartSection]) -> ReportCharts:
    """All the charts of one version's sections."""
    funding, unknown, hidden = funding_points(sections)
    verdict, radar, axes = verdict_chart(sections)
    competitors, y_label, unplaced = competitor_points(sections)
    return ReportCharts(
        funding=funding,
        funding_unknown=unknown if funding else 0,
        funding_hidden=hidden,
        verdict=verdict,
        radar=radar,
        radar_axes=axes,
        competitors=competitors,
        competitor_y_label=y_label,
        competitors_unplaced=unplaced,
    )

"""The Verdict's mechanical rules. The model proposes axis scores; this code decides.

Pure functions, no I/O (PREDECESSOR.md 4.6, "Master Prompt v8.3"):

- each axis is scored 0-100 and weighted by `VERDICT_AXES` (Demand 25, Competition 20,
  Differentiation 20, Economics 20, Feasibility 15); the total is the weighted mean;
- missing data scores zero: an axis whose every source dataset is missing gets 0 (and evidence
  citing a missing dataset is dropped); each missing dataset is also an explicit major risk;
- Economics is capped at 25 when no pricing or cost signal occurs in the data;
- PARK when the total is below 50 or at least one killer risk exists; otherwise GO when the
  total is above 75, Demand is classified "Acute" and no major structural risk is open;
  everything else is ITERATE (a total of 50-75, or a major structural risk, or latent demand,
  holding back a score above 75).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from marketnav.services.reports.catalog import VERDICT_AXES

AXIS_WEIGHTS: dict[str, int] = {key: weight for key, _, weight in VERDICT_AXES}
AXIS_NAMES: dict[str, str] = {key: name for key, name, _ in VERDICT_AXES}
SOURCES: tuple[str, ...] = ("crunchbase", "tracxn", "social")
SOURCE_LABELS: dict[str, str] = {"crunchbase": "Crunchbase", "tracxn": "Tracxn", "social": "Social"}
# Which datasets carry evidence for each axis.
AXIS_SOURCES: dict[str, tuple[str, ...]] = {
    "demand": ("social",),
    "competition": ("crunchbase", "tracxn"),
    "differentiation": ("crunchbase", "tracxn", "social"),
    "economics": ("social", "crunchbase", "tracxn"),
    "feasibility": ("crunchbase", "tracxn"),
}
GO_ABOVE = 75.0
PARK_BELOW = 50.0
ECONOMICS_CAP = 25
VERDICTS = ("GO", "ITERATE", "PARK")
CONFIDENCE_ORDER = ("low", "medium", "high")

_PRICING = re.compile(
    r"[$€£]\s?\d|\b\d+(?:\.\d+)?\s?(?:usd|eur|gbp|dollars?|euros?)\b|\bper (?:month|year|seat|"
    r"user|serving|session|hour|night|visit)\b|/mo\b|/month\b|\bpric(?:e|es|ing|ed)\b|"
    r"\bcosts?\b|\bfees?\b|\bcommission\b|\bsubscription fee\b|\bwilling(?:ness)? to pay\b",
    re.IGNORECASE,
)


def weighted_total(scores: Mapping[str, float]) -> float:
    """Sum of score x weight / 100 over the five axes (0-100, two decimals)."""
    missing = [axis for axis in AXIS_WEIGHTS if axis not in scores]
    if missing:
        raise ValueError(f"scores missing for: {', '.join(missing)}")
    total = sum(_clamp(scores[axis]) * weight for axis, weight in AXIS_WEIGHTS.items())
    return round(total / sum(AXIS_WEIGHTS.values()), 2)


def _clamp(score: float) -> float:
    return max(0.0, min(100.0, float(score)))


def has_pricing_signal(texts: Iterable[str]) -> bool:
    """Whether any text names a price, a cost or a fee (the data, not the founder's claims)."""
    return any(_PRICING.search(text or "") for text in texts)


def is_acute(classification: str) -> bool:
    """Demand classified as acute ("Acute", "Acute pain", ...), not "Latent" or "Not acute"."""
    return classification.strip().lower().startswith("acute")


def missing_sources(axis: str, available: Collection[str]) -> list[str]:
    return [s for s in AXIS_SOURCES[axis] if s not in available]


def _lower(confidence: str) -> str:
    index = CONFIDENCE_ORDER.index(confidence) if confidence in CONFIDENCE_ORDER else 0
    return CONFIDENCE_ORDER[max(0, index - 1)]


@dataclass(frozen=True)
class AxisRuling:
    """An axis score after the rules, with every adjustment spelled out."""

    axis: str
    proposed: int
    score: int
    confidence: str
    notes: tuple[str, ...]
    zeroed: bool = False
    capped: bool = False


def rule_axis(
    axis: str,
    proposed: float,
    confidence: str,
    available: Collection[str],
    pricing_signal: bool,
) -> AxisRuling:
    """Apply the missing-data and economics rules to a proposed axis score."""
    if axis not in AXIS_WEIGHTS:
        raise ValueError(f"unknown axis {axis!r}")
    proposed_score = round(_clamp(proposed))
    absent = missing_sources(axis, available)
    labels = [SOURCE_LABELS[s] for s in absent]
    if len(absent) == len(AXIS_SOURCES[axis]):
        note = (
            f"No {' or '.join(labels)} data: {AXIS_NAMES[axis]} scores zero "
            "(missing data scores zero)."
        )
        return AxisRuling(axis, proposed_score, 0, "low", (note,), zeroed=True)
    notes: list[str] = []
    score = proposed_score
    if absent:
        confidence = _lower(confidence)
        notes.append(f"{', '.join(labels)} data missing: confidence lowered to {confidence}.")
    capped = False
    if axis == "economics" and not pricing_signal and score > ECONOMICS_CAP:
        notes.append(
            f"Capped at {ECONOMICS_CAP} (proposed {score}): no pricing or cost signal in the data."
        )
        score, capped = ECONOMICS_CAP, True
    return AxisRuling(axis, proposed_score, score, confidence, tuple(notes), capped=capped)


def evidence_from_available(
    evidence: list[dict[str, Any]], available: Collection[str]
) -> list[dict[str, Any]]:
    """Drop evidence that cites a dataset which was not loaded (it cannot be evidence)."""
    absent = [s for s in SOURCES if s not in available]
    kept = []
    for item in evidence:
        cited = str(item.get("source", "")).lower()
        if not any(source in cited for source in absent):
            kept.append(item)
    return kept


def missing_source_risk(source: str) -> dict[str, Any]:
    """The explicit risk a missing dataset adds (a major risk)."""
    label = SOURCE_LABELS[source]
    axes = [AXIS_NAMES[a] for a, sources in AXIS_SOURCES.items() if source in sources]
    return {
        "risk_id": "",
        "title": f"No {label} data",
        "description": (
            f"The {label} report was not available, so its evidence is missing from "
            f"{', '.join(axes)}; those conclusions rest on less data or score zero."
        ),
        "dataset_sources": [label],
        "mitigation": f"Run the {label} report and re-run the verdict.",
        "missing_data": True,
    }


@dataclass(frozen=True)
class Decision:
    verdict: str
    total_score: float
    rule: str
    reasons: tuple[str, ...]


def decide(
    scores: Mapping[str, float],
    demand_classification: str,
    killer_risks: int,
    major_risks: int,
) -> Decision:
    """GO / ITERATE / PARK from the ruled axis scores and the risk counts."""
    total = weighted_total(scores)
    acute = is_acute(demand_classification)
    if killer_risks >= 1 or total < PARK_BELOW:
        reasons = []
        if total < PARK_BELOW:
            reasons.append(f"weighted score {total:g} is below {PARK_BELOW:g}")
        if killer_risks >= 1:
            reasons.append(f"{killer_risks} killer risk{'s' if killer_risks > 1 else ''} open")
        return Decision(
            "PARK", total, "PARK if the score is below 50 or any killer risk exists", tuple(reasons)
        )
    if total > GO_ABOVE and acute and major_risks == 0:
        return Decision(
            "GO",
            total,
            "GO if the score is above 75, no killer risk, demand is Acute",
            (
                f"weighted score {total:g} is above {GO_ABOVE:g}",
                "demand is Acute",
                "no killer or major risk",
            ),
        )
    reasons = []
    if total <= GO_ABOVE:
        reasons.append(f"weighted score {total:g} is between {PARK_BELOW:g} and {GO_ABOVE:g}")
    if major_risks:
        reasons.append(f"{major_risks} major structural risk{'s' if major_risks > 1 else ''} open")
    if not acute:
        reasons.append(f"demand is {demand_classification.strip() or 'unclassified'}, not Acute")
    return Decision(
        "ITERATE",
        total,
        "ITERATE if the score is 50-75 or a major structural risk (or non-acute demand) "
        "holds back a higher score",
        tuple(reasons),
    )

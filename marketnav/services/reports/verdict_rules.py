"""The Verdict's mechanical rules. The model proposes axis scores; this code decides.

Pure functions, no I/O (PREDECESSOR.md 4.6, "Master Prompt v8.3"), with one change of
principle (issue #11, "unknown is not zero"): **missing evidence is unknown, never zero**.

Evidence per source. Each source (Crunchbase, Tracxn, Social) is in one of three states:
``missing`` (no completed report), ``empty`` (a report with 0 records: 0 posts, 0 companies)
or ``present`` (it holds records). Missing and empty are both *no evidence*; they are
described differently ("no completed report" vs "0 posts in the demo data set") but ruled
the same way. Only records can be evidence, and only evidence moves a score: posts that show
no pain, or many well-funded incumbents, lower a score; an empty source does not.

Axes. Each axis is scored 0-100 and weighted by `VERDICT_AXES` (Demand 25, Competition 20,
Differentiation 20, Economics 20, Feasibility 15).

- An axis none of whose sources (`AXIS_SOURCES`) holds a record is **unknown**: its score is
  None, whatever a model proposed (the proposal is replaced, with a note). An axis with some
  of its sources empty keeps its score with its confidence lowered one level.
- Economics is capped at 25 when the datasets hold texts (post texts, company descriptions)
  and none names a price, fee or cost: that silence is (weak) negative evidence. When the
  datasets hold no text at all the pricing signal is *unknown*: no cap, confidence low.

Total and range.

- The weighted total is the weighted mean of the **known** axes, weights renormalised to the
  known weight (an unknown axis neither adds nor subtracts). None when no axis is known.
- The range is what the total (over all five weights) would be if every unknown axis scored
  `UNKNOWN_LOW` (0) and if every one scored `UNKNOWN_HIGH` (100): the full 0-100 prior, no
  narrower guess. With no unknown axis the range is the total itself.

Decision (the code is in `verdict_decision`; the rules are stated here, in one place).

- The verdict comes from the known total as before: PARK when it is below 50 or an
  (evidence-based) killer risk is open; GO when it is above 75, Demand is classified "Acute"
  and no major structural risk is open, and the GO holds whatever the unknown axes turn out
  to be (the range's low end is above 75 too); ITERATE otherwise. An unknown Demand is not
  Acute, so it cannot GO; a GO that rests on missing data is an ITERATE that "could be GO".
- Missing data never raises a killer risk and never counts as a major risk: missing and empty
  sources are *data gaps*, listed apart from the risks (`source_gap`). So a verdict can never
  PARK only because data is missing: the known total ignores the unknown axes and the gaps
  are not risks.
- The verdicts the range allows are the verdicts the same rule gives anywhere in the range
  (an unknown Demand counts as possibly Acute). When that is more than the decided verdict,
  the decision says so: "ITERATE; could be GO or PARK once Demand is known". The decided
  verdict stands; the qualifier tells the reader the data, not the idea, is undecided.
- With no known axis at all the verdict is ITERATE ("no axis has evidence"): never PARK.

Confidence of the verdict (low / medium / high): low when at least 25% of the weight is
unknown, when the range allows another verdict, or when the known axes' weighted confidence
is mostly low (below 1.5 on low=1, medium=2, high=3); high when nothing is unknown and that
weighted confidence is at least 2.5; medium otherwise.
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
SOURCE_UNITS: dict[str, str] = {"crunchbase": "companies", "tracxn": "companies", "social": "posts"}
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
UNKNOWN_LOW = 0.0
UNKNOWN_HIGH = 100.0
LOW_CONFIDENCE_UNKNOWN_WEIGHT = 25
VERDICTS = ("GO", "ITERATE", "PARK")
CONFIDENCE_ORDER = ("low", "medium", "high")
UNKNOWN = "Unknown"
# Source states: no completed report / a report with 0 records / a report with records.
MISSING, EMPTY, PRESENT = "missing", "empty", "present"
# Pricing signal states: a dataset text names a price / texts exist, none does / no texts.
PRICING_FOUND, PRICING_NONE, PRICING_UNKNOWN = "found", "none_found", "unknown"

_PRICING = re.compile(
    r"[$€£]\s?\d|\b\d+(?:\.\d+)?\s?(?:usd|eur|gbp|dollars?|euros?)\b|\bper (?:month|year|seat|"
    r"user|serving|session|hour|night|visit)\b|/mo\b|/month\b|\bpric(?:e|es|ing|ed)\b|"
    r"\bcosts?\b|\bfees?\b|\bcommission\b|\bsubscription fee\b|\bwilling(?:ness)? to pay\b",
    re.IGNORECASE,
)

_AMOUNT_TAIL = re.compile(r"[\d.,]*\d")  # the rest of "$4" in "$400", for display
Records = Mapping[str, int | None]


def _clamp(score: float) -> float:
    return max(0.0, min(100.0, float(score)))


def _known(scores: Mapping[str, float | None]) -> dict[str, float]:
    missing = [axis for axis in AXIS_WEIGHTS if axis not in scores]
    if missing:
        raise ValueError(f"scores missing for: {', '.join(missing)}")
    return {a: _clamp(s) for a, s in scores.items() if a in AXIS_WEIGHTS and s is not None}


def weighted_total(scores: Mapping[str, float | None]) -> float | None:
    """Weighted mean of the known axes (weights renormalised), two decimals; None if none."""
    known = _known(scores)
    weight = sum(AXIS_WEIGHTS[a] for a in known)
    if not weight:
        return None
    return round(sum(s * AXIS_WEIGHTS[a] for a, s in known.items()) / weight, 2)


def score_range(
    scores: Mapping[str, float | None], low: float = UNKNOWN_LOW, high: float = UNKNOWN_HIGH
) -> tuple[float, float]:
    """The total over all five weights with every unknown axis at `low`, then at `high`."""
    known = _known(scores)
    total = sum(AXIS_WEIGHTS.values())

    def at(value: float) -> float:
        return round(
            sum(known.get(a, value) * w for a, w in AXIS_WEIGHTS.items()) / total,
            2,
        )

    return at(low), at(high)


def unknown_axes(scores: Mapping[str, float | None]) -> list[str]:
    return [a for a in AXIS_WEIGHTS if scores.get(a) is None]


def pricing_matches(texts: Iterable[str]) -> list[tuple[int, str]]:
    """(index, matched words) of each text naming a price, a cost or a fee."""
    found = []
    for index, text in enumerate(texts):
        match = _PRICING.search(text or "")
        if match:
            amount = _AMOUNT_TAIL.match(text, match.end())
            found.append((index, match.group(0) + (amount.group(0) if amount else "")))
    return found


def has_pricing_signal(texts: Iterable[str]) -> bool:
    """Whether any text names a price, a cost or a fee (the data, not the founder's claims)."""
    return any(_PRICING.search(text or "") for text in texts)


def pricing_state(texts: Iterable[str]) -> str:
    """found / none_found (texts exist, none names a price) / unknown (no text at all)."""
    present = [t for t in texts if (t or "").strip()]
    if not present:
        return PRICING_UNKNOWN
    return PRICING_FOUND if has_pricing_signal(present) else PRICING_NONE


def is_acute(classification: str) -> bool:
    """Demand classified as acute ("Acute", "Acute pain", ...), not "Latent" or "Not acute"."""
    return classification.strip().lower().startswith("acute")


def source_state(records: int | None) -> str:
    """missing (None: no report), empty (0 records) or present."""
    if records is None:
        return MISSING
    return PRESENT if records > 0 else EMPTY


def _records(available: Records | Collection[str]) -> dict[str, int | None]:
    """Record counts per source; a plain collection of names means "present, count unknown"."""
    if isinstance(available, Mapping):
        return {s: available.get(s) for s in SOURCES}
    return {s: (1 if s in available else None) for s in SOURCES}


def missing_sources(axis: str, available: Records | Collection[str]) -> list[str]:
    """The axis's sources that hold no record (no report, or a report with 0 records)."""
    records = _records(available)
    return [s for s in AXIS_SOURCES[axis] if source_state(records[s]) != PRESENT]


def axis_is_unknown(axis: str, available: Records | Collection[str]) -> bool:
    """No source of the axis holds a record: there is no evidence to score it on."""
    return len(missing_sources(axis, available)) == len(AXIS_SOURCES[axis])


def _lower(confidence: str) -> str:
    index = CONFIDENCE_ORDER.index(confidence) if confidence in CONFIDENCE_ORDER else 0
    return CONFIDENCE_ORDER[max(0, index - 1)]


def _absence(source: str, records: int | None) -> str:
    label = SOURCE_LABELS[source]
    if records is None:
        return f"{label}: no completed report"
    return f"{label}: 0 {SOURCE_UNITS[source]}"


@dataclass(frozen=True)
class AxisRuling:
    """An axis score after the rules (None: unknown), with every adjustment spelled out."""

    axis: str
    proposed: int | None
    score: int | None
    confidence: str
    notes: tuple[str, ...]
    capped: bool = False

    @property
    def unknown(self) -> bool:
        return self.score is None


def _pricing(signal: bool | str) -> str:
    if isinstance(signal, bool):
        return PRICING_FOUND if signal else PRICING_NONE
    return signal


def rule_axis(
    axis: str,
    proposed: float | None,
    confidence: str,
    available: Records | Collection[str],
    pricing_signal: bool | str,
) -> AxisRuling:
    """Apply the unknown-evidence and economics rules to a proposed axis score.

    `available` is the record count per source (None: no report) or, for short, the names
    of the sources that hold records. `pricing_signal` is True/False or a `pricing_state`.
    """
    if axis not in AXIS_WEIGHTS:
        raise ValueError(f"unknown axis {axis!r}")
    proposed_score = round(_clamp(proposed)) if proposed is not None else None
    records = _records(available)
    absent = missing_sources(axis, records)
    name = AXIS_NAMES[axis]
    if len(absent) == len(AXIS_SOURCES[axis]):
        why = "; ".join(_absence(s, records[s]) for s in absent)
        if proposed_score is None:
            note = f"No evidence ({why}): {name} is unknown, not zero."
        else:
            note = (
                f"Proposed {proposed_score} replaced by unknown: no evidence ({why}); "
                "an axis without evidence is unknown, not scored."
            )
        return AxisRuling(axis, proposed_score, None, "low", (note,))
    if proposed_score is None:
        note = f"No score was proposed for {name}: unknown."
        return AxisRuling(axis, None, None, "low", (note,))
    notes: list[str] = []
    score = proposed_score
    if absent:
        confidence = _lower(confidence)
        labels = ", ".join(_absence(s, records[s]) for s in absent)
        notes.append(f"No evidence from {labels}: confidence lowered to {confidence}.")
    capped = False
    pricing = _pricing(pricing_signal)
    if axis == "economics" and pricing == PRICING_NONE and score > ECONOMICS_CAP:
        notes.append(
            f"Capped at {ECONOMICS_CAP} (proposed {score}): the datasets' texts name no "
            "price, fee or cost."
        )
        score, capped = ECONOMICS_CAP, True
    elif axis == "economics" and pricing == PRICING_UNKNOWN:
        if confidence != "low":
            notes.append("Pricing signal unknown (the datasets hold no text): confidence low.")
        confidence = "low"
    return AxisRuling(axis, proposed_score, score, confidence, tuple(notes), capped=capped)


def evidence_from_available(
    evidence: list[dict[str, Any]], available: Records | Collection[str]
) -> list[dict[str, Any]]:
    """Drop evidence that cites a dataset holding no record (it cannot be evidence)."""
    records = _records(available)
    absent = [s for s in SOURCES if source_state(records[s]) != PRESENT]
    kept = []
    for item in evidence:
        cited = str(item.get("source", "")).lower()
        if not any(source in cited for source in absent):
            kept.append(item)
    return kept


def affected_axes(source: str) -> list[str]:
    return [a for a, sources in AXIS_SOURCES.items() if source in sources]


def source_gap(source: str, records: int | None, where: str = "", remedy: str = "") -> dict:
    """A data gap (not a risk): a source with no report, or with 0 records.

    `where` says where the records were looked for ("in the demo data set"); `remedy` what
    would fill the gap. `text` is the one line the reader sees.
    """
    label = SOURCE_LABELS[source]
    state = source_state(records)
    if state == MISSING:
        found = "no completed report"
        remedy = remedy or f"run {label} {'Analysis' if source != 'tracxn' else 'Insights'}"
    else:
        found = f"0 {SOURCE_UNITS[source]}" + (f" {where}" if where else "")
        remedy = remedy or "broaden the keywords or import data"
    axes = [AXIS_NAMES[a] for a in affected_axes(source)]
    return {
        "source": source,
        "state": state,
        "records": records or 0,
        "axes": axes,
        "found": found,
        "remedy": remedy,
        "text": f"{label} data: {found}; {remedy}",
    }


def rests_only_on_absent_data(
    risk: Mapping[str, Any], available: Records | Collection[str]
) -> bool:
    """A risk flagged as missing data, or citing only datasets without records.

    Such a "risk" is absence of evidence: it becomes a data gap, never a killer or major risk.
    A risk citing no dataset, or any dataset with records or the project inputs, stays.
    """
    if risk.get("missing_data"):
        return True
    records = _records(available)
    cited = [str(s).lower() for s in risk.get("dataset_sources") or []]
    if not cited:
        return False
    for text in cited:
        named = [s for s in SOURCES if s in text]
        if not named or any(source_state(records[s]) == PRESENT for s in named):
            return False
    return True

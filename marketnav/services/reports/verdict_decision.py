"""GO / ITERATE / PARK from the ruled axis scores: the known total, the range, confidence.

The decision rules, the range and the confidence levels are documented in one place: the
module docstring of `verdict_rules` (unknown is not zero; never PARK only on missing data;
a range that straddles a threshold is named in the headline).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from marketnav.services.reports.verdict_rules import (
    AXIS_NAMES,
    AXIS_WEIGHTS,
    GO_ABOVE,
    LOW_CONFIDENCE_UNKNOWN_WEIGHT,
    PARK_BELOW,
    VERDICTS,
    is_acute,
    score_range,
    unknown_axes,
    weighted_total,
)


def _outcome(total: float, acute: bool, killer_risks: int, major_risks: int) -> str:
    if killer_risks >= 1 or total < PARK_BELOW:
        return "PARK"
    if total > GO_ABOVE and acute and major_risks == 0:
        return "GO"
    return "ITERATE"


def possible_verdicts(
    low: float, high: float, acute_possible: bool, killer_risks: int, major_risks: int
) -> tuple[str, ...]:
    """Every verdict the rule gives for some total in [low, high] (ordered GO, ITERATE, PARK)."""
    found = {_outcome(t, acute_possible, killer_risks, major_risks) for t in (low, high)}
    if low <= GO_ABOVE and high >= PARK_BELOW:
        found.add(_outcome(max(low, PARK_BELOW), acute_possible, killer_risks, major_risks))
    return tuple(v for v in VERDICTS if v in found)


def _names(axes: list[str]) -> str:
    names = [AXIS_NAMES[a] for a in axes]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def verdict_confidence(
    scores: Mapping[str, float | None],
    confidences: Mapping[str, str] | None,
    straddles: bool,
) -> str:
    """low / medium / high (see the module docstring)."""
    unknown = unknown_axes(scores)
    unknown_weight = sum(AXIS_WEIGHTS[a] for a in unknown)
    known = [a for a in AXIS_WEIGHTS if a not in unknown]
    levels = {"low": 1, "medium": 2, "high": 3}
    weight = sum(AXIS_WEIGHTS[a] for a in known)
    mean = (
        sum(levels.get((confidences or {}).get(a, "medium"), 1) * AXIS_WEIGHTS[a] for a in known)
        / weight
        if weight
        else 1.0
    )
    if unknown_weight >= LOW_CONFIDENCE_UNKNOWN_WEIGHT or straddles or mean < 1.5:
        return "low"
    if not unknown and mean >= 2.5:
        return "high"
    return "medium"


@dataclass(frozen=True)
class Decision:
    verdict: str
    total_score: float | None
    rule: str
    reasons: tuple[str, ...]
    score_range: tuple[float, float] = (0.0, 0.0)
    unknown_axes: tuple[str, ...] = ()
    possible: tuple[str, ...] = ()
    confidence: str = "medium"
    qualifier: str = ""
    data_gaps: tuple[str, ...] = field(default=())

    @property
    def headline(self) -> str:
        """'ITERATE' or 'ITERATE; could be GO or PARK once Demand is known'."""
        return f"{self.verdict}; {self.qualifier}" if self.qualifier else self.verdict

    @property
    def total_text(self) -> str:
        return f"{self.total_score:g}" if self.total_score is not None else "unknown"


def decide(
    scores: Mapping[str, float | None],
    demand_classification: str,
    killer_risks: int,
    major_risks: int,
    confidences: Mapping[str, str] | None = None,
    data_gaps: Iterable[str] = (),
) -> Decision:
    """GO / ITERATE / PARK from the ruled axis scores (None: unknown) and the risk counts."""
    total = weighted_total(scores)
    low, high = score_range(scores)
    unknown = unknown_axes(scores)
    acute = is_acute(demand_classification) and "demand" not in unknown
    acute_possible = acute or "demand" in unknown
    possible = possible_verdicts(low, high, acute_possible, killer_risks, major_risks)
    extra = dict(
        score_range=(low, high),
        unknown_axes=tuple(unknown),
        data_gaps=tuple(data_gaps),
    )
    based = " (over the known axes)" if unknown else ""

    def finish(verdict: str, rule: str, reasons: list[str]) -> Decision:
        others = [v for v in possible if v != verdict]
        qualifier = ""
        if others and unknown:
            verb = "is" if len(unknown) == 1 else "are"
            qualifier = f"could be {' or '.join(others)} once {_names(unknown)} {verb} known"
        if unknown:
            reasons.append(
                f"{_names(unknown)} unknown (no evidence): the total could be "
                f"{low:g}-{high:g} with {'it' if len(unknown) == 1 else 'them'} at 0-100"
            )
        confidence = verdict_confidence(scores, confidences, bool(qualifier))
        return Decision(
            verdict,
            total,
            rule,
            tuple(reasons),
            possible=possible,
            confidence=confidence,
            qualifier=qualifier,
            **extra,
        )

    if total is None:
        return finish(
            "ITERATE",
            "ITERATE when no axis has evidence: missing data never parks an idea",
            ["no axis has evidence: the verdict is undetermined until data is loaded"],
        )
    if killer_risks >= 1 or total < PARK_BELOW:
        reasons = []
        if total < PARK_BELOW:
            reasons.append(f"weighted score{based} {total:g} is below {PARK_BELOW:g}")
        if killer_risks >= 1:
            reasons.append(f"{killer_risks} killer risk{'s' if killer_risks > 1 else ''} open")
        return finish("PARK", "PARK if the score is below 50 or any killer risk exists", reasons)
    # A GO must hold whatever the unknown axes turn out to be: unknown is not evidence for an
    # idea either, so a GO that rests on missing data is an ITERATE that "could be GO".
    go_holds = not unknown or low > GO_ABOVE
    if total > GO_ABOVE and acute and major_risks == 0 and go_holds:
        return finish(
            "GO",
            "GO if the score is above 75, no killer risk, demand is Acute",
            [
                f"weighted score{based} {total:g} is above {GO_ABOVE:g}",
                "demand is Acute",
                "no killer or major risk",
            ],
        )
    reasons = []
    if total > GO_ABOVE and not go_holds:
        reasons.append(
            f"weighted score{based} {total:g} is above {GO_ABOVE:g}, but with "
            f"{_names(unknown)} unknown it could be as low as {low:g}: a GO needs evidence "
            "on every axis"
        )
    if total <= GO_ABOVE:
        reasons.append(
            f"weighted score{based} {total:g} is between {PARK_BELOW:g} and {GO_ABOVE:g}"
        )
    if major_risks:
        reasons.append(f"{major_risks} major structural risk{'s' if major_risks > 1 else ''} open")
    if "demand" in unknown:
        reasons.append("demand is unknown, not Acute")
    elif not acute:
        reasons.append(f"demand is {demand_classification.strip() or 'unclassified'}, not Acute")
    return finish(
        "ITERATE",
        "ITERATE if the score is 50-75 or a major structural risk (or non-acute demand) "
        "holds back a higher score",
        reasons,
    )

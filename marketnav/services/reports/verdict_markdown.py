"""Markdown of the Verdict's sections: axis scores, risk tables, the decision, the roadmap."""

from __future__ import annotations

from typing import Any

from marketnav.services.reports.catalog import VERDICT_AXES
from marketnav.services.reports.verdict_decision import Decision
from marketnav.services.reports.verdict_models import (
    Risk,
    RiskSynthesis,
    Roadmap,
    VerdictNarrative,
)


def _cell(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "/")


def score_text(score: Any) -> str:
    """'62/100', or 'unknown' for an axis without evidence (None)."""
    return "unknown" if score is None else f"{score}/100"


def axis_markdown(result: dict[str, Any]) -> str:
    """The section of one scored axis: score line, reasoning, evidence, gaps, implications."""
    lines = [
        f"**Score: {score_text(result['score'])}** · weight {result['weight']}% · confidence "
        f"{result['confidence']} · classification **{result['classification']}**",
    ]
    if result["score"] is None:
        lines += [
            "",
            "_Unknown is not zero: this axis has no evidence, so it is left out of the "
            "weighted total and widens the verdict's range._",
        ]
    if result["rule_notes"]:
        proposed = result["proposed_score"]
        lead = f"Proposed {proposed}" if proposed is not None else "No score proposed"
        lines += ["", f"_{lead}; the rules applied:_"]
        lines += [f"- {note}" for note in result["rule_notes"]]
    lines += ["", "### Reasoning", "", result["reasoning"].strip()]
    evidence = result["key_evidence"][:5]
    lines += ["", "### Key evidence", ""]
    if evidence:
        lines += ["| Source | Finding | Impact |", "|---|---|---|"]
        lines += [
            f"| {_cell(e['source'])} | {_cell(e['finding'])} | {_cell(e['impact'])} |"
            for e in evidence
        ]
    else:
        lines.append("No evidence in the loaded datasets.")
    if result["data_gaps"]:
        lines += ["", "### Data gaps", ""]
        lines += [f"- {gap}" for gap in result["data_gaps"][:5]]
    if result.get("implications"):
        lines += ["", "### Implications", "", result["implications"].strip()]
    return "\n".join(lines)


def _risk_table(risks: list[Risk]) -> list[str]:
    if not risks:
        return ["None identified."]
    lines = ["| ID | Risk | Description | Sources | Mitigation |", "|---|---|---|---|---|"]
    lines += [
        f"| {r.risk_id} | {_cell(r.title)} | {_cell(r.description)} | "
        f"{_cell(', '.join(r.dataset_sources) or '-')} | {_cell(r.mitigation or '-')} |"
        for r in risks
    ]
    return lines


def risk_markdown(risks: RiskSynthesis) -> str:
    counts = risks.counts
    lines = [
        f"**{counts['killer']} killer, {counts['major']} major and {counts['minor']} minor "
        "risks.** A killer risk parks the idea; a major structural risk blocks a GO. Missing "
        "or empty data is a data gap, listed below, never a risk.",
    ]
    for title, items in (
        ("Killer risks", risks.killer_risks),
        ("Major risks", risks.major_risks),
        ("Minor risks", risks.minor_risks),
    ):
        lines += ["", f"### {title}", "", *_risk_table(items)]
    lines += ["", "### Data gaps (not risks)", ""]
    lines += [f"- {_cell(gap)}" for gap in risks.data_gaps] or ["None: every dataset has records."]
    return "\n".join(lines)


def decision_markdown(
    decision: Decision,
    axes: dict[str, dict[str, Any]],
    narrative: VerdictNarrative,
) -> str:
    low, high = decision.score_range
    unknown = bool(decision.unknown_axes)
    lines = [
        # Words, not a coloured emoji: without an emoji font (PDF, many Linux desktops) it is a box.
        f"## Verdict: {decision.headline} · weighted score {decision.total_text}/100",
        "",
        f"**Confidence**: {decision.confidence}"
        + (
            f" · **range** {low:g}-{high:g} (each unknown axis at 0-100)"
            if unknown
            else " · no axis unknown"
        ),
        "",
        "| Axis | Weight | Score | Weighted | Confidence | Classification |",
        "|---|---|---|---|---|---|",
    ]
    for key, name, weight in VERDICT_AXES:
        axis = axes[key]
        score = axis["score"]
        weighted = f"{score * weight / 100:g}" if score is not None else "-"
        lines.append(
            f"| {name} | {weight}% | {score if score is not None else 'unknown'} | {weighted} | "
            f"{axis['confidence']} | {_cell(axis['classification'])} |"
        )
    total_label = "**Total** (known axes, weights renormalised)" if unknown else "**Total**"
    lines.append(f"| {total_label} | 100% | | **{decision.total_text}** | | |")
    lines += ["", f"**Rule applied**: {decision.rule}.", ""]
    lines += [f"- {reason}" for reason in decision.reasons]
    if decision.data_gaps:
        lines += ["", "### What data would change it", ""]
        lines += [f"- {_cell(gap)}" for gap in decision.data_gaps]
    lines += ["", "### Reasoning", "", narrative.reasoning.strip()]
    if narrative.key_factors:
        lines += ["", "### Key factors", ""]
        lines += [f"- {factor}" for factor in narrative.key_factors]
    if narrative.next_decision_point:
        lines += ["", f"**Next decision point**: {narrative.next_decision_point}"]
    return "\n".join(lines)


def roadmap_markdown(roadmap: Roadmap) -> str:
    seven, thirty = roadmap.seven_day_sprint, roadmap.thirty_day_sprint
    lines = [
        "### 7-day sprint",
        "",
        f"**Objective**: {seven.objective}",
        "",
        f"**Hypothesis to test**: {seven.hypothesis_to_test}",
        "",
        *[f"- {action}" for action in seven.specific_actions],
        "",
        "**Success criteria**: " + "; ".join(seven.success_criteria),
    ]
    if seven.risk_addressed:
        lines += ["", f"**Risk addressed**: {seven.risk_addressed}"]
    lines += ["", "### 30-day sprint", "", f"**Objective**: {thirty.objective}"]
    if thirty.moat_building_focus:
        lines += ["", f"**Moat-building focus**: {thirty.moat_building_focus}"]
    lines += ["", "| Week | Milestone |", "|---|---|"]
    lines += [f"| {m.week} | {_cell(m.milestone)} |" for m in thirty.weekly_milestones]
    if thirty.decision_gates:
        lines += ["", "**Decision gates**: " + "; ".join(thirty.decision_gates)]
    if roadmap.critical_dependencies:
        lines += ["", "### Critical dependencies", ""]
        lines += [f"- {d}" for d in roadmap.critical_dependencies]
    lines += ["", "### Abort conditions", ""]
    lines += [f"- {c}" for c in roadmap.abort_conditions]
    return "\n".join(lines)

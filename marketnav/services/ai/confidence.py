"""Computed confidence: the model's own estimate combined with checks the code can make.

score = 0.4 x model estimate (0.5 when the model gave none) + 0.6 x weighted check outcomes,
then capped when a hard check fails (validation failed -> at most 0.2; providers or samples
disagree -> at most 0.5). The `basis` lists the reasons, so the UI can show them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from marketnav.services.ai.text_terms import jaccard, overlap_ratio

Level = Literal["high", "medium", "low"]

MODEL_WEIGHT = 0.4
CHECK_WEIGHTS = {"supported": 2.0, "validation": 1.0, "agreement": 1.5, "extraction": 1.0}


class Check(BaseModel):
    """One code-made check: `outcome` 1.0 = passed, 0.0 = failed, between = partly."""

    name: Literal["supported", "validation", "agreement", "extraction"]
    outcome: float = Field(ge=0.0, le=1.0)
    reason: str


class Confidence(BaseModel):
    """A confidence score with its level and the reasons behind it."""

    score: float = Field(ge=0.0, le=1.0)
    level: Level
    basis: list[str]


def level_for(score: float) -> Level:
    if score >= 0.75:
        return "high"
    return "medium" if score >= 0.5 else "low"


def combine(
    model_estimate: float | None, checks: list[Check], *, offline: bool = False
) -> Confidence:
    """Combine the model's estimate with the checks into a score, level and basis."""
    basis: list[str] = []
    if offline:
        estimate = 0.5
        basis.append("offline analysis: derived from your data, no model estimate")
    elif model_estimate is None:
        estimate = 0.5
        basis.append("the model gave no estimate of its own")
    else:
        estimate = min(1.0, max(0.0, float(model_estimate)))
        basis.append(f"model's own estimate {estimate:.2f}")
    total_weight = sum(CHECK_WEIGHTS[c.name] for c in checks)
    evidence = (
        sum(CHECK_WEIGHTS[c.name] * c.outcome for c in checks) / total_weight
        if total_weight
        else 0.5
    )
    score = MODEL_WEIGHT * estimate + (1 - MODEL_WEIGHT) * evidence
    for check in checks:
        basis.append(check.reason)
        if check.name == "validation" and check.outcome == 0.0:
            score = min(score, 0.2)
        if check.name == "agreement" and check.outcome < 0.5:
            score = min(score, 0.5)
    score = round(min(0.99, max(0.01, score)), 2)
    return Confidence(score=score, level=level_for(score), basis=basis)


def supported_check(value: str, source: str, source_name: str = "your input") -> Check:
    """Is the value backed by the input data (share of its words found there)?"""
    ratio = overlap_ratio(value, source)
    if ratio >= 0.99:
        reason = f"every word appears in {source_name}"
    elif ratio > 0:
        reason = f"{round(ratio * 100)}% of its words appear in {source_name}"
    else:
        reason = f"not found in {source_name}"
    return Check(name="supported", outcome=round(ratio, 2), reason=reason)


def validation_check(passed: bool, what: str, problem: str = "") -> Check:
    """Did the value pass the field's validation?"""
    if passed:
        return Check(name="validation", outcome=1.0, reason=f"passes the {what} rules")
    return Check(name="validation", outcome=0.0, reason=f"fails the {what} rules: {problem}")


def agreement_check(value: str, other: str | None, other_name: str) -> Check:
    """Does a second provider or sample give the same value?"""
    if other is None or not other.strip():
        return Check(name="agreement", outcome=0.0, reason=f"{other_name} gave no value")
    similarity = jaccard(value, other)
    if similarity >= 0.5:
        return Check(name="agreement", outcome=1.0, reason=f"{other_name} agrees")
    return Check(name="agreement", outcome=round(similarity, 2), reason=f"{other_name} disagrees")


def membership_agreement(value: str, others: list[str], other_name: str) -> Check:
    """Does a second list (e.g. keywords from another provider) contain a similar item?"""
    best = max((jaccard(value, other) for other in others), default=0.0)
    if best >= 0.5:
        return Check(name="agreement", outcome=1.0, reason=f"{other_name} proposed it too")
    return Check(name="agreement", outcome=0.3, reason=f"{other_name} did not propose it")


def overall(confidences: list[Confidence]) -> Confidence:
    """The mean of several confidences, with a one-line basis."""
    if not confidences:
        return Confidence(score=0.0, level="low", basis=["nothing to assess"])
    score = round(sum(c.score for c in confidences) / len(confidences), 2)
    low = sum(1 for c in confidences if c.level == "low")
    basis = [f"average of {len(confidences)} items"]
    if low:
        basis.append(f"{low} item(s) with low confidence")
    return Confidence(score=score, level=level_for(score), basis=basis)

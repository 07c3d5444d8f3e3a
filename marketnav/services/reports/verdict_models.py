"""Structured outputs of the Verdict pipeline (sent as JSON schemas, answers validated).

The same models validate a provider's answer and the offline analyser's. They are lenient
where models are sloppy (score 72.5, "High", missing ids) and strict where it matters (score
range, four weekly milestones, known axes).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from marketnav.services.reports.verdict_rules import AXIS_WEIGHTS

ConfidenceLevel = Literal["high", "medium", "low"]
DatasetRole = Literal[
    "Concept/Idea intake",
    "Demand & Social Signal",
    "Competitive Landscape",
    "Market Context",
]


def _level(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class DatasetAudit(_Lenient):
    source: str = Field(min_length=1, max_length=60, description="Dataset name")
    role: DatasetRole
    records: int = Field(ge=0, description="How many records (companies, posts) it holds")
    quality: ConfidenceLevel = "medium"
    notes: str = Field(default="", max_length=600)

    _quality = field_validator("quality", mode="before")(_level)


class DataAudit(_Lenient):
    """Classification of every dataset by the role it plays as evidence."""

    datasets: list[DatasetAudit] = Field(min_length=1, max_length=8)
    gaps: list[str] = Field(default_factory=list, max_length=10)


class Evidence(_Lenient):
    source: str = Field(min_length=1, max_length=80, description="Dataset the finding is from")
    finding: str = Field(min_length=1, max_length=600)
    impact: str = Field(
        min_length=1, max_length=200, description="positive, negative or neutral, and why"
    )


class AxisScore(_Lenient):
    """One scoring axis as proposed (the rules may still make it unknown or cap the score)."""

    axis: str
    score: int | None = Field(
        ge=0,
        le=100,
        description="0-100 from the evidence; null when the datasets hold no evidence for "
        "this axis (unknown is not zero)",
    )
    confidence: ConfidenceLevel
    classification: str = Field(
        min_length=1,
        max_length=80,
        description="e.g. Acute vs Latent demand; Commodity vs Structural moat",
    )
    key_evidence: list[Evidence] = Field(default_factory=list, max_length=12)
    reasoning: str = Field(min_length=20, max_length=6000)
    data_gaps: list[str] = Field(default_factory=list, max_length=12)
    implications: str = Field(default="", max_length=3000)

    _confidence = field_validator("confidence", mode="before")(_level)

    @field_validator("axis", mode="before")
    @classmethod
    def _known_axis(cls, value: Any) -> Any:
        axis = str(value).strip().lower()
        if axis not in AXIS_WEIGHTS:
            raise ValueError(f"axis must be one of {', '.join(AXIS_WEIGHTS)}")
        return axis

    @field_validator("score", mode="before")
    @classmethod
    def _round(cls, value: Any) -> Any:
        return round(value) if isinstance(value, float) else value


class Risk(_Lenient):
    risk_id: str = Field(
        default="", max_length=8, description="K1.. killer, M1.. major, m1.. minor"
    )
    title: str = Field(min_length=1, max_length=160)
    description: str = Field(min_length=1, max_length=1500)
    dataset_sources: list[str] = Field(default_factory=list, max_length=6)
    mitigation: str = Field(default="", max_length=1000)
    missing_data: bool = Field(
        default=False,
        description="True when the risk is only that a dataset is missing or empty (then it is "
        "a data gap, not a risk)",
    )


class RiskSynthesis(_Lenient):
    """FMEA-style risks from contradictions across the datasets."""

    killer_risks: list[Risk] = Field(default_factory=list, max_length=10)
    major_risks: list[Risk] = Field(default_factory=list, max_length=10)
    minor_risks: list[Risk] = Field(default_factory=list, max_length=10)
    data_gaps: list[str] = Field(
        default_factory=list,
        max_length=12,
        description="Datasets missing or holding no records: listed apart, never risks",
    )

    @model_validator(mode="after")
    def _number(self) -> RiskSynthesis:
        for prefix, risks in (
            ("K", self.killer_risks),
            ("M", self.major_risks),
            ("m", self.minor_risks),
        ):
            for number, risk in enumerate(risks, start=1):
                risk.risk_id = f"{prefix}{number}"
        return self

    @property
    def counts(self) -> dict[str, int]:
        return {
            "killer": len(self.killer_risks),
            "major": len(self.major_risks),
            "minor": len(self.minor_risks),
        }


class SevenDaySprint(_Lenient):
    objective: str = Field(min_length=1, max_length=600)
    hypothesis_to_test: str = Field(min_length=1, max_length=600)
    specific_actions: list[str] = Field(
        min_length=3, max_length=7, description="Dated actions: 'Day 1-2: ...', 'Day 3-4: ...'"
    )
    success_criteria: list[str] = Field(min_length=1, max_length=6)
    risk_addressed: str = Field(default="", max_length=300)


class WeeklyMilestone(_Lenient):
    week: int = Field(ge=1, le=4)
    milestone: str = Field(min_length=1, max_length=600)


class ThirtyDaySprint(_Lenient):
    objective: str = Field(min_length=1, max_length=600)
    moat_building_focus: str = Field(default="", max_length=600)
    weekly_milestones: list[WeeklyMilestone] = Field(min_length=4, max_length=4)
    decision_gates: list[str] = Field(default_factory=list, max_length=6)

    @field_validator("weekly_milestones")
    @classmethod
    def _weeks_one_to_four(cls, milestones: list[WeeklyMilestone]) -> list[WeeklyMilestone]:
        ordered = sorted(milestones, key=lambda m: m.week)
        if [m.week for m in ordered] != [1, 2, 3, 4]:
            raise ValueError("weekly_milestones needs exactly one milestone for weeks 1, 2, 3, 4")
        return ordered


class Roadmap(_Lenient):
    seven_day_sprint: SevenDaySprint
    thirty_day_sprint: ThirtyDaySprint
    critical_dependencies: list[str] = Field(default_factory=list, max_length=8)
    abort_conditions: list[str] = Field(min_length=1, max_length=8)


class VerdictNarrative(_Lenient):
    """The model's explanation of the verdict the rules decided (its own verdict is ignored)."""

    reasoning: str = Field(min_length=20, max_length=4000)
    key_factors: list[str] = Field(default_factory=list, max_length=8)
    next_decision_point: str = Field(default="", max_length=600)
    proposed_verdict: str | None = Field(
        default=None, description="Optional; the rules decide the verdict, not this field"
    )

"""Pydantic inputs and structured-output models of the AI functions.

Each output model is sent to the provider as a JSON schema and every answer is validated with
it, whether it came from a provider or from the offline analyser.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from marketnav.services.project_inputs import FIELD_KEYS, FIELDS

InputKey = Literal[
    "startup_name",
    "startup_description",
    "target_audience",
    "current_stage",
    "business_model",
    "geographic_focus",
    "research_goal",
    "time_range",
    "inspiration_sources",
]
assert set(InputKey.__args__) == set(FIELD_KEYS)  # kept in step with project_inputs.FIELDS
MAX_LENGTH = {field.key: field.max_length for field in FIELDS}
LABELS = {field.key: field.label for field in FIELDS}
STAGES = ("idea", "mvp", "early_stage", "growth", "scale_up")

ModelEstimate = Field(
    default=None, ge=0.0, le=1.0, description="Your own confidence in this answer, 0.0-1.0."
)


class ProjectInputsData(BaseModel):
    """The nine project inputs as given to AI functions (empty string = not answered)."""

    model_config = ConfigDict(extra="ignore")

    startup_name: str = ""
    startup_description: str = ""
    target_audience: str = ""
    current_stage: str = ""
    business_model: str = ""
    geographic_focus: str = ""
    research_goal: str = ""
    time_range: str = ""
    inspiration_sources: str = ""

    def answered(self) -> dict[str, str]:
        return {k: v.strip() for k, v in self.model_dump().items() if v and v.strip()}

    def as_prompt_text(self) -> str:
        """One 'Label: value' line per field, '(Not set)' for empty ones."""
        values = self.model_dump()
        return "\n".join(
            f"{LABELS[key]}: {values[key].strip() or '(Not set)'}" for key in FIELD_KEYS
        )

    def source_text(self) -> str:
        """All answers as one text (the data offline analysis and support checks use)."""
        return "\n".join(self.answered().values())


class ReportSection(BaseModel):
    """One section of a completed report, as Research Mode receives it."""

    report_type: str = Field(min_length=1, max_length=32)
    section_key: str = Field(min_length=1, max_length=64)
    title: str = ""
    markdown: str = ""
    # Where the section is read: its report and version, and the viewer link to it.
    report_label: str = ""
    link: str = ""

    @property
    def citation(self) -> str:
        return f"[{self.report_type} §{self.section_key}]"


def _clean_term(term: str) -> str:
    return re.sub(r"\s+", " ", str(term)).strip().strip("\"'.,;")


def _dedupe(terms: list[str]) -> list[str]:
    seen: set[str] = set()
    unique: list[str] = []
    for term in terms:
        if term and term.lower() not in seen:
            seen.add(term.lower())
            unique.append(term)
    return unique


class CrunchbaseKeywords(BaseModel):
    """8-12 distinct industry terms of two or three words each, for a Crunchbase search."""

    keywords: list[str] = Field(
        description="8 to 12 distinct industry search terms, each two or three words long."
    )
    confidence: float | None = ModelEstimate

    @field_validator("keywords")
    @classmethod
    def _two_to_three_words(cls, keywords: list[str]) -> list[str]:
        cleaned = _dedupe([_clean_term(k) for k in keywords])
        wrong = [k for k in cleaned if not 2 <= len(k.split()) <= 3]
        if wrong:
            raise ValueError(f"each keyword must be 2-3 words; not: {', '.join(wrong[:5])}")
        if not 8 <= len(cleaned) <= 12:
            raise ValueError(f"need 8-12 distinct keywords, got {len(cleaned)}")
        return cleaned


_TRACXN_PART = re.compile(r"^[^\W_][\w&+'\-]*$")


class TracxnKeywords(BaseModel):
    """5-10 Tracxn search terms; multi-word terms are joined with ' AND '."""

    keywords: list[str] = Field(
        description=(
            "5 to 10 distinct Tracxn search terms. Single words, or several words joined by "
            "' AND ' (for example 'food AND delivery')."
        )
    )
    confidence: float | None = ModelEstimate

    @field_validator("keywords")
    @classmethod
    def _and_syntax(cls, keywords: list[str]) -> list[str]:
        normalised = []
        for keyword in keywords:
            parts = re.split(r"\s+AND\s+|\s+and\s+|\s+", _clean_term(keyword))
            normalised.append(" AND ".join(p for p in parts if p))
        cleaned = _dedupe(normalised)
        wrong = [k for k in cleaned if not all(_TRACXN_PART.match(p) for p in k.split(" AND "))]
        if wrong:
            raise ValueError(f"terms must be words joined by ' AND '; not: {', '.join(wrong[:5])}")
        if not 5 <= len(cleaned) <= 10:
            raise ValueError(f"need 5-10 distinct keywords, got {len(cleaned)}")
        return cleaned


_SOCIAL_TERM = re.compile(r"^#?[\w][\w'&+\- ]*$")


class SocialKeywords(BaseModel):
    """Three informal phrases or hashtags people would type when posting about the market."""

    keywords: list[str] = Field(
        description=(
            "Exactly 3 distinct, informal search phrases or hashtags that real users would "
            "write in social posts about this problem (e.g. 'meal kit', '#mealprep'), each "
            "1-4 words."
        )
    )
    confidence: float | None = ModelEstimate

    @field_validator("keywords")
    @classmethod
    def _three_short_terms(cls, keywords: list[str]) -> list[str]:
        cleaned = _dedupe([_clean_term(k) for k in keywords])
        wrong = [
            k
            for k in cleaned
            if not 1 <= len(k.split()) <= 4 or len(k) > 40 or not _SOCIAL_TERM.match(k)
        ]
        if wrong:
            raise ValueError(f"each keyword must be 1-4 plain words or a hashtag; not: {wrong[:3]}")
        if len(cleaned) < 3:
            raise ValueError(f"need 3 distinct keywords, got {len(cleaned)}")
        return cleaned[:3]


class TargetDescription(BaseModel):
    """A description of the companies to look for, compared with company profiles."""

    description: str = Field(
        min_length=30,
        max_length=800,
        description="2-3 sentences describing the kind of company that competes in this market.",
    )
    confidence: float | None = ModelEstimate


class ExtractedField(BaseModel):
    """One project input found in free text."""

    key: InputKey
    value: str = Field(min_length=1)
    confidence: float | None = ModelEstimate

    @model_validator(mode="after")
    def _fits_field(self) -> ExtractedField:
        self.value = self.value.strip()
        if not self.value:
            raise ValueError(f"{self.key}: value is empty")
        if len(self.value) > MAX_LENGTH[self.key]:
            raise ValueError(f"{self.key}: longer than {MAX_LENGTH[self.key]} characters")
        return self


class ProjectInputExtraction(BaseModel):
    """Project inputs found in a text, each with the model's confidence, plus follow-ups."""

    fields: list[ExtractedField] = Field(
        default_factory=list, description="Only inputs the text actually states; no guesses."
    )
    follow_up_questions: list[str] = Field(
        default_factory=list,
        max_length=5,
        description="Up to 5 short questions for the most important inputs still missing.",
    )

    @field_validator("fields")
    @classmethod
    def _one_per_key(cls, fields: list[ExtractedField]) -> list[ExtractedField]:
        keys = [f.key for f in fields]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"each input at most once; repeated: {', '.join(duplicates)}")
        return fields


class ResearchAnswer(BaseModel):
    """An answer grounded in report sections, citing them as [report_type §section_key]."""

    answer: str = Field(
        min_length=1, description="Markdown answer; cite every claim as [report_type §section_key]."
    )
    confidence: float | None = ModelEstimate


class FillProjectInputsArgs(BaseModel):
    """Arguments of the `fill_project_inputs` tool (Editing Mode)."""

    model_config = ConfigDict(extra="forbid")

    startup_name: str | None = None
    startup_description: str | None = None
    target_audience: str | None = None
    current_stage: Literal["idea", "mvp", "early_stage", "growth", "scale_up"] | None = None
    business_model: str | None = None
    geographic_focus: str | None = None
    research_goal: str | None = None
    time_range: str | None = None
    inspiration_sources: str | None = None
    field_confidence: dict[str, float] | None = None

    @field_validator("current_stage", mode="before")
    @classmethod
    def _stage_alias(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().lower().replace("-", "_").replace(" ", "_") or None
            return {"early": "early_stage", "scaleup": "scale_up", "scale": "scale_up"}.get(
                value, value
            )
        return value

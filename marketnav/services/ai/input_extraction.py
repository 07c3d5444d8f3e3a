"""Offline extraction of the nine project inputs from free text (regexes + small vocabularies).

Two readings, the first winning per field: labelled forms ("Startup name: X. Stage: idea")
fill the field they name; a plain description is read for the idea, audience, business model,
places, stage words, competitors, time range and research goal. When no name is stated, a
working name is derived from the idea and marked as a suggestion. The vocabularies live in
`extraction_vocab`; every step is a pattern, so the result is deterministic and explainable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from marketnav.services.ai import extraction_vocab as vocab
from marketnav.services.ai.description_reading import (
    read_audience,
    read_business_model,
    read_competitors,
    read_description,
    read_geography,
    read_name,
    read_research_goal,
    read_stage,
    read_time_range,
    suggested_audience,
    working_name,
)
from marketnav.services.ai.schemas import (
    LABELS,
    MAX_LENGTH,
    STAGES,
    ExtractedField,
    ProjectInputExtraction,
    ProjectInputsData,
)
from marketnav.services.project_inputs import FIELD_KEYS, REQUIRED_KEYS

FOLLOW_UP_QUESTIONS = {
    "startup_name": "What is your startup called?",
    "startup_description": "In one or two sentences, what does your startup do?",
    "target_audience": "Who are your customers?",
    "current_stage": "Which stage are you at: idea, MVP, early stage, growth or scale-up?",
    "business_model": "How do you make (or plan to make) money?",
    "geographic_focus": "Which regions or countries do you focus on?",
    "research_goal": "What do you want to learn from this research?",
    "time_range": "Which time range should the research cover (e.g. last 5 years)?",
    "inspiration_sources": "Which competitors do you know of (names, comma-separated)?",
}
SHORT_FIELDS = ("startup_name", "current_stage", "time_range", "inspiration_sources")
# A sentence ends after a lower-case letter or digit and a stop ("U.S. and Canada" goes on).
_SHORT_END = re.compile(r"(?<=[^\W_A-Z][.!?\u061f])\s+")


_LABELS_ALT = "|".join(
    re.escape(label).replace(r"\ ", r"\s+")
    for label in sorted(vocab.LABEL_TO_KEY, key=len, reverse=True)
)
# A label starts the text, a line, or follows a sentence end / bullet, and ends with a colon.
_LABEL = re.compile(
    rf"(?:^|(?<=[.;!?؟\n]))[ \t]*(?:[-*•]\s*)?({_LABELS_ALT})\s*[:\uff1a]\s*",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass
class Extraction:
    """What a text says about the inputs: values, which are suggestions, what was unreadable."""

    values: dict[str, str] = field(default_factory=dict)
    suggested: dict[str, str] = field(default_factory=dict)  # key -> why it is a suggestion
    problems: dict[str, str] = field(default_factory=dict)  # key -> why a stated value was left

    def missing(self, known: dict[str, str]) -> list[str]:
        """Required inputs neither known nor found."""
        have = {**known, **self.values}
        return [key for key in REQUIRED_KEYS if not (have.get(key) or "").strip()]


def stage_of(value: str) -> str | None:
    """The allowed stage that words like "pre-seed", "MVP", "Series A" stand for."""
    lowered = re.sub(r"\s+", " ", value.lower()).strip(" .")
    alias = lowered.replace("-", "_").replace(" ", "_")
    if alias in STAGES:
        return alias
    head = re.split(r"[,;(]| - | with ", lowered)[0].strip()
    short = {
        "idea": "idea",
        "concept": "idea",
        "mvp": "mvp",
        "prototype": "mvp",
        "beta": "mvp",
        "early": "early_stage",
        "seed": "early_stage",
        "launched": "early_stage",
        "growth": "growth",
        "scale up": "scale_up",
        "scale-up": "scale_up",
        "scaleup": "scale_up",
    }
    if head in short:
        return short[head]
    for stage, pattern in vocab.STAGE_PATTERNS:
        if re.search(pattern, lowered):
            return stage
    return None


# -- labelled forms --------------------------------------------------------------------------


def labelled_values(text: str) -> tuple[dict[str, str], dict[str, str], str]:
    """("Label: value" fields, problems, the text outside labelled values)."""
    matches = list(_LABEL.finditer(text))
    values: dict[str, str] = {}
    problems: dict[str, str] = {}
    rest = [text[: matches[0].start()]] if matches else [text]
    for index, match in enumerate(matches):
        key = vocab.LABEL_TO_KEY[re.sub(r"\s+", " ", match.group(1).lower())]
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        value = text[match.end() : end].strip()
        if key in SHORT_FIELDS:
            first, _, after = value.partition("\n")
            parts = _SHORT_END.split(first, maxsplit=1)
            value = parts[0]
            rest.append(" ".join([*parts[1:], after]))
        value = value.strip().rstrip(".;,").strip()
        if not value or key in values or value.lower() in vocab.PLACEHOLDER_ANSWERS:
            continue
        if key == "current_stage":
            stage = stage_of(value)
            if stage is None:
                problems[key] = f"'{value[:40]}' is not a stage I know"
                continue
            value = stage
        if key == "time_range":
            value = read_time_range(value) or value
        values[key] = value
    return values, problems, " ".join(rest)


# -- the result ------------------------------------------------------------------------------


def extract(text: str, known: dict[str, str] | None = None) -> Extraction:
    """Every input `text` states (labelled forms first), plus marked suggestions.

    `known` holds the answers already saved: a suggestion is made only for a field still empty.
    """
    known = {k: v for k, v in (known or {}).items() if v and v.strip()}
    labelled, problems, _ = labelled_values(text)
    # The free reading sees the labelled values too (a place named in the description counts).
    rest = _LABEL.sub(". ", text) if labelled or problems else text
    free = {
        "startup_name": read_name(text),
        "startup_description": read_description(rest),
        "target_audience": read_audience(rest),
        "current_stage": read_stage(rest),
        "business_model": read_business_model(rest),
        "geographic_focus": read_geography(rest),
        "research_goal": read_research_goal(rest),
        "time_range": read_time_range(rest),
        "inspiration_sources": read_competitors(rest),
    }
    found = {**{k: v for k, v in free.items() if v and k not in problems}, **labelled}
    result = Extraction(problems=problems)
    result.values = {
        key: found[key][: MAX_LENGTH[key]].strip() for key in FIELD_KEYS if found.get(key)
    }
    description = result.values.get("startup_description") or known.get("startup_description", "")
    if description and "startup_name" not in result.values and "startup_name" not in known:
        name = working_name(description)
        if name:
            result.values["startup_name"] = name
            result.suggested["startup_name"] = "a working name derived from the description"
    if description and "target_audience" not in result.values and "target_audience" not in known:
        audience = suggested_audience(description)
        if audience:
            result.values["target_audience"] = audience
            result.suggested["target_audience"] = "inferred from the words of the description"
    return result


def extract_values(text: str) -> dict[str, str]:
    """Every input the text states, by key (values trimmed to the field's maximum length)."""
    result = extract(text, {"startup_name": "-", "target_audience": "-"})
    return result.values


def follow_up_questions(known: dict[str, str], limit: int = 3) -> list[str]:
    """Questions for the first required inputs that are still missing."""
    missing = [key for key in REQUIRED_KEYS if not known.get(key)]
    return [FOLLOW_UP_QUESTIONS[key] for key in missing[:limit]]


def missing_labels(keys: list[str]) -> str:
    return ", ".join(LABELS[key] for key in keys)


def extract_inputs_from_text(text: str, current: ProjectInputsData) -> ProjectInputExtraction:
    """Extraction result in the same schema the AI function returns (stated values only)."""
    values = extract_values(text)
    known = {**current.answered(), **values}
    return ProjectInputExtraction(
        fields=[
            ExtractedField(key=key, value=value, confidence=None) for key, value in values.items()
        ],
        follow_up_questions=follow_up_questions(known),
    )

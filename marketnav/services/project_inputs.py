"""The nine questions: their definition, validation, completion status and hash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlmodel import Session

from marketnav.models import ProjectInputs, User
from marketnav.models.base import utcnow
from marketnav.services.errors import ValidationFailed


@dataclass(frozen=True)
class InputField:
    key: str
    label: str
    placeholder: str
    multiline: bool
    required: bool
    max_length: int


# Order, labels and placeholders as in the predecessor (PREDECESSOR.md 1.7).
FIELDS: tuple[InputField, ...] = (
    InputField("startup_name", "Startup Name", "Your startup name", False, True, 255),
    InputField(
        "startup_description", "Description", "What does your startup do?", True, True, 5000
    ),
    InputField("target_audience", "Target Audience", "Who are your customers?", False, True, 2000),
    InputField("current_stage", "Stage", "idea, mvp, growth", False, True, 100),
    InputField("business_model", "Business Model", "How do you make money?", False, True, 2000),
    InputField("geographic_focus", "Geographic Focus", "Target regions", False, True, 255),
    InputField("research_goal", "Research Goal", "What do you want to learn?", True, True, 5000),
    InputField("time_range", "Time Range", "e.g., Last 5 years, 2020-2024", False, True, 100),
    InputField("inspiration_sources", "Competitors", "Stripe, Square, etc.", False, False, 2000),
)
FIELD_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS)
REQUIRED_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS if f.required)
_BY_KEY = {f.key: f for f in FIELDS}


def clean(values: dict[str, str]) -> dict[str, str]:
    """Trim values and check lengths; unknown keys are rejected."""
    unknown = set(values) - set(FIELD_KEYS)
    if unknown:
        raise ValidationFailed(f"Unknown fields: {', '.join(sorted(unknown))}.")
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, raw in values.items():
        value = (raw or "").strip()
        spec = _BY_KEY[key]
        if len(value) > spec.max_length:
            errors[key] = f"{spec.label} is too long (at most {spec.max_length} characters)."
        cleaned[key] = value
    if errors:
        raise ValidationFailed("Some answers are too long; shorten them and save again.", errors)
    return cleaned


def missing_required(values: dict[str, str]) -> list[str]:
    """Keys of required questions that are empty (used before starting a report)."""
    return [key for key in REQUIRED_KEYS if not (values.get(key) or "").strip()]


def completion_status(values: dict[str, str]) -> str:
    """incomplete (none of the required answered), complete (all), else partial."""
    filled = sum(1 for key in REQUIRED_KEYS if (values.get(key) or "").strip())
    if filled == 0:
        return "incomplete"
    return "complete" if filled == len(REQUIRED_KEYS) else "partial"


def inputs_hash(values: dict[str, str]) -> str:
    """SHA-256 over the nine answers; a report made from another hash is outdated."""
    joined = "|".join((values.get(key) or "").strip() for key in FIELD_KEYS)
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def as_dict(inputs: ProjectInputs) -> dict[str, str]:
    return {key: getattr(inputs, key) for key in FIELD_KEYS}


def apply(
    session: Session,
    inputs: ProjectInputs,
    values: dict[str, str],
    user: User | None,
    *,
    ai_confidence: dict[str, float] | None = None,
) -> list[str]:
    """Write answers and return the keys that changed.

    A manual save (`ai_confidence` None) clears the AI marker of every field it changes;
    an AI save sets the marker and the confidence of the fields it writes.
    """
    cleaned = clean(values)
    changed = [key for key, value in cleaned.items() if getattr(inputs, key) != value]
    markers = dict(inputs.ai_generated)
    confidence = dict(inputs.ai_confidence)
    for key in changed:
        setattr(inputs, key, cleaned[key])
        if ai_confidence is None:
            markers.pop(key, None)
            confidence.pop(key, None)
        else:
            markers[key] = True
            confidence[key] = round(float(ai_confidence.get(key, 0.0)), 3)
    if changed:
        inputs.ai_generated = markers
        inputs.ai_confidence = confidence
        source = "ai_chat" if ai_confidence is not None else "manual"
        inputs.filled_via = source if inputs.filled_via in ("", source) else "mixed"
        current = as_dict(inputs)
        inputs.completion_status = completion_status(current)
        inputs.inputs_hash = inputs_hash(current)
        inputs.updated_at = utcnow()
        inputs.updated_by_id = user.id if user else None
        session.add(inputs)
    return changed

"""Editing Mode: validating `fill_project_inputs` tool calls field by field, with confidence."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError

from marketnav.services.ai.confidence import (
    Check,
    Confidence,
    combine,
    supported_check,
    validation_check,
)
from marketnav.services.ai.schemas import LABELS, FillProjectInputsArgs
from marketnav.services.errors import ValidationFailed
from marketnav.services.project_inputs import FIELD_KEYS, clean


def field_problem(key: str, value: str) -> str | None:
    """Why `value` is not acceptable for input `key`, or None when it passes."""
    try:
        FillProjectInputsArgs.model_validate({key: value})
        clean({key: value})
    except ValidationFailed as err:
        return err.field_errors.get(key) or str(err)
    except ValidationError as err:
        return err.errors()[0]["msg"]
    return None


class FieldFill(BaseModel):
    """One input value proposed by the assistant, validated, with its confidence."""

    key: str
    label: str
    value: str
    confidence: Confidence


class InputFill(BaseModel):
    """The validated result of a `fill_project_inputs` tool call."""

    fields: list[FieldFill]
    # Field -> why it was not accepted (unknown field, too long, wrong stage...).
    rejected: dict[str, str]

    def values(self) -> dict[str, str]:
        return {f.key: f.value for f in self.fields}


def review_fill(arguments: str | dict[str, Any], source_text: str, is_offline: bool) -> InputFill:
    """Validate `fill_project_inputs` arguments field by field and score each value."""
    try:
        data = json.loads(arguments) if isinstance(arguments, str) else dict(arguments)
        if not isinstance(data, dict):
            raise ValueError
    except ValueError:
        return InputFill(fields=[], rejected={"arguments": "not a JSON object"})
    estimates = data.pop("field_confidence", None) or {}
    # Offline extraction marks values it proposed itself (a working name): key -> why.
    suggested = data.pop("suggested", None) if is_offline else None
    suggested = suggested if isinstance(suggested, dict) else {}
    fields: list[FieldFill] = []
    rejected: dict[str, str] = {}
    for key, raw in data.items():
        if key not in FIELD_KEYS:
            rejected[key] = "unknown field"
            continue
        if raw is None or not str(raw).strip():
            continue
        value = str(raw).strip()
        problem = field_problem(key, value)
        if problem:
            rejected[key] = problem
            continue
        if key == "current_stage":
            value = FillProjectInputsArgs.model_validate({key: value}).current_stage or value
        estimate = estimates.get(key) if isinstance(estimates, dict) else None
        checks = [
            supported_check(value.replace("_", " "), source_text, "the conversation"),
            validation_check(True, f"{LABELS[key]} field"),
        ]
        if key in suggested:
            reason = f"a suggestion ({suggested[key]}), not stated by you"
            checks.append(Check(name="extraction", outcome=0.2, reason=reason))
        score = combine(
            estimate if isinstance(estimate, int | float) else None, checks, offline=is_offline
        )
        fields.append(FieldFill(key=key, label=LABELS[key], value=value, confidence=score))
    return InputFill(fields=fields, rejected=rejected)

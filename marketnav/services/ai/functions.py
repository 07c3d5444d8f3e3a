"""The structured AI functions the product calls, each returning a value with confidence.

All are synchronous (call them from Celery tasks, or `await asyncio.to_thread(fn, ...)` from
Reflex). They raise `AIStepFailed` (a DomainError with a user-safe message) on failure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from marketnav.services.ai import offline
from marketnav.services.ai.confidence import (
    Check,
    Confidence,
    agreement_check,
    combine,
    membership_agreement,
    overall,
    supported_check,
    validation_check,
)
from marketnav.services.ai.editing import field_problem
from marketnav.services.ai.failures import AIStepFailed
from marketnav.services.ai.modes import citations_in, research_context
from marketnav.services.ai.records import CallContext
from marketnav.services.ai.schemas import (
    LABELS,
    CrunchbaseKeywords,
    ProjectInputExtraction,
    ProjectInputsData,
    ReportSection,
    ResearchAnswer,
    SocialKeywords,
    TargetDescription,
    TracxnKeywords,
)
from marketnav.services.ai.structured import StructuredOutcome, complete_structured
from marketnav.services.project_inputs import FIELD_KEYS

T = TypeVar("T", bound=BaseModel)
_CITATION_TAG = re.compile(r"\[[^\]]*§[^\]]*\]")


class AIResult(BaseModel, Generic[T]):
    """A validated AI answer, its per-item confidence and its source."""

    value: T
    confidence: dict[str, Confidence]
    overall: Confidence
    provider: str
    model: str
    label: str
    offline: bool
    cached: bool
    request_id: str


def _result(outcome: StructuredOutcome[T], confidence: dict[str, Confidence]) -> AIResult[T]:
    return AIResult[type(outcome.value)](
        value=outcome.value,
        confidence=confidence,
        overall=overall(list(confidence.values())),
        **outcome.model_dump(include={"provider", "model", "label", "offline", "cached"}),
        request_id=outcome.request_id,
    )


def _inputs(inputs: ProjectInputsData | dict[str, Any]) -> ProjectInputsData:
    return inputs if isinstance(inputs, ProjectInputsData) else ProjectInputsData(**inputs)


def _require_description(inputs: ProjectInputsData, operation: str) -> None:
    if not inputs.startup_description.strip():
        raise AIStepFailed(
            operation, "missing_input", "Add a startup description to the project inputs first."
        )


def _keyword_confidence(
    outcome: StructuredOutcome[Any], inputs: ProjectInputsData
) -> dict[str, Confidence]:
    source = inputs.source_text()
    other = outcome.second_opinion.keywords if outcome.second_opinion else None
    scores: dict[str, Confidence] = {}
    for keyword in outcome.value.keywords:
        checks: list[Check] = [
            supported_check(keyword.replace(" AND ", " "), source, "the project inputs"),
            validation_check(True, "keyword format"),
        ]
        if other is not None:
            checks.append(membership_agreement(keyword, other, outcome.second_opinion_source or ""))
        scores[keyword] = combine(outcome.value.confidence, checks, offline=outcome.offline)
    return scores


def _project_messages(instructions: str, inputs: ProjectInputsData) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": instructions},
        {"role": "user", "content": "Project inputs:\n" + inputs.as_prompt_text()},
    ]


def _from_inputs(
    data: ProjectInputsData,
    operation: str,
    output_model: type[T],
    instructions: str,
    offline_answer: Callable[[ProjectInputsData], T],
    description: str,
    context: CallContext | None,
    use_cache: bool,
) -> StructuredOutcome[T]:
    """One structured call over the project inputs (the keyword and description functions)."""
    _require_description(data, operation)
    return complete_structured(
        feature="keywords",
        operation=operation,
        output_model=output_model,
        messages=_project_messages(instructions, data),
        offline=lambda: offline_answer(data),
        description=description,
        context=context,
        use_cache=use_cache,
    )


def generate_crunchbase_keywords(
    inputs: ProjectInputsData | dict[str, Any],
    *,
    context: CallContext | None = None,
    use_cache: bool = True,
) -> AIResult[CrunchbaseKeywords]:
    """8-12 two-to-three-word industry terms for the Crunchbase search."""
    data = _inputs(inputs)
    outcome = _from_inputs(
        data,
        "crunchbase_keywords",
        CrunchbaseKeywords,
        "You generate Crunchbase search keywords for a startup's market. Return 8 to 12 "
        "distinct industry terms, each two or three words (e.g. 'food delivery', 'meal kit "
        "subscription'). No company names, no single words. Also give your confidence.",
        offline.crunchbase_keywords,
        "Crunchbase industry search terms",
        context,
        use_cache,
    )
    return _result(outcome, _keyword_confidence(outcome, data))


def generate_tracxn_keywords(
    inputs: ProjectInputsData | dict[str, Any],
    *,
    context: CallContext | None = None,
    use_cache: bool = True,
) -> AIResult[TracxnKeywords]:
    """5-10 Tracxn terms; multi-word terms joined by ' AND '."""
    data = _inputs(inputs)
    outcome = _from_inputs(
        data,
        "tracxn_keywords",
        TracxnKeywords,
        "You generate Tracxn search keywords for a startup's market. Return 5 to 10 "
        "distinct terms. A term is one word, or several words joined by ' AND ' (e.g. "
        "'food AND delivery', 'insurtech'). No company names. Also give your confidence.",
        offline.tracxn_keywords,
        "Tracxn search terms",
        context,
        use_cache,
    )
    return _result(outcome, _keyword_confidence(outcome, data))


def generate_social_keywords(
    inputs: ProjectInputsData | dict[str, Any],
    *,
    context: CallContext | None = None,
    use_cache: bool = True,
) -> AIResult[SocialKeywords]:
    """Exactly three informal phrases or hashtags for the social search (Social Analysis)."""
    data = _inputs(inputs)
    outcome = _from_inputs(
        data,
        "social_keywords",
        SocialKeywords,
        "You pick social media search terms for a startup's market. Return exactly 3 "
        "distinct, informal phrases or hashtags that real customers would type when they "
        "post about the problem this startup solves (e.g. 'meal kit', '#mealprep', "
        "'dog walker app'). 1-4 words each, no company names, no industry jargon. Also "
        "give your confidence.",
        offline.social_keywords,
        "Social media search terms",
        context,
        use_cache,
    )
    return _result(outcome, _keyword_confidence(outcome, data))


def generate_target_description(
    inputs: ProjectInputsData | dict[str, Any],
    *,
    context: CallContext | None = None,
    use_cache: bool = True,
) -> AIResult[TargetDescription]:
    """A description of comparable companies, used to rank search results by similarity."""
    data = _inputs(inputs)
    outcome = _from_inputs(
        data,
        "target_description",
        TargetDescription,
        "Describe, in 2-3 plain sentences, the kind of company that competes in this "
        "startup's market (what it offers, to whom, where, how it earns money). It is "
        "compared with company profiles, so use their vocabulary. Give your confidence.",
        offline.target_description,
        "Target company description",
        context,
        use_cache,
    )
    checks = [
        supported_check(outcome.value.description, data.source_text(), "the project inputs"),
        validation_check(True, "description length"),
    ]
    if outcome.second_opinion is not None:
        checks.append(
            agreement_check(
                outcome.value.description,
                outcome.second_opinion.description,
                outcome.second_opinion_source or "",
            )
        )
    score = combine(outcome.value.confidence, checks, offline=outcome.offline)
    return _result(outcome, {"description": score})


def extract_project_inputs(
    text: str,
    current: ProjectInputsData | dict[str, Any] | None = None,
    *,
    context: CallContext | None = None,
    use_cache: bool = True,
) -> AIResult[ProjectInputExtraction]:
    """The inputs stated in `text`, with per-field confidence and follow-up questions."""
    data = _inputs(current or {})
    outcome = complete_structured(
        feature="chat",
        operation="extract_project_inputs",
        output_model=ProjectInputExtraction,
        messages=[
            {
                "role": "system",
                "content": (
                    "Extract startup project inputs from the user's text. Fields: "
                    + ", ".join(f"{k} ({LABELS[k]})" for k in FIELD_KEYS)
                    + ". current_stage is one of idea, mvp, early_stage, growth, scale_up. "
                    "Include only what the text states, each with your confidence 0-1, and up to "
                    "5 follow-up questions for important inputs still missing."
                ),
            },
            {
                "role": "user",
                "content": f"Known inputs:\n{data.as_prompt_text()}\n\nText:\n{text}",
            },
        ],
        offline=lambda: offline.extract_project_inputs(text, data),
        description="Project inputs found in the text",
        context=context,
        use_cache=use_cache,
    )
    other = (
        {f.key: f.value for f in outcome.second_opinion.fields} if outcome.second_opinion else None
    )
    scores: dict[str, Confidence] = {}
    for field in outcome.value.fields:
        problem = field_problem(field.key, field.value)
        checks = [
            supported_check(field.value, text, "the text"),
            validation_check(problem is None, f"{LABELS[field.key]} field", problem or ""),
        ]
        if other is not None:
            checks.append(
                agreement_check(field.value, other.get(field.key), outcome.second_opinion_source)
            )
        scores[field.key] = combine(field.confidence, checks, offline=outcome.offline)
    return _result(outcome, scores)


def answer_from_reports(
    question: str,
    sections: list[ReportSection],
    *,
    context: CallContext | None = None,
    use_cache: bool = True,
) -> AIResult[ResearchAnswer]:
    """A non-streaming Research Mode answer with per-claim confidence (claims are sentences)."""
    outcome = complete_structured(
        feature="chat",
        operation="research_answer",
        output_model=ResearchAnswer,
        messages=[
            {
                "role": "system",
                "content": (
                    "Answer the question from the report sections only. After every claim cite "
                    "its section as written in its heading, e.g. [crunchbase §fast_analysis].\n\n"
                    + research_context(sections)
                ),
            },
            {"role": "user", "content": question},
        ],
        offline=lambda: offline.research_answer(question, sections),
        description="Answer with citations",
        context=context,
        use_cache=use_cache,
    )
    return _result(outcome, claim_confidence(outcome.value, sections, outcome.offline))


def claim_confidence(
    answer: ResearchAnswer, sections: list[ReportSection], is_offline: bool
) -> dict[str, Confidence]:
    """Per claim: does it cite real sections, and do its words occur in the cited text?"""
    by_tag = {(s.report_type.lower(), s.section_key.lower()): s for s in sections}
    scores: dict[str, Confidence] = {}
    claims = answer_claims(answer.answer)
    for number, claim in enumerate(claims, start=1):
        cited = citations_in(claim, sections)
        unknown = [f"{c.report_type} §{c.section_key}" for c in cited if not c.known]
        source = "\n".join(
            by_tag[(c.report_type.lower(), c.section_key.lower())].markdown
            for c in cited
            if c.known
        )
        checks = [
            validation_check(
                bool(cited) and not unknown,
                "citation",
                f"cites unknown section {', '.join(unknown)}" if unknown else "no citation",
            ),
            supported_check(
                _without_citations(claim), source, "the cited section" if source else "a report"
            ),
        ]
        scores[f"claim {number}"] = combine(answer.confidence, checks, offline=is_offline)
    return scores


def _without_citations(text: str) -> str:
    return _CITATION_TAG.sub("", text)


def answer_claims(answer: str) -> list[str]:
    """Claims of an answer: its bullet lines and sentences (a trailing citation stays attached)."""
    claims: list[str] = []
    for line in answer.splitlines():
        line = re.sub(r"^\s*(?:[-*+]|\d+[.)]|#+)\s*", "", line).strip()
        if not line or line.startswith("Offline analysis"):
            continue
        for sentence in re.split(r"(?<=[.!?])\s+(?!\[)", line):
            if len(_without_citations(sentence).split()) >= 3:
                claims.append(sentence.strip())
    return claims

"""Pattern-based extraction of the nine project inputs from free text (offline analyser)."""

from __future__ import annotations

import re

from marketnav.services.ai.schemas import (
    MAX_LENGTH,
    ExtractedField,
    ProjectInputExtraction,
    ProjectInputsData,
)
from marketnav.services.project_inputs import REQUIRED_KEYS

FOLLOW_UP_QUESTIONS = {
    "startup_name": "What is your startup called?",
    "startup_description": "In one or two sentences, what does your startup do?",
    "target_audience": "Who are your customers?",
    "current_stage": "Which stage are you at: idea, MVP, early stage, growth or scale-up?",
    "business_model": "How do you make (or plan to make) money?",
    "geographic_focus": "Which regions or countries do you focus on?",
    "research_goal": "What do you want to learn from this research?",
    "time_range": "Which time range should the research cover (e.g. last 5 years)?",
}

REGIONS = (
    "North America|South America|Latin America|LATAM|Europe|Western Europe|Eastern Europe|EU|"
    "Middle East|MENA|GCC|Africa|Sub-Saharan Africa|Asia|Southeast Asia|APAC|Asia Pacific|"
    "Nordics|Scandinavia|DACH|Benelux|Oceania|worldwide|global|globally"
)
COUNTRIES = (
    "United States|USA|US|Canada|Mexico|Brazil|Argentina|Chile|Colombia|United Kingdom|UK|"
    "Ireland|France|Germany|Spain|Portugal|Italy|Netherlands|Belgium|Switzerland|Austria|"
    "Sweden|Norway|Denmark|Finland|Poland|Czechia|Romania|Greece|Turkey|Iran|Iraq|Israel|"
    "Saudi Arabia|UAE|United Arab Emirates|Qatar|Egypt|Nigeria|Kenya|South Africa|Morocco|"
    "India|Pakistan|China|Japan|South Korea|Korea|Singapore|Indonesia|Vietnam|Thailand|"
    "Malaysia|Philippines|Australia|New Zealand|Russia|Ukraine|Kazakhstan"
)
_PLACE = re.compile(rf"\b({REGIONS}|{COUNTRIES})\b")

_STAGES = (
    ("scale_up", r"\bscale[- ]?up\b|\bseries [c-f]\b|\bexpanding internationally\b"),
    ("growth", r"\bgrowth (?:stage|phase)\b|\bseries [ab]\b|\bscaling (?:up )?revenue\b"),
    (
        "early_stage",
        r"\bpre-?seed\b|\bseed (?:stage|round)\b|\bearly[- ]stage\b"
        r"|\bfirst (?:paying )?customers\b|\bpilot customers\b",
    ),
    ("mvp", r"\bmvp\b|\bprototype\b|\bbeta (?:version|product)\b|\bminimum viable product\b"),
    ("idea", r"\bidea (?:stage|phase)\b|\b(?:just|only|still) an idea\b|\bconcept stage\b"),
)

_END = r"(?=[.;!?\n]|$)"
_NAME = r"([A-Z0-9][\w&'\-]*(?:\.[a-z]{2,})?(?: [A-Z0-9][\w&'\-]*){0,3})"
_NAME_PATTERNS = (
    rf"(?i:\b(?:startup|company|product|app|business|venture|project)\s+(?:is\s+)?(?:called|named))\s+{_NAME}",
    rf"(?i:\b(?:our|my|the)\s+(?:startup's |company's )?name\s+is)\s+{_NAME}",
    rf"(?i:\b(?:we are|we're|i'm building|i am building|we're building|we are building))\s+{_NAME}(?=\s*[,.(]|\s+(?:a|an)\b)",  # noqa: E501
)
_DESCRIPTION_VERBS = re.compile(
    r"\b(?:we|it|which|that|platform|app|startup)\s+(?:\w+\s+)?(?:build|builds|make|makes|"
    r"provide|provides|offer|offers|help|helps|let|lets|connect|connects|develop|develops|"
    r"is building|are building|automate|automates)\b|\bis an? (?:\w+ ){0,4}"
    r"(?:platform|app|marketplace|service|tool|company|startup|saas)\b",
    re.IGNORECASE,
)
_AUDIENCE = (
    r"(?i:\b(?:target (?:audience|customers|market|users)|our (?:customers|users|clients)|"
    r"ideal customers?))\s+(?:is|are|would be|will be|:)\s+([^.;!?\n]{3,200})" + _END,
    r"(?i:\b(?:aimed at|targeting|designed for|built for|serving|we serve|we sell to))\s+"
    r"([^.;!?\n]{3,160})" + _END,
)
_MODEL = (
    r"(?i:\b(?:business model|revenue model)\s*(?:is|:)|\bwe (?:make|earn) money\s+(?:by|from|"
    r"through|with)|\bmonetis(?:e|ing)\s+(?:by|through|via|with)|\bwe charge)\s+([^.;!?\n]{3,200})"
    + _END,
)
_MODEL_WORDS = re.compile(
    r"\b(subscriptions?|saas|commission|freemium|licens\w+|transaction fees?|advertising|"
    r"per[- ]seat|usage[- ]based|take rate)\b",
    re.IGNORECASE,
)
_GOAL = (
    r"(?i:\b(?:i|we)\s+(?:want|would like|need|hope|'d like)\s+to)\s+((?:learn|know|understand|"
    r"find out|see|explore|identify|figure out|validate|assess|compare|map)[^.;!?\n]{3,300})"
    + _END,
    r"(?i:\b(?:research goal|goal|objective|aim)\s+(?:is|:))\s*(?:to\s+)?([^.;!?\n]{3,300})" + _END,
)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10}
_COMPETITORS = (
    r"(?i:\b(?:competitors?|competition|rivals?|alternatives?)\s*(?:are|is|include|includes|"
    r"like|such as|:))\s+([^.;!?\n]{2,200})" + _END,
    r"(?i:\b(?:similar to|inspired by|companies like|such as))\s+([A-Z][\w.&]*(?:(?:,\s*|\s+"
    r"(?:and|or)\s+)[A-Z][\w.&]*){0,6})",
)


def _first(patterns: tuple[str, ...], text: str) -> str | None:
    for pattern in patterns:
        match = re.search(pattern, text)
        if match:
            value = match.group(1).strip(" ,:-")
            if value:
                return value
    return None


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def _stage(text: str) -> str | None:
    lowered = text.lower()
    for stage, pattern in _STAGES:
        if re.search(pattern, lowered):
            return stage
    return None


def _geography(text: str) -> str | None:
    places = list(dict.fromkeys(m.group(1) for m in _PLACE.finditer(text)))
    return ", ".join(places) if places else None


def _time_range(text: str) -> str | None:
    relative = re.search(
        r"\b(?:last|past|previous)\s+(\d+|one|two|three|four|five|ten)\s+(years?|months?)\b",
        text,
        re.IGNORECASE,
    )
    if relative:
        amount = relative.group(1).lower()
        number = int(amount) if amount.isdigit() else _NUMBER_WORDS[amount]
        unit = relative.group(2).lower().rstrip("s") + ("s" if number != 1 else "")
        return f"Last {number} {unit}"
    span = re.search(
        r"\b((?:19|20)\d{2})\s*(?:-|\u2013|to|until)\s*((?:19|20)\d{2}|now|today)\b", text
    )
    if span:
        return f"{span.group(1)}-{span.group(2)}"
    since = re.search(r"\bsince\s+((?:19|20)\d{2})\b", text, re.IGNORECASE)
    return f"Since {since.group(1)}" if since else None


def _description(text: str) -> str | None:
    for sentence in _sentences(text):
        naming = re.search(r"\b(?:called|named)\b", sentence, re.IGNORECASE)
        if _DESCRIPTION_VERBS.search(sentence) and len(sentence.split()) >= 5 and not naming:
            return sentence.rstrip()
    return None


def _business_model(text: str) -> str | None:
    explicit = _first(_MODEL, text)
    if explicit:
        return re.sub(r"^(?:a|an|the)\s+", "", explicit, flags=re.IGNORECASE)
    for sentence in _sentences(text):
        if _MODEL_WORDS.search(sentence):
            return sentence.rstrip(".")
    return None


def extract_values(text: str) -> dict[str, str]:
    """Every input the text states, by key (values trimmed to the field's maximum length)."""
    found = {
        "startup_name": _first(_NAME_PATTERNS, text),
        "startup_description": _description(text),
        "target_audience": _first(_AUDIENCE, text),
        "current_stage": _stage(text),
        "business_model": _business_model(text),
        "geographic_focus": _geography(text),
        "research_goal": _first(_GOAL, text),
        "time_range": _time_range(text),
        "inspiration_sources": _first(_COMPETITORS, text),
    }
    return {key: value[: MAX_LENGTH[key]] for key, value in found.items() if value}


def follow_up_questions(known: dict[str, str], limit: int = 3) -> list[str]:
    """Questions for the first required inputs that are still missing."""
    missing = [key for key in REQUIRED_KEYS if not known.get(key)]
    return [FOLLOW_UP_QUESTIONS[key] for key in missing[:limit]]


def extract_inputs_from_text(text: str, current: ProjectInputsData) -> ProjectInputExtraction:
    """Extraction result in the same schema the AI function returns."""
    values = extract_values(text)
    known = {**current.answered(), **values}
    return ProjectInputExtraction(
        fields=[
            ExtractedField(key=key, value=value, confidence=None) for key, value in values.items()
        ],
        follow_up_questions=follow_up_questions(known),
    )

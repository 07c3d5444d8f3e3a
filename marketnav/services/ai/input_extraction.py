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
from marketnav.services.ai.schemas import (
    LABELS,
    MAX_LENGTH,
    STAGES,
    ExtractedField,
    ProjectInputExtraction,
    ProjectInputsData,
)
from marketnav.services.ai.text_terms import PHRASE_BREAKS, STOPWORDS, words
from marketnav.services.ai.text_terms import stem as singular
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

_END = r"(?=[.;!?؟。\n]|$)"
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?؟。])\s+|\n+")
_LABELS_ALT = "|".join(
    re.escape(label).replace(r"\ ", r"\s+")
    for label in sorted(vocab.LABEL_TO_KEY, key=len, reverse=True)
)
# A label starts the text, a line, or follows a sentence end / bullet, and ends with a colon.
_LABEL = re.compile(
    rf"(?:^|(?<=[.;!?؟\n]))[ \t]*(?:[-*•]\s*)?({_LABELS_ALT})\s*[:\uff1a]\s*",
    re.IGNORECASE | re.MULTILINE,
)
_NAME_TOKEN = re.compile(r"[^\W_][\w&'\u2019\-]*(?:\.[a-z]{2,})?")
_NAME_TRIGGERS = (
    r"(?i:\b(?:startup|company|product|app|business|venture|project|brand)\s+(?:is\s+)?"
    r"(?:called|named))\s+",
    r"(?i:\b(?:our|my|the)\s+(?:startup's\s+|company's\s+)?name\s+is)\s+",
    r"(?i:\b(?:call(?:ed)?\s+it|working\s+name\s+is))\s+",
    r"(?i:\b(?:we're building|we are building|i'm building|i am building|we are|we're|"
    r"this is|introducing))\s+",
)
_DESCRIPTION_VERBS = re.compile(
    r"\b(?:we|it|which|that|platform|app|startup)\s+(?:\w+\s+)?(?:build|builds|make|makes|"
    r"provide|provides|offer|offers|help|helps|let|lets|connect|connects|develop|develops|"
    r"is building|are building|automate|automates|sell|sells|rent|rents|deliver|delivers|"
    r"match|matches)\b|\bis an? (?:\w+ ){0,4}"
    r"(?:platform|app|marketplace|service|tool|company|startup|saas)\b",
    re.IGNORECASE,
)
_AUDIENCE = (
    r"(?i:\b(?:target (?:audience|customers|market|users)|our (?:customers|users|clients|"
    r"buyers)|ideal customers?|customers))\s+(?:is|are|would be|will be|:)\s+([^.;!?\n]{3,200})"
    + _END,
    r"(?i:\b(?:aimed at|targeting|targeted at|designed for|built for|made for|serving|"
    r"we serve|we sell to|used by))\s+([^.;!?\n]{3,160})" + _END,
)
_FOR_PHRASE = re.compile(
    r"\bfor\s+((?:[^\W\d_][\w'\u2019\-]*\s+){0,4}?[^\W\d_][\w'\u2019\-]*?)"
    r"(?=\s+(?:in|across|with|who|that|to|and|or|on|at|from|by|like|so|via)\b|[,.;!?؟\n]|$)",
    re.IGNORECASE,
)
_MODEL = (
    r"(?i:\b(?:business model|revenue model)\s*(?:is|:)|\bwe (?:make|earn) money\s+(?:by|from|"
    r"through|with)|\bmonetis(?:e|ing)\s+(?:by|through|via|with)|\bmonetiz(?:e|ing)\s+(?:by|"
    r"through|via|with)|\bwe (?:will |plan to )?(?:charge|take|keep))\s+([^.;!?\n]{3,200})" + _END,
)
_GOAL = (
    r"(?i:\b(?:i|we)\s+(?:want|would like|need|hope|'d like|plan)\s+to)\s+((?:learn|know|"
    r"understand|find out|see|explore|identify|figure out|validate|assess|compare|map|check|"
    r"test|estimate|size|evaluate|decide|research)[^.;!?\n]{3,300})" + _END,
    r"(?i:\b(?:research goal|goal|objective|aim)\s+(?:is|:))\s*(?:to\s+)?([^.;!?\n]{3,300})" + _END,
)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10}
_COMPETITOR_LIST = (
    r"(?i:\b(?:competitors?|competition|rivals?|alternatives?)\s*(?:are|is|include|includes|"
    r"like|such as|:))\s+([^.;!?\n]{2,200})" + _END,
)
_NAME_LIST = r"([^\W_][\w.&'\u2019\-]*(?:(?:,\s*|\s+(?:and|or)\s+)[^\W_][\w.&'\u2019\-]*){0,6})"
_COMPETITOR_NAMES = (
    rf"(?i:\b(?:similar to|inspired by|companies like|such as|compete[sd]? with|competing "
    rf"with|alternative to|(?<!would )(?<!'d )like|vs\.?|versus))\s+{_NAME_LIST}",
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


# -- helpers ---------------------------------------------------------------------------------


def _first(patterns: tuple[str, ...], text: str) -> str | None:
    for pattern in patterns:
        match = re.search(pattern, text)
        if match:
            value = match.group(1).strip(" ,:-")
            if value:
                return value
    return None


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_SPLIT.split(text) if s.strip()]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _is_name_token(token: str) -> bool:
    """Capitalised ("Café", "PayLoop"), a digit start ("99designs") or an uncased script."""
    first = token[0]
    return first.isupper() or first.isdigit() or first.upper() == first.lower()


def _name_at(text: str, start: int, limit: int = 4) -> str | None:
    """The capitalised words (up to `limit`) that start at `start`, as a name."""
    names: list[str] = []
    position = start
    for _ in range(limit):
        match = _NAME_TOKEN.match(text, position)
        if not match or not _is_name_token(match.group(0)):
            break
        if names and match.group(0).lower() in STOPWORDS:
            break
        names.append(match.group(0))
        position = match.end()
        if not text.startswith(" ", position):
            break
        position += 1
    name = " ".join(names).strip(" .'\u2019-")
    return name if name and name.lower() not in STOPWORDS else None


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
            value = _time_range(value) or value
        values[key] = value
    return values, problems, " ".join(rest)


# -- a plain description ---------------------------------------------------------------------


def _name(text: str) -> str | None:
    """A stated name: "called X", "our name is X", or "We are X, a ..." (not "We are a ...")."""
    for index, trigger in enumerate(_NAME_TRIGGERS):
        for match in re.finditer(trigger, text):
            name = _name_at(text, match.end())
            if not name:
                continue
            after = text[match.end() + len(name) :]
            introduces = index == len(_NAME_TRIGGERS) - 1
            if introduces and not re.match(r"\s*(?:[,.(]|\s+(?:a|an)\b|$)", after):
                continue
            return name
    return None


def _idea_sentence(sentence: str) -> str | None:
    """The sentence as a description when it says what the startup is or does."""
    core = vocab.REQUEST_PREFIXES.sub("", sentence.strip(), count=1)
    core = re.sub(r"^(?:we are|we're|this is)\s+", "", core, flags=re.IGNORECASE)
    # "PawPal, a marketplace for ..." -> "a marketplace for ..."
    core = re.sub(r"^[^\s,]+(?:\s+[^\s,]+){0,2},\s*(?=(?:a|an|the)\b)", "", core, flags=re.I)
    if core != sentence.strip() and re.match(r"(?:a|an|the)\b", core, re.IGNORECASE):
        core = _capitalised(core)
    naming = re.search(r"\b(?:called|named)\b", sentence, re.IGNORECASE)
    described = _DESCRIPTION_VERBS.search(core) or vocab.IDEA_NOUN_RE.search(core)
    if not described or naming or len(core.split()) < 3:
        return None
    return _capitalised(core.rstrip(" .")) + "."


def _description(text: str) -> str | None:
    for sentence in sentences(text):
        if _first(_GOAL, sentence) or _first(_COMPETITOR_LIST, sentence) or "?" in sentence:
            continue
        idea = _idea_sentence(sentence)
        if idea:
            return idea
    return None


def _audience(text: str) -> str | None:
    phrase = _first(_AUDIENCE, text)
    if phrase is None:
        for match in _FOR_PHRASE.finditer(text):
            last = words(match.group(1))[-1:] or [""]
            if last[0] in vocab.AUDIENCE_NOUNS:
                phrase = match.group(1)
                break
    if phrase is None:
        phrase = _helped_group(text)
    markets = [label for pattern, label in vocab.AUDIENCE_MARKETS if re.search(pattern, text, re.I)]
    if phrase and markets and "(" not in phrase:
        return f"{phrase} ({markets[0].split('(')[-1].rstrip(')')})"
    return phrase or (markets[0] if markets else None)


_HELPS = re.compile(r"\b(?:helps?|lets|enables|connects|matches|serves)\s+", re.IGNORECASE)


def _helped_group(text: str) -> str | None:
    """ "helps small restaurants sell ..." -> "small restaurants" (a plural audience noun)."""
    for match in _HELPS.finditer(text):
        found: list[str] = []
        for token in text[match.end() :].split()[:5]:
            word = token.strip(",.;:!?").lower()
            found.append(token.strip(",.;:!?"))
            if word in vocab.AUDIENCE_NOUNS and word.endswith("s"):
                return " ".join(found)
            if word in STOPWORDS or token[-1:] in ",.;:!?":
                break
    return None


def _plural(word: str) -> str:
    if word.endswith("s"):
        return word
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def suggested_audience(description: str) -> str | None:
    """Who an idea is for when its words name them ("restaurant equipment" -> Restaurants)."""
    for word in words(description):
        if word in vocab.AUDIENCE_NOUNS and word not in {"user", "users", "people", "customer"}:
            return _capitalised(_plural(word))
    return None


def _business_model(text: str) -> str | None:
    explicit = _first(_MODEL, text)
    if explicit:
        explicit = re.sub(r"^(?:a|an|the)\s+", "", explicit, flags=re.IGNORECASE)
    found = [label for pattern, label in vocab.BUSINESS_MODEL_RE if pattern.search(text)]
    extra = [t for t in found if not explicit or t.lower() not in explicit.lower()]
    if explicit and extra:
        return f"{_capitalised(', '.join(extra))}; {explicit}"
    if explicit:
        return explicit
    return _capitalised(", ".join(found)) if found else None


def _stage(text: str) -> str | None:
    lowered = text.lower()
    for stage, pattern in vocab.STAGE_PATTERNS:
        if re.search(pattern, lowered):
            return stage
    return None


def _geography(text: str) -> str | None:
    places = list(dict.fromkeys(m.group(1) for m in vocab.PLACE_RE.finditer(text)))
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
    if re.search(r"\b(?:last|past|previous)\s+decade\b", text, re.IGNORECASE):
        return "Last 10 years"
    span = re.search(
        r"\b((?:19|20)\d{2})\s*(?:-|\u2013|to|until)\s*((?:19|20)\d{2}|now|today)\b", text
    )
    if span:
        return f"{span.group(1)}-{span.group(2)}"
    since = re.search(r"\bsince\s+((?:19|20)\d{2})\b", text, re.IGNORECASE)
    return f"Since {since.group(1)}" if since else None


def _research_goal(text: str) -> str | None:
    goal = _first(_GOAL, text)
    if goal:
        return goal
    for sentence in sentences(text):
        if sentence.endswith(("?", "؟")) and not re.match(
            r"(?:can|could|would|will) you\b", sentence, re.IGNORECASE
        ):
            return sentence
    return None


def _competitors(text: str) -> str | None:
    listed = _first(_COMPETITOR_LIST, text)
    if listed:
        return listed
    for pattern in _COMPETITOR_NAMES:
        for match in re.finditer(pattern, text):
            parts = re.split(r",\s*|\s+(?:and|or)\s+", match.group(1))
            names = [p.strip(" .") for p in parts if len(p.strip(" .")) > 1]
            if not names or not _is_name_token(names[0]):
                continue
            # After a capitalised first name, "project44" or "eBay" still read as names.
            names = [names[0], *(n for n in names[1:] if re.search(r"[A-Z\d]", n))]
            names = [n for n in names if not vocab.PLACE_RE.fullmatch(n) and n.lower() != "i"]
            if names:
                return ", ".join(names)
    return None


def working_name(description: str) -> str | None:
    """A working name from the idea's key word and its kind ("RestaurantLoop")."""
    lowered = description.lower()
    key_word = next(
        (
            w
            for w in words(description)
            if len(w) > 2
            and w not in STOPWORDS
            and w not in vocab.NAME_SKIP_WORDS
            and w not in PHRASE_BREAKS
            and not w.isdigit()
            and not vocab.PLACE_RE.fullmatch(_capitalised(w))
        ),
        None,
    )
    if key_word is None:
        return None
    ending = next((e for p, e in vocab.NAME_ENDINGS if re.search(p, lowered)), "Hub")
    stem = re.sub(r"[^\w]", "", singular(key_word))
    if stem[:1].upper() == stem[:1].lower():  # an uncased script: keep the word, add a space
        return f"{stem} {ending}"
    return _capitalised(stem) + ending


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
        "startup_name": _name(text),
        "startup_description": _description(rest),
        "target_audience": _audience(rest),
        "current_stage": _stage(rest),
        "business_model": _business_model(rest),
        "geographic_focus": _geography(rest),
        "research_goal": _research_goal(rest),
        "time_range": _time_range(rest),
        "inspiration_sources": _competitors(rest),
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

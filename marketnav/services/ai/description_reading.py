"""Reading a plain description for the project inputs (the offline analyser's free text).

Each reader finds one input by patterns and the vocabularies of `extraction_vocab`: a stated
name, the idea sentence, the audience ("for small restaurants", "aimed at ...", B2B), the
business-model words, the places, stage words, the time range, the research goal and the
competitors ("like X", "competitors: A, B", "vs X"); `working_name` and `suggested_audience`
propose values the text only implies (the caller marks them as suggestions).
"""

from __future__ import annotations

import re

from marketnav.services.ai import extraction_vocab as vocab
from marketnav.services.ai.text_terms import PHRASE_BREAKS, STOPWORDS, words
from marketnav.services.ai.text_terms import stem as singular

_END = r"(?=[.;!?؟。\n]|$)"
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?؟。])\s+|\n+")
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


# -- a plain description ---------------------------------------------------------------------


def read_name(text: str) -> str | None:
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


def read_description(text: str) -> str | None:
    for sentence in sentences(text):
        if _first(_GOAL, sentence) or _first(_COMPETITOR_LIST, sentence) or "?" in sentence:
            continue
        idea = _idea_sentence(sentence)
        if idea:
            return idea
    return None


def read_audience(text: str) -> str | None:
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


def read_business_model(text: str) -> str | None:
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


def read_stage(text: str) -> str | None:
    lowered = text.lower()
    for stage, pattern in vocab.STAGE_PATTERNS:
        if re.search(pattern, lowered):
            return stage
    return None


def read_geography(text: str) -> str | None:
    places = list(dict.fromkeys(m.group(1) for m in vocab.PLACE_RE.finditer(text)))
    return ", ".join(places) if places else None


def read_time_range(text: str) -> str | None:
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


def read_research_goal(text: str) -> str | None:
    goal = _first(_GOAL, text)
    if goal:
        return goal
    # A question about the market is the goal; one to the assistant ("what should I do?",
    # "can you ...", "what should we research first?") is not.
    for sentence in sentences(text):
        if sentence.endswith(("?", "\u061f")) and not _ASSISTANT_QUESTION.search(sentence):
            return sentence
    return None


_ASSISTANT_QUESTION = re.compile(
    r"\b(?:i|me|my|you|your)\b|\bresearch\b|\b(?:should|shall) we\b|\bhelp\b"
    r"|\breports?\b|\bverdict\b|\bsections?\b|\bconclu",
    re.IGNORECASE,
)


def read_competitors(text: str) -> str | None:
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

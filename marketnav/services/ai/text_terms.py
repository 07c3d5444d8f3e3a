"""Small text helpers shared by the offline analyser and the confidence checks."""

from __future__ import annotations

import re
from collections import Counter

_STOPWORD_TEXT = """
a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each etc
every few for from further get gets had has have having he her here hers him his how i
if in into is it its itself just let like make makes many may me more most much must my
no nor not now of off on once only or other our ours out over own per same she should so
some such than that the their them then there these they this those through to too under
until up upon us use used using very via want wants was we were what when where which
while who whom why will with within without would you your yours able across along among
around based help helps new one two startup startups company companies business
businesses product products people way ways thing things want need needs our we're it's
i'm let's who's lot lots find learn know understand
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Verbs and adverbs that end a search-term phrase ("FreshBox delivers weekly meal kits").
_PHRASE_BREAK_TEXT = """
deliver delivers delivered delivering provide provides provided providing offer offers
offered offering build builds built building run runs running sell sells selling sold
connect connects connecting allow allows allowing enable enables enabling let lets
get gets getting paid pay pays giving give gives go goes going make making made
create creates created creating manage manages managing track tracks tracking
automate automates automating turn turns bring brings plan plans planning aim aims
focus focuses focused focusing target targets targeting serve serves serving charge
charges charged help helping helped become becomes easier faster better cheaper
quickly easily really currently already mostly mainly
"""
PHRASE_BREAKS = frozenset(_PHRASE_BREAK_TEXT.split())

# Letters of any script ("naïve", "façade", "配送"); a word may carry digits, +, &, ' and -.
_WORD = re.compile(r"[^\W\d_][\w+&'\-]*")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters, digits, + & ' -)."""
    return [w.lower().strip("'-") for w in _WORD.findall(text or "") if w.strip("'-")]


def stem(word: str) -> str:
    """A tiny suffix stripper: payments -> payment, companies -> company, boxes -> box."""
    word = word.lower()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def content_words(text: str) -> list[str]:
    """Words that carry meaning (stopwords and 1-letter tokens removed)."""
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 1]


def stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text)}


def sentences(text: str) -> list[str]:
    """Split prose or markdown into sentences / lines (markdown markers stripped)."""
    cleaned = re.sub(r"[#>*_`|]+", " ", text or "")
    parts = (p.strip(" -\t") for p in _SENTENCE_SPLIT.split(cleaned))
    return [re.sub(r"\s+", " ", p) for p in parts if len(p.split()) >= 3]


def candidate_phrases(
    text: str, min_words: int = 2, max_words: int = 3, exclude: frozenset[str] = frozenset()
) -> Counter[str]:
    """Counts of contiguous content-word runs of `min_words`..`max_words` words.

    Runs break at stopwords, common verbs/adverbs, `exclude` and punctuation, so "payments for
    small businesses" gives "small businesses" but never "payments small".
    """
    counts: Counter[str] = Counter()
    for fragment in re.split(r"[.,;:!?()\[\]\n/]+", text or ""):
        run: list[str] = []
        for word in [*words(fragment), ""]:
            usable = word not in STOPWORDS and word not in PHRASE_BREAKS and word not in exclude
            if word and usable and len(word) > 1 and not word.isdigit():
                run.append(word)
                continue
            for size in range(min_words, max_words + 1):
                for start in range(0, len(run) - size + 1):
                    counts[" ".join(run[start : start + size])] += 1
            run = []
    return counts


def overlap_ratio(value: str, source: str) -> float:
    """Share of the value's content words (by stem) that also occur in `source`."""
    value_stems = [stem(w) for w in content_words(value)]
    if not value_stems:
        return 0.0
    source_stems = stems(source)
    return sum(1 for s in value_stems if s in source_stems) / len(value_stems)


def jaccard(first: str, second: str) -> float:
    """Similarity of two texts' content-word stems (0..1)."""
    a, b = stems(first), stems(second)
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b) if a | b else 0.0

"""Categories for a company known only from its web pages, in the data set's own vocabulary.

Retrieval scores a candidate partly by the categories it shares with the named competitors
and with the closest matches (`category`, `cluster`): a company read from the web has none,
so it lost to every data-set company of the sector however well its pages matched (a freight
visibility start-up found on the web ranked below every freight forwarder of the data set).
`CategoryVocabulary.tag` gives such a company the data set's category labels whose words
its own pages use, as a phrase ("Supply Chain Visibility" from "live supply chain
visibility for forwarders"): a label is only what the pages say, in the data set's words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from scraper_services.common.company_index import GENERIC_CATEGORIES

SUFFIXES = ("ings", "ing", "ers", "er", "ies", "es", "s")
MAX_TAGS = 6


def _stem(word: str) -> str:
    """A light suffix strip, so "forwarders" and "forwarding" both read "forward"."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def stems(text: str) -> list[str]:
    return [_stem(w) for w in re.findall(r"[^\W_]+", text.casefold())]


class CategoryVocabulary:
    """The category labels held by at least `min_companies` companies, generic ones left out."""

    def __init__(self, labels: Iterable[str], min_companies: int = 2):
        counts = Counter(label.strip() for label in labels if label and label.strip())
        self._phrases: dict[tuple[str, ...], str] = {}
        for label, count in counts.most_common():
            if count < min_companies or label.casefold() in GENERIC_CATEGORIES:
                continue
            phrase = tuple(stems(label))
            if phrase and phrase not in self._phrases:
                self._phrases[phrase] = label

    def __len__(self) -> int:
        return len(self._phrases)

    def tag(self, text: str, limit: int = MAX_TAGS) -> list[str]:
        """The labels whose words appear together in `text`, most specific (longest) first,
        then by where the text first says them."""
        words = stems(text)
        longest = max((len(p) for p in self._phrases), default=0)
        first_seen: dict[tuple[str, ...], int] = {}
        for size in range(1, longest + 1):
            for start in range(len(words) - size + 1):
                first_seen.setdefault(tuple(words[start : start + size]), start)
        found = [p for p in self._phrases if p in first_seen]
        found.sort(key=lambda p: (-len(p), first_seen[p]))
        return [self._phrases[p] for p in found[:limit]]

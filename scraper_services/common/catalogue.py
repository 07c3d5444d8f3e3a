"""A service's companies as retrieval sees them: the store's records in a `CompanyIndex`.

The store is the truth (SQLite or PostgreSQL, shared by every replica of a service); each
process loads it into its in-memory index at start and adds what it stores later (live
searches, imports). Embeddings are provisioned once per text: the vectors shipped for the
bundled data set (`demo_vectors`), then the store's vector table (filled by whichever replica
embedded the text first), and only then the embedder.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from scraper_services.common.category_tagging import CategoryVocabulary
from scraper_services.common.company_index import CompanyIndex, IndexedCompany
from scraper_services.common.demo_vectors import shipped_vectors
from scraper_services.common.embeddings import DIMENSION, Embedder, text_digest
from scraper_services.common.records import CompanyRecord
from scraper_services.common.store import CompanyStore

log = logging.getLogger(__name__)
LOAD_CHUNK = 5000


def indexed(record: CompanyRecord) -> IndexedCompany:
    return IndexedCompany(
        key=record.key,
        name=record.name,
        text=record.index_text,
        categories=tuple(record.categories),
        website=record.website,
        owner=record.owner,
    )


class Catalogue:
    def __init__(self, store: CompanyStore, embedder: Callable[[], Embedder]):
        self.store = store
        self._embedder_factory = embedder
        self._embedder: Embedder | None = None
        self.index = CompanyIndex(self.encode, dimension=DIMENSION)
        self._lock = threading.Lock()
        # Category labels of the shared data set (owner None), for tagging web-only companies.
        self._shared_labels: Counter[str] = Counter()
        self._vocabulary: CategoryVocabulary | None = None
        self.embedded_now = 0  # texts this process had to embed itself (not found cached)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self._embedder_factory()
        return self._embedder

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.encode(texts)

    def vectors(self, records: Sequence[CompanyRecord]) -> np.ndarray:
        """One embedding row per record, from the caches when the text was embedded before."""
        digests = [text_digest(record.index_text) for record in records]
        shipped = shipped_vectors()
        found: dict[str, np.ndarray] = {d: shipped[d] for d in digests if d in shipped}
        missing = [d for d in dict.fromkeys(digests) if d not in found]
        if missing:
            found.update(self.store.get_vectors(missing))
        todo = [i for i, d in enumerate(digests) if d not in found]
        if todo:
            computed = self.encode([records[i].index_text for i in todo])
            fresh = {digests[i]: computed[j] for j, i in enumerate(todo)}
            self.store.put_vectors(fresh)
            found.update(fresh)
            self.embedded_now += len(fresh)
        return np.stack([found[d] for d in digests]) if digests else np.zeros((0, DIMENSION))

    def add(self, records: Sequence[CompanyRecord]) -> None:
        """Index (or re-index) these records."""
        if records:
            with self._lock:
                self.index.add([indexed(r) for r in records], self.vectors(records))
                shared = [c for r in records if r.owner is None for c in r.categories]
                if shared:
                    self._shared_labels.update(shared)
                    self._vocabulary = None

    def category_vocabulary(self) -> CategoryVocabulary:
        """The shared data set's category labels (see `category_tagging`)."""
        with self._lock:
            if self._vocabulary is None:
                self._vocabulary = CategoryVocabulary(self._shared_labels.elements())
            return self._vocabulary

    def ensure_indexed(self, records: Iterable[CompanyRecord]) -> None:
        """Index the records the index does not know yet (e.g. fresh live search results)."""
        unknown = [r for r in records if self.index.vector_of(r.owner, r.key) is None]
        self.add(unknown)

    def load(self) -> int:
        """Everything in the store, in chunks (start-up); returns the number indexed."""
        total, chunk = 0, []
        for record in self.store.iter_records():
            chunk.append(record)
            if len(chunk) >= LOAD_CHUNK:
                self.add(chunk)
                total, chunk = total + len(chunk), []
        self.add(chunk)
        total += len(chunk)
        self.index.prepare()
        log.info("%s catalogue: %d companies indexed", self.store.service, total)
        return total

    def sync_owner(self, owner: int) -> None:
        """Catch up with an organisation's imports made through another replica: one count
        query per search; the partition is reloaded from the store when the counts differ."""
        if self.store.count_owner(owner) == self.index.count(owner):
            return
        records = list(self.store.iter_records(owner=owner))
        with self._lock:
            self.index.remove_owner(owner)
        self.add(records)
        self.index.prepare()

    def remove_owner(self, owner: int) -> None:
        with self._lock:
            self.index.remove_owner(owner)

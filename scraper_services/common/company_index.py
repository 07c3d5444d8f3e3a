"""Hybrid company retrieval: BM25 and dense MiniLM similarity, fused, per owner.

One `CompanyIndex` per service process holds, for each owner (None = the shared data set,
an organisation id = that organisation's imports), a `Partition`: the companies' keys, names,
domains and categories, their embedding vectors and a BM25 index (bm25s, sparse matrices).
Records themselves stay in the store; the index keeps only what ranking needs, so it fits
1M companies in memory (see docs/market-data.md for the figures).

`search(query, owners, k)` retrieves candidates by each signal (dense similarity to the project,
to the competitors the user named, BM25 over the project text, category overlap), fuses their
ranks (reciprocal rank fusion) and attaches a calibrated `relevance` (`relevance.py`), which the
relevance floor is applied to. `find_named` resolves a name or website the user typed.
Dense search is exact below `ANN_THRESHOLD` companies per partition and an HNSW index (usearch)
above it.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import bm25s
import numpy as np

from scraper_services.common.company_identity import company_name_key, former_names, website_domain
from scraper_services.common.hit_signals import RRF_K, Hit, feedback, fuse
from scraper_services.common.keyword_index import terms
from scraper_services.common.relevance import RelevanceModel, default_relevance_model
from scraper_services.common.shared_statistics_bm25 import (
    OWN_STATISTICS_FROM,
    CorpusStatistics,
    SharedStatisticsBM25,
)

ANN_THRESHOLD = 50_000
CANDIDATES_PER_SIGNAL = 100
QUERY_CACHE_SIZE = 1024  # recent query texts' embeddings (a repeated query skips the model)
FUZZY_CUTOFF = 93  # "projet44" finds project44; "Shippeo" does not become Shippo

# Labels every second company carries: no evidence that two companies compete.
GENERIC_CATEGORIES = frozenset(
    {
        "saas", "software", "b2b", "b2c", "marketplace", "platform", "mobile", "mobile apps",
        "apps", "app", "internet", "technology", "artificial intelligence", "ai",
        "enterprise software", "consumer", "startup",
    }
)  # fmt: skip


def category_set(categories: Iterable[str]) -> frozenset[str]:
    """Lower-cased category labels without the generic ones."""
    cleaned = {c.strip().casefold() for c in categories if c and c.strip()}
    return frozenset(c for c in cleaned if c not in GENERIC_CATEGORIES)


@dataclass(frozen=True)
class IndexedCompany:
    """What the index keeps of one company (the record stays in the store)."""

    key: str
    name: str
    text: str  # what is embedded and BM25-indexed: name, description, categories
    categories: tuple[str, ...] = ()
    website: str | None = None
    owner: int | None = None


@dataclass
class RetrievalQuery:
    """A project (or one keyword) as the index sees it."""

    text: str
    vector: np.ndarray | None = None  # the text's embedding (computed by the index if None)
    named_keys: tuple[str, ...] = ()  # companies the user named and we found: "more like these"
    categories: frozenset[str] = frozenset()
    # Words for the lexical side only (the audience, the business model): "per resolved
    # ticket" finds a helpdesk by its words, while the embedding of "Shopify merchants" finds
    # Shopify's own market.
    lexical_context: str = ""


@dataclass
class Partition:
    owner: int | None
    keys: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    categories: list[frozenset[str]] = field(default_factory=list)
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 384), dtype=np.float32))
    position: dict[str, int] = field(default_factory=dict)
    by_name: dict[str, int] = field(default_factory=dict)
    by_former_name: dict[str, int] = field(default_factory=dict)  # "formerly Gympass"
    by_domain: dict[str, int] = field(default_factory=dict)
    name_buckets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    bm25: bm25s.BM25 | None = None
    # A small import: scored with the shared data set's statistics (shared_statistics_bm25.py).
    small_bm25: SharedStatisticsBM25 | None = None
    statistics: CorpusStatistics | None = None  # the shared partition's, computed on demand
    ann: object | None = None  # usearch Index above ANN_THRESHOLD
    _texts: list[list[str]] = field(default_factory=list)
    _dirty: bool = True
    _buffer: np.ndarray | None = None  # `vectors` is a view of its first rows (spare capacity)

    def __len__(self) -> int:
        return len(self.keys)


class CompanyIndex:
    """Thread-safe: searches take a snapshot; adds rebuild the touched partition's BM25."""

    def __init__(
        self,
        encode,  # Callable[[Sequence[str]], np.ndarray]: texts -> normalised rows
        dimension: int = 384,
        relevance: RelevanceModel | None = None,
        ann_threshold: int = ANN_THRESHOLD,
    ):
        self._encode = encode
        self.dimension = dimension
        self.relevance = relevance or default_relevance_model()
        self.ann_threshold = ann_threshold
        self._partitions: dict[int | None, Partition] = {}
        self._lock = threading.RLock()
        self._query_vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    # -- building ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return sum(len(p) for p in self._partitions.values())

    def count(self, owner: int | None) -> int:
        partition = self._partitions.get(owner)
        return len(partition) if partition else 0

    def add(self, companies: Sequence[IndexedCompany], vectors: np.ndarray) -> None:
        """Add (or replace by key) companies with their embeddings (one row each)."""
        if not companies:
            return
        with self._lock:
            grouped: dict[int | None, list[int]] = {}
            for row, company in enumerate(companies):
                grouped.setdefault(company.owner, []).append(row)
            for owner, rows in grouped.items():
                partition = self._partitions.setdefault(owner, Partition(owner=owner))
                self._add_to(partition, [companies[r] for r in rows], vectors[rows])

    def _add_to(
        self, partition: Partition, companies: list[IndexedCompany], vectors: np.ndarray
    ) -> None:
        new_rows: list[np.ndarray] = []
        for company, vector in zip(companies, vectors, strict=True):
            # Interned: the same word is one string object for all companies (1M companies
            # x ~50 tokens would otherwise hold ~3 GB of duplicate strings).
            tokens = [sys.intern(t) for t in terms(company.text)] or ["_empty_"]
            existing = partition.position.get(company.key)
            if existing is not None:
                partition.names[existing] = company.name
                partition.categories[existing] = category_set(company.categories)
                partition._texts[existing] = tokens
                partition.vectors[existing] = vector
                continue
            position = len(partition.keys)
            partition.position[company.key] = position
            partition.keys.append(company.key)
            partition.names.append(company.name)
            partition.categories.append(category_set(company.categories))
            partition._texts.append(tokens)
            new_rows.append(vector)
            names = [(company.name, partition.by_name)]
            names += [(former, partition.by_former_name) for former in former_names(company.text)]
            for name, table in names:
                normalised = company_name_key(name)
                if normalised:
                    table.setdefault(normalised, position)
                    bucket = partition.name_buckets.setdefault(normalised[:1], [])
                    bucket.append((normalised, position))
            domain = website_domain(company.website)
            if domain:
                partition.by_domain.setdefault(domain, position)
        if new_rows:
            stacked = np.asarray(new_rows, dtype=np.float32).reshape(-1, self.dimension)
            _append_vectors(partition, stacked)
        partition._dirty = True

    def _ready(self, partition: Partition) -> None:
        """(Re)build the partition's BM25 and ANN structures after adds."""
        if not partition._dirty:
            return
        partition.bm25 = partition.small_bm25 = partition.statistics = None
        if partition.owner is not None and len(partition) < OWN_STATISTICS_FROM:
            partition.small_bm25 = SharedStatisticsBM25(partition._texts)
        else:
            bm25 = bm25s.BM25()
            bm25.index(partition._texts, show_progress=False)
            partition.bm25 = bm25
        partition.ann = None
        if len(partition) > self.ann_threshold:
            from usearch.index import Index

            ann = Index(ndim=self.dimension, metric="ip", dtype="f16")
            # One thread: a parallel insert builds a different graph on every run, and on
            # tightly clustered markets it left a market's companies unreachable (the ANN
            # test failed 24 of 800 queries, 0 of 4000 with one thread). Same data, same
            # graph, same competitors on every replica; the build takes ~2x longer (20k
            # companies: 4.6 s instead of 2.5 s on 2 cores), paid only above the threshold.
            ann.add(np.arange(len(partition), dtype=np.uint64), partition.vectors, threads=1)
            partition.ann = ann
        partition._dirty = False

    def prepare(self) -> None:
        """Build every partition's structures now (start-up), not on the first query."""
        with self._lock:
            for partition in self._partitions.values():
                self._ready(partition)

    def remove_owner(self, owner: int) -> None:
        with self._lock:
            self._partitions.pop(owner, None)

    # -- lookups ----------------------------------------------------------------------------

    def _visible(self, owners: Sequence[int | None]) -> list[Partition]:
        with self._lock:
            found = [self._partitions.get(owner) for owner in dict.fromkeys(owners)]
            partitions = [p for p in found if p is not None and len(p)]
            for partition in partitions:
                self._ready(partition)
            return partitions

    def find_named(self, text: str, owners: Sequence[int | None]) -> tuple[int | None, str] | None:
        """(owner, key) of the company a user named ('Shippeo', 'shippeo.com', a URL), else None.

        Website domain first, then the name's identity key (`company_identity`, the rule the
        import dedupe uses too; current name, then a former one the description gives:
        "formerly Gympass"), then a close spelling (rapidfuzz ratio >= 88
        among names with the same first letter); the user's own imports win over the data set.
        """
        from rapidfuzz import fuzz, process

        partitions = self._visible(list(owners)[::-1])  # the organisation's own data first
        domain = website_domain(text) if ("." in text and " " not in text.strip()) else ""
        normalised = company_name_key(text)
        for partition in partitions:
            if domain and domain in partition.by_domain:
                return partition.owner, partition.keys[partition.by_domain[domain]]
        if not normalised:
            return None
        for table in ("by_name", "by_former_name"):  # a current name beats an old one
            for partition in partitions:
                if normalised in getattr(partition, table):
                    position = getattr(partition, table)[normalised]
                    return partition.owner, partition.keys[position]
        best: tuple[float, Partition, int] | None = None
        for partition in partitions:
            bucket = partition.name_buckets.get(normalised[:1], [])
            match = process.extractOne(
                normalised, [name for name, _ in bucket], scorer=fuzz.ratio,
                score_cutoff=FUZZY_CUTOFF,
            )  # fmt: skip
            if match and (best is None or match[1] > best[0]):
                best = (match[1], partition, bucket[match[2]][1])
        if best is None:
            return None
        return best[1].owner, best[1].keys[best[2]]

    def name_of(self, owner: int | None, key: str) -> str | None:
        partition = self._partitions.get(owner)
        if partition is None or key not in partition.position:
            return None
        return partition.names[partition.position[key]]

    def vector_of(self, owner: int | None, key: str) -> np.ndarray | None:
        partition = self._partitions.get(owner)
        if partition is None or key not in partition.position:
            return None
        return partition.vectors[partition.position[key]]

    def categories_of(self, owner: int | None, key: str) -> frozenset[str]:
        partition = self._partitions.get(owner)
        if partition is None or key not in partition.position:
            return frozenset()
        return partition.categories[partition.position[key]]

    # -- search -----------------------------------------------------------------------------

    def embed(self, text: str) -> np.ndarray:
        with self._lock:
            cached = self._query_vectors.get(text)
            if cached is not None:
                self._query_vectors.move_to_end(text)
                return cached
        vector = np.asarray(self._encode([text])[0], dtype=np.float32)
        vector.setflags(write=False)
        with self._lock:
            self._query_vectors[text] = vector
            if len(self._query_vectors) > QUERY_CACHE_SIZE:
                self._query_vectors.popitem(last=False)
        return vector

    def search(
        self,
        query: RetrievalQuery,
        owners: Sequence[int | None] = (None,),
        k: int = 50,
        named: Sequence[tuple[int | None, str]] = (),
        extra: Sequence[tuple[int | None, str]] = (),
    ) -> list[Hit]:
        """The best `k` companies for `query` across the owners' partitions, best first.

        `named` are (owner, key) of the competitors the user named: they seed "more like these"
        and are always returned (marked `named_by_user`), whatever their relevance. `extra`
        companies (found another way, e.g. by a keyword) are scored too and compete for `k`.
        """
        vector = query.vector if query.vector is not None else self.embed(query.text)
        named_vectors = [v for o, key in named if (v := self.vector_of(o, key)) is not None]
        named_matrix = np.asarray(named_vectors, dtype=np.float32) if named_vectors else None
        tokens = list(dict.fromkeys(terms(f"{query.text} {query.lexical_context}")))
        pinned = set(named)
        rows: list[tuple[Partition, int, float, float, float, float]] = []
        for partition in self._visible(owners):
            rows.extend(
                self._candidates(
                    partition, vector, named_matrix, tokens, query, pinned | set(extra)
                )
            )
        if not rows:
            return []
        best_lexical = max(row[4] for row in rows) or 1.0
        hits = [
            Hit(
                key=partition.keys[pos],
                owner=partition.owner,
                name=partition.names[pos],
                dense=dense,
                named=named_sim,
                lexical=lexical / best_lexical,
                category=category,
                named_by_user=(partition.owner, partition.keys[pos]) in pinned,
            )
            for partition, pos, dense, named_sim, lexical, category in rows
        ]
        feedback(hits, [partition.vectors[pos] for partition, pos, *_ in rows],
                  [partition.categories[pos] for partition, pos, *_ in rows])  # fmt: skip
        fuse(hits)
        any_named = 1.0 if named_matrix is not None else 0.0
        for hit in hits:
            hit.any_named = any_named
            hit.fused *= RRF_K  # about 1 per signal that ranks it first: a 0..4 scale
            hit.relevance = self.relevance.score(hit)
        hits.sort(key=lambda h: (not h.named_by_user, -h.relevance, -h.fused, h.name.lower()))
        named_hits = [h for h in hits if h.named_by_user]
        others = [h for h in hits if not h.named_by_user][: max(k - len(named_hits), 0)]
        return named_hits + others

    def _shared_statistics(self) -> CorpusStatistics:
        """The shared data set's BM25 statistics (read once per rebuild of its index)."""
        with self._lock:
            shared = self._partitions.get(None)
            if shared is None or shared.bm25 is None:
                return CorpusStatistics()
            if shared.statistics is None:
                shared.statistics = CorpusStatistics.of(shared.bm25, shared._texts)
            return shared.statistics

    def _candidates(
        self,
        partition: Partition,
        vector: np.ndarray,
        named_matrix: np.ndarray | None,
        tokens: list[str],
        query: RetrievalQuery,
        forced: set[tuple[int | None, str]],
    ) -> list[tuple[Partition, int, float, float, float, float]]:
        take = min(CANDIDATES_PER_SIGNAL, len(partition))
        chosen: set[int] = {
            partition.position[key]
            for owner, key in forced
            if owner == partition.owner and key in partition.position
        }
        if partition.ann is not None:
            chosen.update(int(p) for p in partition.ann.search(vector, take).keys)
            if named_matrix is not None:
                for row in named_matrix:
                    chosen.update(int(p) for p in partition.ann.search(row, take).keys)
        else:
            dense_all = partition.vectors @ vector
            chosen.update(_top(dense_all, take))
            if named_matrix is not None:
                chosen.update(_top((partition.vectors @ named_matrix.T).max(axis=1), take))
        lexical_all = None
        if tokens and partition.small_bm25 is not None:
            lexical_all = partition.small_bm25.get_scores(tokens, self._shared_statistics())
        elif tokens and partition.bm25 is not None:
            lexical_all = partition.bm25.get_scores(tokens)
        if lexical_all is not None:
            chosen.update(p for p in _top(lexical_all, take) if lexical_all[p] > 0)
        positions = np.fromiter(chosen, dtype=np.int64)
        matrix = partition.vectors[positions]
        dense = matrix @ vector
        named_sim = (
            (matrix @ named_matrix.T).max(axis=1)
            if named_matrix is not None
            else np.zeros(len(positions))
        )
        rows = []
        for i, pos in enumerate(positions):
            category = 0.0
            if query.categories:
                category = len(partition.categories[pos] & query.categories) / len(query.categories)
            lexical = float(lexical_all[pos]) if lexical_all is not None else 0.0
            rows.append(
                (partition, int(pos), float(dense[i]), float(named_sim[i]), lexical, category)
            )
        return rows


def _append_vectors(partition: Partition, rows: np.ndarray) -> None:
    """Appends rows into spare capacity (grown by half when full), so loading N companies in
    chunks copies O(N) rows, not O(N^2 / chunk); views held by running searches stay valid."""
    used, total = len(partition.vectors), len(partition.vectors) + len(rows)
    buffer = partition._buffer
    if buffer is None or partition.vectors.base is not buffer or len(buffer) < total:
        buffer = np.empty((max(total, used + used // 2), rows.shape[1]), dtype=np.float32)
        buffer[:used] = partition.vectors
        partition._buffer = buffer
    buffer[used:total] = rows
    partition.vectors = buffer[:total]


def _top(scores: np.ndarray, take: int) -> list[int]:
    if len(scores) <= take:
        return list(range(len(scores)))
    return [int(p) for p in np.argpartition(-scores, take - 1)[:take]]

"""The signals of retrieved companies that depend on the whole candidate list.

`Hit` is one candidate with its retrieval signals; `feedback` adds the pseudo-relevance-feedback
signals (closeness to the best matches' centroid and their common categories, the dense score
relative to this query's candidates), `fuse` the reciprocal rank fusion of the four base
signals. `relevance.py` turns them into a calibrated probability.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RRF_K = 60


@dataclass
class Hit:
    key: str
    owner: int | None
    name: str
    dense: float = 0.0  # cosine to the project text
    named: float = 0.0  # best cosine to a named competitor (0 when none named)
    lexical: float = 0.0  # BM25, scaled to the best match of this query (0..1)
    category: float = 0.0  # share of the query's categories the company has (0..1)
    prf: float = 0.0  # cosine to the centroid of the closest matches (pseudo-relevance feedback)
    cluster: float = 0.0  # share of the closest matches' common categories it has (0..1)
    dense_gap: float = 0.0  # dense minus the best dense of this query (<= 0)
    dense_z: float = 0.0  # dense in standard deviations above this query's candidates' mean
    fused: float = 0.0  # reciprocal rank fusion of the four signals
    any_named: float = 0.0  # 1 when the founder named a competitor the data holds (same for all)
    relevance: float = 0.0  # calibrated probability that the company is a competitor
    named_by_user: bool = False


FEEDBACK_TOP = 5


def feedback(hits: list[Hit], vectors: list[np.ndarray], categories: list[frozenset[str]]) -> None:
    """Pseudo-relevance feedback: the closest matches (named ones first) describe the market
    better than the founder's words alone; how close each candidate is to them is a signal."""
    order = sorted(range(len(hits)), key=lambda i: (not hits[i].named_by_user, -hits[i].dense))
    top = order[:FEEDBACK_TOP]
    centroid = np.mean([vectors[i] for i in top], axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-9)
    counts: dict[str, int] = {}
    for i in top:
        for category in categories[i]:
            counts[category] = counts.get(category, 0) + 1
    common = {c for c, n in counts.items() if n >= 2}
    best = max(h.dense for h in hits)
    dense = np.array([h.dense for h in hits])
    spread = float(dense.std()) or 1.0
    for i, hit in enumerate(hits):
        hit.dense_z = float((hit.dense - dense.mean()) / spread)
        hit.prf = float(vectors[i] @ centroid)
        hit.cluster = len(categories[i] & common) / len(common) if common else 0.0
        hit.dense_gap = hit.dense - best


def fuse(hits: list[Hit]) -> None:
    """Reciprocal rank fusion: each signal ranks the candidates; 1/(60 + rank) is summed."""
    for signal in ("dense", "named", "lexical", "category"):
        values = [getattr(h, signal) for h in hits]
        if not any(values):
            continue
        order = sorted(range(len(hits)), key=lambda i: -values[i])
        for rank, i in enumerate(order, start=1):
            if values[i] > 0:
                hits[i].fused += 1.0 / (RRF_K + rank)

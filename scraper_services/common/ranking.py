"""The predecessor's ranking formulas, as pure functions.

- Crunchbase: `rank_score = 1 - (cb_rank - min) / (max - min)` over the candidate set (1.0 when all
  ranks are equal), `combined = sim * w_s + rank_score * w_r`.
- Tracxn: `normalized = tracxn_score / 100` (clipped to 0..1),
  `combined = sim * w_s + normalized * w_t`.
- A company without a rank or score (one found on the web, say) has `None` there and is
  combined on its similarity alone: the predecessor scored it 0, which ranked "unknown" as
  "worst" and pushed every such company below all ranked ones.
- Weights: each in 0..1 and summing to 1 within 0.001, else the request is rejected (400).
- Order: combined score descending, then similarity descending, then name (stable, deterministic).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WEIGHT_SUM_TOLERANCE = 0.001


def weight_error(first: float, second: float, first_name: str, second_name: str) -> str | None:
    """Why a pair of weights is unacceptable, or None when it is fine."""
    for name, value in ((first_name, first), (second_name, second)):
        if not math.isfinite(value) or not 0.0 <= value <= 1.0:
            return f"{name} must be between 0 and 1 (got {value})"
    if abs(first + second - 1.0) > WEIGHT_SUM_TOLERANCE:
        return (
            f"{first_name} + {second_name} must equal 1 (±{WEIGHT_SUM_TOLERANCE}); "
            f"got {first} + {second} = {first + second:.6g}"
        )
    return None


def normalise_cb_ranks(ranks: Sequence[int | None]) -> list[float | None]:
    """Crunchbase rank (1 = best) to a 0..1 score where the best candidate gets 1 (None: no
    rank known)."""
    known = [rank for rank in ranks if rank is not None]
    if not known:
        return [None for _ in ranks]
    low, high = min(known), max(known)
    if high == low:
        return [None if rank is None else 1.0 for rank in ranks]
    span = float(high - low)
    return [None if rank is None else 1.0 - (rank - low) / span for rank in ranks]


def normalise_tracxn_score(score: float | None) -> float | None:
    """Tracxn score (0..100) to 0..1 (None: no score known)."""
    if score is None or not math.isfinite(score):
        return None
    return min(max(score / 100.0, 0.0), 1.0)


def combined_score(
    similarity: float, normalised: float | None, w_sim: float, w_other: float
) -> float:
    """The weighted sum; without a rank or score, the similarity alone (unknown is not 0)."""
    if normalised is None:
        return similarity
    return similarity * w_sim + normalised * w_other


@dataclass(frozen=True)
class Scored:
    """One candidate with its scores, before it is shaped into a response item."""

    key: str
    name: str
    similarity: float
    normalised: float | None
    combined: float


def order_by_combined(candidates: Sequence[Scored]) -> list[Scored]:
    return sorted(candidates, key=lambda c: (-c.combined, -c.similarity, c.name.lower(), c.key))


def score_candidates(
    keys: Sequence[str],
    names: Sequence[str],
    similarities: Sequence[float],
    normalised: Sequence[float | None],
    w_sim: float,
    w_other: float,
) -> list[Scored]:
    """Combine scores and return the candidates best first."""
    scored = [
        Scored(key, name, sim, norm, combined_score(sim, norm, w_sim, w_other))
        for key, name, sim, norm in zip(keys, names, similarities, normalised, strict=True)
    ]
    return order_by_combined(scored)

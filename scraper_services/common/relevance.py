"""Calibrated relevance: the probability that a retrieved company is a real competitor.

A logistic model over the retrieval signals of a hit (dense similarity to the project, to the
named competitors, scaled BM25, category overlap) and whether the founder named a competitor
the data holds (`any_named`): without one, the named-competitor and category signals are 0 for
every candidate, and a model fitted only on projects that name competitors scored such a
project's real competitors below the floor (a shipment-visibility SaaS got Delhivery and Forto,
not project44 or Shippeo). Its coefficients are fitted on the gold set
of `bench/gold/` by `python -m bench.fit_relevance` (cross-validated by sector; the figures are
in docs/market-data.md) and stored in `relevance_model.json` beside this file, so the floor is a
probability, not a magic similarity number: a company whose relevance is below `floor` is not
presented as a competitor.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

MODEL_PATH = Path(__file__).resolve().parent / "relevance_model.json"
FEATURES = (
    "dense", "named", "lexical", "category", "prf", "cluster", "dense_gap", "dense_z", "fused",
    "any_named",
)  # fmt: skip


class Signals(Protocol):
    dense: float
    named: float
    lexical: float
    category: float
    prf: float
    cluster: float
    dense_gap: float
    dense_z: float
    fused: float
    any_named: float


@dataclass(frozen=True)
class RelevanceModel:
    weights: dict[str, float]
    bias: float
    floor: float = 0.5

    def score(self, hit: Signals) -> float:
        z = self.bias + sum(self.weights.get(f, 0.0) * float(getattr(hit, f)) for f in FEATURES)
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self) -> dict:
        return {"weights": self.weights, "bias": self.bias, "floor": self.floor}


@lru_cache(maxsize=1)
def default_relevance_model() -> RelevanceModel:
    """The fitted model shipped with the code."""
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    return RelevanceModel(
        weights={f: float(data["weights"].get(f, 0.0)) for f in FEATURES},
        bias=float(data["bias"]),
        floor=float(data.get("floor", 0.5)),
    )

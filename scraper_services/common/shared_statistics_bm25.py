"""BM25 for an organisation's small import, scored with the shared data set's statistics.

A partition of a few hundred imported companies has no useful document frequencies of its
own (in a corpus of two companies every word is common), so its BM25 scores were not
comparable with the shared data set's: an imported company whose description was the
founder's idea word for word scored a fifth of the data set's freight brokers and fell below
the relevance floor. Below `OWN_STATISTICS_FROM` companies a partition is therefore scored
with the document frequencies and average length of the shared data set plus its own (the
same Lucene BM25 as bm25s); a larger partition keeps its own bm25s index. The statistics only
shape the importing organisation's own scores; nothing of an import reaches another
organisation's search.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import bm25s
import numpy as np

OWN_STATISTICS_FROM = 20_000
K1, B = 1.5, 0.75  # bm25s' defaults, so both scorers agree


@dataclass(frozen=True)
class CorpusStatistics:
    """What BM25 needs of a corpus: its size, total length and document frequencies."""

    num_docs: int = 0
    total_length: int = 0
    df: dict[str, int] | None = None

    @classmethod
    def of(cls, bm25: bm25s.BM25, texts: list[list[str]]) -> CorpusStatistics:
        """Read from an indexed bm25s model (its CSC matrix holds one entry per doc and term)."""
        counts = np.diff(bm25.scores["indptr"])
        df = {token: int(counts[i]) for token, i in bm25.vocab_dict.items() if token}
        return cls(len(texts), sum(len(t) for t in texts), df)


class SharedStatisticsBM25:
    """An inverted index over a small partition, scored against shared corpus statistics."""

    def __init__(self, texts: list[list[str]]):
        self.lengths = np.array([len(t) for t in texts], dtype=np.float64)
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        collected: dict[str, tuple[list[int], list[int]]] = {}
        for position, tokens in enumerate(texts):
            for token, tf in Counter(tokens).items():
                positions, tfs = collected.setdefault(token, ([], []))
                positions.append(position)
                tfs.append(tf)
        for token, (positions, tfs) in collected.items():
            self.postings[token] = (np.array(positions), np.array(tfs, dtype=np.float64))

    def get_scores(self, tokens: list[str], shared: CorpusStatistics) -> np.ndarray:
        """Lucene BM25 of every document for the (deduplicated) query tokens."""
        scores = np.zeros(len(self.lengths))
        if not len(self.lengths):
            return scores
        num_docs = shared.num_docs + len(self.lengths)
        average = (shared.total_length + float(self.lengths.sum())) / num_docs
        norm = K1 * ((1 - B) + B * self.lengths / max(average, 1e-9))
        shared_df = shared.df or {}
        for token in dict.fromkeys(tokens):
            posting = self.postings.get(token)
            if posting is None:
                continue
            positions, tfs = posting
            df = shared_df.get(token, 0) + len(positions)
            idf = math.log(1 + (num_docs - df + 0.5) / (df + 0.5))
            scores[positions] += idf * tfs / (norm[positions] + tfs)
        return scores

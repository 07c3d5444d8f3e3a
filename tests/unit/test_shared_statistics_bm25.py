"""BM25 of a small import scored with the shared data set's statistics (and the index using it)."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest

from scraper_services.common.company_index import IndexedCompany, RetrievalQuery
from scraper_services.common.keyword_index import terms
from scraper_services.common.shared_statistics_bm25 import CorpusStatistics, SharedStatisticsBM25
from tests.unit.test_retrieval import _index

SHARED_TEXTS = [
    "digital freight broker matching trucks with shipper loads across europe",
    "road freight marketplace for full truckload shipments",
    "ocean freight forwarder with customs paperwork and tracking",
    "payments api for online shops and card acceptance",
    "meal delivery app for restaurants in cities",
    "freight visibility platform tracking trucks for shippers",
] + [f"maker of widget{i} gadgets and tools for hobby{i} clubs" for i in range(200)]
IMPORTED_TEXTS = [
    "digital bills of lading and live tracking for river barge freight",
    "inland waterway freight marketplace",
]
QUERY = "digital bills of lading and live tracking for river barge freight on the danube"


def _bm25(texts: list[list[str]]) -> bm25s.BM25:
    model = bm25s.BM25()
    model.index(texts, show_progress=False)
    return model


def test_with_no_shared_data_it_equals_bm25s_on_its_own_corpus():
    texts = [terms(t) for t in SHARED_TEXTS]
    tokens = list(dict.fromkeys(terms(QUERY)))
    expected = _bm25(texts).get_scores(tokens)
    got = SharedStatisticsBM25(texts).get_scores(tokens, CorpusStatistics())
    assert np.allclose(got, expected, atol=1e-5)


def test_with_shared_statistics_it_scores_as_bm25s_over_both_corpora():
    shared = [terms(t) for t in SHARED_TEXTS]
    imported = [terms(t) for t in IMPORTED_TEXTS]
    tokens = list(dict.fromkeys(terms(QUERY)))
    statistics = CorpusStatistics.of(_bm25(shared), shared)
    assert statistics.num_docs == len(shared) and statistics.df["freight"] == 4
    expected = _bm25(shared + imported).get_scores(tokens)[len(shared) :]
    got = SharedStatisticsBM25(imported).get_scores(tokens, statistics)
    assert np.allclose(got, expected, atol=1e-5)


@pytest.mark.parametrize("owner_first", [True, False])
def test_an_imported_twin_of_the_idea_has_the_best_lexical_score(owner_first):
    # Regression: in a two-company import every word looked common, so the import's exact
    # match scored a fifth of the data set's freight brokers and fell below the floor.
    shared = [IndexedCompany(key=f"s{i}", name=f"S{i}", text=t) for i, t in enumerate(SHARED_TEXTS)]
    own = [
        IndexedCompany(key=f"org7/i{i}", name=f"I{i}", text=t, owner=7)
        for i, t in enumerate(IMPORTED_TEXTS)
    ]
    index = _index(own + shared if owner_first else shared + own)
    hits = index.search(RetrievalQuery(text=QUERY), owners=[None, 7], k=50)
    by_key = {h.key: h for h in hits}
    assert by_key["org7/i0"].lexical == 1.0
    best_shared = max(h.lexical for h in hits if h.owner is None)
    assert by_key["org7/i0"].lexical > 2 * best_shared
    # Another organisation's search never sees the import.
    assert all(h.owner is None for h in index.search(RetrievalQuery(text=QUERY), [None, 8], 10))


def test_statistics_follow_the_shared_data_set_when_it_changes():
    shared = [IndexedCompany(key=f"s{i}", name=f"S{i}", text=t) for i, t in enumerate(SHARED_TEXTS)]
    index = _index([*shared, IndexedCompany(key="org7/a", name="A", text="river barge", owner=7)])
    index.search(RetrievalQuery(text="river barge"), [None, 7], 5)
    before = index._shared_statistics().num_docs
    extra = IndexedCompany(key="s-new", name="New", text="river barge freight tracking")
    index.add([extra], np.ones((1, 384), dtype=np.float32) / np.sqrt(384))
    index.search(RetrievalQuery(text="river barge"), [None, 7], 5)
    assert index._shared_statistics().num_docs == before + 1

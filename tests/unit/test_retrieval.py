"""Retrieval core: the numpy embedder, fusion, calibrated relevance, named lookup, ANN, vectors."""

from __future__ import annotations

import hashlib
import json
import random
import time
from pathlib import Path

import numpy as np
import pytest

from scraper_services.common.company_identity import former_names
from scraper_services.common.company_index import (
    RRF_K,
    CompanyIndex,
    Hit,
    IndexedCompany,
    RetrievalQuery,
)
from scraper_services.common.contracts import NamedCompetitor, ProjectQuery
from scraper_services.common.demo_vectors import demo_texts, shipped_vectors
from scraper_services.common.embeddings import DIMENSION, get_embedder, text_digest
from scraper_services.common.hit_signals import fuse
from scraper_services.common.ranked_search import RankedOutcome
from scraper_services.common.ranking import Scored
from scraper_services.common.relevance import FEATURES, RelevanceModel, default_relevance_model

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "minilm_reference.json"


def fake_encode(texts) -> np.ndarray:
    """Deterministic unit vectors per text (no model): enough for lookups and index mechanics."""
    rows = []
    for text in texts:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        row = np.random.default_rng(seed).standard_normal(DIMENSION).astype(np.float32)
        rows.append(row / np.linalg.norm(row))
    return np.asarray(rows, dtype=np.float32).reshape(-1, DIMENSION)


def _index(companies: list[IndexedCompany], **kwargs) -> CompanyIndex:
    index = CompanyIndex(fake_encode, **kwargs)
    index.add(companies, fake_encode([c.text for c in companies]))
    index.prepare()
    return index


# -- the embedder -------------------------------------------------------------------------


def test_numpy_embedder_equals_sentence_transformers_reference():
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    assert reference["model"].endswith("all-MiniLM-L6-v2")
    texts, expected = reference["texts"], np.asarray(reference["vectors"], dtype=np.float32)
    assert len(texts) == len(expected) >= 3 and expected.shape[1] == DIMENSION
    got = get_embedder().encode(texts)
    assert got.shape == expected.shape and got.dtype == np.float32
    assert float(np.abs(got - expected).max()) < 1e-4
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    # Batching and padding do not change a text's vector; a blank text is a zero row.
    alone = get_embedder().encode([texts[0]])[0]
    assert float(np.abs(alone - got[0]).max()) < 1e-5
    assert not get_embedder().encode(["   "]).any()


# -- fusion and relevance -----------------------------------------------------------------


def test_reciprocal_rank_fusion_order():
    hits = [
        Hit(key="a", owner=None, name="A", dense=0.9, lexical=0.2),  # 1st, 2nd
        Hit(key="b", owner=None, name="B", dense=0.5, lexical=1.0, category=1.0),  # 2nd, 1st, 1st
        Hit(key="c", owner=None, name="C", dense=0.1),  # 3rd, no lexical or category
    ]
    fuse(hits)
    assert hits[0].fused == pytest.approx(1 / (RRF_K + 1) + 1 / (RRF_K + 2))
    assert hits[1].fused == pytest.approx(1 / (RRF_K + 2) + 2 / (RRF_K + 1))
    assert hits[2].fused == pytest.approx(1 / (RRF_K + 3))  # a zero signal adds nothing
    assert sorted(hits, key=lambda h: -h.fused)[0].key == "b"
    none = [Hit(key="x", owner=None, name="X")]
    fuse(none)
    assert none[0].fused == 0.0


def _hit(**signals) -> Hit:
    return Hit(key="k", owner=None, name="K", **signals)


def test_relevance_model_is_a_probability_monotone_in_each_positive_signal():
    model = default_relevance_model()
    assert set(model.weights) == set(FEATURES) and 0 < model.floor < 1
    positive = [f for f in FEATURES if model.weights[f] > 0]
    assert {"lexical", "category", "prf"} <= set(positive)
    base = dict(dense=0.4, lexical=0.3, category=0.2, prf=0.4, cluster=0.2, fused=1.0)
    start = model.score(_hit(**base))
    assert 0.0 < start < 1.0
    for feature in positive:
        values = [0.0, 0.25, 0.5, 0.75, 1.0]
        scores = [model.score(_hit(**{**base, feature: v})) for v in values]
        assert scores == sorted(scores) and scores[-1] > scores[0], feature
    tiny = RelevanceModel(weights={"dense": 4.0}, bias=-2.0, floor=0.5)
    assert tiny.score(_hit(dense=0.5)) == pytest.approx(0.5)
    assert tiny.to_json() == {"weights": {"dense": 4.0}, "bias": -2.0, "floor": 0.5}


def test_presented_respects_the_floor_and_always_keeps_named_competitors():
    relevances = {"a": 0.9, "b": 0.2, "c": 0.6, "d": 0.49, "e": 0.5, "n": 0.01}
    ordered = [Scored(k, k.upper(), r, 0.5, r) for k, r in relevances.items()]
    hits = {k: Hit(key=k, owner=None, name=k.upper(), relevance=r) for k, r in relevances.items()}
    hits["n"].named_by_user = True
    outcome = RankedOutcome(
        keywords=[], outcomes=[], candidates={}, ordered=ordered, collection_seconds=0,
        similarity_seconds=0, started=time.perf_counter(), hits=hits, floor=0.5,
        named=[NamedCompetitor(name="N", found=True, matched_name="N", key="n")],
    )  # fmt: skip
    assert [s.key for s in outcome.presented(10)] == ["a", "c", "e", "n"]  # order kept
    # Cut to top_count, but a named competitor is never cut to make room.
    assert [s.key for s in outcome.presented(2)] == ["a", "n"]
    assert [s.key for s in outcome.presented(1)] == ["n"]
    summary = outcome.retrieval_summary()
    assert summary.relevance_floor == 0.5 and summary.candidates == 6
    assert summary.above_floor == 4 and summary.named_competitors[0].found
    # Raise the floor: only the named one and the 0.9 remain.
    outcome.floor = 0.95
    assert [s.key for s in outcome.presented(10)] == ["n"]
    outcome.floor = 0.8
    assert [s.key for s in outcome.presented(10)] == ["a", "n"]


def test_search_pins_named_competitors_whatever_their_relevance():
    companies = [
        IndexedCompany(key=f"c{i}", name=f"Company {i}", text=f"word{i} shared text")
        for i in range(30)
    ]
    index = _index(companies, relevance=RelevanceModel(weights={}, bias=-20.0, floor=0.5))
    hits = index.search(RetrievalQuery(text="word3"), k=5, named=[(None, "c17")])
    assert hits[0].key == "c17" and hits[0].named_by_user and hits[0].relevance < 0.5
    assert len(hits) == 5 and sum(h.named_by_user for h in hits) == 1
    everything = {h.key: h for h in index.search(RetrievalQuery(text="word3"), k=30)}
    assert everything["c3"].lexical == 1.0  # the BM25 match of the query, scaled to the best
    assert all(h.lexical == 0.0 for key, h in everything.items() if key != "c3")


def test_lexical_context_is_matched_by_words_and_never_embedded():
    """The audience and business model reach BM25 only: the query's embedding is the
    description's, so "for Shopify merchants" no longer pulls in Shopify by meaning."""
    companies = [
        IndexedCompany(key=f"c{i}", name=f"Company {i}", text=f"word{i} shared text")
        for i in range(30)
    ]
    index = _index(companies)
    plain = {h.key: h for h in index.search(RetrievalQuery(text="word3"), k=30)}
    query = RetrievalQuery(text="word3", lexical_context="word7 per ticket")
    widened = {h.key: h for h in index.search(query, k=30)}
    assert plain["c7"].lexical == 0.0 and widened["c7"].lexical > 0.0
    assert plain["c7"].dense == widened["c7"].dense  # the same query vector
    project = ProjectQuery(
        description="A bot that answers order emails.",
        audience="Shopify merchants",
        business_model="per resolved ticket",
        geography="Europe",
    )
    assert project.text() == "A bot that answers order emails."
    assert project.lexical_context() == "Shopify merchants per resolved ticket"


# -- named competitors --------------------------------------------------------------------


SHARED = [
    IndexedCompany(key="project44", name="project44", text="freight visibility platform",
                   website="https://www.project44.com"),
    IndexedCompany(key="shippo", name="Shippo", text="shipping labels api for e-commerce",
                   website="https://goshippo.com"),
    IndexedCompany(key="flexport", name="Flexport", text="digital freight forwarder",
                   website="https://www.flexport.com"),
    IndexedCompany(key="societe", name="Société Générale", text="French bank",
                   website="https://www.societegenerale.com"),
    IndexedCompany(key="wellhub", name="Wellhub",
                   text="Corporate fitness benefit, formerly Gympass, covering gyms",
                   website="https://wellhub.com"),
    IndexedCompany(key="gympass-clone", name="Gympass Studio", text="a yoga studio"),
    IndexedCompany(key="bird", name="Bird", text="Amsterdam company formerly called MessageBird"),
    IndexedCompany(key="curefit", name="Cult.fit", text="Gyms in India. It was formerly called "
                   "Curefit."),
    IndexedCompany(key="shippo-old", name="Parcel Labs", text="formerly Shippo, a parcel tool"),
]  # fmt: skip


@pytest.fixture(scope="module")
def named_index() -> CompanyIndex:
    own = IndexedCompany(
        key="org7/flexport", name="Flexport", text="our own Flexport record", owner=7,
        website="https://flexport.example.org",
    )  # fmt: skip
    return _index([*SHARED, own])


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("project44", "project44"),
        ("Project44", "project44"),
        ("Shippo Inc.", "shippo"),
        ("Shippo, Inc.", "shippo"),
        ("Flexport SAS", "flexport"),
        ("societe generale", "societe"),  # accents folded
        ("project44.com", "project44"),
        ("https://www.project44.com/platform/visibility", "project44"),
        ("goshippo.com", "shippo"),
        ("projet44", "project44"),  # a close typo
    ],
)
def test_find_named_by_name_suffix_website_and_close_spelling(named_index, typed, key):
    assert named_index.find_named(typed, [None]) == (None, key)


@pytest.mark.parametrize("typed", ["Shippeo", "shippeo.com", "Unknown Freight Co", "   ", "Inc."])
def test_find_named_refuses_other_companies(named_index, typed):
    assert named_index.find_named(typed, [None]) is None


@pytest.mark.parametrize(
    ("typed", "key"),
    [("Gympass", "wellhub"), ("gympass", "wellhub"), ("MessageBird", "bird"),
     ("Curefit", "curefit"), ("Wellhub", "wellhub"), ("Gympass Studio", "gympass-clone")],
)  # fmt: skip
def test_find_named_reads_former_names_from_the_description(named_index, typed, key):
    assert named_index.find_named(typed, [None]) == (None, key)


def test_a_current_name_beats_another_company_s_former_name(named_index):
    # "Parcel Labs, formerly Shippo" must not take the user's "Shippo" from Shippo itself.
    assert named_index.find_named("Shippo", [None]) == (None, "shippo")


def test_former_names_parsing():
    assert former_names("London pet insurer, formerly Bought By Many, sells cover") == [
        "Bought By Many"
    ]
    assert former_names("Video meetings, formerly appear.in.") == ["appear.in"]
    assert former_names("A bank for freelancers.") == []


def test_find_named_prefers_the_organisations_own_import(named_index):
    assert named_index.find_named("Flexport", [None, 7]) == (7, "org7/flexport")
    assert named_index.find_named("Flexport", [None]) == (None, "flexport")
    assert named_index.find_named("Flexport", [None, 8]) == (None, "flexport")
    assert named_index.find_named("project44", [None, 7]) == (None, "project44")
    assert named_index.name_of(7, "org7/flexport") == "Flexport"


# -- approximate nearest neighbours -------------------------------------------------------


@pytest.mark.parametrize("seed", [3, 4, 5, 6, 7])
def test_ann_path_returns_the_exact_top_results(seed):
    # 40 markets of 10 companies each: a project near one market's centre has 10 true
    # neighbours, well apart from the rest (as real competitors are). Several seeds: a
    # parallel HNSW build missed a market's companies in ~3% of such queries.
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((40, DIMENSION)).astype(np.float32)
    vectors = np.repeat(centres, 10, axis=0)
    vectors += 0.02 * rng.standard_normal(vectors.shape).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    companies = [IndexedCompany(key=f"k{i}", name=f"N{i}", text="") for i in range(len(vectors))]
    exact = CompanyIndex(fake_encode)
    approximate = CompanyIndex(fake_encode, ann_threshold=50)
    for index in (exact, approximate):
        index.add(companies, vectors)
        index.prepare()
    assert exact._partitions[None].ann is None
    assert approximate._partitions[None].ann is not None  # the usearch HNSW path is taken
    for market in range(40):
        query = centres[market] + 0.01 * rng.standard_normal(DIMENSION).astype(np.float32)
        query /= np.linalg.norm(query)
        results = []
        for index in (exact, approximate):
            hits = index.search(RetrievalQuery(text="", vector=query), k=30)
            results.append([h.key for h in sorted(hits, key=lambda h: -h.dense)[:10]])
        assert {int(key[1:]) // 10 for key in results[0]} == {market}
        assert results[1] == results[0]


# -- the shipped vectors of the bundled data set ------------------------------------------


def test_shipped_vectors_cover_every_bundled_company_and_match_a_fresh_encoding():
    """Fails after a data edit until `python -m scraper_services.common.demo_vectors` ran."""
    shipped = shipped_vectors()
    texts = demo_texts()
    missing = [t.split(".")[0] for t in texts if text_digest(t) not in shipped]
    assert not missing, f"{len(missing)} companies without a shipped vector, e.g. {missing[:5]}"
    sample = random.Random(11).sample(sorted(set(texts)), 6)
    fresh = get_embedder().encode(sample)
    for text, vector in zip(sample, fresh, strict=True):
        assert float(np.abs(shipped[text_digest(text)] - vector).max()) < 2e-3, text[:60]

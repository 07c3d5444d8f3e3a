"""Ranking formulas: examples from the predecessor's contract and hypothesis properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper_services.common.ranking import (
    combined_score,
    normalise_cb_ranks,
    normalise_tracxn_score,
    order_by_combined,
    score_candidates,
    weight_error,
)

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
ranks = st.lists(st.one_of(st.none(), st.integers(1, 5_000_000)), min_size=1, max_size=60)


def test_rank_score_examples():
    assert normalise_cb_ranks([10, 20, 30]) == [1.0, 0.5, 0.0]
    assert normalise_cb_ranks([7, 7]) == [1.0, 1.0]
    assert normalise_cb_ranks([None, 5, 15]) == [None, 1.0, 0.0]
    assert normalise_cb_ranks([None]) == [None]


def test_tracxn_normalisation_examples():
    assert normalise_tracxn_score(64.0) == pytest.approx(0.64)
    assert normalise_tracxn_score(None) is None
    assert normalise_tracxn_score(150) == 1.0
    assert normalise_tracxn_score(-3) == 0.0
    assert normalise_tracxn_score(math.nan) is None


@pytest.mark.parametrize(
    ("first", "second", "ok"),
    [
        (0.75, 0.25, True),
        (1.0, 0.0, True),
        (0.5, 0.5005, True),
        (0.5, 0.502, False),
        (1.2, -0.2, False),
        (math.nan, 1.0, False),
        (math.inf, 0.0, False),
    ],
)
def test_weight_rules(first, second, ok):
    problem = weight_error(first, second, "similarity_weight", "rank_weight")
    assert (problem is None) is ok
    if not ok:
        assert "similarity_weight" in problem or "rank_weight" in problem


@given(ranks)
def test_rank_scores_are_bounded_and_best_is_one(values):
    scores = normalise_cb_ranks(values)
    assert len(scores) == len(values)
    assert all((s is None) == (v is None) for v, s in zip(values, scores, strict=True))
    assert all(0.0 <= s <= 1.0 for s in scores if s is not None)
    known = [(v, s) for v, s in zip(values, scores, strict=True) if v is not None]
    if known:
        best = min(v for v, _ in known)
        assert all(s == 1.0 for v, s in known if v == best)


@given(ranks)
def test_lower_rank_never_scores_lower(values):
    scores = normalise_cb_ranks(values)
    known = [(v, s) for v, s in zip(values, scores, strict=True) if v is not None]
    for v1, s1 in known:
        for v2, s2 in known:
            if v1 < v2:
                assert s1 >= s2


@given(unit, unit, unit)
def test_combined_is_convex_combination(similarity, normalised, w_sim):
    w_other = 1.0 - w_sim
    value = combined_score(similarity, normalised, w_sim, w_other)
    assert value == pytest.approx(similarity * w_sim + normalised * w_other)
    assert min(similarity, normalised) - 1e-12 <= value <= max(similarity, normalised) + 1e-12


@given(unit, unit)
def test_valid_weight_pairs_are_accepted(w_sim, jitter):
    w_other = 1.0 - w_sim + (jitter - 0.5) * 0.0019
    if 0.0 <= w_other <= 1.0:
        assert weight_error(w_sim, w_other, "a", "b") is None


@given(unit, st.floats(min_value=0.0011, max_value=0.9, allow_nan=False))
def test_weight_pairs_off_by_more_than_tolerance_are_rejected(w_sim, off):
    w_other = 1.0 - w_sim + off
    assert weight_error(w_sim, w_other, "a", "b") is not None


candidate_lists = st.lists(
    st.tuples(st.text(min_size=1, max_size=8), unit, unit), min_size=1, max_size=40
)


@settings(max_examples=80)
@given(candidate_lists, unit)
def test_order_is_sorted_complete_and_permutation_invariant(items, w_sim):
    keys = [f"k{i}" for i in range(len(items))]
    names = [name for name, _, _ in items]
    sims = [sim for _, sim, _ in items]
    norms = [norm for _, _, norm in items]
    ordered = score_candidates(keys, names, sims, norms, w_sim, 1.0 - w_sim)
    assert sorted(c.key for c in ordered) == sorted(keys)
    combined = [c.combined for c in ordered]
    assert combined == sorted(combined, reverse=True)
    reversed_order = score_candidates(
        keys[::-1], names[::-1], sims[::-1], norms[::-1], w_sim, 1 - w_sim
    )
    assert [c.key for c in reversed_order] == [c.key for c in ordered]
    assert order_by_combined(ordered) == ordered


@given(st.lists(unit, min_size=2, max_size=30))
def test_pure_similarity_weight_orders_by_similarity(sims):
    keys = [f"k{i}" for i in range(len(sims))]
    ordered = score_candidates(keys, keys, sims, [0.3] * len(sims), 1.0, 0.0)
    assert [c.similarity for c in ordered] == sorted(sims, reverse=True)


def test_a_company_without_a_rank_is_combined_on_its_similarity_alone():
    # Unknown is not "worst": the predecessor scored it 0 and sank it below every ranked one.
    assert combined_score(0.8, None, 0.75, 0.25) == 0.8
    assert combined_score(0.8, 0.0, 0.75, 0.25) == pytest.approx(0.6)
    ordered = score_candidates(["a", "b"], ["A", "B"], [0.8, 0.7], [None, 1.0], 0.75, 0.25)
    assert [s.key for s in ordered] == ["a", "b"]  # 0.8 against 0.775

"""Computed confidence: model estimate combined with code checks, with a basis."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from marketnav.services.ai.confidence import (
    Check,
    agreement_check,
    combine,
    level_for,
    membership_agreement,
    overall,
    supported_check,
    validation_check,
)


def test_supported_and_valid_value_scores_high():
    checks = [supported_check("meal kits", "we sell meal kit boxes"), validation_check(True, "x")]
    confidence = combine(0.9, checks)
    assert confidence.level == "high"
    assert confidence.basis[0] == "model's own estimate 0.90"
    assert "every word appears in your input" in confidence.basis


def test_unsupported_value_scores_lower_than_supported():
    supported = combine(0.9, [supported_check("Berlin", "We launch in Berlin")])
    unsupported = combine(0.9, [supported_check("Paris", "We launch in Berlin")])
    assert unsupported.score < supported.score
    assert "not found in your input" in unsupported.basis


def test_failed_validation_caps_the_score():
    confidence = combine(1.0, [validation_check(False, "Stage field", "not a stage")])
    assert confidence.score <= 0.2
    assert confidence.level == "low"
    assert "fails the Stage field rules: not a stage" in confidence.basis


def test_disagreement_caps_at_medium():
    checks = [
        supported_check("fintech", "fintech"),
        agreement_check("fintech payments", "gardening tools", "a second provider"),
    ]
    confidence = combine(0.95, checks)
    assert confidence.score <= 0.5
    assert "a second provider disagrees" in confidence.basis


def test_agreement_raises_confidence():
    base = [supported_check("meal kit", "meal kit")]
    agreed = combine(0.5, [*base, agreement_check("meal kit", "meal kits", "a second sample")])
    alone = combine(0.5, base)
    assert agreed.score >= alone.score
    assert "a second sample agrees" in agreed.basis


def test_missing_estimate_and_offline_are_explained():
    assert combine(None, []).basis == ["the model gave no estimate of its own"]
    assert combine(None, [], offline=True).basis[0].startswith("offline analysis")


def test_membership_agreement():
    assert membership_agreement("meal kit", ["meal kits", "x y"], "p2").outcome == 1.0
    assert membership_agreement("meal kit", ["solar panels"], "p2").outcome < 0.5


def test_overall_is_the_mean():
    items = [combine(1.0, [validation_check(True, "a")]), combine(0.0, [])]
    result = overall(items)
    assert result.score == round((items[0].score + items[1].score) / 2, 2)
    assert overall([]).level == "low"


@given(
    estimate=st.one_of(st.none(), st.floats(min_value=-1, max_value=2, allow_nan=False)),
    outcomes=st.lists(
        st.tuples(
            st.sampled_from(["supported", "validation", "agreement", "extraction"]),
            st.floats(min_value=0, max_value=1, allow_nan=False),
        ),
        max_size=6,
    ),
)
def test_score_is_bounded_and_level_consistent(estimate, outcomes):
    checks = [Check(name=name, outcome=value, reason=name) for name, value in outcomes]
    confidence = combine(estimate, checks)
    assert 0.01 <= confidence.score <= 0.99
    assert confidence.level == level_for(confidence.score)
    assert len(confidence.basis) == len(checks) + 1

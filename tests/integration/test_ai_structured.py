"""Structured outputs against the test server: schemas, tool mode, repair, cost, confidence."""

from __future__ import annotations

import pytest

from marketnav.services import ai
from tests import ai_fixtures
from tests.ai_fixtures import SAMPLE_INPUTS, VALID_CRUNCHBASE
from tests.support.openai_test_server import Behaviour

ai_env = ai_fixtures.ai_env
fake_ai = ai_fixtures.fake_ai
openai_server = ai_fixtures.openai_server

pytestmark = pytest.mark.integration

TOO_FEW = {"keywords": ["meal kit", "food tech"], "confidence": 0.9}


def test_json_schema_is_sent_and_the_answer_validated(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    fake_ai.script("alpha", Behaviour.content_reply(VALID_CRUNCHBASE))
    result = ai.generate_crunchbase_keywords(SAMPLE_INPUTS)
    body = fake_ai.requests("alpha")[0]
    schema = body["response_format"]["json_schema"]
    assert body["response_format"]["type"] == "json_schema"
    assert schema["name"] == "crunchbase_keywords"
    assert "keywords" in schema["schema"]["properties"]
    assert "FreshBox" in body["messages"][1]["content"]
    assert result.label == "alpha · gpt-4o-mini"


def test_fenced_json_is_accepted(ai_env, fake_ai):
    import json

    ai_env.use_providers(fake_ai, "alpha")
    fake_ai.script(
        "alpha", Behaviour.content_reply(f"```json\n{json.dumps(VALID_CRUNCHBASE)}\n```")
    )
    assert len(ai.generate_crunchbase_keywords(SAMPLE_INPUTS).value.keywords) == 8


def test_tool_mode_forces_a_tool_call(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha", structured_output="tool")
    arguments = {"keywords": ["meal AND kit", "food delivery", "organic", "recipes", "grocery"]}
    fake_ai.script("alpha", Behaviour.tool_call("tracxn_keywords", arguments))
    result = ai.generate_tracxn_keywords(SAMPLE_INPUTS)
    assert result.value.keywords[1] == "food AND delivery"  # normalised to AND syntax
    body = fake_ai.requests("alpha")[0]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "tracxn_keywords"}}
    assert body["tools"][0]["function"]["parameters"]["properties"]["keywords"]
    assert "response_format" not in body


def test_invalid_output_is_repaired_once(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    fake_ai.script(
        "alpha", Behaviour.content_reply(TOO_FEW), Behaviour.content_reply(VALID_CRUNCHBASE)
    )
    result = ai.generate_crunchbase_keywords(SAMPLE_INPUTS)
    assert result.provider == "alpha" and len(result.value.keywords) == 8
    repair = fake_ai.requests("alpha")[1]["messages"]
    assert repair[-2]["role"] == "assistant" and "food tech" in repair[-2]["content"]
    assert "need 8-12 distinct keywords, got 2" in repair[-1]["content"]
    assert [(r.ok, r.error_kind) for r in ai_env.records()] == [
        (False, "invalid_output"),
        (True, ""),
    ]


def test_invalid_output_twice_fails_the_step_clearly(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    fake_ai.script("alpha", Behaviour.content_reply(TOO_FEW), Behaviour.content_reply("not json"))
    with pytest.raises(ai.AIStepFailed) as caught:
        ai.generate_crunchbase_keywords(SAMPLE_INPUTS)
    assert fake_ai.request_count("alpha") == 2
    assert caught.value.kind == "invalid_output"
    assert str(caught.value) == (
        "The AI answer for 'crunchbase keywords' did not match the expected format, even after "
        "a repair attempt. Try again, or choose another AI provider."
    )
    assert "not json" not in str(caught.value)


def test_invalid_after_repair_falls_over_to_the_next_provider(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha", "beta")
    fake_ai.script("alpha", Behaviour.content_reply(TOO_FEW), Behaviour.content_reply(TOO_FEW))
    fake_ai.script("beta", Behaviour.content_reply(VALID_CRUNCHBASE))
    assert ai.generate_crunchbase_keywords(SAMPLE_INPUTS).provider == "beta"


def test_cost_is_recorded_per_call_and_per_subject(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    fake_ai.script(
        "alpha",
        Behaviour.failure(500),
        Behaviour.content_reply(VALID_CRUNCHBASE, prompt_tokens=1200, completion_tokens=300),
    )
    context = ai.CallContext(subject_type="report", subject_id=41, organization_id=5)
    ai.generate_crunchbase_keywords(SAMPLE_INPUTS, context=context)
    usage = ai.calls_for_subject("report", "41")
    assert usage.total_calls == 2 and usage.failed_calls == 1
    ok = usage.calls[1]
    assert (ok.provider, ok.model, ok.prompt_tokens, ok.completion_tokens) == (
        "alpha",
        "gpt-4o-mini",
        1200,
        300,
    )
    expected = 1.2 * 0.00015 + 0.3 * 0.0006
    assert ok.cost_usd == pytest.approx(expected) and usage.cost_usd == pytest.approx(expected)
    assert ok.latency_ms > 0
    summary = ai.usage_summary(organization_id=5)
    assert summary.total_calls == 2 and summary.failed_calls == 1
    assert summary.by_provider[0].cost_usd == pytest.approx(expected)
    assert ai.recent_calls(limit=1)[0].id == ok.id


def test_unknown_model_is_flagged_in_cost(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha", model="house-model-x")
    fake_ai.script("alpha", Behaviour.content_reply(VALID_CRUNCHBASE))
    ai.generate_crunchbase_keywords(
        SAMPLE_INPUTS, context=ai.CallContext(subject_type="report", subject_id=1)
    )
    usage = ai.calls_for_subject("report", 1)
    assert usage.cost_usd == 0.0 and usage.cost_incomplete
    assert ai.usage_summary().by_provider[0].cost_incomplete


def test_confidence_uses_model_estimate_and_input_support(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    fake_ai.script("alpha", Behaviour.content_reply(VALID_CRUNCHBASE))
    result = ai.generate_crunchbase_keywords(SAMPLE_INPUTS)
    supported = result.confidence["meal kit"]
    unsupported = result.confidence["food tech"]
    assert supported.basis[0] == "model's own estimate 0.80"
    assert supported.score > unsupported.score
    assert "not found in the project inputs" in unsupported.basis


def test_cross_check_with_a_second_provider(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha", "beta")
    ai_env.set(ai_cross_check="keywords")
    other = dict(
        VALID_CRUNCHBASE, keywords=[*VALID_CRUNCHBASE["keywords"][:4], "a b", "c d", "e f", "g h"]
    )
    fake_ai.script("alpha", Behaviour.content_reply(VALID_CRUNCHBASE))
    fake_ai.script("beta", Behaviour.content_reply(other))
    result = ai.generate_crunchbase_keywords(SAMPLE_INPUTS)
    assert "a second provider (beta) proposed it too" in result.confidence["meal kit"].basis
    disputed = result.confidence["home cooking"]
    assert "a second provider (beta) did not propose it" in disputed.basis
    assert disputed.score <= 0.5


def test_cross_check_with_a_second_sample_when_alone(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    fake_ai.script(
        "alpha",
        Behaviour.content_reply(VALID_CRUNCHBASE),
        Behaviour.content_reply(VALID_CRUNCHBASE),
    )
    result = ai.complete_structured(
        feature="keywords",
        operation="crunchbase_keywords",
        output_model=ai.CrunchbaseKeywords,
        messages=[{"role": "user", "content": "x"}],
        cross_check=True,
    )
    assert result.second_opinion_source == "a second sample (alpha)"
    assert fake_ai.request_count("alpha") == 2


def test_extraction_confidence_per_field(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    answer = {
        "fields": [
            {"key": "startup_name", "value": "Orbit", "confidence": 0.95},
            {"key": "geographic_focus", "value": "Brazil", "confidence": 0.9},
        ],
        "follow_up_questions": ["What do you sell?"],
    }
    fake_ai.script("alpha", Behaviour.content_reply(answer))
    result = ai.extract_project_inputs("We are Orbit, selling in Kenya.")
    assert result.confidence["startup_name"].level == "high"
    assert "not found in the text" in result.confidence["geographic_focus"].basis
    assert result.confidence["geographic_focus"].score < result.confidence["startup_name"].score


def test_json_schema_rejected_with_400_retries_as_a_tool_call(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    fake_ai.script(
        "alpha",
        Behaviour.failure(400),
        Behaviour.tool_call("crunchbase_keywords", VALID_CRUNCHBASE),
    )
    assert ai.generate_crunchbase_keywords(SAMPLE_INPUTS).provider == "alpha"
    first, second = fake_ai.requests("alpha")
    assert "response_format" in first and "tools" not in first
    assert second["tool_choice"]["function"]["name"] == "crunchbase_keywords"


def test_reasoning_models_get_max_completion_tokens(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha", model="gpt-5-mini")
    fake_ai.script("alpha", Behaviour.content_reply(VALID_CRUNCHBASE))
    ai.generate_crunchbase_keywords(SAMPLE_INPUTS)
    body = fake_ai.requests("alpha")[0]
    assert body["max_completion_tokens"] == 2000
    assert "max_tokens" not in body and "temperature" not in body


def test_structured_call_without_offline_builder_needs_a_key(ai_env):
    with pytest.raises(ai.AIStepFailed, match="needs an AI provider"):
        ai.complete_structured(
            feature="analysis",
            operation="deep_dive",
            output_model=ai.ResearchAnswer,
            messages=[{"role": "user", "content": "x"}],
        )

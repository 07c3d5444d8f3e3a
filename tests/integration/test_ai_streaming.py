"""Streaming chat against the test server: deltas, tool calls, fallover mid-stream, modes."""

from __future__ import annotations

import json
import time

import pytest

from marketnav.services import ai
from tests import ai_fixtures
from tests.ai_fixtures import SAMPLE_INPUTS
from tests.support.openai_test_server import Behaviour

ai_env = ai_fixtures.ai_env
fake_ai = ai_fixtures.fake_ai
openai_server = ai_fixtures.openai_server

pytestmark = pytest.mark.integration

ANSWER = "Meal kits grew fast in Germany and Austria during the last five years."


def _chat(**request) -> list[ai.ChatEvent]:
    return list(ai.stream_chat(ai.ChatRequest(**request)))


def _text(events: list[ai.ChatEvent]) -> str:
    return "".join(e.text for e in events if e.kind == "delta")


def test_tokens_stream_as_they_arrive(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    fake_ai.script("alpha", Behaviour(kind="content", content=ANSWER, chunk_delay_seconds=0.05))
    request = ai.ChatRequest(message="How big is the market?", inputs=SAMPLE_INPUTS)
    arrivals: list[tuple[float, ai.ChatEvent]] = []
    for event in ai.stream_chat(request):
        arrivals.append((time.perf_counter(), event))
    deltas = [(t, e) for t, e in arrivals if e.kind == "delta"]
    assert len(deltas) == len(ANSWER.split())
    assert arrivals[-1][0] - deltas[0][0] >= 0.4  # the first word came long before the end
    done = arrivals[-1][1]
    assert done.kind == "done" and done.text == ANSWER
    assert (done.provider, done.model, done.label) == (
        "alpha",
        "gpt-4o-mini",
        "alpha · gpt-4o-mini",
    )
    body = fake_ai.requests("alpha")[0]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert "tools" not in body


def test_stream_usage_is_recorded(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    fake_ai.script(
        "alpha", Behaviour(kind="content", content=ANSWER, prompt_tokens=500, completion_tokens=50)
    )
    _chat(message="hi", context={"subject_type": "project", "subject_id": 3})
    record = ai_env.records()[0]
    assert (record.feature, record.prompt_tokens, record.completion_tokens) == ("chat", 500, 50)
    assert record.cost_usd == pytest.approx(0.5 * 0.00015 + 0.05 * 0.0006)
    assert record.subject_type == "project" and record.subject_id == "3"


def test_history_is_sent_once_with_the_mode_prompt(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    history = [
        {"role": "user", "content": "earlier"},
        {"role": "assistant", "content": "reply"},
        {"role": "user", "content": "now"},
    ]
    _chat(message="now", history=history, active_modes=["editing"])
    messages = fake_ai.requests("alpha")[0]["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert [m["content"] for m in messages[1:]] == ["earlier", "reply", "now"]
    assert "\n---\n" in messages[0]["content"] and "EDITING MODE" in messages[0]["content"]


def test_editing_mode_tool_call_is_validated_handled_and_confirmed(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    arguments = {
        "startup_name": "Orbit",
        "current_stage": "growth",
        "geographic_focus": "Kenya",
        "field_confidence": {"startup_name": 0.95, "current_stage": 0.6},
    }
    fake_ai.script(
        "alpha",
        Behaviour.tool_call("fill_project_inputs", arguments),
        Behaviour.content_reply("Saved Orbit, growth stage, Kenya."),
    )
    handled: list[ai.ChatEvent] = []

    def save(event: ai.ChatEvent) -> dict:
        handled.append(event)
        return {"saved": sorted(event.fill.values())}

    request = ai.ChatRequest(
        message="We are Orbit, a growth stage company in Kenya", active_modes=["editing"]
    )
    events = list(ai.stream_chat(request, tool_handler=save))
    first_body = fake_ai.requests("alpha")[0]
    assert first_body["tools"][0]["function"]["name"] == "fill_project_inputs"
    assert first_body["tool_choice"] == "auto"
    [tool_event] = [e for e in events if e.kind == "tool_call"]
    assert handled == [tool_event]
    fill = tool_event.fill
    assert fill.values() == {
        "startup_name": "Orbit",
        "current_stage": "growth",
        "geographic_focus": "Kenya",
    }
    confidence = {f.key: f.confidence for f in fill.fields}
    assert confidence["startup_name"].basis[0] == "model's own estimate 0.95"
    assert confidence["startup_name"].score > confidence["current_stage"].score
    follow_up = fake_ai.requests("alpha")[1]["messages"]
    assert follow_up[-2]["tool_calls"][0]["function"]["name"] == "fill_project_inputs"
    assert follow_up[-1]["role"] == "tool"
    assert json.loads(follow_up[-1]["content"]) == {
        "saved": ["current_stage", "geographic_focus", "startup_name"]
    }
    assert events[-1].kind == "done" and events[-1].text == "Saved Orbit, growth stage, Kenya."
    assert events[-1].mode_ids == ["editing"]


def test_tool_call_with_text_needs_no_follow_up(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    fake_ai.script(
        "alpha",
        Behaviour.tool_call(
            "fill_project_inputs", {"time_range": "Last 3 years"}, content="Noted."
        ),
    )
    events = _chat(message="last 3 years please", active_modes=["editing"])
    assert fake_ai.request_count("alpha") == 1
    assert events[-1].text == "Noted."
    [tool_event] = [e for e in events if e.kind == "tool_call"]
    assert tool_event.fill.values() == {"time_range": "Last 3 years"}


def test_invalid_tool_arguments_are_rejected_not_saved(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    fake_ai.script(
        "alpha",
        Behaviour.tool_call(
            "fill_project_inputs", '{"startup_name": "Orbit", "colour": "red"}', content="ok"
        ),
    )
    [tool_event] = [
        e for e in _chat(message="x", active_modes=["editing"]) if e.kind == "tool_call"
    ]
    assert tool_event.fill.values() == {"startup_name": "Orbit"}
    assert tool_event.fill.rejected == {"colour": "unknown field"}


def test_tools_not_offered_are_ignored(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    fake_ai.script(
        "alpha", Behaviour.tool_call("fill_project_inputs", {"startup_name": "X"}, content="hi")
    )
    events = _chat(message="x")
    assert not [e for e in events if e.kind == "tool_call"]


def test_provider_dying_mid_stream_resets_and_falls_over(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha", "beta")
    ai_env.set(ai_timeout_seconds=0.3, ai_max_retries=0)
    fake_ai.script("alpha", Behaviour.stream_hang("alpha starts talking and then stalls", 5))
    fake_ai.script("beta", Behaviour.content_reply(ANSWER))
    events = _chat(message="x")
    kinds = [e.kind for e in events]
    reset_at = kinds.index("reset")
    assert "delta" in kinds[:reset_at]
    assert "".join(e.text for e in events[reset_at:] if e.kind == "delta") == ANSWER
    assert events[-1].provider == "beta" and events[-1].text == ANSWER
    assert [r.error_kind for r in ai_env.records()] == ["timeout", ""]


def test_errors_before_the_first_token_retry_without_reset(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha", "beta")
    fake_ai.script("alpha", Behaviour.failure(429), Behaviour.content_reply(ANSWER))
    events = _chat(message="x")
    assert "reset" not in [e.kind for e in events]
    assert events[-1].provider == "alpha" and fake_ai.request_count("alpha") == 2


def test_all_providers_failing_ends_with_a_safe_error_event(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha", "beta")
    ai_env.set(ai_max_retries=0)
    fake_ai.script("alpha", Behaviour.failure(500))
    fake_ai.script("beta", Behaviour.failure(401))
    events = _chat(message="x")
    assert events[-1].kind == "error"
    assert events[-1].text.startswith("No AI provider could complete 'chat'")
    assert "scripted" not in events[-1].text


def test_research_mode_sends_sections_and_parses_citations(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    answer = "HelloFresh leads [crunchbase §fast_analysis]; see also [tracxn §invented]."
    fake_ai.script("alpha", Behaviour.content_reply(answer))
    sections = [
        {
            "report_type": "crunchbase",
            "section_key": "fast_analysis",
            "title": "Fast",
            "markdown": "HelloFresh leads the market.",
        }
    ]
    events = _chat(message="Who leads?", active_modes=["research"], sections=sections)
    system = fake_ai.requests("alpha")[0]["messages"][0]["content"]
    assert "### [crunchbase §fast_analysis] Fast\nHelloFresh leads the market." in system
    assert "RESEARCH MODE" in system
    assert [(c.section_key, c.known) for c in events[-1].citations] == [
        ("fast_analysis", True),
        ("invented", False),
    ]


@pytest.mark.asyncio
async def test_async_stream(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha")
    fake_ai.script("alpha", Behaviour.content_reply(ANSWER))
    events = [e async for e in ai.astream_chat(ai.ChatRequest(message="x"))]
    assert _text(events) == ANSWER and events[-1].kind == "done"


def test_server_rejecting_stream_options_is_retried_without_them(ai_env, fake_ai):
    ai_env.use_providers(fake_ai, "alpha", "beta")
    fake_ai.script("alpha", Behaviour.failure(400), Behaviour.content_reply(ANSWER))
    events = _chat(message="x")
    assert events[-1].provider == "alpha" and events[-1].text == ANSWER
    first, second = fake_ai.requests("alpha")
    assert "stream_options" in first and "stream_options" not in second
    record = ai_env.records()[-1]
    assert record.completion_tokens > 0  # estimated from the text when usage is missing

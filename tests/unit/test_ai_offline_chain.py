"""With no key, every AI function and the chat run end to end on the offline provider."""

from __future__ import annotations

import json

import pytest

from marketnav.services import ai
from marketnav.services.ai.editing import review_fill
from tests import ai_fixtures
from tests.ai_fixtures import SAMPLE_INPUTS

ai_env = ai_fixtures.ai_env


def test_structured_functions_run_offline_and_are_recorded(ai_env):
    context = ai.CallContext(subject_type="report", subject_id=12, organization_id=3)
    result = ai.generate_crunchbase_keywords(SAMPLE_INPUTS, context=context)
    assert result.offline and result.provider == "offline" and result.label == "Offline analysis"
    assert set(result.confidence) == set(result.value.keywords)
    assert all(c.basis[0].startswith("offline analysis") for c in result.confidence.values())
    tracxn = ai.generate_tracxn_keywords(SAMPLE_INPUTS, context=context)
    assert all("AND" in k or " " not in k for k in tracxn.value.keywords)
    target = ai.generate_target_description(SAMPLE_INPUTS, context=context)
    assert target.value.description.startswith("Offline analysis")
    usage = ai.calls_for_subject("report", 12)
    assert usage.total_calls == 3 and usage.providers == ["offline"]
    assert usage.cost_usd == 0.0 and not usage.cost_incomplete
    assert {c.model for c in usage.calls} == {"offline-analyser"}


def test_offline_answers_are_not_cached(ai_env):
    ai.generate_crunchbase_keywords(SAMPLE_INPUTS)
    second = ai.generate_crunchbase_keywords(SAMPLE_INPUTS)
    assert not second.cached


def test_missing_description_fails_clearly(ai_env):
    with pytest.raises(ai.AIStepFailed, match="Add a startup description"):
        ai.generate_crunchbase_keywords({"startup_name": "X"})


def test_extraction_offline_has_per_field_confidence(ai_env):
    result = ai.extract_project_inputs("Our startup is called Orbit. We are in Kenya.")
    assert result.value.fields[0].key == "startup_name"
    assert result.confidence["startup_name"].level == "high"
    assert result.value.follow_up_questions


def test_research_answer_offline_cites_sections(ai_env):
    sections = [
        ai.ReportSection(
            report_type="crunchbase",
            section_key="fast_analysis",
            title="Fast",
            markdown="Solar startups raised $2B in 2023.",
        )
    ]
    result = ai.answer_from_reports("How much did solar startups raise?", sections)
    assert "[crunchbase §fast_analysis]" in result.value.answer
    assert result.confidence["claim 1"].level == "high"


def _run_chat(**request) -> list[ai.ChatEvent]:
    return list(ai.stream_chat(ai.ChatRequest(**request)))


def test_offline_chat_editing_mode_fills_inputs_through_the_tool(ai_env):
    handled = []
    events = list(
        ai.stream_chat(
            ai.ChatRequest(
                message="Our startup is called Orbit and we sell in Kenya", active_modes=["editing"]
            ),
            tool_handler=handled.append,
        )
    )
    tool_events = [e for e in events if e.kind == "tool_call"]
    assert len(tool_events) == 1 and handled == tool_events
    fill = tool_events[0].fill
    assert fill.values() == {"startup_name": "Orbit", "geographic_focus": "Kenya"}
    done = events[-1]
    assert done.kind == "done" and done.offline and done.label == "Offline analysis"
    assert done.text.startswith("Offline analysis: I saved Startup Name, Geographic Focus")
    assert "Still missing: Description, Target Audience" in done.text
    assert "".join(e.text for e in events if e.kind == "delta") == done.text
    assert done.mode_ids == ["editing"]


def test_offline_chat_without_modes_walks_through_the_questions(ai_env):
    events = _run_chat(message="hello", inputs={"startup_name": "Orbit"})
    assert events[-1].text.startswith("Offline analysis: let's complete your project inputs.")
    assert "In one or two sentences" in events[-1].text
    assert not [e for e in events if e.kind == "tool_call"]


def test_offline_chat_research_mode_cites(ai_env):
    section = {
        "report_type": "tracxn",
        "section_key": "summary",
        "title": "S",
        "markdown": "Agritech funding doubled in India.",
    }
    events = _run_chat(
        message="What happened to agritech funding?", active_modes=["research"], sections=[section]
    )
    done = events[-1]
    assert "[tracxn §summary]" in done.text
    assert [(c.report_type, c.section_key, c.known) for c in done.citations] == [
        ("tracxn", "summary", True)
    ]


@pytest.mark.asyncio
async def test_astream_chat_yields_the_same_events(ai_env):
    request = ai.ChatRequest(message="hi", inputs=SAMPLE_INPUTS)
    events = [event async for event in ai.astream_chat(request)]
    assert events[-1].kind == "done"
    assert "inputs are complete" in events[-1].text


def test_review_fill_validates_each_field(ai_env):
    arguments = json.dumps(
        {
            "startup_name": "Orbit",
            "current_stage": "Early Stage",
            "geographic_focus": "x" * 300,
            "favourite_colour": "blue",
            "target_audience": "",
            "field_confidence": {"startup_name": 0.9},
        }
    )
    fill = review_fill(arguments, "Our startup is Orbit, early stage.", is_offline=False)
    assert fill.values() == {"startup_name": "Orbit", "current_stage": "early_stage"}
    assert set(fill.rejected) == {"geographic_focus", "favourite_colour"}
    name = fill.fields[0].confidence
    assert name.basis[0] == "model's own estimate 0.90" and name.level == "high"
    assert review_fill("[1, 2]", "", False).rejected == {"arguments": "not a JSON object"}


def test_wrong_stage_is_rejected(ai_env):
    fill = review_fill({"current_stage": "teenage"}, "", is_offline=False)
    assert "current_stage" in fill.rejected and not fill.fields


def test_check_providers_reports_offline(ai_env):
    statuses = ai.check_providers()
    assert [(s.name, s.ok) for s in statuses] == [("offline", True)]
    assert "offline analysis" in statuses[0].detail

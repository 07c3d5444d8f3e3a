"""Mode registry, prompt combination, tool schemas and Research Mode context."""

from __future__ import annotations

from marketnav.services.ai.modes import (
    FILL_PROJECT_INPUTS,
    MODES,
    ChatMode,
    citations_in,
    combine_modes,
    fill_project_inputs_tool,
    list_modes,
    research_context,
    system_prompt,
)
from marketnav.services.ai.schemas import ProjectInputsData, ReportSection
from tests.ai_fixtures import SAMPLE_INPUTS


def _tool(name: str) -> dict:
    return {"type": "function", "function": {"name": name, "parameters": {"type": "object"}}}


def test_modes_combine_by_priority_with_deduplicated_tools():
    registry = {
        "low": ChatMode(
            id="low",
            name="L",
            description="",
            icon="",
            system_prompt="LOW",
            priority=1,
            tools=(_tool("shared"), _tool("only_low")),
        ),
        "high": ChatMode(
            id="high",
            name="H",
            description="",
            icon="",
            system_prompt="HIGH",
            priority=9,
            tools=(_tool("shared"),),
        ),
        "off": ChatMode(
            id="off",
            name="O",
            description="",
            icon="",
            system_prompt="OFF",
            enabled=False,
        ),
    }
    combined = combine_modes(["low", "off", "high", "missing", "low"], registry)
    assert combined.mode_ids == ["high", "low"]
    assert combined.prompt == "HIGH\n\nLOW"
    assert [t["function"]["name"] for t in combined.tools] == ["shared", "only_low"]


def test_editing_mode_offers_fill_project_inputs():
    combined = combine_modes(["editing"])
    assert [t["function"]["name"] for t in combined.tools] == [FILL_PROJECT_INPUTS]
    params = combined.tools[0]["function"]["parameters"]
    assert params["additionalProperties"] is False
    assert params["properties"]["current_stage"]["enum"] == [
        "idea",
        "mvp",
        "early_stage",
        "growth",
        "scale_up",
    ]
    assert len(params["properties"]) == 10  # nine inputs + field_confidence


def test_tool_schema_is_fresh_each_time():
    first = fill_project_inputs_tool()
    first["function"]["parameters"]["properties"].clear()
    assert fill_project_inputs_tool()["function"]["parameters"]["properties"]


def test_system_prompt_is_base_then_separator_then_modes():
    inputs = ProjectInputsData(**SAMPLE_INPUTS)
    prompt, combined = system_prompt(inputs, ["research", "editing"])
    base, additions = prompt.split("\n\n---\n\n", 1)
    assert "FreshBox" in base and "cannot change the project inputs" in base
    assert additions.index("EDITING MODE") < additions.index("RESEARCH MODE")
    assert combined.mode_ids == ["editing", "research"]
    assert "No completed reports are available yet." in prompt


def test_base_prompt_for_incomplete_inputs_lists_not_set():
    prompt, combined = system_prompt(ProjectInputsData(startup_name="X"), [])
    assert "(Not set)" in prompt and "Editing Mode" in prompt
    assert "---" not in prompt and combined.tools == []


def test_complete_inputs_truncate_the_description():
    long = dict(SAMPLE_INPUTS, startup_description="word " * 60)
    prompt, _ = system_prompt(ProjectInputsData(**long), [])
    assert "..." in prompt and ("word " * 30) not in prompt


def test_research_context_tags_sections_and_respects_budget():
    sections = [
        ReportSection(
            report_type="crunchbase",
            section_key="fast_analysis",
            title="Fast",
            markdown="Alpha raised $5M.",
        ),
        ReportSection(
            report_type="tracxn", section_key="summary", title="Sum", markdown="x " * 10000
        ),
    ]
    context = research_context(sections)
    assert "### [crunchbase §fast_analysis] Fast\nAlpha raised $5M." in context
    assert "[...]" in context
    assert len(context) < 10000


def test_citations_are_found_and_checked():
    sections = [ReportSection(report_type="crunchbase", section_key="fast_analysis")]
    found = citations_in("A [crunchbase §fast_analysis] B [tracxn §made_up].", sections)
    assert [(c.report_type, c.section_key, c.known) for c in found] == [
        ("crunchbase", "fast_analysis", True),
        ("tracxn", "made_up", False),
    ]


def test_list_modes_exposes_public_fields_only():
    modes = list_modes()
    assert [m.id for m in modes] == ["editing", "research"]
    assert set(modes[0].model_dump()) == {"id", "name", "description", "icon", "enabled"}
    assert MODES["editing"].priority > MODES["research"].priority

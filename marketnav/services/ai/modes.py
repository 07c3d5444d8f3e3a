"""Chat modes: registry, system-prompt combination, tool schemas, Research Mode context.

Combination as in the predecessor (PREDECESSOR.md 5.4): enabled modes sorted by descending
priority, their prompts joined by blank lines, tools de-duplicated by function name; the final
prompt is the base prompt, a `---` line, then the mode additions.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from marketnav.services.ai.schemas import LABELS, STAGES, ProjectInputsData, ReportSection
from marketnav.services.project_inputs import FIELD_KEYS, completion_status

FILL_PROJECT_INPUTS = "fill_project_inputs"
SECTION_CHAR_BUDGET = 4000
CONTEXT_CHAR_BUDGET = 24000


def fill_project_inputs_tool() -> dict[str, Any]:
    """The Editing Mode tool: optional string params for the nine inputs (+ confidences)."""
    properties: dict[str, Any] = {}
    for key in FIELD_KEYS:
        properties[key] = {"type": "string", "description": LABELS[key]}
    properties["current_stage"]["enum"] = list(STAGES)
    properties["field_confidence"] = {
        "type": "object",
        "description": "Your confidence (0.0-1.0) per field you fill, keyed by field name.",
        "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
    }
    return {
        "type": "function",
        "function": {
            "name": FILL_PROJECT_INPUTS,
            "description": "Save project inputs the user stated. Fill only fields they gave.",
            "parameters": {
                "type": "object",
                "properties": properties,
                "additionalProperties": False,
            },
        },
    }


class ChatMode(BaseModel):
    """A registered chat mode."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    description: str
    icon: str
    system_prompt: str
    tools: tuple[dict[str, Any], ...] = ()
    enabled: bool = True
    priority: int = 0


class ModeInfo(BaseModel):
    """What the UI gets about a mode (the pill bar)."""

    id: str
    name: str
    description: str
    icon: str
    enabled: bool


_EDITING_PROMPT = """EDITING MODE is on: you may change the project inputs.
- Whenever the user gives or changes information about their startup, CALL the function
  fill_project_inputs with the fields they stated. Never claim you updated a field without
  calling the function.
- Fillable fields: startup_name (short name), startup_description (1-3 sentences),
  target_audience, current_stage (one of idea, mvp, early_stage, growth, scale_up),
  business_model, geographic_focus (regions or countries), research_goal, time_range
  (e.g. "Last 5 years" or "2020-2024"), inspiration_sources (competitors, comma-separated).
- Put your confidence per field (0.0-1.0) in field_confidence.
- After saving, confirm briefly what was saved and ask for the most important missing input."""

_RESEARCH_PROMPT = """RESEARCH MODE is on: answer from the project's completed reports.
- Use only the report sections given below; do not invent facts or numbers.
- After every claim cite its section exactly as written in its heading, e.g.
  [crunchbase §fast_analysis]. Cite only sections that are listed.
- If the reports do not answer the question, say so and suggest which report to run."""

MODES: dict[str, ChatMode] = {
    mode.id: mode
    for mode in (
        ChatMode(
            id="editing",
            name="Editing Mode",
            description="AI can modify project input fields",
            icon="pencil",  # a lucide name for rx.icon, never an emoji
            system_prompt=_EDITING_PROMPT,
            tools=(fill_project_inputs_tool(),),
            priority=10,
        ),
        ChatMode(
            id="research",
            name="Research Mode",
            description="Answers from your completed reports, with citations",
            icon="search",
            system_prompt=_RESEARCH_PROMPT,
            priority=5,
        ),
    )
}


def list_modes() -> list[ModeInfo]:
    """Modes for the toggle bar (public fields only), highest priority first."""
    ordered = sorted(MODES.values(), key=lambda m: -m.priority)
    return [
        ModeInfo(**m.model_dump(include={"id", "name", "description", "icon", "enabled"}))
        for m in ordered
    ]


class CombinedModes(BaseModel):
    """The active modes merged: ids in priority order, prompt additions and tools."""

    mode_ids: list[str]
    prompt: str
    tools: list[dict[str, Any]] = Field(default_factory=list)


def combine_modes(active: list[str], registry: dict[str, ChatMode] | None = None) -> CombinedModes:
    """Enabled active modes by descending priority; prompts joined; tools de-duplicated."""
    registry = registry if registry is not None else MODES
    modes = [registry[i] for i in dict.fromkeys(active) if i in registry and registry[i].enabled]
    modes.sort(key=lambda m: -m.priority)
    tools: list[dict[str, Any]] = []
    seen: set[str] = set()
    for mode in modes:
        for tool in mode.tools:
            name = tool["function"]["name"]
            if name not in seen:
                seen.add(name)
                tools.append(tool)
    return CombinedModes(
        mode_ids=[m.id for m in modes],
        prompt="\n\n".join(m.system_prompt for m in modes),
        tools=tools,
    )


def base_prompt(inputs: ProjectInputsData) -> str:
    """The no-mode prompt: read-only assistant, different when the inputs are incomplete."""
    status = completion_status(inputs.model_dump())
    if status != "complete":
        return (
            "You are the MarketNavigator research assistant. The project inputs are not "
            "complete yet. Be friendly and help the user think about the missing answers.\n"
            "Current project inputs:\n"
            f"{inputs.as_prompt_text()}\n"
            "You cannot change the inputs yourself: if the user wants them saved, tell them to "
            "switch on Editing Mode."
        )
    description = inputs.startup_description.strip()
    short = description if len(description) <= 100 else description[:100] + "..."
    return (
        "You are the MarketNavigator research assistant for "
        f"{inputs.startup_name.strip()} ({short}). Answer questions about the market, explain "
        "report findings, interpret competitors and suggest next research steps. You cannot "
        "change the project inputs: for that the user switches on Editing Mode."
    )


def research_context(sections: list[ReportSection]) -> str:
    """Report sections as prompt context, each headed by its citation tag."""
    if not sections:
        return "No completed reports are available yet."
    blocks: list[str] = []
    used = 0
    for section in sections:
        body = section.markdown.strip()
        if len(body) > SECTION_CHAR_BUDGET:
            body = body[:SECTION_CHAR_BUDGET].rsplit(" ", 1)[0] + " [...]"
        block = f"### {section.citation} {section.title}".rstrip() + f"\n{body}"
        if used + len(block) > CONTEXT_CHAR_BUDGET:
            blocks.append(f"({len(sections) - len(blocks)} more sections left out for length.)")
            break
        blocks.append(block)
        used += len(block)
    return "REPORT SECTIONS:\n\n" + "\n\n".join(blocks)


def system_prompt(
    inputs: ProjectInputsData,
    active_modes: list[str],
    sections: list[ReportSection] | None = None,
    open_report: str = "",
) -> tuple[str, CombinedModes]:
    """Final system prompt (base + `---` + mode additions [+ report context]) and the modes.

    On a report's page (`open_report`), that report's sections are the context even without
    Research Mode, so "what does this section mean?" is answered from the report on screen.
    """
    combined = combine_modes(active_modes)
    prompt = base_prompt(inputs)
    if combined.prompt:
        prompt += "\n\n---\n\n" + combined.prompt
    if open_report:
        prompt += (
            f"\n\nThe user is reading the {open_report} report right now; its sections are "
            "listed first below. Answer with that report in mind and cite its sections like "
            "[crunchbase §fast_analysis]."
        )
    if "research" in combined.mode_ids or (open_report and sections):
        prompt += "\n\n" + research_context(sections or [])
    return prompt, combined


_CITATION = re.compile(r"\[([a-z0-9_\-]+)\s*§\s*([a-z0-9_\-]+)\]", re.IGNORECASE)


class Citation(BaseModel):
    """A `[report_type §section_key]` marker, and where its section is read when it is real."""

    report_type: str
    section_key: str
    known: bool
    report_label: str = ""  # "Verdict v2"
    title: str = ""  # the section's title
    link: str = ""  # the viewer URL that opens the section

    @property
    def marker(self) -> str:
        return f"{self.report_type} §{self.section_key}"

    @property
    def text(self) -> str:
        """What a reader sees: "Verdict v2 · Verdict Decision", never the raw key."""
        label = self.report_label or self.report_type.replace("_", " ").title()
        return f"{label} · {self.title or self.section_key.replace('_', ' ')}"

    def source(self) -> dict[str, str]:
        """The Sources-list entry kept with a reply."""
        return {"marker": self.marker, "text": self.text, "href": self.link}


def citations_in(text: str, sections: list[ReportSection]) -> list[Citation]:
    """Citations like [crunchbase §fast_analysis] in `text`, flagged if they name a real section."""
    available = {(s.report_type.lower(), s.section_key.lower()): s for s in sections}
    found: list[Citation] = []
    for report_type, key in dict.fromkeys(_CITATION.findall(text)):
        section = available.get((report_type.lower(), key.lower()))
        found.append(
            Citation(
                report_type=report_type,
                section_key=key,
                known=section is not None,
                report_label=section.report_label if section else "",
                title=section.title if section else "",
                link=section.link if section else "",
            )
        )
    return found


def link_citations(text: str, sources: list[dict[str, str]]) -> str:
    """Markdown with each known `[type §key]` marker replaced by a numbered link to its section.

    `sources` are the reply's kept Sources entries (`Citation.source()`); the number is the
    entry's position in that list, so the text and the Sources list agree.
    """
    numbers = {s["marker"].lower(): (i, s) for i, s in enumerate(sources, 1) if s.get("href")}

    def replace(match: re.Match[str]) -> str:
        found = numbers.get(f"{match.group(1)} §{match.group(2)}".lower())
        if found is None:
            return match.group(0)
        number, source = found
        title = source["text"].replace('"', "'")
        return f'[[{number}]]({source["href"]} "{title}")'

    return _CITATION.sub(replace, text)

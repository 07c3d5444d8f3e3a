"""What every pipeline shares: AI-written markdown sections and the final html_gen/save steps.

`write_section` asks the provider chain for one markdown section (structured output with the
model's confidence), falling back to the offline analyser's text when no key is configured.
A failed AI call fails the step with a clear message; error text never becomes report text.
`finish` assembles the version's summary (AI sources, Data used, fact-check counts) and
stores its metadata; the run is then completed, and the exports (HTML, Markdown, JSON, PDF,
and PPTX for the deck) are written after that (`runner.execute` -> `exports.write_exports`),
off the run's critical path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field, field_validator
from sqlmodel import select

from marketnav.db import session_scope
from marketnav.models import ReportSection
from marketnav.services.ai import OFFLINE_LABEL, acomplete_structured, calls_for_subject
from marketnav.services.ai.providers import OFFLINE_NAME
from marketnav.services.ai.structured import dump_for_prompt
from marketnav.services.reports import evidence, exports
from marketnav.services.reports.context import RunContext

ANALYST_RULES = (
    "You are a senior market analyst writing one section of an investor-grade report in "
    "English. Use only the facts in the data you are given and the project inputs; when the "
    "data does not support a claim, say so instead of inventing it. Name the startup by its "
    "own name. Write GitHub-flavoured markdown (short paragraphs, bullet lists, tables where a "
    "comparison is clearer); do not repeat the section title as a heading."
)


class SectionDraft(BaseModel):
    """One markdown section as the model returns it."""

    markdown: str = Field(min_length=40, max_length=40_000)
    confidence: float = Field(ge=0, le=1, description="Your confidence in the section, 0-1")

    @field_validator("markdown")
    @classmethod
    def _no_error_text(cls, value: str) -> str:
        if value.lower().startswith(("error", "i'm sorry", "i am sorry", "as an ai")):
            raise ValueError("the section is an apology or error text, not analysis")
        return value


async def write_section(
    ctx: RunContext,
    *,
    operation: str,
    instructions: str,
    data: Any,
    offline: Callable[[], str],
    feature: str = "analysis",
    max_tokens: int = 4000,
) -> SectionDraft:
    """One AI-written section over `data` (the offline text when no provider is configured).

    A model-written text is remembered with what the model was given, so that `add_section`
    checks its numbers, names and quotes against it and the run's evidence.
    """
    given = "Project inputs:\n" + ctx.info.inputs.as_prompt_text() + "\n\nData (JSON):\n"
    given += dump_for_prompt(data)
    outcome = await acomplete_structured(
        feature=feature,
        operation=operation,
        output_model=SectionDraft,
        messages=[
            {"role": "system", "content": f"{ANALYST_RULES}\n\n{instructions}"},
            {"role": "user", "content": given},
        ],
        offline=lambda: SectionDraft(markdown=offline(), confidence=0.5),
        description=f"Markdown section: {operation}",
        context=ctx.ai_context,
        max_tokens=max_tokens,
    )
    if not outcome.offline:
        ctx.model_texts[outcome.value.markdown] = f"{instructions}\n{given}"
    return outcome.value


# What `finish` adds to the run's summary (html_gen's checkpoint).
ASSEMBLED = (
    "ai_sources",
    "offline_analysis",
    "ai_cost_usd",
    "data_used",
    "demo_data",
    "unsupported_claims",
)


def record_ai_sources(ctx: RunContext) -> None:
    """Which providers wrote this version, from its call records (complete on a resumed run)."""
    usage = calls_for_subject("report_run", ctx.info.run_id)
    answered = [c for c in usage.calls if c.ok]
    labels = [
        OFFLINE_LABEL if c.provider == OFFLINE_NAME else f"{c.provider} · {c.model}"
        for c in answered
    ]
    ctx.summary["ai_sources"] = list(dict.fromkeys(labels))
    ctx.summary["offline_analysis"] = OFFLINE_LABEL in labels
    ctx.summary["ai_cost_usd"] = usage.cost_usd


def record_evidence_summary(ctx: RunContext) -> None:
    """The "Data used" lines and the claims the fact check could not support, on the run."""
    ctx.summary["data_used"] = ctx.data_used(ctx.summary.pop("extra_sources", []))
    ctx.summary["demo_data"] = ctx.summary.get("demo_data") or evidence.is_demo(
        ctx.summary["data_used"]
    )
    ctx.write_sections()  # those of the step this runs in, too
    with session_scope() as session:
        rows = session.exec(select(ReportSection).where(ReportSection.run_id == ctx.info.run_id))
        ctx.summary["unsupported_claims"] = sum(
            len((row.section_data or {}).get("unsupported") or []) for row in rows
        )


async def finish(ctx: RunContext, changes_summary: str) -> None:
    """The closing steps: `html_gen` (when the type has it) assembles, `save` stores.

    `html_gen` ("Generating Report") gathers what every rendering of the version shows besides
    its sections: the AI sources, the Data used lines, the claims the fact check could not
    support (its checkpoint, so a resumed run keeps them). `save` writes the version's
    `metadata.json`. The files themselves are rendered once the run is completed (the PDF
    takes up to a second, and the version is readable in the app without it).
    """
    ctx.changes_summary = changes_summary

    async def assemble() -> dict[str, Any]:
        record_ai_sources(ctx)
        record_evidence_summary(ctx)
        return {k: ctx.summary[k] for k in ASSEMBLED}

    if "html_gen" in ctx.tracker.step_keys:
        assembled = await ctx.step("html_gen", assemble)
        ctx.summary.pop("extra_sources", None)  # in data_used (a resumed run's checkpoint too)
        ctx.summary.update(assembled)
    else:
        await assemble()

    async def save() -> dict[str, Any]:
        key = ctx.save_json(
            exports.METADATA,
            {
                "run_id": ctx.info.run_id,
                "report_id": ctx.info.report_id,
                "project_id": ctx.info.project_id,
                "organization_id": ctx.info.organization_id,
                "report_type": ctx.info.report_type,
                "version": ctx.info.version,
                "inputs_hash": ctx.info.inputs_hash,
                "summary": ctx.summary,
                "files": {},  # listed once written, after the run completed
            },
        )
        return {"metadata": key}

    await ctx.step("save", save)

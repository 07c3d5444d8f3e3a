"""Verdict: GO / ITERATE / PARK from the project's Crunchbase, Tracxn and Social data.

Steps (PREDECESSOR.md 4.6, "Master Prompt v8.3"):

- `init` loads the latest completed version of each source report (`data_loaded` /
  `data_missing` details; a missing source was confirmed by the user when the run started);
- `data_audit` classifies each dataset by its evidential role;
- `executive_synthesis` frames the opportunity (one section);
- the five `scoring_<axis>` steps run concurrently: the model (or the offline analyser)
  proposes a score with evidence, then `verdict_rules` makes an axis without evidence
  unknown (never 0; an axis whose sources hold no record gets no model call at all) and caps
  Economics when the datasets' texts name no price;
- `risk_synthesis` lists killer/major/minor risks; a risk that rests only on missing or empty
  data (the model's or the analyser's) is moved to the data gaps, listed apart, never a risk;
- `verdict_decision`: the rules decide the verdict from the known total, the range the
  unknown axes leave and the risk counts; the model only explains it (a verdict it proposes
  is ignored);
- `roadmap`: a 7-day and a 30-day sprint with abort conditions; then `html_gen` and `save`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, TypeVar

from pydantic import BaseModel

from marketnav.db import session_scope
from marketnav.services.ai import acomplete_structured
from marketnav.services.ai.structured import dump_for_prompt
from marketnav.services.reports import (
    verdict_axes,
    verdict_decision,
    verdict_offline,
    verdict_rules,
)
from marketnav.services.reports.catalog import VERDICT_AXES
from marketnav.services.reports.context import RunContext, StepFailed
from marketnav.services.reports.pipelines.common import finish, write_section
from marketnav.services.reports.source_data import load_sources
from marketnav.services.reports.verdict_data import VerdictData
from marketnav.services.reports.verdict_markdown import (
    axis_markdown,
    decision_markdown,
    risk_markdown,
    roadmap_markdown,
    score_text,
)
from marketnav.services.reports.verdict_models import (
    AxisScore,
    DataAudit,
    RiskSynthesis,
    Roadmap,
    VerdictNarrative,
)
from marketnav.services.wording import plural

M = TypeVar("M", bound=BaseModel)

ANALYST = (
    "You are a zero-baseline venture analyst. Every claim must come from the datasets given "
    "and name the dataset it comes from (Crunchbase, Tracxn, Social, or Project inputs for the "
    "founder's own claims, which are context, not evidence). Missing or empty data is unknown, "
    "not zero and not a risk: say it is a data gap, never guess. Clinical, specific tone; no "
    "encouragement."
)
AXIS_GUIDE: dict[str, str] = {
    "demand": "Demand: is the problem felt, frequent and urgent? Classify as 'Acute' (people "
    "describe pain and look for solutions now) or 'Latent' (the need exists but is not "
    "pressing), or 'Absent'. Use the Social dataset.",
    "competition": "Competition (higher = more room to enter): number of comparable "
    "companies, funding concentration; penalise $50M+ incumbents converging on the same "
    "offer. Classify e.g. 'Fragmented', 'Concentrated', 'Crowded with funded incumbents'.",
    "differentiation": "Differentiation: how different the startup's offer is from the "
    "comparables and whether unmet needs in the posts support it. Classify 'Commodity', "
    "'Incremental' or 'Structural moat'.",
    "economics": "Economics: price points, willingness to pay, cost signals and the funding "
    "comparables attract. Without any pricing or cost signal in the data the score cannot "
    "exceed 25. Classify e.g. 'Price points observed', 'Unproven'.",
    "feasibility": "Feasibility: can this be built and delivered, judging by comparables that "
    "operate and the stage; penalise undeclared breakthroughs the plan depends on. Classify "
    "e.g. 'Proven pattern', 'Novel build'.",
}
AXIS_POSITIONS = {key: position for position, (key, _, _) in enumerate(VERDICT_AXES, start=1)}
RISK_POSITION = len(VERDICT_AXES) + 1
DECISION_POSITION = RISK_POSITION + 1
ROADMAP_POSITION = DECISION_POSITION + 1


async def _ask(
    ctx: RunContext,
    *,
    operation: str,
    output_model: type[M],
    instructions: str,
    payload: Any,
    offline: Callable[[], M],
    max_tokens: int = 3000,
) -> M:
    """One structured verdict call over the datasets (the offline analyser without a key)."""
    outcome = await acomplete_structured(
        feature="verdict",
        operation=operation,
        output_model=output_model,
        messages=[
            {"role": "system", "content": f"{ANALYST}\n\n{instructions}"},
            {
                "role": "user",
                "content": "Project inputs:\n"
                + ctx.info.inputs.as_prompt_text()
                + "\n\nDatasets (JSON):\n"
                + dump_for_prompt(payload),
            },
        ],
        offline=offline,
        description=f"Verdict: {operation.replace('_', ' ')}",
        context=ctx.ai_context,
        max_tokens=max_tokens,
    )
    return outcome.value


# -- init ------------------------------------------------------------------------------------


async def _load(ctx: RunContext) -> dict[str, Any]:
    ctx.message("init", "Loading the source reports")

    def load() -> dict[str, Any]:
        with session_scope() as session:
            return load_sources(
                session,
                ctx.storage,
                ctx.info.organization_id,
                ctx.info.project_id,
                verdict_rules.SOURCES,
            )

    sources = await asyncio.to_thread(load)
    for kind in verdict_rules.SOURCES:
        label = verdict_rules.SOURCE_LABELS[kind]
        source = sources[kind]
        if source is None:
            ctx.detail("init", "data_missing", f"{label}: no completed report", source=kind)
            continue
        unit = "post" if kind == "social" else "company"
        count = len(source.posts) if kind == "social" else source.companies_found
        ctx.detail(
            "init",
            "data_loaded",
            f"{label}: {plural(count, unit)} (version {source.version})"
            + ("; no records, so no evidence: its axes are unknown" if not count else ""),
            source=kind,
            records=count,
            version=source.version,
            origin=source.origin,
        )
    data = VerdictData(inputs=ctx.info.inputs.answered(), sources=sources)
    if not data.available:
        raise StepFailed(
            "No completed Crunchbase, Tracxn or Social report was found: run one first."
        )
    if data.missing and not ctx.info.partial_data_confirmed:
        ctx.detail("init", "info", "Some sources are missing: axes without evidence are unknown.")
    loaded = ", ".join(verdict_rules.SOURCE_LABELS[k] for k in data.available)
    ctx.message("init", f"Data loaded: {loaded}", 100)
    return data.to_json()


# -- audit and synthesis ---------------------------------------------------------------------


async def _audit(ctx: RunContext, data: VerdictData) -> dict[str, Any]:
    audit = await _ask(
        ctx,
        operation="verdict_data_audit",
        output_model=DataAudit,
        instructions="Classify every dataset (including the project inputs) by its role: "
        "'Concept/Idea intake', 'Demand & Social Signal', 'Competitive Landscape' or 'Market "
        "Context'; give its record count, quality and notes, and list the gaps.",
        payload=data.prompt_view(post_cap=20, company_cap=10),
        offline=lambda: verdict_offline.data_audit(data),
        max_tokens=1500,
    )
    for dataset in audit.datasets:
        ctx.detail(
            "data_audit",
            "classification",
            f"{dataset.source}: {dataset.role} ({dataset.records} records, {dataset.quality})",
            source=dataset.source,
            role=dataset.role,
        )
    return audit.model_dump(mode="json")


async def _synthesis(ctx: RunContext, data: VerdictData) -> dict[str, Any]:
    draft = await write_section(
        ctx,
        feature="verdict",
        operation="verdict_executive_synthesis",
        instructions=f"{ANALYST}\n\nSection: Executive Synthesis, 300-500 words: the "
        "opportunity in one sentence, the signals present and missing (by dataset: list "
        "every entry of data_gaps as given, and never write 'None' while data_gaps has "
        "one), the scope, and 3-5 themes the scoring must examine. Say 'Pricing signal in "
        "the data: yes' only when pricing_signal_in_data is 'found', and quote the text.",
        data=data.prompt_view(),
        offline=lambda: verdict_offline.executive_synthesis(data),
    )
    ctx.add_section("executive_synthesis", "Executive Synthesis", draft.markdown, position=0)
    return {"confidence": draft.confidence}


# -- scoring ---------------------------------------------------------------------------------


async def _score_axis(ctx: RunContext, data: VerdictData, axis: str, name: str) -> dict[str, Any]:
    step = f"scoring_{axis}"
    weight = verdict_rules.AXIS_WEIGHTS[axis]
    available = data.records
    absent = verdict_rules.missing_sources(axis, available)
    if verdict_rules.axis_is_unknown(axis, available):
        proposed = verdict_axes.unknown_axis(axis, data)  # no evidence: no model call
        source = "rules"
    else:
        ctx.message(step, f"Scoring {name}", 20)
        proposed = await _ask(
            ctx,
            operation=step,
            output_model=AxisScore,
            instructions=f"Score one axis 0-100. {AXIS_GUIDE[axis]} Return axis='{axis}', "
            "score (null only if the datasets hold no evidence for this axis), confidence "
            "(high/medium/low), classification, up to 8 key_evidence items "
            "{source, finding, impact}, reasoning that shows how the score was reached, "
            "data_gaps and implications. Do not give an overall verdict.",
            payload=data.prompt_view(),
            offline=lambda: verdict_axes.axis_score(axis, data),
        )
        source = "model"
    ruling = verdict_rules.rule_axis(
        axis, proposed.score, proposed.confidence, available, data.pricing_state
    )
    gaps = list(proposed.data_gaps)
    gaps += [
        gap["text"]
        for gap in data.data_gaps()
        if gap["source"] in absent and gap["text"] not in gaps
    ]
    dump = proposed.model_dump(mode="json")
    if ruling.unknown and source == "model":
        dump["classification"] = verdict_rules.UNKNOWN
    result = {
        **dump,
        "axis": axis,
        "name": name,
        "weight": weight,
        "proposed_score": ruling.proposed,
        "score": ruling.score,
        "confidence": ruling.confidence,
        "rule_notes": list(ruling.notes),
        "key_evidence": verdict_rules.evidence_from_available(
            [e.model_dump(mode="json") for e in proposed.key_evidence], available
        ),
        "data_gaps": gaps,
        "proposed_by": source,
        "unknown": ruling.unknown,
    }
    ctx.add_section(
        step,
        f"{name} ({weight}%)",
        axis_markdown(result),
        position=AXIS_POSITIONS[axis],
        data={"axis": axis, "score": ruling.score, "weight": weight},
    )
    ctx.detail(
        step,
        "score",
        f"{name}: {score_text(ruling.score)} ({result['classification']})",
        axis=axis,
        score=ruling.score,
        proposed=ruling.proposed,
    )
    return result


# -- risks, decision, roadmap ----------------------------------------------------------------


RISK_KEYS = ("killer_risks", "major_risks", "minor_risks")


def with_data_gaps(risks: RiskSynthesis, data: VerdictData) -> RiskSynthesis:
    """Risks resting only on missing or empty data become data gaps; the code's gaps added.

    Missing data never raises a killer risk by itself and never counts as a major risk: a
    risk flagged `missing_data`, or citing only datasets without records, is moved (with its
    title) to `data_gaps`; the risks are renumbered.
    """
    dump = risks.model_dump(mode="json")
    gaps = list(data.gap_texts())
    for key in RISK_KEYS:
        kept = []
        for risk in dump[key]:
            if verdict_rules.rests_only_on_absent_data(risk, data.records):
                gaps.append(
                    f"{risk['title']}: {risk['description']} (moved from the risks: "
                    "it rests only on missing or empty data)"
                )
            else:
                kept.append(risk)
        dump[key] = kept
    known = {g.lower() for g in gaps}
    gaps += [g for g in dump.get("data_gaps") or [] if g.lower() not in known]
    dump["data_gaps"] = list(dict.fromkeys(gaps))[:12]
    return RiskSynthesis.model_validate(dump)


async def _risks(
    ctx: RunContext, data: VerdictData, axes: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    proposed = await _ask(
        ctx,
        operation="verdict_risk_synthesis",
        output_model=RiskSynthesis,
        instructions="Risk synthesis (FMEA): find 5-10 risks, especially contradictions "
        "between datasets (e.g. loud demand but no willingness to pay). Killer risks end the "
        "idea; major risks are structural and must be fixed before scaling; minor risks are "
        "watch items. Each risk: title, description, dataset_sources, mitigation. A dataset "
        "that is missing or holds 0 records is not a risk: list it in data_gaps instead.",
        payload={"datasets": data.prompt_view(post_cap=30), "axis_scores": axes},
        offline=lambda: verdict_offline.risks(data, axes),
    )
    risks = with_data_gaps(proposed, data)
    ctx.add_section(
        "risk_synthesis",
        "Risk Synthesis",
        risk_markdown(risks),
        position=RISK_POSITION,
        data={**risks.counts, "data_gaps": len(risks.data_gaps)},
    )
    counts = risks.counts
    ctx.detail(
        "risk_synthesis",
        "risks_found",
        f"{counts['killer']} killer, {counts['major']} major, {counts['minor']} minor risks",
        **counts,
    )
    return risks.model_dump(mode="json")


def _score(value: Any) -> int | None:
    return int(value) if value is not None else None


async def _decide(
    ctx: RunContext, axes: dict[str, dict[str, Any]], risks: RiskSynthesis
) -> dict[str, Any]:
    scores = {key: _score(axes[key]["score"]) for key in verdict_rules.AXIS_WEIGHTS}
    counts = risks.counts
    decision = verdict_decision.decide(
        scores,
        axes["demand"]["classification"],
        counts["killer"],
        counts["major"],
        confidences={key: axes[key]["confidence"] for key in verdict_rules.AXIS_WEIGHTS},
        data_gaps=risks.data_gaps,
    )
    low, high = decision.score_range
    narrative = await _ask(
        ctx,
        operation="verdict_decision",
        output_model=VerdictNarrative,
        instructions=f"The decision rules gave {decision.headline} with a weighted score of "
        f"{decision.total_text} over the known axes, range {low:g}-{high:g}, confidence "
        f"{decision.confidence} ({'; '.join(decision.reasons)}). Explain this verdict from "
        "the evidence in 3-6 sentences, say which unknown axes and data gaps could change "
        "it, list the key factors and the next decision point. Do not change the verdict; "
        "never treat missing data as evidence against the idea.",
        payload={"axis_scores": axes, "risk_counts": counts, "decision": asdict(decision)},
        offline=lambda: verdict_offline.narrative(decision, scores),
        max_tokens=1500,
    )
    proposed = (narrative.proposed_verdict or "").strip().upper()
    uncertainty = {
        "unknown_axes": list(decision.unknown_axes),
        "score_range": list(decision.score_range),
        "confidence": decision.confidence,
        "possible_verdicts": list(decision.possible),
        "headline": decision.headline,
        "data_gaps": list(decision.data_gaps),
    }
    if proposed and proposed != decision.verdict:
        ctx.detail(
            "verdict_decision",
            "info",
            f"The model proposed {proposed}; the rules decide {decision.verdict}.",
        )
    ctx.add_section(
        "verdict_decision",
        "Verdict Decision",
        decision_markdown(decision, axes, narrative),
        position=DECISION_POSITION,
        data={
            "verdict": decision.verdict,
            "total_score": decision.total_score,
            "scores": scores,
            "weights": dict(verdict_rules.AXIS_WEIGHTS),
            **uncertainty,
        },
    )
    ctx.detail(
        "verdict_decision",
        "verdict",
        f"{decision.headline} (score {decision.total_text}"
        + (f", range {low:g}-{high:g}" if decision.unknown_axes else "")
        + f", confidence {decision.confidence})",
        verdict=decision.verdict,
        total_score=decision.total_score,
    )
    return {
        "verdict": decision.verdict,
        "total_score": decision.total_score,
        "rule": decision.rule,
        "reasons": list(decision.reasons),
        "scores": scores,
        "model_proposed": proposed or None,
        **uncertainty,
    }


async def _roadmap(
    ctx: RunContext,
    axes: dict[str, dict[str, Any]],
    risks: RiskSynthesis,
    decision: dict[str, Any],
) -> dict[str, Any]:
    scores = decision["scores"]
    roadmap = await _ask(
        ctx,
        operation="verdict_roadmap",
        output_model=Roadmap,
        instructions=f"The verdict is {decision.get('headline') or decision['verdict']} "
        f"(score {_total_text(decision['total_score'])}). If an axis is unknown, the first "
        "sprint collects its missing evidence. "
        "Write an actionable roadmap: a 7-day sprint that tests the riskiest assumption "
        "(objective, hypothesis_to_test, specific_actions dated 'Day 1-2', 'Day 3-4', 'Day "
        "5-7', success_criteria, risk_addressed) and a 30-day sprint (objective, "
        "moat_building_focus, exactly 4 weekly_milestones for weeks 1-4, decision_gates), "
        "critical_dependencies and abort_conditions.",
        payload={"axis_scores": axes, "risks": risks.model_dump(mode="json")},
        offline=lambda: verdict_offline.roadmap(scores, risks),
    )
    ctx.add_section(
        "roadmap", "Actionable Roadmap", roadmap_markdown(roadmap), position=ROADMAP_POSITION
    )
    return roadmap.model_dump(mode="json")


# -- the pipeline ----------------------------------------------------------------------------


async def run(ctx: RunContext) -> None:
    data = VerdictData.from_json(
        await ctx.step("init", lambda: _load(ctx), stored_as="evidence.json")
    )
    # The audit, the synthesis and the five axes all read only the loaded data: one stage.
    bound = asyncio.Semaphore(ctx.fan_out_limit)

    async def bounded(key: str, work) -> Any:
        async with bound:
            return await ctx.step(key, work)

    outcomes = await asyncio.gather(
        bounded("data_audit", lambda: _audit(ctx, data)),
        bounded("executive_synthesis", lambda: _synthesis(ctx, data)),
        *(
            bounded(f"scoring_{key}", lambda key=key, name=name: _score_axis(ctx, data, key, name))
            for key, name, _ in VERDICT_AXES
        ),
        return_exceptions=True,
    )
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    outcomes = outcomes[2:]
    axes = {key: outcome for (key, _, _), outcome in zip(VERDICT_AXES, outcomes, strict=True)}

    risks = RiskSynthesis.model_validate(
        await ctx.step("risk_synthesis", lambda: _risks(ctx, data, axes))
    )
    decision = await ctx.step("verdict_decision", lambda: _decide(ctx, axes, risks))
    await ctx.step("roadmap", lambda: _roadmap(ctx, axes, risks, decision))

    counts = risks.counts
    ctx.summary.update(
        {
            "verdict": decision["verdict"],
            "total_score": decision["total_score"],
            "scores": decision["scores"],
            "killer_risks": counts["killer"],
            "major_risks": counts["major"],
            "minor_risks": counts["minor"],
            "sources_available": data.available,
            "sources_missing": data.missing,
            "sources_empty": [g["source"] for g in data.data_gaps() if g["state"] == "empty"],
            "unknown_axes": decision["unknown_axes"],
            "score_range": decision["score_range"],
            "confidence": decision["confidence"],
            "data_gaps": decision["data_gaps"],
            "sections_count": len(VERDICT_AXES) + 4,
        }
    )
    if data.social_label:
        ctx.summary["social_source"] = data.social_label
    await finish(ctx, change_summary(decision))


def _total_text(total: float | None) -> str:
    return f"{total:g}" if total is not None else "unknown"


def change_summary(decision: dict[str, Any]) -> str:
    """'Verdict: ITERATE (Score: 55.2)', plus the range when an axis is unknown."""
    text = f"Verdict: {decision['verdict']} (Score: {_total_text(decision['total_score'])}"
    if decision.get("unknown_axes"):
        low, high = decision["score_range"]
        text += f", range {low:g}-{high:g}, {decision['confidence']} confidence"
    return text + ")"

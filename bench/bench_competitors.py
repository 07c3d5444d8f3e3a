"""Competitor discovery quality over the gold set: the service search and the reports, end to end.

    python -m bench.bench_competitors            # both parts, all ideas
    python -m bench.bench_competitors --no-reports --verbose
    python -m bench.bench_competitors --unnamed   # (b) also for the ideas without names

(a) Service search: the Crunchbase service's candidates for each idea (keywords from the
    offline keyword generator, the whole project as the query, the named competitors), in
    relevance order, and the list it presents (above the relevance floor).
(b) End to end: the companies the Crunchbase Analysis and Tracxn Insights reports actually
    present (their company sections), each report run by the real runner on the offline path
    with both services over HTTP on the bundled demo data set.
Each idea that names competitors is also asked without them (`unnamed_variants`): most
founders name none. Part (a) prints both; part (b) the ideas as given (`--unnamed` adds the
variants, which doubles its time).
Targets (issue #10): recall@10 >= 0.9 and precision@10 >= 0.8 end to end. It exits non-zero
when a target is missed. Figures only; nothing here is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from bench.competitor_gold import Idea, Scores, load_ideas, unnamed_variants
from bench.embedded_stack import embedded_stack, run_report

TARGET_RECALL, TARGET_PRECISION = 0.9, 0.8


class LabelReliability:
    """How often a presented company the reports call direct / close / adjacent-market is one
    of the idea's gold competitors (any grade) and a direct one (grade 2)."""

    def __init__(self) -> None:
        self.counts: dict[int, list[int]] = {2: [0, 0, 0], 1: [0, 0, 0], 0: [0, 0, 0]}

    def add(self, shown: list[tuple[str, float]], gold: dict[str, int]) -> None:
        from marketnav.services.reports.pipelines.company_facts import relevance_level

        for name, relevance in shown:
            row = self.counts[relevance_level(relevance)]
            row[0] += 1
            row[1] += name in gold
            row[2] += gold.get(name) == 2

    def lines(self, label: str) -> list[str]:
        from marketnav.services.reports.pipelines.company_facts import RELEVANCE_LABELS

        out = [f"  {label}: label, companies, share in the gold set, share gold-direct"]
        for level, name in RELEVANCE_LABELS:
            total, gold, direct = self.counts[level]
            shares = f"{gold / total:.3f} {direct / total:.3f}" if total else "- -"
            out.append(f"    {name:16} {total:5} {shares}")
        return out


async def service_search(idea: Idea) -> tuple[list[str], list[tuple[str, float]]]:
    """(candidates by relevance, presented list with each relevance) of the Crunchbase
    service for one idea."""
    from marketnav.services.ai import generate_crunchbase_keywords, generate_target_description
    from marketnav.services.market_data import MarketDataClient
    from marketnav.services.reports.competitor_query import project_query
    from marketnav.services.reports.pipelines import crunchbase
    from marketnav.services.reports.pipelines.market_search import search_text

    inputs = idea.project_inputs()
    keywords = generate_crunchbase_keywords(inputs).value.keywords
    target = search_text(generate_target_description(inputs).value.description)
    request = crunchbase.SOURCE.build_request(keywords, target or inputs.startup_description, "b")
    request = request.model_copy(update={"project": project_query(inputs)})
    async with MarketDataClient() as client:
        response = await client.search_crunchbase(request)
    ranked = sorted(response.all_companies, key=lambda c: -c.relevance)
    relevance = {c.name: c.relevance for c in ranked}
    shown = [(c.name, relevance.get(c.name, 0.0)) for c in response.top_companies_full_data]
    return [c.name for c in ranked], shown


def report_companies(idea: Idea, report_type: str) -> list[str]:
    """The companies a report presents (its company sections, in the report's order)."""
    from sqlmodel import select

    from marketnav.db import session_scope
    from marketnav.models import ReportRun, ReportSection

    status, run_id = run_report(idea.id, idea.project_inputs().model_dump(), report_type)
    with session_scope() as db:
        run = db.get(ReportRun, run_id)
        if status != "completed":
            print(f"  {idea.id} {report_type}: {run.status} ({run.error_message})")
            return []
        sections = db.exec(
            select(ReportSection)
            .where(ReportSection.run_id == run_id, ReportSection.kind == "company")
            .order_by(ReportSection.position)
        ).all()
        return [s.company_name for s in sections]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-reports", action="store_true", help="only part (a)")
    parser.add_argument("--ideas", type=int, default=0, help="only the first N ideas")
    parser.add_argument("--verbose", action="store_true", help="per-idea lists")
    parser.add_argument("--unnamed", action="store_true", help="(b) also without named ones")
    args = parser.parse_args()
    given = load_ideas()[: args.ideas or None]
    variants = {"as given": given, "unnamed": unnamed_variants(given)}
    print(
        f"{len(given)} ideas, {sum(len(i.competitors) for i in given)} graded competitors; "
        f"{len(variants['unnamed'])} of them also asked without their named competitors"
    )
    candidates = {v: Scores() for v in variants}
    presented = {v: Scores() for v in variants}
    labels = {v: LabelReliability() for v in variants}
    end_to_end = variants if args.unnamed else {"as given": given}
    reports = {(t, v): Scores() for v in end_to_end for t in ("crunchbase", "tracxn")}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as temp, embedded_stack(Path(temp)):
        for variant, ideas in variants.items():
            for idea in ideas:
                ranked, shown_relevance = asyncio.run(service_search(idea))
                shown = [name for name, _ in shown_relevance]
                candidates[variant].add(ranked, idea.competitors)
                recall, precision = presented[variant].add(shown, idea.competitors)
                labels[variant].add(shown_relevance[:10], idea.competitors)
                if args.verbose:
                    missed = [n for n in idea.competitors if n not in shown[:10]]
                    wrong = [n for n in shown[:10] if n not in idea.competitors]
                    print(f"- {idea.id}: R {recall:.2f} P {precision:.2f} | missed {missed} | "
                          f"not gold {wrong}")  # fmt: skip
        if not args.no_reports:
            for (report_type, variant), scores in reports.items():
                for idea in end_to_end[variant]:
                    scores.add(report_companies(idea, report_type), idea.competitors)
    print(f"({time.perf_counter() - started:.0f} s)")
    print("(a) service search")
    for variant in variants:
        print(candidates[variant].line(f"  candidates by relevance, {variant}"))
        print(presented[variant].line(f"  presented (above the floor), {variant}"))
    for variant in variants:
        print("\n".join(labels[variant].lines(f"labels of the presented top ten, {variant}")))
    if args.no_reports:
        return 0
    print("(b) end to end, offline path")
    ok = True
    for (report_type, variant), scores in reports.items():
        print(scores.line(f"  {report_type} report, {variant}"))
        if not scores.recall:
            continue
        recall = sum(scores.recall) / len(scores.recall)
        precision = sum(scores.precision) / len(scores.precision)
        ok &= recall >= TARGET_RECALL and precision >= TARGET_PRECISION
    print(f"targets recall@10 >= {TARGET_RECALL}, precision@10 >= {TARGET_PRECISION}: "
          f"{'met' if ok else 'NOT met'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

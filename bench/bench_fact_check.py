"""The fact check of model-written text: fabrications marked, supported figures left alone.

    python -m bench.bench_fact_check              # 8 gold ideas, 3 fabrications per section
    python -m bench.bench_fact_check --ideas 20 --per-answer 4

Each idea's Crunchbase Analysis is run end to end by the real runner (both market-data
services over HTTP on the bundled demo data set) with the local OpenAI-compatible test server
as the analyst: `tests/support/fabricating_analyst.py` writes every section from the data it is
given and injects invented companies, money amounts, growth figures and quotes. The benchmark
counts, per run, the injected fabrications marked "not in the data" (recall), the supported
figures wrongly marked, and the marks that match no injection (false marks). Figures only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

from bench.competitor_gold import load_ideas
from bench.embedded_stack import embedded_stack, run_report


def _sections_text(run_id: int) -> tuple[str, int]:
    from sqlmodel import select

    from marketnav.db import session_scope
    from marketnav.models import ReportRun, ReportSection

    with session_scope() as db:
        rows = db.exec(select(ReportSection).where(ReportSection.run_id == run_id)).all()
        run = db.get(ReportRun, run_id)
        return "\n".join(r.markdown for r in rows), int(run.data.get("unsupported_claims") or 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ideas", type=int, default=8)
    parser.add_argument("--per-answer", type=int, default=3)
    args = parser.parse_args()
    from tests.conftest import clear_caches
    from tests.support.fabricating_analyst import FabricatingAnalyst
    from tests.support.openai_test_server import OpenAITestServer

    ideas = load_ideas()[:: max(1, len(load_ideas()) // args.ideas)][: args.ideas]
    recalls, wrong_supported, false_marks, seconds = [], [], [], []
    with (
        tempfile.TemporaryDirectory() as temp,
        OpenAITestServer() as server,
        embedded_stack(Path(temp)),
    ):
        provider = {
            "name": "analyst",
            "base_url": server.base_url("analyst"),
            "api_key": "bench-key",
            "model": "gpt-4o-mini",
            "structured_output": "json_schema",
        }

        os.environ["AI_EXTRA_PROVIDERS"] = json.dumps([provider])
        for feature in ("chat", "keywords", "analysis", "verdict", "pitch_deck"):
            os.environ[f"AI_ROUTE_{feature.upper()}"] = "analyst"
        clear_caches()
        for number, idea in enumerate(ideas):
            analyst = FabricatingAnalyst(seed=number, per_answer=args.per_answer)
            server.set_responder("analyst", analyst)
            started = time.perf_counter()
            status, run_id = run_report(idea.id, idea.project_inputs().model_dump(), "crunchbase")
            seconds.append(time.perf_counter() - started)
            if status != "completed":
                print(f"- {idea.id}: run {status}")
                continue
            text, counted = _sections_text(run_id)
            marked = sum(f"{token}[^?]" in text for token in analyst.injected)
            wrong = sum(f"{token}[^?]" in text for token in analyst.supported)
            extra = text.count("[^?]") - marked
            recalls.append(marked / len(analyst.injected) if analyst.injected else 1.0)
            wrong_supported.append(wrong / len(analyst.supported) if analyst.supported else 0.0)
            false_marks.append(max(0, extra))
            print(
                f"- {idea.id}: {marked}/{len(analyst.injected)} fabrications marked, "
                f"{wrong}/{len(analyst.supported)} supported figures marked, "
                f"{max(0, extra)} other marks, run counted {counted} ({seconds[-1]:.1f} s)"
            )
    if not recalls:
        print("no run completed")
        return 1
    print(
        f"{len(recalls)} runs, median {median(seconds):.1f} s per run, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    print(f"fabrications marked: median {median(recalls):.3f}, min {min(recalls):.3f}")
    print(
        f"supported figures marked: median {median(wrong_supported):.3f}, "
        f"max {max(wrong_supported):.3f}"
    )
    print(f"marks matching no injection: total {sum(false_marks)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

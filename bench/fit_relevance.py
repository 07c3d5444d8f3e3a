"""Fit the calibrated relevance model (scraper_services/common/relevance_model.json).

    python -m bench.fit_relevance            # cross-validate, then fit on all ideas and save
    python -m bench.fit_relevance --dry-run  # cross-validate only

For every gold idea the Crunchbase service's real ranked search runs in-process (offline
keywords, the whole project as the query, the named competitors) and every candidate's
retrieval signals are recorded with its label (a gold competitor or not). A logistic regression
over the signals gives the probability that a candidate competes. The figures printed first are
leave-sector-out: each sector's ideas are scored by a model fitted without that sector, so they
say how the floor does on markets it was not tuned on. The floor is the probability that
maximises F1 of the presented list (at most 10) in that cross-validation. Every idea that
names competitors is also fitted and scored without them (`unnamed_variants`): most founders
name none, and a model fitted only on named ones put their real competitors below the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from pathlib import Path

import numpy as np

from bench.competitor_gold import Idea, Scores, load_ideas, unnamed_variants
from scraper_services.common.relevance import FEATURES, MODEL_PATH

FLOORS = [round(x, 2) for x in np.arange(0.05, 0.81, 0.05)]


async def candidates(context, idea: Idea) -> list[tuple[str, bool, list[float]]]:
    """(name, is named by the user, signals) of every candidate the service scored."""
    from marketnav.services.ai import generate_crunchbase_keywords, generate_target_description
    from marketnav.services.reports.competitor_query import project_query
    from marketnav.services.reports.pipelines.market_search import search_text
    from scraper_services.common.ranked_search import RankedOutcome, run_ranked_search
    from scraper_services.crunchbase.search_flow import _rank_scores

    inputs = idea.project_inputs()
    keywords = generate_crunchbase_keywords(inputs).value.keywords
    target = search_text(generate_target_description(inputs).value.description)
    outcome = None
    async for item in run_ranked_search(
        context,
        keywords=keywords,
        per_keyword=20,
        max_age_days=180,
        target_description=target or inputs.startup_description,
        weights=(0.75, 0.25),
        normalise=_rank_scores,
        request_id=f"fit-{idea.id}",
        project=project_query(inputs),
        top_count=10,
    ):
        if isinstance(item, RankedOutcome):
            outcome = item
    assert outcome is not None
    return [
        (hit.name, hit.named_by_user, [float(getattr(hit, f)) for f in FEATURES])
        for hit in outcome.hits.values()
    ]


def presented(rows, probabilities, floor: float) -> list[str]:
    order = sorted(range(len(rows)), key=lambda i: (not rows[i][1], -probabilities[i]))
    return [rows[i][0] for i in order if rows[i][1] or probabilities[i] >= floor][:10]


def collect(ideas: list[Idea]) -> list[list]:
    from fastapi.testclient import TestClient

    from bench.embedded_stack import embedded_stack
    from scraper_services.crunchbase.app import create_app
    from tests.scraper_fixtures import make_settings

    # The app's database too: the offline keyword generator records its calls there.
    with tempfile.TemporaryDirectory() as temp, embedded_stack(Path(temp) / "app"):
        app = create_app(make_settings(Path(temp)))
        with TestClient(app):
            context = app.state.context
            return [asyncio.run(candidates(context, idea)) for idea in ideas]


def fit(x: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, max_iter=2000).fit(x, y)


def _f1(scores: Scores) -> float:
    recall, precision = np.mean(scores.recall), np.mean(scores.precision)
    return float(2 * recall * precision / (recall + precision)) if recall + precision else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    given = load_ideas()
    ideas = given + unnamed_variants(given)
    per_idea = collect(ideas)
    sectors = sorted({idea.sector for idea in ideas})
    probabilities: list[np.ndarray] = [np.zeros(0)] * len(ideas)
    for sector in sectors:
        train = [i for i, idea in enumerate(ideas) if idea.sector != sector]
        x = np.array([r[2] for i in train for r in per_idea[i]])
        y = np.array([r[0] in ideas[i].competitors for i in train for r in per_idea[i]])
        model = fit(x, y)
        for i, idea in enumerate(ideas):
            if idea.sector == sector:
                probabilities[i] = model.predict_proba(np.array([r[2] for r in per_idea[i]]))[:, 1]
    print(
        f"{len(given)} ideas as given + {len(ideas) - len(given)} without their named "
        f"competitors, {len(sectors)} sectors; leave-sector-out:"
    )
    best = (0.0, 0.5, 0.0, 0.0)
    for floor in FLOORS:
        scores, unnamed = Scores(), Scores()
        for i, idea in enumerate(ideas):
            shown = presented(per_idea[i], probabilities[i], floor)
            (unnamed if i >= len(given) else scores).add(shown, idea.competitors)
        f1 = _f1(scores.merged(unnamed))
        print(scores.line(f"  floor {floor:.2f} (F1 {f1:.3f}) as given"))
        print(unnamed.line(f"  {'':10} (F1 {_f1(unnamed):.3f}) unnamed"))
        best = max(best, (f1, floor, _f1(scores), _f1(unnamed)))
    x = np.array([r[2] for rows in per_idea for r in rows])  # every variant
    y = np.array([r[0] in ideas[i].competitors for i, rows in enumerate(per_idea) for r in rows])
    model = fit(x, y)
    weights = {f: round(float(w), 4) for f, w in zip(FEATURES, model.coef_[0], strict=True)}
    result = {
        "weights": weights,
        "bias": round(float(model.intercept_[0]), 4),
        "floor": best[1],
        "fitted_on": (
            f"{len(given)} gold ideas + {len(ideas) - len(given)} without their named "
            f"competitors ({len(y)} candidates), bench/fit_relevance.py"
        ),
        "cross_validated_f1": round(best[0], 3),  # both variants' lists
        "cross_validated_f1_as_given": round(best[2], 3),
        "cross_validated_f1_unnamed": round(best[3], 3),
    }
    print(json.dumps(result, indent=1))
    if not args.dry_run:
        MODEL_PATH.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print(f"written to {MODEL_PATH}")


if __name__ == "__main__":
    main()

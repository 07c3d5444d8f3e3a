"""Web discovery on a fixture web: are the competitors only "on the web" found and presented?

The fixture web (`tests/fixtures/web`, fictional companies written for the tests: 8 ideas,
33 competitor sites, reviews, distractors, noise and hostile pages) is served by
`tests.support.fixture_web.FixtureWeb` with its SearXNG-compatible search engine. For each
idea a new user's organisation switches web discovery on and runs a real Crunchbase Analysis
(the runner in-process, both market-data services in threads, the offline AI analyser), so
the companies found on the web go through the same retrieval and relevance floor as the
bundled data set. Printed per idea and overall:

- recall@10: the idea's web competitors among the report's presented companies;
- found: the web competitors among the web step's candidates (before ranking);
- web share: of the presented companies, how many came from the web, and how many of those
  are the idea's competitors (precision of what the web added);
- pages read per run (cached ones counted apart), queries sent.

    python -m bench.bench_web_discovery [--ideas N] [--engine searxng|tavily|brave]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.embedded_stack import embedded_stack


def _run(name: str, inputs: dict) -> int:
    """A Crunchbase Analysis for a new user whose workspace has web discovery on."""
    from marketnav.db import session_scope
    from marketnav.services import accounts, organizations, projects
    from marketnav.services.reports import runner, runs

    with session_scope() as db:
        user = accounts.register(db, "Bench Mark", f"{name}@bench.example", "bench pw 12345").user
        db.flush()
        org_id = organizations.list_for_user(db, user)[0][0].id
        organizations.set_web_discovery(db, user, org_id, True)
        project = projects.create(db, user, org_id, name)
        projects.save_inputs(db, user, project.id, inputs)
        db.flush()
        run_id = runs.start(db, user, project.id, "crunchbase").id
    runner.execute(run_id, "bench")
    return run_id


def _outcome(run_id: int):
    """(status, error, the presented companies as (domain, from the web), the web search)."""
    from sqlmodel import select

    from marketnav.db import session_scope
    from marketnav.models import Project, Report, ReportRun, ReportSection
    from marketnav.services.reports.context import version_prefix
    from marketnav.services.storage import get_storage
    from marketnav.services.web_discovery.discovery import DiscoveryReport
    from scraper_services.common.contracts import WEB_ORIGIN, website_domain

    with session_scope() as db:
        run = db.get(ReportRun, run_id)
        if run.status != "completed":
            return run.status, run.error_message, [], None
        project = db.get(Project, db.get(Report, run.report_id).project_id)
        sections = db.exec(
            select(ReportSection)
            .where(ReportSection.run_id == run_id, ReportSection.kind == "company")
            .order_by(ReportSection.position)
        ).all()
        facts = [(s.section_data or {}).get("facts") or {} for s in sections[:10]]
        prefix = version_prefix(project.organization_id, project.id, "crunchbase", run.version)
    presented = [
        (website_domain(f.get("website") or ""), f.get("origin") == WEB_ORIGIN) for f in facts
    ]
    stored = get_storage().get(prefix + "web_discovery.json")
    return run.status, "", presented, DiscoveryReport.model_validate_json(stored)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ideas", type=int, default=0, help="only the first N ideas")
    parser.add_argument("--engine", default="searxng", choices=("searxng", "tavily", "brave"))
    args = parser.parse_args()
    from tests.support.fixture_web import FixtureWeb, load_ideas

    ideas = load_ideas()[: args.ideas or None]
    load = os.getloadavg()[0]
    recalls, found_shares, web_precisions, pages, fetched, seconds = [], [], [], [], [], []
    with (
        tempfile.TemporaryDirectory() as temp,
        FixtureWeb.start() as web,
        embedded_stack(Path(temp)),
    ):
        os.environ.update(web.settings_env(args.engine))
        from marketnav.settings import get_settings

        get_settings.cache_clear()
        for idea in ideas:
            gold = {c["domain"] for c in idea["web_competitors"]}
            started = time.monotonic()
            run_id = _run(idea["id"], idea["inputs"])
            seconds.append(time.monotonic() - started)
            status, error, shown, report = _outcome(run_id)
            if report is None:
                print(f"{idea['id']}: {status} ({error})")
                recalls.append(0.0)
                continue
            candidates = {c.domain for c in report.candidates}
            presented = {d for d, _ in shown}
            from_web = {d for d, web_origin in shown if web_origin}
            hits = gold & presented
            recalls.append(len(hits) / len(gold))
            found_shares.append(len(gold & candidates) / len(gold))
            if from_web:
                web_precisions.append(len(gold & from_web) / len(from_web))
            pages.append(report.pages_read)
            fetched.append(report.pages_fetched)
            missed = sorted(gold - presented)
            print(
                f"{idea['id']}: recall@10 {recalls[-1]:.2f} ({len(hits)}/{len(gold)}), "
                f"candidates {len(candidates)} (gold {len(gold & candidates)}), "
                f"presented {len(shown)} ({len(from_web)} from the web), "
                f"{report.pages_read} pages ({report.pages_fetched} fetched), "
                f"{len(report.queries)} queries, {seconds[-1]:.1f} s"
                + (f"; missed {', '.join(missed)}" if missed else "")
            )
    print(
        f"\nweb-only competitors, {len(ideas)} ideas ({args.engine}, load {load:.2f}):\n"
        f"  recall@10 (presented)    {statistics.mean(recalls):.3f}\n"
        f"  found (candidates)       {statistics.mean(found_shares or [0]):.3f}\n"
        f"  precision of web-added   {statistics.mean(web_precisions or [0]):.3f}\n"
        f"  pages read per run       median {statistics.median(pages or [0]):.0f} "
        f"(max {max(pages or [0])}), fetched median {statistics.median(fetched or [0]):.0f}\n"
        f"  run time                 median {statistics.median(seconds):.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Live progress on a real run, publish -> DOM, in the tab that started it and a watching tab.

    flock /tmp/e2e.lock .venv/bin/python -m bench.bench_live_progress [--reloads 20]

For each stack -- production-like (PostgreSQL, Redis for broker, state and bus, S3 on moto,
two backend workers) and the embedded defaults (SQLite, database-polling bus, one worker) --
the app is started with the run script (`tests/support/live_stack.py`), a user signs up in
headless Chromium, opens a project in two tabs and starts a Crunchbase Analysis from the first;
the real reports worker runs it against the OpenAI-compatible test server while
`--background-runs` (10) other runs of that user go on (`bench/report_load.py`). The bench process
subscribes to the project's progress subject and keeps every snapshot's `published_at` (set by
the worker right before it publishes); a MutationObserver in each tab records when each
progress value first appears in the card. Latency = first DOM appearance - first publication
of that value. Then the first tab is reloaded `--reloads` times during a second run and as
many times with no run going: time from `reload()` to the project's name and inputs shown.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = "crunchbase"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def latencies(shown: list[list], published: dict[float, float]) -> tuple[list[float], int]:
    """(ms from first publish to first DOM appearance per value, values published never shown).

    A value the page showed before the worker published it (the card read from the database
    by the start event, e.g. the first step's share) is no bus latency and is left out.
    """
    first_shown: dict[float, float] = {}
    for value, at in shown:
        first_shown.setdefault(float(value), at)
    found = [first_shown[v] - published[v] * 1000 for v in published if v in first_shown]
    return [ms for ms in found if ms >= 0], len([v for v in published if v not in first_shown])


def reload_times(page, name: str, count: int) -> list[float]:
    from playwright.sync_api import expect

    times = []
    for _ in range(count):
        started = time.perf_counter()
        page.reload()
        expect(page.get_by_test_id("project-name")).to_have_text(name, timeout=60_000)
        expect(page.get_by_test_id("value-startup_name")).not_to_have_text("", timeout=60_000)
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure(label: str, redis: bool, temp: Path, args) -> dict:
    from playwright.sync_api import expect, sync_playwright

    from tests.conftest import clear_caches
    from tests.e2e.conftest import (
        CHROMIUM,
        CHROMIUM_ARGS,
        DESKTOP,
        create_project,
        fill_inputs,
        new_page,
        sign_up,
    )
    from tests.support.live_stack import live_stack, record_progress, recorded
    from tests.support.report_stack import ProgressRecorder, wait_until

    print(f"\n{label}:", flush=True)
    extra = {"REPORT_FAN_OUT": "2", **dict(pair.split("=", 1) for pair in args.env)}
    if args.background_runs:  # every background run and the measured one run at once
        extra["REPORT_WORKER_CONCURRENCY"] = str(args.background_runs + 2)
    workers = 2 if redis else 1
    with live_stack(temp, redis=redis, web_workers=workers, ai_delay=0.3, extra_env=extra) as live:
        for key in ("VAR_DIR", "REDIS_URL", "DATABASE_URL"):
            os.environ[key] = live.env[key]
        clear_caches()
        from marketnav.services.reports.tracker import subject_for_project

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            person = sign_up(browser, live.url, DESKTOP, "Bench Live")
            first = person.page
            url = create_project(first, "Live bench")
            fill_inputs(first)
            project_id = int(url.rstrip("/").rsplit("/", 1)[-1])
            second = new_page(browser, DESKTOP)
            second.context.add_cookies(first.context.cookies())
            second.goto(url)
            expect(second.get_by_test_id("project-name")).to_have_text("Live bench")
            load = background_load(person.email, args.background_runs)
            with load, ProgressRecorder(subject_for_project(project_id)) as bus:
                if args.background_runs:
                    wait_until(lambda: load.running() >= args.background_runs, 120)
                running_at_start = load.running()
                for page in (first, second):
                    record_progress(page, REPORT)
                first.get_by_test_id(f"start-{REPORT}").click()
                if args.collapse_details:  # the start expands the card's step timeline
                    first.get_by_test_id(f"details-{REPORT}").click()
                for page in (first, second):
                    expect(page.get_by_test_id(f"report-card-{REPORT}")).to_have_attribute(
                        "data-status", "completed", timeout=300_000
                    )
                running_at_end = load.running()
                events = [e for e in bus.snapshot() if e.get("type") == "report_progress"]
            published: dict[float, float] = {}
            for event in events:
                if event.get("status") == "running":
                    published.setdefault(float(event["progress"]), float(event["published_at"]))
            figures = {
                "published values": len(published),
                "verbose": args.verbose,
                "other runs": (running_at_start, running_at_end, load.errors),
            }
            for tab, page in (("starting tab", first), ("watching tab", second)):
                found, missed = latencies(recorded(page)["progress"], published)
                figures[tab] = (found, missed)
            # Reloads during a run, then with none going.
            first.get_by_test_id(f"start-{REPORT}").click()
            expect(first.get_by_test_id(f"report-card-{REPORT}")).to_have_attribute(
                "data-status", "running", timeout=60_000
            )
            during = reload_times(first, "Live bench", args.reloads)
            still_running = first.get_by_test_id(f"report-card-{REPORT}").get_attribute(
                "data-status"
            )
            expect(first.get_by_test_id(f"report-card-{REPORT}")).to_have_attribute(
                "data-status", "completed", timeout=300_000
            )
            idle = reload_times(first, "Live bench", args.reloads)
            figures["reload during run"] = during
            figures["reload idle"] = idle
            figures["run still going after the reloads"] = still_running
            browser.close()
    _print(figures)
    return figures


def background_load(email: str, runs: int):
    """`runs` report runs kept going on other projects of the user (`bench.report_load`)."""
    from sqlmodel import select

    from bench.report_load import ReportLoad, make_projects
    from marketnav.db import session_scope
    from marketnav.models import User
    from tests.support.report_stack import PET_INPUTS

    with session_scope() as session:
        user_id = session.exec(select(User.id).where(User.email == email)).one()
    return ReportLoad(user_id, make_projects(user_id, runs, PET_INPUTS) if runs else [], runs)


def _print(figures: dict) -> None:
    at_start, at_end, errors = figures["other runs"]
    print(
        f"  other runs going: {at_start} when the measured run started, {at_end} when it ended"
        f" (+ the measured one); load errors {len(errors)}"
    )
    print(f"  progress values published: {figures['published values']}")
    for tab in ("starting tab", "watching tab"):
        found, missed = figures[tab]
        if figures.get("verbose"):
            print(f"  {tab} per value, in publish order: {[round(v) for v in found]}")
        print(
            f"  {tab:13} publish->DOM p50 {percentile(found, 0.5):6.0f} ms  "
            f"p95 {percentile(found, 0.95):6.0f} ms  max {max(found, default=float('nan')):6.0f}"
            f" ms  values never shown {missed}",
            flush=True,
        )
    for key in ("reload during run", "reload idle"):
        times = figures[key]
        print(
            f"  {key:17} n={len(times)} median {percentile(times, 0.5):6.0f} ms  "
            f"p95 {percentile(times, 0.95):6.0f} ms  max {max(times):6.0f} ms",
            flush=True,
        )
    print(
        f"  (card after the reloads during the run: {figures['run still going after the reloads']})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_live_progress", description=__doc__
    )
    parser.add_argument("--reloads", type=int, default=20, help="reloads per phase (20)")
    parser.add_argument("--stack", choices=["redis", "embedded", "both"], default="both")
    parser.add_argument(
        "--background-runs",
        type=int,
        default=10,
        help="report runs kept going on other projects meanwhile (10, the issue's target load)",
    )
    parser.add_argument("--verbose", action="store_true", help="print every value's latency")
    parser.add_argument(
        "--collapse-details",
        action="store_true",
        help="hide the starting tab's step timeline (as the watching tab's is)",
    )
    parser.add_argument(
        "--env", action="append", default=[], metavar="KEY=VALUE", help="extra stack setting"
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    temp = Path(tempfile.mkdtemp(prefix="mn-bench-live-"))
    if args.stack in ("redis", "both"):
        measure("production-like (PostgreSQL, Redis, S3, 2 backend workers)", True, temp, args)
    if args.stack in ("embedded", "both"):
        measure("embedded defaults (SQLite, database-polling bus, 1 worker)", False, temp, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

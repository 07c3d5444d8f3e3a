"""Progress latency: from `progress.publish` in another process to the text in Chromium's DOM.

    flock /tmp/mn-web.lock .venv/bin/python -m bench.bench_progress_latency [-n 100]

(`flock`: the run script may rebuild the Reflex frontend, which must not happen twice at once.)

For each bus -- Redis pub/sub (`REDIS_URL` set, db 13) and the database-polling bus (embedded
defaults, `PROGRESS_POLL_INTERVAL_SECONDS` as configured) -- the app is started with the README's
run script (without workers), a user signs up and opens a new project in headless Chromium, and
a separate process publishes `-n` synthetic `report_progress` snapshots for the project's Quick
Report (the shape `tracker.build_snapshot` makes: status running, a unique progress value and
step message, `published_at`), `--interval` apart, as a worker does. A MutationObserver in the
page records when each snapshot's text first appears in `[data-testid=progress-quick_report]`
(`performance.timeOrigin + performance.now()`, same clock as `published_at`). Printed: p50 /
p95 / max latency and snapshots never shown. Target: p95 <= 100 ms with Redis.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
TOKEN = "bench-"
OBSERVER = """
() => {
  window.__marks = {};
  const look = () => {
    const el = document.querySelector('[data-testid=progress-quick_report]');
    if (!el) return;
    const found = /bench-(\\d+)/.exec(el.textContent || '');
    if (found && !(found[1] in window.__marks)) {
      window.__marks[found[1]] = performance.timeOrigin + performance.now();
    }
  };
  new MutationObserver(look).observe(document.body,
    {subtree: true, childList: true, characterData: true, attributes: true});
}
"""


def snapshot(project_run: int, index: int) -> dict:
    """A running Quick Report snapshot as the tracker publishes it, with a unique mark."""
    from marketnav.models import ReportStep
    from marketnav.models.base import utcnow
    from marketnav.services.reports.catalog import spec_for
    from marketnav.services.reports.eta import StepHistory
    from marketnav.services.reports.tracker import build_snapshot

    spec = spec_for("quick_report")
    percent = 1 + index % 98
    steps = [
        ReportStep(
            run_id=project_run,
            step_number=n,
            step_key=s.key,
            step_name=s.name,
            weight=s.weight,
            status="running" if s.key == "api_search" else "completed" if n == 1 else "pending",
            progress_percent=percent if s.key == "api_search" else 0,
            message=f"{TOKEN}{index} sections written" if s.key == "api_search" else "",
            started_at=utcnow(),
            duration_seconds=1.0 if n == 1 else None,
        )
        for n, s in enumerate(spec.steps, start=1)
    ]
    history = {s.key: StepHistory(s.default_seconds, 0) for s in spec.steps}
    event = build_snapshot(
        report_id=project_run,
        report_type="quick_report",
        run_id=project_run,
        version=1,
        status="running",
        error="",
        steps=steps,
        history=history,
    )
    event["progress"] = percent  # unique among neighbours; the mark is in current_step
    event["published_at"] = time.time()
    return event


def publish_loop(project_id: int, count: int, interval: float, first: int) -> None:
    """`--publish`: publish `count` snapshots; print {index: published_at} as JSON."""
    from marketnav.services import progress
    from marketnav.services.reports.tracker import subject_for_project

    subject = subject_for_project(project_id)
    sent: dict[int, float] = {}
    next_at = time.monotonic()
    for index in range(first, first + count):
        event = snapshot(1, index)
        event["published_at"] = time.time()
        progress.publish(subject, event)
        sent[index] = event["published_at"]
        next_at += interval
        time.sleep(max(0.0, next_at - time.monotonic()))
    print(json.dumps(sent), flush=True)


@contextlib.contextmanager
def app_stack(env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    from tests.processes import running, wait_for_port

    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    args = [sys.executable, "scripts/run_stack.py", "--no-worker"]
    started = time.monotonic()
    with running(args, env, log) as proc:
        try:
            wait_for_port(port, 900, proc)
        except Exception:
            print(log.read_text()[-4000:])
            raise
        print(f"  app up in {time.monotonic() - started:.0f} s", flush=True)
        yield f"http://127.0.0.1:{port}"


def measure(bus: str, env: dict[str, str], port: int, temp: Path, args) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, create_project, sign_up

    print(f"\n{bus}:", flush=True)
    with app_stack(env, port, temp / f"stack-{bus.split()[0].lower()}.log") as url:
        # This process publishes the warm-up snapshots with the app's settings.
        os.environ.update({k: env[k] for k in ("VAR_DIR", "REDIS_URL", "DATABASE_URL")})
        from tests.conftest import clear_caches

        clear_caches()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            person = sign_up(browser, url, DESKTOP, "Bench Mark")
            page = person.page
            project_url = create_project(page, "Latency bench")
            project_id = int(project_url.rstrip("/").rsplit("/", 1)[-1])
            page.wait_for_selector("[data-testid=report-card-quick_report]")
            page.evaluate(OBSERVER)
            warm = warm_up(page, project_id)
            print(f"  listener live after {warm} warm-up snapshots", flush=True)
            publisher = subprocess.run(
                [sys.executable, "-m", "bench.bench_progress_latency", "--publish",
                 "--project", str(project_id), "-n", str(args.n),
                 "--interval", str(args.interval), "--first", "1000"],
                cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True,
                text=True, check=True,
            )  # fmt: skip
            sent = {int(k): v for k, v in json.loads(publisher.stdout.splitlines()[-1]).items()}
            last = max(sent)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if str(last) in page.evaluate("Object.keys(window.__marks)"):
                    break
                time.sleep(0.1)
            time.sleep(0.5)
            marks = {int(k): v for k, v in page.evaluate("window.__marks").items()}
            browser.close()
    latencies = sorted(marks[i] - sent[i] * 1000 for i in sent if i in marks)
    missed = len(sent) - len(latencies)
    figures = {
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "max": latencies[-1],
        "missed": missed,
    }
    print(
        f"  n={len(sent)} every {args.interval * 1000:.0f} ms: p50 {figures['p50']:.0f} ms, "
        f"p95 {figures['p95']:.0f} ms, max {figures['max']:.0f} ms; never shown {missed}",
        flush=True,
    )
    return figures


def warm_up(page, project_id: int, timeout: float = 60) -> int:
    """Publish snapshots until the page shows one: its listener is subscribed."""
    from marketnav.services import progress
    from marketnav.services.reports.tracker import subject_for_project

    subject = subject_for_project(project_id)
    deadline = time.monotonic() + timeout
    index = 0
    while time.monotonic() < deadline:
        index += 1
        progress.publish(subject, snapshot(1, index))
        time.sleep(0.3)
        if str(index) in page.evaluate("Object.keys(window.__marks)"):
            return index
    raise TimeoutError("the project page never showed a published snapshot")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_progress_latency", description=__doc__
    )
    parser.add_argument("-n", type=int, default=100, help="snapshots per bus (100)")
    parser.add_argument("--interval", type=float, default=0.1, help="s between snapshots")
    parser.add_argument("--bus", choices=["redis", "database", "both"], default="both")
    parser.add_argument("--publish", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--project", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.publish:
        publish_loop(args.project, args.n, args.interval, args.first)
        return 0

    import redis

    from tests.conftest import free_port
    from tests.processes import child_env

    temp = Path(tempfile.mkdtemp(prefix="mn-bench-progress-"))
    port = free_port()  # one port for both: the second start reuses the frontend build
    base = {
        "FRONTEND_PORT": str(port),
        "DATABASE_URL": "",
        "S3_ENDPOINT": "",
        "CRUNCHBASE_API_URL": f"http://127.0.0.1:{free_port()}",
        "TRACXN_API_URL": f"http://127.0.0.1:{free_port()}",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST_KIB": "1024",
    }
    results = {}
    ok = False
    try:
        if args.bus in ("redis", "both"):
            client = redis.Redis.from_url(REDIS_URL)
            client.flushdb()
            env = child_env(**base, VAR_DIR=str(temp / "var-redis"), REDIS_URL=REDIS_URL)
            try:
                results["Redis pub/sub"] = measure("Redis pub/sub", env, port, temp, args)
            finally:
                client.flushdb()
                client.close()
        if args.bus in ("database", "both"):
            env = child_env(**base, VAR_DIR=str(temp / "var-db"), REDIS_URL="")
            results["database polling"] = measure("database polling bus", env, port, temp, args)
        ok = True
    finally:
        if ok:
            shutil.rmtree(temp, ignore_errors=True)
        else:
            print(f"logs kept in {temp}")
    print("\nprogress latency, publish -> DOM (ms):")
    for bus, figures in results.items():
        target = " (target p95 <= 100)" if bus.startswith("Redis") else ""
        print(
            f"  {bus:17} p50 {figures['p50']:5.0f}  p95 {figures['p95']:5.0f}  "
            f"max {figures['max']:5.0f}  never shown {figures['missed']}{target}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Report run times against their critical path, and 20 concurrent runs on two workers.

    .venv/bin/python -m bench.bench_reports [--ai-delay 0.2] [--scraper-latency 0.1]

Everything real except the AI provider: the OpenAI-compatible test server answers every call
from its JSON schema after a fixed delay (`--ai-delay`), and the Crunchbase/Tracxn services
(demo data set, over HTTP) add a fixed latency to every request (`--scraper-latency`). Both
run in a helper process that logs every call (start and end, as the server sees it). Storage
is local; the database is a fresh PostgreSQL database and Redis (db 14) is the broker and the
progress bus (`--embedded` runs part (a) on SQLite and the database-polling bus instead).

(a) Each report type once (`--repeat` for more; the median is printed) through
    `runner.execute` in this process, at each `--fan-out`. Printed per type: the calls made,
    the predecessor's sequential time (the sum of every call: it made them one after another),
    the critical path (the calls grouped into sequential stages -- calls that overlap in time
    form one stage -- summed over the stages of the longest call in each), the wall time, and
    wall / critical path (target <= 1.2 with 200 ms calls, <= 1.1 with 2 s calls; `--target`),
    and the extra time (wall - critical path). Wall is until the run is completed as the user
    sees it: its status, version and card committed and the final progress event published.
    The export files (HTML, Markdown, JSON, PDF, PPTX) are written after that, by the same
    worker (a download meanwhile renders the file from the sections), so they are not in
    wall; the `exports` column is the time from the start until they are all written (the
    next run starts only then). The critical path is measured at fan-out 16, where every call
    of a stage starts at once (the widest stage has 12 calls), and smaller fan-outs are
    compared with it. At fan-out 16 the extra time is the engine's own (database writes and a
    progress event per step change, storage); at the default of 4 it also holds the extra
    rounds of stages wider than 4 (memos with the summaries, 10 social categories, 5 verdict
    axes), which no engine work can remove.
(c) `--concurrent` reports (quick_report and crunchbase alternating, one of each per project)
    enqueued at once on `--workers` real `reports` workers (threads pool, concurrency
    REPORT_WORKER_CONCURRENCY as `make run` starts them, Redis broker): all must complete,
    none lost or run twice; total time, queue waits and run times are printed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.postgres_database import throwaway_database

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PROVIDER = "bench"
TYPES = ("quick_report", "crunchbase", "tracxn", "social", "verdict", "pitch_deck")
FINAL = ("completed", "failed", "cancelled")


# -- the helper process: AI test server and market-data services, with a call log ------------


class CallLog:
    """ASGI wrapper recording (kind, operation, start, end) of every request to an app.

    The end is when the last body chunk is sent, so a streamed answer counts in full.
    """

    def __init__(self, app: Any, kind: str, calls: list, lock: threading.Lock) -> None:
        self.app, self.kind, self.calls, self.lock = app, kind, calls, lock

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"].startswith("/_"):
            return await self.app(scope, receive, send)
        from tests.support.report_stack import operation_of

        start, body = time.time(), bytearray()

        async def receive_logged():
            message = await receive()
            if message["type"] == "http.request":
                body.extend(message.get("body", b""))
            return message

        async def send_logged(message):
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                operation = scope["path"]
                if self.kind == "ai":
                    with contextlib.suppress(ValueError):
                        operation = operation_of(json.loads(bytes(body))) or operation
                with self.lock:
                    self.calls.append((self.kind, operation, start, time.time()))

        await self.app(scope, receive_logged, send_logged)


def serve(var_dir: Path, ai_delay: float, latency: float) -> None:
    """`--serve`: print the servers' addresses as one JSON line, then serve until killed."""
    from fastapi import FastAPI

    from scraper_services.crunchbase.app import create_app as create_crunchbase
    from scraper_services.tracxn.app import create_app as create_tracxn
    from tests.scraper_fixtures import TOKEN, add_latency, make_settings, serve_in_thread
    from tests.support.openai_test_server import OpenAITestServer
    from tests.support.report_stack import use_schema_answers

    calls: list = []
    lock = threading.Lock()
    ai = OpenAITestServer()
    use_schema_answers(ai, PROVIDER)
    ai.set_fixed_delay(PROVIDER, ai_delay)
    ai.app = CallLog(ai.app, "ai", calls, lock)
    ai.start()
    settings = make_settings(var_dir)
    services = {}
    for name, create in (("crunchbase", create_crunchbase), ("tracxn", create_tracxn)):
        app = create(settings, rate_limit_per_minute=1_000_000)
        if latency:
            add_latency(app, latency)
        services[name] = CallLog(app, name, calls, lock)
    control = FastAPI()

    @control.get("/calls")
    def get_calls() -> list:
        with lock:
            return list(calls)

    @control.post("/reset")
    def reset() -> dict:
        with lock:
            calls.clear()
        return {}

    with (
        serve_in_thread(services["crunchbase"]) as crunchbase_url,
        serve_in_thread(services["tracxn"]) as tracxn_url,
        serve_in_thread(control) as control_url,
    ):
        print(
            json.dumps(
                {
                    "ai": ai.base_url(PROVIDER),
                    "crunchbase": crunchbase_url,
                    "tracxn": tracxn_url,
                    "control": control_url,
                    "token": TOKEN,
                }
            ),
            flush=True,
        )
        threading.Event().wait()


@contextlib.contextmanager
def helper(temp: Path, ai_delay: float, latency: float) -> Iterator[dict[str, str]]:
    log = temp / "helper.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "python"), "-m", "bench.bench_reports", "--serve",
             "--ai-delay", str(ai_delay), "--scraper-latency", str(latency),
             "--var", str(temp / "services")],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                lines = [x for x in log.read_text().splitlines() if x.startswith("{")]
                if lines:
                    yield json.loads(lines[0])
                    break
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the helper did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.1)
        finally:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
            if proc.poll() is None:
                proc.kill()


def app_env(addresses: dict[str, str]) -> dict[str, str]:
    from tests.support.report_stack import ai_env

    class _Server:  # ai_env wants something with base_url()
        @staticmethod
        def base_url(_provider: str) -> str:
            return addresses["ai"]

    return {
        **ai_env(_Server(), PROVIDER),  # type: ignore[arg-type]
        "CRUNCHBASE_API_URL": addresses["crunchbase"],
        "TRACXN_API_URL": addresses["tracxn"],
        "SCRAPER_SERVICE_TOKEN": addresses["token"],
    }


# -- figures ------------------------------------------------------------------------------------


@dataclass
class Figures:
    ai_calls: int
    service_calls: int
    sequential: float
    critical: float
    stages: int
    wall: float
    exports: float = 0.0
    breakdown: str = ""


def figures(
    calls: list, wall: float, exports: float = 0.0, started_at: float | None = None
) -> Figures:
    """Sequential time (sum of calls) and critical path (sum over stages of the longest call).

    With `started_at` (the run's start, `time.time()`), `breakdown` says where the extra time
    went: before the first call, between stages, inside stages (a stage lasting longer than
    its longest call: calls started one after another) and after the last call.
    """
    ordered = sorted(calls, key=lambda c: c[2])
    critical, stages, stage_end, longest = 0.0, 0, None, 0.0
    between = inside = 0.0
    stage_start = None
    for _kind, _op, start, end in ordered:
        if stage_end is None or start >= stage_end:  # no overlap: a new sequential stage
            critical += longest
            if stage_end is not None:
                inside += stage_end - stage_start - longest
                between += start - stage_end
            stages += 1
            stage_start, stage_end, longest = start, end, 0.0
        stage_end = max(stage_end, end)
        longest = max(longest, end - start)
    critical += longest
    breakdown = ""
    if started_at is not None and ordered:
        inside += stage_end - stage_start - longest
        lead, tail = ordered[0][2] - started_at, started_at + wall - stage_end
        breakdown = (
            f"before first call {lead * 1000:.0f} ms, between stages {between * 1000:.0f} ms, "
            f"inside stages {inside * 1000:.0f} ms, after last call {tail * 1000:.0f} ms"
        )
    return Figures(
        ai_calls=sum(1 for c in calls if c[0] == "ai"),
        service_calls=sum(1 for c in calls if c[0] != "ai"),
        sequential=sum(end - start for _k, _o, start, end in calls),
        critical=critical,
        stages=stages,
        wall=wall,
        exports=exports,
        breakdown=breakdown,
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


# -- set-up -----------------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    with throwaway_database(PG_ADMIN_URL, "mn_bench") as url:
        try:
            yield url
        finally:
            from marketnav.db import get_engine

            get_engine().dispose()  # its pooled connections would block the DROP


def configure(values: dict[str, str]) -> None:
    os.environ.update(values)
    from tests.conftest import clear_caches

    clear_caches()


def seed(projects_count: int) -> tuple[int, list[int]]:
    from sqlmodel import Session, SQLModel

    import marketnav.models  # noqa: F401
    from marketnav.db import get_engine
    from marketnav.services import accounts, organizations, projects
    from tests.support.report_stack import PET_INPUTS

    engine = get_engine()
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        user = accounts.register(session, "Bench Mark", "bench@example.com", "bench password").user
        session.commit()
        org_id = organizations.list_for_user(session, user)[0][0].id
        ids = []
        for i in range(projects_count):
            project = projects.create(session, user, org_id, f"Bench {i}")
            projects.save_inputs(session, user, project.id, PET_INPUTS)
            session.commit()
            ids.append(project.id)
    return user.id, ids


def start_run(user_id: int, project_id: int, report_type: str) -> int:
    from marketnav.db import session_scope
    from marketnav.models import User
    from marketnav.services.reports import runs

    with session_scope() as session:
        user = session.get(User, user_id)
        return runs.start(session, user, project_id, report_type, confirm_partial=True).id


def reset_calls(control: str) -> None:
    import httpx

    httpx.post(f"{control}/reset").raise_for_status()


def get_calls(control: str) -> list:
    import httpx

    return httpx.get(f"{control}/calls").json()


# -- (a) each type through runner.execute --------------------------------------------------------


UNBOUNDED = 16  # more than the widest stage (12 calls): every independent call starts at once


def part_a(args, addresses: dict[str, str]) -> bool:
    from marketnav.db import session_scope
    from marketnav.models import ReportRun
    from marketnav.services.reports import runner
    from marketnav.services.reports.exports import formats_for

    target = args.target or (1.1 if args.ai_delay >= 2 else 1.2)
    user_id, (project_id,) = seed(1)
    for report_type in TYPES:
        runner.pipeline_for(report_type)  # imports, outside the timings
    # Warm-up (first PDF, first connections), not reported.
    runner.execute(start_run(user_id, project_id, "quick_report"), "bench-warmup")
    ok = True
    # The critical path is measured where nothing waits for a slot (all calls of a stage
    # start together, so the stages are exact); smaller fan-outs are compared with it.
    critical: dict[str, float] = {}
    for fan_out in sorted({UNBOUNDED, *args.fan_out}, reverse=True):
        configure({"REPORT_FAN_OUT": str(fan_out)})
        shown = fan_out in args.fan_out
        if shown:
            print(
                f"\n(a) fan-out {fan_out:<3} {'type':12} {'AI/svc calls':>12} {'stages':>6} "
                f"{'sequential':>10} {'critical':>9} {'wall':>7} {'wall/crit.':>10} "
                f"{'extra':>7} {'exports':>8}",
                flush=True,
            )
        for report_type in TYPES:
            samples: list[Figures] = []
            for _ in range(args.repeat):
                run_id = start_run(user_id, project_id, report_type)
                reset_calls(addresses["control"])
                started, started_at = time.perf_counter(), time.time()
                outcome = runner.execute(run_id, "bench")
                exports = time.perf_counter() - started  # files written: execute returned
                wall = outcome.finished_at - started if outcome.finished_at else exports
                if outcome.status != "completed":
                    with session_scope() as session:
                        run = session.get(ReportRun, run_id)
                        print(f"  {report_type} {outcome.status}: {run.error_message}")
                    ok = False
                    break
                if set(outcome.files) != set(formats_for(report_type)):
                    print(f"  {report_type}: exports written {sorted(outcome.files)}")
                    ok = False
                calls = get_calls(addresses["control"])
                samples.append(figures(calls, wall, exports, started_at))
            if not samples:
                continue
            best = sorted(samples, key=lambda f: f.wall)[len(samples) // 2]  # the median run
            if fan_out == UNBOUNDED:
                critical[report_type] = best.critical
            path = critical.get(report_type, best.critical)
            ratio = best.wall / path
            if shown:
                print(
                    f"{'':18}{report_type:12} {best.ai_calls:>5} / {best.service_calls:<4} "
                    f"{best.stages:>6} {best.sequential:>9.2f}s {path:>8.2f}s "
                    f"{best.wall:>6.2f}s {ratio:>6.2f}x {'ok' if ratio <= target else 'over'}"
                    f" {best.wall - path:>6.2f}s {best.exports:>7.2f}s",
                    flush=True,
                )
                if args.breakdown:
                    print(f"{'':30}{best.breakdown}", flush=True)
    return ok


# -- (c) concurrent runs on real workers -----------------------------------------------------------


def part_c(args, temp: Path) -> bool:
    from sqlmodel import select

    from marketnav.db import session_scope
    from marketnav.models import Report, ReportRun, ReportStep, StepTiming
    from marketnav.settings import get_settings
    from tests.support.report_stack import fresh_report_tasks, reports_worker

    tasks = fresh_report_tasks()
    assert tasks.app.conf.broker_url.startswith("redis://")
    per_worker = get_settings().report_worker_concurrency
    pairs = (args.concurrent + 1) // 2
    user_id, project_ids = seed(pairs)
    with contextlib.ExitStack() as stack:
        for i in range(args.workers):
            stack.enter_context(
                reports_worker(temp, f"reports{i + 1}", concurrency=per_worker, ready_timeout=90)
            )
        wanted = [
            (project_ids[i // 2], "quick_report" if i % 2 == 0 else "crunchbase")
            for i in range(args.concurrent)
        ]
        run_ids = [start_run(user_id, p, t) for p, t in wanted]
        began = time.perf_counter()
        for run_id in run_ids:
            tasks.enqueue(run_id)
        deadline = time.monotonic() + args.timeout
        while True:
            with session_scope() as session:
                rows = session.exec(select(ReportRun).where(ReportRun.id.in_(run_ids))).all()
                done = [r for r in rows if r.status in FINAL]
            if len(done) == len(run_ids) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        total = time.perf_counter() - began
    with session_scope() as session:
        rows = session.exec(
            select(ReportRun, Report).join(Report).where(ReportRun.id.in_(run_ids))
        ).all()
        all_runs = len(session.exec(select(ReportRun.id)).all())
        timings = len(session.exec(select(StepTiming.id)).all())
        steps = len(session.exec(select(ReportStep.id).where(ReportStep.run_id.in_(run_ids))).all())
    statuses: dict[str, int] = {}
    for run, _report in rows:
        statuses[run.status] = statuses.get(run.status, 0) + 1
    completed = [(run, report) for run, report in rows if run.status == "completed"]
    waits = [(r.started_at - r.created_at).total_seconds() for r, _ in completed]
    durations = [(r.completed_at - r.started_at).total_seconds() for r, _ in completed]
    workers: dict[str, int] = {}
    for run, _ in completed:
        name = run.worker.split("@")[0]
        workers[name] = workers.get(name, 0) + 1
    # Nothing lost (every run completed, no extra run) and nothing done twice (one timing
    # per step of every run).
    intact = len(completed) == len(run_ids) == all_runs and timings == steps
    print(
        f"\n(c) {len(run_ids)} reports (quick_report + crunchbase) on {args.workers} workers x "
        f"{per_worker} threads: {statuses}; total {total:.1f} s",
        flush=True,
    )
    if completed:
        print(
            f"    queue wait p50 {statistics.median(waits):.1f} s, max {max(waits):.1f} s; "
            f"run time p50 {statistics.median(durations):.1f} s, p95 "
            f"{percentile(durations, 0.95):.1f} s; runs per worker {workers}"
        )
    for run, report in rows:
        if run.status != "completed":
            print(f"    {report.report_type} run {run.id}: {run.status} {run.error_message}")
    verdict = "ok" if intact else "NOT OK"
    print(f"    runs {all_runs}, steps {steps}, step timings {timings}: {verdict}")
    return intact


# -- main ------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_reports", description=__doc__)
    parser.add_argument("--ai-delay", type=float, default=0.2, help="s per AI call (0.2)")
    parser.add_argument("--scraper-latency", type=float, default=0.1, help="s per request (0.1)")
    parser.add_argument(
        "--fan-out",
        type=lambda v: [int(x) for x in v.split(",")],
        default=[4, 16],
        help="REPORT_FAN_OUT values for part (a), comma-separated (4,16)",
    )
    parser.add_argument(
        "--target", type=float, default=0.0, help="wall/critical target (1.2; 1.1 from 2 s calls)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per type in (a); median")
    parser.add_argument("--embedded", action="store_true", help="(a) on SQLite + polling bus")
    parser.add_argument(
        "--breakdown", action="store_true", help="(a): where the extra time of each run goes"
    )
    parser.add_argument("--concurrent", type=int, default=20, help="runs in part (c) (20)")
    parser.add_argument("--workers", type=int, default=2, help="reports workers in (c) (2)")
    parser.add_argument("--timeout", type=float, default=600, help="s to wait in part (c)")
    parser.add_argument("--skip-a", action="store_true")
    parser.add_argument("--skip-c", action="store_true")
    parser.add_argument("--keep-logs", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--var", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(Path(args.var), args.ai_delay, args.scraper_latency)
        return 0

    sys.path.insert(0, str(ROOT))
    temp = Path(tempfile.mkdtemp(prefix="mn-bench-reports-"))
    began = time.monotonic()
    ok = True
    print(
        f"report bench: AI calls {args.ai_delay * 1000:.0f} ms, market-data requests "
        f"+{args.scraper_latency * 1000:.0f} ms, {os.cpu_count()} cores",
        flush=True,
    )
    try:
        with helper(temp, args.ai_delay, args.scraper_latency) as addresses:
            base = {
                **app_env(addresses),
                "S3_ENDPOINT": "",
                "ARGON2_TIME_COST": "1",
                "ARGON2_MEMORY_COST_KIB": "1024",
                "PYTHONPATH": str(ROOT),
            }
            if not args.skip_a:
                configure({**base, "VAR_DIR": str(temp / "var-a")})
                if args.embedded:
                    configure({"DATABASE_URL": "", "REDIS_URL": ""})
                    print("(a) on SQLite, local storage, database-polling progress bus")
                    ok &= part_a(args, addresses)
                else:
                    ok &= with_postgres_and_redis(lambda: part_a(args, addresses))
            if not args.skip_c:
                configure({**base, "VAR_DIR": str(temp / "var-c"), "REPORT_FAN_OUT": "4"})
                ok &= with_postgres_and_redis(lambda: part_c(args, temp))
    finally:
        if ok and not args.keep_logs:
            shutil.rmtree(temp, ignore_errors=True)
        else:
            print(f"logs kept in {temp}")
    print(f"\ntotal {time.monotonic() - began:.0f} s")
    return 0 if ok else 1


def with_postgres_and_redis(body) -> bool:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    try:
        with fresh_database() as database_url:
            configure({"DATABASE_URL": database_url, "REDIS_URL": REDIS_URL})
            print(f"PostgreSQL {database_url.rsplit('/', 1)[-1]}, Redis {REDIS_URL}", flush=True)
            return body()
    finally:
        client.flushdb()
        client.close()


if __name__ == "__main__":
    sys.exit(main())

"""Market watches at scale: many watched projects refreshed by two beats and two report workers.

    .venv/bin/python -m bench.bench_watchlists [--projects 1000] [--orgs 100] [--changed 100]

Everything real: a fresh PostgreSQL database, Redis (db 13) as the broker and the bus, the
Crunchbase service over HTTP on the demo data set, the offline analyser (no AI key), two real
`celery worker -Q reports` processes (threads, REPORT_WORKER_CONCURRENCY) and two `celery beat`
processes with the database scheduler (the mistake the lease guards against), looking every
second. `--projects` projects in `--orgs` organisations each watch the Crunchbase Analysis
weekly, their owner following with e-mail digests; WATCH_MAX_CONCURRENT_PER_ORG applies.

1. Every watch is made due at once: the time until every project has its new version, the
   refresh throughput (versions a minute), duplicates (a project with two runs for one
   refresh) and skipped schedules (a due watch that did not run).
2. `--changed` projects name another competitor, then every watch is due again: the second
   refresh, the market changes found (only the changed projects may have any), and the
   digests sent by two senders at once (to the outbox folder): one per owner with changes,
   none twice.
Figures only; nothing is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
REPORT = "crunchbase"


def _setup(projects: int, orgs: int) -> list[int]:
    """Owners, projects with the pet-care inputs, a weekly watch each, the owner following."""
    from marketnav.db import session_scope
    from marketnav.services import accounts, organizations
    from marketnav.services import projects as project_service
    from marketnav.services.watching import notifications, schedule
    from tests.support.report_stack import PET_INPUTS

    ids = []
    with session_scope() as db:
        owners = []
        for n in range(orgs):
            email = f"owner{n}@bench.example"
            user = accounts.register(db, f"Owner {n}", email, "bench pass 1").user
            db.flush()
            owners.append((user, organizations.list_for_user(db, user)[0][0].id))
        for n in range(projects):
            user, org_id = owners[n % orgs]
            project = project_service.create(db, user, org_id, f"Pets {n}")
            project_service.save_inputs(db, user, project.id, PET_INPUTS)
            schedule.save(db, user, project.id, [REPORT], "weekly")
            notifications.follow(db, user, project.id)
            ids.append(project.id)
    return ids


def _make_all_due() -> float:
    from sqlalchemy import update

    from marketnav.db import session_scope
    from marketnav.models import MarketWatch
    from marketnav.models.base import utcnow

    now = utcnow()
    with session_scope() as db:
        db.execute(update(MarketWatch).values(next_run_at=now, check_at=now))
    return time.perf_counter()


def _run_counts() -> dict[str, int]:
    from sqlmodel import func, select

    from marketnav.db import session_scope
    from marketnav.models import ReportRun

    with session_scope() as db:
        rows = db.exec(select(ReportRun.status, func.count()).group_by(ReportRun.status)).all()
    return dict(rows)


def _versions_per_project() -> list[int]:
    from sqlmodel import func, select

    from marketnav.db import session_scope
    from marketnav.models import Report, ReportRun

    with session_scope() as db:
        return list(
            db.exec(select(func.count(ReportRun.id)).join(Report).group_by(Report.project_id)).all()
        )


def _wait_refresh(expected_runs: int, started: float, timeout: float) -> tuple[float, list]:
    """Seconds until `expected_runs` runs have finished, and (seconds, finished) samples."""
    samples = []
    while time.perf_counter() - started < timeout:
        counts = _run_counts()
        finished = counts.get("completed", 0) + counts.get("failed", 0)
        samples.append((time.perf_counter() - started, finished))
        if finished >= expected_runs and not counts.get("queued") and not counts.get("running"):
            return time.perf_counter() - started, samples
        time.sleep(1.0)  # a progress sample for the figures, not a synchronisation
    return float("nan"), samples


def _rename_competitors(project_ids: list[int]) -> None:
    from marketnav.db import session_scope
    from marketnav.models import Project, User
    from marketnav.services import projects as project_service
    from tests.support.report_stack import PET_INPUTS

    with session_scope() as db:
        for project_id in project_ids:
            project = db.get(Project, project_id)
            owner = db.get(User, project.created_by_id)
            project_service.save_inputs(
                db, owner, project_id, {**PET_INPUTS, "inspiration_sources": "Uber"}
            )


def _changes() -> tuple[int, int]:
    """(versions with market changes, notifications recorded)."""
    from sqlmodel import func, select

    from marketnav.db import session_scope
    from marketnav.models import Notification, ReportRun

    with session_scope() as db:
        runs = db.exec(select(ReportRun).where(ReportRun.version == 2)).all()
        stored = [(r.data or {}).get("market_changes") or {} for r in runs]
        changed = sum(1 for s in stored if s.get("changes"))
        notes = db.exec(select(func.count(Notification.id))).one()
    return changed, int(notes)


def _digests_twice(outbox: Path) -> tuple[int, int, int]:
    """Two senders at once, then a third run: (messages, files in the outbox, sent by the third)."""
    from marketnav.db import session_scope
    from marketnav.services.watching import digests
    from tests.support.concurrency import at_once

    results = at_once(lambda: digests.send_pending(session_scope))
    again = digests.send_pending(session_scope)
    return sum(r.messages for r in results), len(list(outbox.glob("*.eml"))), again.messages


def _throughput(samples: list, seconds: float, runs: int) -> str:
    """Overall versions a minute, and the median over the whole minutes of the refresh."""
    per_minute = runs / seconds * 60 if seconds == seconds and seconds > 0 else float("nan")
    minutes: list[int] = []
    start_at, start_done = 0.0, 0
    for at, done in samples:
        if at - start_at >= 60:
            minutes.append(done - start_done)
            start_at, start_done = at, done
    steady = statistics.median(minutes) if minutes else float("nan")
    return f"{per_minute:.0f} versions/min overall, median {steady:.0f} a whole minute"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--orgs", type=int, default=100)
    parser.add_argument("--changed", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()

    from tests.conftest import clear_caches
    from tests.processes import celery_worker_args, child_env, running
    from tests.support.postgres_database import throwaway_database
    from tests.support.report_stack import market_services

    with (
        tempfile.TemporaryDirectory() as temp,
        throwaway_database(PG_ADMIN_URL, "mn_bench_watch") as database_url,
    ):
        temp_dir = Path(temp)
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        with market_services(temp_dir / "services", rate_limit_per_minute=10**6) as service_env:
            env = {
                **service_env,
                "DATABASE_URL": database_url,
                "REDIS_URL": REDIS_URL,
                "VAR_DIR": str(temp_dir / "var"),
                "WATCH_DISPATCH_INTERVAL_SECONDS": "1",
                "ARGON2_TIME_COST": "1",
                "ARGON2_MEMORY_COST_KIB": "1024",
                "OPENAI_API_KEY": "",
                "LIARA_API_KEY": "",
                "METIS_API_KEY": "",
            }
            os.environ.update(env)
            clear_caches()
            import subprocess

            subprocess.run(
                [str(BIN / "alembic"), "upgrade", "head"], cwd=ROOT, check=True, env=child_env()
            )
            started = time.perf_counter()
            project_ids = _setup(args.projects, args.orgs)
            print(
                f"{args.projects} watched projects in {args.orgs} organisations "
                f"(set up in {time.perf_counter() - started:.0f} s); "
                f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
            )
            logs = temp_dir / "logs"
            logs.mkdir()
            beat = [str(BIN / "celery"), "-A", "tasks.celery_app", "beat", "--loglevel", "INFO"]
            with contextlib.ExitStack() as stack:
                for name in ("a", "b"):
                    stack.enter_context(
                        running(
                            celery_worker_args("reports", 8, pool="threads", name=f"w{name}@%h"),
                            child_env(),
                            logs / f"worker-{name}.log",
                        )
                    )
                    stack.enter_context(
                        running(
                            [*beat, "-s", str(temp_dir / f"beat-{name}")],
                            child_env(),
                            logs / f"beat-{name}.log",
                        )
                    )
                for cycle in (1, 2):
                    if cycle == 2:
                        _rename_competitors(project_ids[: args.changed])
                    due_at = _make_all_due()
                    seconds, samples = _wait_refresh(args.projects * cycle, due_at, args.timeout)
                    per_project = _versions_per_project()
                    counts = _run_counts()
                    duplicates = sum(1 for n in per_project if n > cycle)
                    skipped = args.projects - sum(1 for n in per_project if n >= cycle)
                    print(
                        f"refresh {cycle}: {args.projects} versions in {seconds:.0f} s "
                        f"({_throughput(samples, seconds, args.projects)}); "
                        f"completed {counts.get('completed', 0)}, "
                        f"failed {counts.get('failed', 0)}; "
                        f"duplicates {duplicates}, skipped {skipped}; "
                        f"load {os.getloadavg()[0]:.1f}"
                    )
            changed, notes = _changes()
            messages, files, again = _digests_twice(temp_dir / "var" / "outbox")
            owners_changed = len({n % args.orgs for n in range(min(args.changed, args.projects))})
            print(
                f"market changes: {changed} of {args.projects} second versions "
                f"({args.changed} had new inputs); {notes} notifications; digests: {messages} "
                f"sent by two senders at once ({files} files, {owners_changed} owners with "
                f"changes), {again} sent again by a third run"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

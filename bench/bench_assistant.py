"""Assistant latency, idle and while 10 reports run: `.venv/bin/python -m bench.bench_assistant`.

Everything real except the AI provider: a fresh PostgreSQL database, Redis (db 14, flushed) as
broker and progress bus, the crunchbase/tracxn services on the demo data set, and the Celery
workers as `make run` starts them (`general` -Q default,ai prefork x2; `reports` -Q reports,
threads). The provider is the OpenAI-compatible test server in its own process, with a fixed
delay before every answer (`--chat-delay`, `--work-delay`) and chat answers streamed word by
word (`--words` words, `--chunk-delay` between them).

One reply is timed from `assistant.post` + `send_task` (what the page does) to its first
`delta` event (first token) and to its `done` event (full reply) on the progress bus. N replies
idle, then N while `--reports` quick_report and crunchbase runs are active (kept topped up from
the database as runs finish; the number actually `running` is printed). The reports worker gets
2 x `--reports` threads so that many runs really run at once (a thread renders its run's
export files after the run completed). Targets: loaded/idle medians <= 1.5,
and the time above the provider's own (its delay to the first token; delay plus the words'
spacing to the full reply) at most 1.2x of it while the reports run (issue #13). It exits
non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.report_load import ReportLoad
from tests.support.postgres_database import throwaway_database
from tests.support.report_stack import PET_INPUTS

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
TOKEN = "bench-service-token"
# One JSON answer valid for every structured call the two report types make: Crunchbase
# keywords, the target description, and markdown sections / memos / summaries.
WORK_ANSWER = {
    "keywords": [
        "pet sitting", "dog walking", "pet care", "pet marketplace",
        "dog boarding", "pet services", "pet supplies", "dog care",
    ],
    "description": (
        "Online marketplaces and apps that connect pet owners with local pet sitters, dog "
        "walkers and boarding services, earning a commission per booking."
    ),
    "markdown": "### Analysis\n\n" + "The scripted model writes from the facts table. " * 20,
    "confidence": 0.8,
}  # fmt: skip
QUESTION = "Who are our three closest competitors, and how should we position against them?"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[:4]} exited with {proc.returncode}")
        time.sleep(0.1)
    raise TimeoutError(f"port {port} did not open in {timeout} s")


class Processes:
    """Child processes, each in its own process group; `stop` ends every group."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.procs: list[tuple[str, subprocess.Popen, object]] = []

    def start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.procs.append((name, proc, log))
        return proc

    def stop(self) -> None:
        # Last started first: the workers stop before the services their tasks call.
        for _name, proc, log in reversed(self.procs):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=5)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # what is left of the group (pool children)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
            log.close()  # type: ignore[attr-defined]


def celery_args(queues: str, name: str, pool: str, concurrency: int) -> list[str]:
    return [
        str(BIN / "celery"), "-A", "tasks.celery_app", "worker", "-Q", queues, "-n", name,
        "--pool", pool, "--concurrency", str(concurrency), "--loglevel", "WARNING",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip


# -- the fake provider, in its own process ------------------------------------------------------


def serve_ai(chat_delay: float, work_delay: float) -> None:
    """`--serve-ai`: the test server with fixed delays; prints its port, runs until SIGTERM."""
    import json

    from tests.support.openai_test_server import OpenAITestServer

    server = OpenAITestServer().start()
    server.set_fixed_delay("chat", chat_delay)
    server.set_fixed_delay("work", work_delay)
    server.set_default_content("work", json.dumps(WORK_ANSWER))
    print(f"port {server.port}", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    stopped.wait()
    server.stop()


def ai_env(port: int) -> dict[str, str]:
    import json

    base = f"http://127.0.0.1:{port}/p"
    providers = [
        {"name": name, "base_url": f"{base}/{name}/v1", "api_key": f"bench-{name}",
         "model": "gpt-4o-mini", "structured_output": "json_schema"}
        for name in ("chat", "work")
    ]  # fmt: skip
    return {
        "AI_EXTRA_PROVIDERS": json.dumps(providers),
        "AI_ROUTE_CHAT": "chat",
        **{f"AI_ROUTE_{f}": "work" for f in ("KEYWORDS", "ANALYSIS", "VERDICT", "PITCH_DECK")},
        "AI_CACHE_TTL_SECONDS": "0",  # every report makes its calls
        "OPENAI_API_KEY": "",
        "LIARA_API_KEY": "",
        "METIS_API_KEY": "",
        "AI_CROSS_CHECK": "",
    }


# -- measurement ------------------------------------------------------------------------------


@dataclass
class Sample:
    posted: float  # `assistant.post` (commit) + `send_task` returned
    picked_up: float  # the worker's `start` event: queue wait and task start
    first_token: float
    full_reply: float
    running_reports: int = -1


@dataclass
class Phase:
    name: str
    samples: list[Sample] = field(default_factory=list)
    cpu_busy: float = 0.0  # share of all cores busy during the phase (from /proc/stat)


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all cores; (0, 0) where /proc/stat is missing."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return 0, 0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total else 0.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


class Chat:
    """Posts questions to one project's thread and times the events of each reply."""

    def __init__(self, user_id: int, project_id: int, ai_url: str, args) -> None:
        self.user_id, self.project_id, self.ai_url, self.args = user_id, project_id, ai_url, args
        self.events: asyncio.Queue = asyncio.Queue()
        self.stop = asyncio.Event()
        self.listener: asyncio.Task | None = None

    async def __aenter__(self) -> Chat:
        from marketnav.services import assistant, progress

        ready = asyncio.Event()

        async def listen() -> None:
            stream = progress.subscribe(assistant.subject(self.project_id), stop=self.stop)
            ready.set()
            async for event in stream:
                await self.events.put((time.perf_counter(), event))

        self.listener = asyncio.create_task(listen())
        await ready.wait()
        await asyncio.sleep(0.5)  # the subscription is live before the first post
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        if self.listener is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.listener, 3)

    def _script_answer(self) -> None:
        """Queue the next chat answer: `--words` words, `--chunk-delay` apart."""
        import httpx

        words = " ".join(f"word{i}" for i in range(self.args.words))
        behaviour = {
            "kind": "content",
            "content": f"Rover and Wag lead. {words}",
            "chunk_delay_seconds": self.args.chunk_delay,
        }
        httpx.post(f"{self.ai_url}/_script/chat", json=[behaviour]).raise_for_status()

    def _post(self) -> int:
        from marketnav.db import session_scope
        from marketnav.models import User
        from marketnav.services import assistant
        from tasks.celery_app import app as celery_app

        with session_scope() as session:
            user = session.get(User, self.user_id)
            _, reply = assistant.post(session, user, self.project_id, QUESTION, [])
            reply_id = reply.id
        celery_app.send_task("tasks.chat.reply", args=[reply_id], queue="ai")
        return reply_id

    async def ask(self) -> Sample:
        await asyncio.to_thread(self._script_answer)
        started = time.perf_counter()
        reply_id = await asyncio.to_thread(self._post)
        posted = time.perf_counter() - started
        first = picked = None
        while True:
            at, event = await asyncio.wait_for(self.events.get(), 60)
            kind = event.get("type")
            if kind == "start" and event.get("id") == reply_id:
                picked = at - started
            elif kind == "delta" and event.get("id") == reply_id and first is None:
                first = at - started
            elif kind in ("done", "failed") and event["message"]["id"] == reply_id:
                message = event["message"]
                if kind == "failed" or message["offline"] or first is None or picked is None:
                    raise RuntimeError(f"reply {reply_id} did not stream: {message}")
                return Sample(posted, picked, first, at - started)


async def measure(args, ai_url: str, ids: dict) -> tuple[Phase, Phase, ReportLoad]:
    idle, loaded = Phase("idle"), Phase(f"{args.reports} reports")
    async with Chat(ids["user"], ids["warmup"], ai_url, args) as chat:
        for _ in range(args.warmup):
            await chat.ask()
    async with Chat(ids["user"], ids["idle"], ai_url, args) as chat:
        cpu = cpu_times()
        for _ in range(args.n):
            idle.samples.append(await chat.ask())
            await asyncio.sleep(args.pause)
        idle.cpu_busy = busy_share(cpu, cpu_times())
    print_phase(idle)
    load = ReportLoad(ids["user"], ids["reports"], args.reports)
    with load:
        deadline = time.monotonic() + 30
        while await asyncio.to_thread(load.running) < args.reports:
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        async with Chat(ids["user"], ids["loaded"], ai_url, args) as chat:
            cpu = cpu_times()
            for _ in range(args.n):
                running = await asyncio.to_thread(load.running)
                sample = await chat.ask()
                sample.running_reports = min(running, await asyncio.to_thread(load.running))
                loaded.samples.append(sample)
                await asyncio.sleep(args.pause)
            loaded.cpu_busy = busy_share(cpu, cpu_times())
    return idle, loaded, load


def print_phase(phase: Phase) -> None:
    def figures(*columns: tuple[str, str]) -> str:
        parts = []
        for label, attr in columns:
            values = [getattr(s, attr) * 1000 for s in phase.samples]
            p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
            parts.append(f"{label} p50 {p50:5.0f} p95 {p95:5.0f}")
        return "  |  ".join(parts)

    print(
        f"{phase.name:11} n={len(phase.samples):<3} "
        + figures(("first token", "first_token"), ("full reply", "full_reply"))
        + "  (ms)\n"
        + " " * 17
        + figures(("  posted", "posted"), (" worker start", "picked_up"))
        + f"  (ms)  CPU {phase.cpu_busy:.0%} of {os.cpu_count()} cores",
        flush=True,
    )


# -- setup ------------------------------------------------------------------------------------


def fresh_database() -> contextlib.AbstractContextManager[str]:
    return throwaway_database(PG_ADMIN_URL, "mn_bench")


def seed(report_projects: int) -> dict:
    """A user, three chat projects (warm-up, idle, loaded) and the report projects."""
    from sqlmodel import Session, SQLModel

    import marketnav.models  # noqa: F401
    from marketnav.db import get_engine
    from marketnav.services import accounts, organizations, projects

    engine = get_engine()
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        user = accounts.register(
            session, "Bench Mark", "bench@example.com", "benchmark password"
        ).user
        session.commit()
        org_id = organizations.list_for_user(session, user)[0][0].id
        ids: dict = {"user": user.id, "reports": []}
        for name in ["warmup", "idle", "loaded"] + [f"r{i}" for i in range(report_projects)]:
            project = projects.create(session, user, org_id, f"Bench {name}")
            projects.save_inputs(
                session, user, project.id, {**PET_INPUTS, "inspiration_sources": "Rover, Wag"}
            )
            session.commit()
            if name.startswith("r"):
                ids["reports"].append(project.id)
            else:
                ids[name] = project.id
    return ids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_assistant", description=__doc__)
    parser.add_argument("-n", type=int, default=15, help="replies per phase (15)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--reports", type=int, default=10, help="concurrent report runs (10)")
    parser.add_argument("--chat-delay", type=float, default=0.3, help="s before the first token")
    parser.add_argument("--work-delay", type=float, default=0.3, help="s per report AI call")
    parser.add_argument("--words", type=int, default=40, help="words in a chat answer")
    parser.add_argument("--chunk-delay", type=float, default=0.01, help="s between words")
    parser.add_argument("--pause", type=float, default=0.2, help="s between questions")
    parser.add_argument("--keep-logs", action="store_true", help="keep the temp dir with logs")
    parser.add_argument("--serve-ai", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_ai:
        serve_ai(args.chat_delay, args.work_delay)
        return 0

    import redis

    temp = Path(tempfile.mkdtemp(prefix="mn-bench-assistant-"))
    broker = redis.Redis.from_url(REDIS_URL)
    broker.flushdb()
    began = time.monotonic()
    ok = False
    try:
        with fresh_database() as database_url:
            cb_port, tx_port = free_port(), free_port()
            env = {
                **os.environ,
                "VAR_DIR": str(temp / "var"),
                "DATABASE_URL": database_url,
                "REDIS_URL": REDIS_URL,
                "S3_ENDPOINT": "",
                "CRUNCHBASE_API_URL": f"http://127.0.0.1:{cb_port}",
                "TRACXN_API_URL": f"http://127.0.0.1:{tx_port}",
                "SCRAPER_SERVICE_TOKEN": TOKEN,
                "SCRAPER_RATE_LIMIT_PER_MINUTE": "100000",
                "ARGON2_TIME_COST": "1",
                "ARGON2_MEMORY_COST_KIB": "1024",
                "PYTHONUNBUFFERED": "1",
                "PYTHONPATH": str(ROOT),
            }
            procs = Processes(env, temp)
            try:
                python = str(BIN / "python")
                ai = procs.start(
                    "ai",
                    [python, "-m", "bench.bench_assistant", "--serve-ai",
                     "--chat-delay", str(args.chat_delay), "--work-delay", str(args.work_delay)],
                )  # fmt: skip
                ai_port = read_port(temp / "ai.log", ai)
                env.update(ai_env(ai_port))
                os.environ.update({k: v for k, v in env.items() if k != "PATH"})
                cb = procs.start(
                    "crunchbase",
                    [python, "-m", "scraper_services.crunchbase", "--port", str(cb_port),
                     "--log-level", "warning"],
                )  # fmt: skip
                tx = procs.start(
                    "tracxn",
                    [python, "-m", "scraper_services.tracxn", "--port", str(tx_port),
                     "--log-level", "warning"],
                )  # fmt: skip
                procs.start("general", celery_args("default,ai", "general@bench", "prefork", 2))
                procs.start(
                    # Twice the runs: a thread that completed a run renders its export files
                    # next (~1 s), and the runs queued meanwhile must not wait for it.
                    "reports",
                    celery_args("reports", "reports@bench", "threads", 2 * args.reports),
                )
                ids = seed(args.reports)
                wait_for_port(cb_port, cb)
                wait_for_port(tx_port, tx)
                print(
                    f"assistant latency: chat provider {args.chat_delay * 1000:.0f} ms to first "
                    f"token, {args.words} words {args.chunk_delay * 1000:.0f} ms apart; report "
                    f"AI calls {args.work_delay * 1000:.0f} ms; {args.n} replies per phase "
                    f"(set-up {time.monotonic() - began:.0f} s)",
                    flush=True,
                )
                idle, loaded, load = asyncio.run(measure(args, f"http://127.0.0.1:{ai_port}", ids))
                print_phase(loaded)
                met = summarise(idle, loaded, load, args)
                ok = True
            finally:
                procs.stop()
                from marketnav.db import get_engine

                get_engine().dispose()
    finally:
        broker.flushdb()
        broker.close()
        if ok and not args.keep_logs:
            shutil.rmtree(temp, ignore_errors=True)
        else:
            print(f"logs kept in {temp}", flush=True)
    print(f"total {time.monotonic() - began:.0f} s")
    return 0 if ok and met else 1


def read_port(log: Path, proc: subprocess.Popen, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            if line.startswith("port "):
                return int(line.split()[1])
        if proc.poll() is not None:
            raise RuntimeError(f"the AI test server exited: {log.read_text()[-2000:]}")
        time.sleep(0.1)
    raise TimeoutError("the AI test server did not start")


def summarise(idle: Phase, loaded: Phase, load: ReportLoad, args) -> bool:
    """Print the figures; True when every target is met."""
    met = True
    running = [s.running_reports for s in loaded.samples]
    print(
        f"reports running during the loaded replies: min {min(running)}, median "
        f"{statistics.median(running):.0f} (target {args.reports}); runs started "
        f"{load.started}; finished "
        + ", ".join(f"{t} {status} {n}" for (t, status), n in sorted(load.finished.items()))
    )
    for error in dict.fromkeys(load.errors):
        print(f"  report problem: {error}")
    for label, attr in (("first token", "first_token"), ("full reply", "full_reply")):
        idle_p50 = statistics.median(getattr(s, attr) for s in idle.samples)
        loaded_p50 = statistics.median(getattr(s, attr) for s in loaded.samples)
        ratio = loaded_p50 / idle_p50
        met &= ratio <= 1.5
        verdict = "ok" if ratio <= 1.5 else "OVER TARGET"
        print(f"loaded/idle median {label:11} {ratio:5.2f}x  (target <= 1.5x: {verdict})")
    # The provider's own time, which no platform work can remove: the ratio above it is ours.
    provider = {
        "first_token": args.chat_delay,
        "full_reply": args.chat_delay + args.words * args.chunk_delay,
    }
    for label, attr in (("first token", "first_token"), ("full reply", "full_reply")):
        for phase in (idle, loaded):
            overhead = statistics.median(getattr(s, attr) for s in phase.samples) / provider[attr]
            if phase is loaded:
                met &= overhead <= 1.2
            verdict = "" if phase is idle else (" ok" if overhead <= 1.2 else " OVER TARGET")
            print(
                f"{phase.name:6} {label:11} median / provider's own {provider[attr] * 1000:4.0f} ms"
                f" = {overhead:4.2f}x  (target loaded <= 1.2x){verdict}"
            )
    return met


if __name__ == "__main__":
    sys.exit(main())

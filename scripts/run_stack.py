"""Start every process of MarketNavigator on this machine and stop them together on Ctrl-C.

Used by `make run`. Starts the scraper services, migrates the database meanwhile (`alembic upgrade
head`), then the Celery workers and the Reflex app (production build; rebuilt only when the UI
sources changed) with WEB_WORKERS backend workers (`--workers N` overrides; automatic: one per
core with Redis, 1 on the embedded defaults), prints the URL, then starts beat (and Flower with
`--flower`), and on SIGINT or SIGTERM stops them all.

It supervises: a child that exits on its own (a crash, an OOM kill, `kill -9`) is logged and
started again after a backoff (1 s, doubling up to 30 s; back to 1 s once a child has run for
a minute), its process group cleared first. A report run whose worker died is resumed by beat
once its heartbeat is stale; the page says meanwhile that no worker reports on it.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
UI_SOURCES = ("marketnav", "assets", "rxconfig.py")
# Inside the build folder, so a rebuild by anything else removes the stamp with it.
BUILD_STAMP = ROOT / ".web" / "build" / "client" / ".mn-build-hash"


def ui_source_hash(port: int) -> str:
    """Hash of everything the compiled frontend depends on (the port is baked into it)."""
    digest = hashlib.sha256(f"port={port}".encode())
    for entry in UI_SOURCES:
        path = ROOT / entry
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


# Restart backoff of a crashed child: first wait, doubling up to the cap; a child that ran
# this long before it exited counts as healthy again (the next wait is the first one).
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 30.0
STABLE_SECONDS = 60.0


def web_workers(settings, requested: int = 0) -> int:
    """Backend workers: `--workers`, else WEB_WORKERS / by cores; always 1 without Redis state."""
    if requested and settings.reflex_redis_url:
        return requested
    if requested > 1:
        log("several backend workers need Reflex state in Redis (REDIS_URL); using 1")
    return settings.web_worker_count


def celery_command(*args: str) -> list[str]:
    """A `celery -A tasks.celery_app ...` command line from this venv."""
    return [str(VENV_BIN / "celery"), "-A", "tasks.celery_app", *args]


def migrate_database(env: dict[str, str]) -> bool:
    """`alembic upgrade head` on the configured database; False (said on stderr) if it failed."""
    result = subprocess.run([str(VENV_BIN / "alembic"), "upgrade", "head"], cwd=ROOT, env=env)
    if result.returncode:
        print("The database migration failed (see above); stopping.", file=sys.stderr)
    return result.returncode == 0


def log(message: str, *, error: bool = False) -> None:
    stamp = time.strftime("%H:%M:%S")
    print(f"[supervisor {stamp}] {message}", file=sys.stderr if error else sys.stdout, flush=True)


@dataclass
class Child:
    name: str
    command: Callable[[], tuple[list[str], dict[str, str]]]
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    quick_failures: int = 0
    restart_at: float | None = None
    nice: int = 0  # added to the child's niceness: batch work yields the CPU to the pages


class Stack:
    """The child processes, each in its own process group so Ctrl-C reaches all of them once.

    `supervise()` (called in the main loop) restarts a child that exited with a backoff.
    """

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.children: list[Child] = []

    @property
    def procs(self) -> list[tuple[str, subprocess.Popen]]:
        return [(c.name, c.proc) for c in self.children if c.proc is not None]

    def start(
        self, name: str, args: list[str], extra_env: dict[str, str] | None = None, nice: int = 0
    ) -> None:
        self.add(name, lambda: (args, extra_env or {}), nice)

    def add(
        self, name: str, command: Callable[[], tuple[list[str], dict[str, str]]], nice: int = 0
    ) -> None:
        child = Child(name, command, nice=nice)
        self.children.append(child)
        self._spawn(child)
        print(f"  started {name} (pid {child.proc.pid})", flush=True)

    def _spawn(self, child: Child) -> None:
        args, extra_env = child.command()
        env = {**self.env, **extra_env}
        niceness = child.nice
        child.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            start_new_session=True,
            preexec_fn=(lambda: os.nice(niceness)) if niceness else None,
        )
        child.started_at, child.restart_at = time.monotonic(), None

    def supervise(self, now: float | None = None) -> None:
        """Schedule a restart for each child that exited; start those whose wait is over."""
        now = time.monotonic() if now is None else now
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    self._spawn(child)
                    log(f"{child.name} restarted (pid {child.proc.pid}, restart {child.restarts})")
                continue
            if child.proc is None or child.proc.poll() is None:
                continue
            code = child.proc.returncode
            # Whatever the dead leader left in its group (pool processes) goes too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.proc.pid, signal.SIGKILL)
            if now - child.started_at >= STABLE_SECONDS:
                child.quick_failures = 0
            delay = min(BACKOFF_FIRST_SECONDS * 2**child.quick_failures, BACKOFF_MAX_SECONDS)
            child.quick_failures += 1
            child.restart_at = now + delay
            log(f"{child.name} exited with code {code}; restarting in {delay:.0f} s", error=True)

    def stop(self) -> None:
        # SIGTERM to each leader lets it shut its own children down (Celery's warm shutdown);
        # whatever is left of a group after the grace period is killed.
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for name, proc in self.procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"  {name} did not stop in time; killing it", flush=True)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        print("All processes stopped.", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--flower", action="store_true", help="also start Flower on 5555")
    parser.add_argument("--no-worker", action="store_true", help="do not start Celery")
    parser.add_argument(
        "--workers", type=int, default=0, help="backend workers of the web app (WEB_WORKERS)"
    )
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from marketnav.settings import get_settings

    settings = get_settings()
    port = settings.frontend_port
    env = {
        **os.environ,
        "PATH": f"{ROOT / '.tools' / 'node_modules' / '.bin'}{os.pathsep}{VENV_BIN}{os.pathsep}"
        + os.environ.get("PATH", ""),
        "REFLEX_USE_SYSTEM_BUN": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_OPLOCK_ENABLED": "true" if settings.state_oplock else "false",
        "PYTHONUNBUFFERED": "1",
        # Celery keeps the working directory on sys.path only while it loads the app; report
        # pipelines are imported later, so the project root must be on the path for good.
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
    }
    if port_open(port):
        print(
            f"Port {port} is already in use: is MarketNavigator already running?", file=sys.stderr
        )
        return 1

    stack = Stack(env)
    stopping = False

    def on_signal(signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    python = str(VENV_BIN / "python")
    for service, url in (
        ("crunchbase", settings.crunchbase_api_url),
        ("tracxn", settings.tracxn_api_url),
    ):
        service_port = str(urlparse(url).port)
        stack.start(
            f"{service}_api",
            [python, "-m", f"scraper_services.{service}", "--port", service_port],
            nice=settings.background_nice,
        )
    # The services use their own stores, not the app's database: they start while it migrates.
    if not migrate_database(env):
        stack.stop()
        return 1
    if not args.no_worker:
        # Chat and upkeep on one worker, report runs on another (threads: runs mostly wait on
        # HTTP), so the assistant stays fast while reports run.
        stack.start(
            "celery-worker",
            celery_command("worker", "-Q", "default,ai", "-n", "general@%h", "--concurrency", "2",
                           "--loglevel", "INFO"),
        )  # fmt: skip
        stack.start(
            "celery-reports",
            celery_command("worker", "-Q", "reports", "-n", "reports@%h", "--pool", "threads",
                           "--concurrency", str(settings.report_worker_concurrency),
                           "--loglevel", "INFO"),
            nice=settings.background_nice,
        )  # fmt: skip

    source_hash = ui_source_hash(port)
    workers = web_workers(settings, args.workers)
    print(f"  web app: {workers} backend worker(s)", flush=True)

    def web_command() -> tuple[list[str], dict[str, str]]:
        built = (ROOT / ".web" / "build" / "client").is_dir()
        if built and BUILD_STAMP.exists() and BUILD_STAMP.read_text() == source_hash:
            # Nothing in the UI changed: serve the existing build (about a second to start).
            return [
                str(VENV_BIN / "granian"),
                "--interface", "asgi", "--factory", "--host", "0.0.0.0", "--port", str(port),
                "--workers", str(workers), "--log-level", "warning", "marketnav.marketnav:app",
            ], {
                "REFLEX_ENV_MODE": "prod",
                "__REFLEX_SKIP_COMPILE": "true",
                "__REFLEX_MOUNT_FRONTEND_COMPILED_APP": "true",
            }  # fmt: skip
        return [str(VENV_BIN / "reflex"), "run", "--env", "prod", "--loglevel", "warning"], {
            "GRANIAN_WORKERS": str(workers)
        }

    stack.add("web", web_command)
    deadline = time.monotonic() + 300
    while not (ready := port_open(port)) and not stopping and time.monotonic() < deadline:
        stack.supervise()  # a child that crashes while the app builds is started again
        time.sleep(0.2)
    if ready:
        if BUILD_STAMP.parent.is_dir():
            BUILD_STAMP.write_text(source_hash)
        if not args.no_worker:
            # Beat only schedules periodic upkeep: started once the page answers, its start-up
            # (about 1.4 s of CPU) does not compete with the processes a user waits for.
            stack.start("celery-beat", celery_command("beat", "--loglevel", "INFO"))
            if args.flower:
                stack.start(
                    "flower", celery_command("flower", "--port=5555", "--address=127.0.0.1")
                )
        print(
            f"\nMarketNavigator is running at http://localhost:{port}/"
            "  (Ctrl-C stops everything)\n",
            flush=True,
        )
    else:
        print("The web app did not start; stopping.", file=sys.stderr)
        stopping = True
    try:
        while not stopping:
            stack.supervise()
            time.sleep(0.5)
    finally:
        stack.stop()
    return 0 if ready else 1


if __name__ == "__main__":
    sys.exit(main())

"""Start every process of MarketNavigator on this machine and stop them together on Ctrl-C.

Used by `make run`. Starts the scraper services, the Celery worker and beat, and the Reflex app
(production build; rebuilt only when the UI sources changed), prints the URL, and on SIGINT or
SIGTERM stops them all. `--flower` adds Flower on 5555.
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


def wait_for_port(port: int, timeout: float, procs: list[subprocess.Popen]) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port):
            return True
        if any(p.poll() is not None for p in procs):
            return False
        time.sleep(0.2)
    return False


class Stack:
    """The child processes, each in its own process group so Ctrl-C reaches all of them once."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list[str], extra_env: dict[str, str] | None = None) -> None:
        env = {**self.env, **(extra_env or {})}
        proc = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True)
        self.procs.append((name, proc))
        print(f"  started {name} (pid {proc.pid})", flush=True)

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
            f"{service}_api", [python, "-m", f"scraper_services.{service}", "--port", service_port]
        )
    if not args.no_worker:
        celery = str(VENV_BIN / "celery")
        # Chat and upkeep on one worker, report runs on another (threads: runs mostly wait on
        # HTTP), so the assistant stays fast while reports run.
        stack.start(
            "celery-worker",
            [celery, "-A", "tasks.celery_app", "worker", "-Q", "default,ai", "-n", "general@%h",
             "--concurrency", "2", "--loglevel", "INFO"],
        )  # fmt: skip
        stack.start(
            "celery-reports",
            [celery, "-A", "tasks.celery_app", "worker", "-Q", "reports", "-n", "reports@%h",
             "--pool", "threads", "--concurrency", str(settings.report_worker_concurrency),
             "--loglevel", "INFO"],
        )  # fmt: skip
        stack.start("celery-beat", [celery, "-A", "tasks.celery_app", "beat", "--loglevel", "INFO"])
        if args.flower:
            stack.start(
                "flower",
                [celery, "-A", "tasks.celery_app", "flower", "--port=5555", "--address=127.0.0.1"],
            )

    source_hash = ui_source_hash(port)
    built = (ROOT / ".web" / "build" / "client").is_dir()
    if built and BUILD_STAMP.exists() and BUILD_STAMP.read_text() == source_hash:
        # Nothing in the UI changed: serve the existing build (about a second to start).
        stack.start(
            "web",
            [
                str(VENV_BIN / "granian"),
                "--interface",
                "asgi",
                "--factory",
                "--host",
                "0.0.0.0",
                "--port",
                str(port),
                "--workers",
                "1",
                "--log-level",
                "warning",
                "marketnav.marketnav:app",
            ],
            {
                "REFLEX_ENV_MODE": "prod",
                "__REFLEX_SKIP_COMPILE": "true",
                "__REFLEX_MOUNT_FRONTEND_COMPILED_APP": "true",
            },
        )
    else:
        stack.start(
            "web", [str(VENV_BIN / "reflex"), "run", "--env", "prod", "--loglevel", "warning"]
        )
    ready = wait_for_port(port, 300, [p for _, p in stack.procs])
    if ready:
        if BUILD_STAMP.parent.is_dir():
            BUILD_STAMP.write_text(source_hash)
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
            for name, proc in stack.procs:
                if proc.poll() is not None:
                    print(f"{name} exited with code {proc.returncode}; stopping.", file=sys.stderr)
                    stopping = True
            time.sleep(0.5)
    finally:
        stack.stop()
    return 0 if ready else 1


if __name__ == "__main__":
    sys.exit(main())

"""Start real project processes (Celery worker, the web app) for integration and e2e tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def child_env(**overrides: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PATH": f"{ROOT / '.tools' / 'node_modules' / '.bin'}{os.pathsep}{BIN}{os.pathsep}"
        + os.environ.get("PATH", ""),
        "REFLEX_USE_SYSTEM_BUN": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT),
    }
    env.update(overrides)
    return env


def wait_for_port(port: int, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before port {port} opened")
        time.sleep(0.2)
    raise TimeoutError(f"port {port} did not open in {timeout} s")


@contextlib.contextmanager
def running(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """Run a process in its own group for the duration of the block, output to `log`."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=15)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


def celery_worker_args(
    queues: str = "default,reports,ai",
    concurrency: int = 2,
    *,
    pool: str = "prefork",
    name: str = "",
) -> list[str]:
    args = [
        str(BIN / "celery"),
        "-A",
        "tasks.celery_app",
        "worker",
        "-Q",
        queues,
        "--pool",
        pool,
        "--concurrency",
        str(concurrency),
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    return [*args, "-n", name] if name else args

"""Start-up benchmark: cold and warm `make run` until everything is ready, and the dashboard.

Cold = no compiled frontend (`.web/` removed), so `make run` compiles and builds it; warm = a
second `make run` with nothing changed (the existing build is served). Both include migrations
and starting the workers, beat and scraper services. "Ready" is the last of: the login page
answers, both market-data services answer `/health`, both Celery workers logged "ready"; each
part's time is printed too (target: warm, all ready, at most 5 s).
Run: `.venv/bin/python -m bench.bench_startup` (add `--keep-web` to skip the cold run and keep
the current build).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# What "ready" means: the page answers, both market-data services answer, and both Celery
# workers said they are ready (a report started then runs at once).
WORKER_READY = {
    "general worker": re.compile(r"general@\S+ ready\."),
    "reports worker": re.compile(r"reports@\S+ ready\."),
}


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1, follow_redirects=True).status_code == 200
    except httpx.HTTPError:
        return False


def timed_start(
    env: dict[str, str], port: int, log: Path
) -> tuple[dict[str, float], subprocess.Popen]:
    """Seconds from `make run` to each part being ready (and "all ready", the last of them)."""
    start = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["make", "run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    probes = {
        "web page (/login)": lambda: _answers(f"http://127.0.0.1:{port}/login"),
        "crunchbase service": lambda: _answers(env["CRUNCHBASE_API_URL"] + "/health"),
        "tracxn service": lambda: _answers(env["TRACXN_API_URL"] + "/health"),
        **{
            name: (lambda p=pattern: bool(p.search(log.read_text(errors="replace"))))
            for name, pattern in WORKER_READY.items()
        },
    }
    ready: dict[str, float] = {}
    while time.perf_counter() - start < 600:
        for name, probe in probes.items():
            if name not in ready and probe():
                ready[name] = time.perf_counter() - start
        if len(ready) == len(probes):
            ready["all ready"] = max(ready.values())
            return ready, proc
        if proc.poll() is not None:
            raise RuntimeError(f"make run exited early:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.05)
    raise TimeoutError(f"not ready in 600 s: {sorted(set(probes) - set(ready))}")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def dashboard_first_render(port: int, runs: int = 10) -> list[float]:
    """Milliseconds from navigation to the dashboard's content being visible, signed in."""
    base = f"http://127.0.0.1:{port}"
    timings: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{base}/register")
        page.fill("#name", "Bench Mark")
        email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
        page.fill("#email", email)
        page.fill("#password", "benchmark password")
        page.fill("#password_confirm", "benchmark password")
        page.click("button[type=submit]")
        page.wait_for_url("**/login")  # registering signs nobody in: log in
        page.fill("#email", email)
        page.fill("#password", "benchmark password")
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=empty-state]")
        for _ in range(runs):
            start = time.perf_counter()
            page.goto(f"{base}/dashboard")
            page.wait_for_selector("[data-testid=empty-state]", state="visible")
            timings.append((time.perf_counter() - start) * 1000)
        browser.close()
    return timings


def report(results: dict[str, float]) -> None:
    """Print the figures so far (a later failure keeps what was measured)."""
    print("MarketNavigator start-up benchmark", flush=True)
    for name, value in results.items():
        print(f"  {name:<46} {value:7.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep-web", action="store_true", help="skip the cold start")
    args = parser.parse_args()
    port = free_port()
    var_dir = Path(tempfile.mkdtemp(prefix="mn-bench-"))
    env = {
        **os.environ,
        "VAR_DIR": str(var_dir),
        "FRONTEND_PORT": str(port),
        "CRUNCHBASE_API_URL": f"http://127.0.0.1:{free_port()}",
        "TRACXN_API_URL": f"http://127.0.0.1:{free_port()}",
    }
    results: dict[str, float] = {}
    log = var_dir / "make-run.log"
    proc = None
    try:
        phases = ["warm", "second warm"]
        if not args.keep_web:
            shutil.rmtree(ROOT / ".web", ignore_errors=True)
            phases.insert(0, "cold (no frontend build)")
        for label in phases:
            ready, proc = timed_start(env, port, log)
            results.update({f"{label}: {name} s": value for name, value in ready.items()})
            report(results)
            if label != phases[-1]:
                stop(proc)
        render = dashboard_first_render(port)
    finally:
        if proc is not None and proc.poll() is None:
            stop(proc)
        shutil.rmtree(var_dir, ignore_errors=True)
    print(
        f"  dashboard first render ms (n={len(render)})  median {statistics.median(render):.0f}"
        f"  min {min(render):.0f}  max {max(render):.0f}"
    )


if __name__ == "__main__":
    main()

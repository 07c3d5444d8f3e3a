"""Start-up benchmark: cold and warm `make run` to a ready page, and dashboard first render.

Cold = no compiled frontend (`.web/` removed), so `make run` compiles and builds it; warm = a
second `make run` with nothing changed (the existing build is served). Both include migrations
and starting the worker, beat and scraper services. Run: `.venv/bin/python -m bench.bench_startup`
(add `--keep-web` to skip the cold run and keep the current build).
"""

from __future__ import annotations

import argparse
import os
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


def timed_start(env: dict[str, str], port: int) -> tuple[float, subprocess.Popen]:
    """Seconds from `make run` to the login page answering with its HTML."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        ["make", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    while time.perf_counter() - start < 600:
        try:
            if (
                httpx.get(
                    f"http://127.0.0.1:{port}/login", timeout=1, follow_redirects=True
                ).status_code
                == 200
            ):
                return time.perf_counter() - start, proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("make run exited early")
        time.sleep(0.1)
    raise TimeoutError("the app did not start in 600 s")


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
        page.fill("#email", f"bench-{uuid.uuid4().hex[:8]}@example.com")
        page.fill("#password", "benchmark password")
        page.fill("#password_confirm", "benchmark password")
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
        print(f"  {name:<36} {value:7.2f}", flush=True)


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
    proc = None
    try:
        if not args.keep_web:
            shutil.rmtree(ROOT / ".web", ignore_errors=True)
            results["cold start (no frontend build) s"], proc = timed_start(env, port)
            report(results)
            stop(proc)
        results["warm start s"], proc = timed_start(env, port)
        report(results)
        stop(proc)
        results["second warm start s"], proc = timed_start(env, port)
        report(results)
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

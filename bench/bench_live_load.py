"""Many clients watching one project while reports run, and the public share page under load.

    flock /tmp/e2e.lock .venv/bin/python -m bench.bench_live_load [--clients 200,50]

The app runs as `make run` runs it on the production-like stack (`tests/support/live_stack.py`:
PostgreSQL, Redis for broker, state, sessions and the progress bus, S3 on moto, two backend
workers, the real reports worker against the OpenAI-compatible test server). One owner and a
few members of one organisation sign in through the real `/_auth/session` route (one-time
code -> HttpOnly cookie); N simulated tabs (`bench/reflex_socket.py`, Reflex's websocket
protocol, each its own client token, sessions shared round-robin) open the project page:
`hydrate_and_load` runs the page's on_load events, whose listeners subscribe to the bus.
The first tab starts four reports (`ReportsState.start`, as the buttons do); the reports
worker runs them. The bench process subscribes to the project's subject and keeps each
snapshot's `published_at` (set by the worker right before it publishes); every tab records
when each (report, run, status, progress) first reached it. Latency = receipt - publish.

Also: RSS of the backend workers before and after the tabs connected (per tab), their CPU
during the runs, Redis memory and clients, errors and disconnects; then the share page
(`bench/live_load_share.py`). Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from bench.live_load_metrics import (
    backend_workers,
    connections_per_process,
    cpu_seconds,
    median,
    percentile,
    print_phase,
    print_round,
    redis_figures,
    round_figures,
    rss_mb,
)
from tests.factories import PET_SITTER_INPUTS

ROOT = Path(__file__).resolve().parent.parent
REPORTS = (
    "reflex___state____state.marketnav___state___session____session_state"
    ".marketnav___state___session____page_state.marketnav___state___reports____reports_state"
)
RUN_TYPES = ("quick_report", "crunchbase", "tracxn", "social")
FINAL = ("completed", "failed", "cancelled")
PASSWORD = "correct horse battery"
INPUTS = {**PET_SITTER_INPUTS, "inspiration_sources": "Rover, Wag"}


def key_of(card: dict) -> tuple[str, int, str, float]:
    return (card["type"], int(card["run_id"]), card["status"], round(float(card["progress"]), 3))


@dataclass
class Tab:
    """What one simulated tab received: first arrival of every card value, in order."""

    first_seen: dict[tuple, float] = field(default_factory=dict)
    order: list[tuple] = field(default_factory=list)
    listening: bool = False
    cards_updates: int = 0

    def on_update(self, at: float, update: dict) -> None:
        values = (update.get("delta") or {}).get(REPORTS)
        if not values:
            return
        if values.get("reports_listening_rx_state_"):
            self.listening = True
        cards = values.get("cards_rx_state_")
        if not cards:
            return
        self.cards_updates += 1
        for card in cards.values():
            if not card.get("run_id"):
                continue
            key = key_of(card)
            if key not in self.first_seen:
                self.first_seen[key] = at
                self.order.append(key)


# -- setup ------------------------------------------------------------------------------------
def set_up(live, members: int) -> dict:
    """Owner, members, a project with its nine answers; a session cookie for each person."""
    import httpx

    from marketnav.db import session_scope
    from marketnav.services import accounts, organizations, projects, sessions
    from marketnav.web import cookies

    tag = uuid.uuid4().hex[:6]
    with session_scope() as db:
        owner = accounts.register(db, "Load Owner", f"owner-{tag}@example.com", PASSWORD).user
        org_id = organizations.list_for_user(db, owner)[0][0].id
        project = projects.create(db, owner, org_id, "Load bench")
        projects.save_inputs(db, owner, project.id, INPUTS)
        users = [owner]
        for n in range(members):
            email = f"member{n}-{tag}@example.com"
            organizations.invite(db, owner, org_id, email, "member")
            user = accounts.register(db, f"Member {n}", email, PASSWORD).user
            organizations.accept_invitations(db, user)
            users.append(user)
        codes = [sessions.create_handoff(db, u.id) for u in users]
        project_id, owner_id = project.id, owner.id
    session_cookies = []
    with httpx.Client(base_url=live.url) as http:
        for code in codes:
            response = http.get(
                cookies.SESSION_ROUTE,
                params={"next": f"/projects/{project_id}"},
                headers={"cookie": f"{cookies.HANDOFF_COOKIE}={code}"},
                follow_redirects=False,
            )
            token = response.cookies.get(cookies.SESSION_COOKIE)
            if not token:
                raise RuntimeError(f"/_auth/session gave no session cookie: {response}")
            session_cookies.append(f"{cookies.SESSION_COOKIE}={token}")
    return {"project_id": project_id, "owner_id": owner_id, "cookies": session_cookies}


# -- one measured phase -----------------------------------------------------------------------
async def watch_runs(live, setup: dict, clients: int, rounds: int) -> dict:
    from bench.reflex_socket import ReflexSocket
    from marketnav.services import progress
    from marketnav.services.reports.tracker import subject_for_project
    from tests.support.report_stack import ProgressRecorder

    port = int(live.url.rsplit(":", 1)[1])
    project_id = setup["project_id"]
    path = f"/projects/{project_id}"
    workers = backend_workers(live.proc.pid)
    redis_url = live.env["REDIS_URL"]
    figures: dict = {"clients": clients, "backend processes": len(workers)}
    figures["rss before MB"] = rss_mb(workers)
    figures["redis before"] = redis_figures(redis_url)

    tabs = [Tab() for _ in range(clients)]
    sockets = [
        ReflexSocket(
            "127.0.0.1",
            port,
            path,
            query={"project_id": str(project_id)},
            cookie=setup["cookies"][n % len(setup["cookies"])],
            on_update=tabs[n].on_update,
        )
        for n in range(clients)
    ]
    gate = asyncio.Semaphore(16)
    connect_ms: list[float] = []

    async def open_one(socket) -> None:
        async with gate:
            started = time.perf_counter()
            try:
                await socket.open(120)
            except Exception as err:
                socket.error = socket.error or f"open: {err!r}"
            connect_ms.append((time.perf_counter() - started) * 1000)

    started = time.monotonic()
    await asyncio.gather(*(open_one(s) for s in sockets))
    # Readiness probe: every listener armed, then a report_status event heard by every tab.
    deadline = time.monotonic() + 300
    while not all(t.listening or s.error for t, s in zip(tabs, sockets, strict=True)):
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    subject = subject_for_project(project_id)
    before = [t.cards_updates for t in tabs]
    while time.monotonic() < deadline:
        await asyncio.to_thread(
            progress.publish, subject, {"type": "report_status", "report_type": RUN_TYPES[0]}
        )
        for _ in range(20):
            await asyncio.sleep(0.1)
            pairs = zip(tabs, before, sockets, strict=True)
            if all(t.cards_updates > b or s.error for t, b, s in pairs):
                break
        else:
            continue
        break
    figures["all connected and listening s"] = time.monotonic() - started
    figures["connect ms"] = connect_ms
    figures["not listening"] = sum(
        1 for t, b in zip(tabs, before, strict=True) if t.cards_updates <= b
    )
    figures["rss after MB"] = rss_mb(workers)
    figures["redis after"] = redis_figures(redis_url)
    figures["connections per worker"] = connections_per_process(workers, port)

    rounds_out = []
    with ProgressRecorder(subject) as bus:
        for _ in range(rounds):
            t0 = time.time()
            cpu0, wall0, load0 = cpu_seconds(workers), time.monotonic(), os.getloadavg()
            for report_type in RUN_TYPES:
                sockets[0].send(
                    f"{REPORTS}.start", {"report_type": report_type, "confirm_partial": True}
                )
            finished: dict[str, str] = {}
            run_deadline = time.monotonic() + 1200
            while len(finished) < len(RUN_TYPES) and time.monotonic() < run_deadline:
                await asyncio.sleep(0.5)
                for event in bus.snapshot():
                    if (
                        event.get("type") == "report_progress"
                        and float(event.get("published_at", 0)) >= t0
                        and event.get("status") in FINAL
                    ):
                        finished[event["report_type"]] = event["status"]
            # The final snapshots reach the tabs right after the bench heard them: wait for
            # them (a tab that never gets one counts it as missed).
            final_keys = [
                (e["report_type"], int(e["run_id"]), e["status"], round(float(e["progress"]), 3))
                for e in bus.snapshot()
                if e.get("type") == "report_progress"
                and e.get("status") in FINAL
                and float(e.get("published_at", 0)) >= t0
            ]
            settle = time.monotonic() + 15
            while time.monotonic() < settle and not all(
                k in t.first_seen for t in tabs for k in final_keys
            ):
                await asyncio.sleep(0.1)
            wall = time.monotonic() - wall0
            cpu = cpu_seconds(workers) - cpu0
            published: dict[tuple, float] = {}
            for event in bus.snapshot():
                if event.get("type") != "report_progress":
                    continue
                at = float(event.get("published_at", 0))
                if at < t0:
                    continue
                key = (event["report_type"], int(event["run_id"]), event["status"])
                key += (round(float(event["progress"]), 3),)
                published.setdefault(key, at)
            rounds_out.append(
                round_figures(tabs, published, finished, wall, cpu, load0, os.getloadavg())
            )
            rounds_out[-1]["rss MB"] = rss_mb(workers)
            print_round(rounds_out[-1])
    figures["rounds"] = rounds_out
    figures["errors"] = [s.error for s in sockets if s.error]
    figures["new tokens"] = sum(s.new_tokens for s in sockets)
    for socket in sockets:
        await socket.close()
    return figures


# -- share page -------------------------------------------------------------------------------
async def share_phase(live, setup: dict, completed: list[str], args) -> None:
    from bench import live_load_share as share
    from marketnav.db import session_scope
    from marketnav.models import User
    from marketnav.services import share_links

    if not completed:
        print("\nshare page: no report completed, nothing to share", flush=True)
        return
    with session_scope() as db:
        owner = db.get(User, setup["owner_id"])
        public = share_links.create(db, owner, setup["project_id"], completed[0]).token
        protected = share_links.create(
            db, owner, setup["project_id"], completed[0], password=PASSWORD
        ).token
    levels = [int(x) for x in args.share_levels.split(",")]
    print(f"\nshare page ({completed[0]} report), {args.share_seconds:.0f} s per level:")
    cases = [
        ("HTML shell only (GET)", public, False, "html", ""),
        ("public link, page view", public, True, "ready", ""),
        ("protected, password form", protected, True, "password", ""),
        ("protected, unlocked session", protected, True, "ready", PASSWORD),
    ]
    for label, token, websocket, expect, password in cases:
        results = await share.sweep(
            live.url,
            token,
            levels,
            args.share_seconds,
            websocket=websocket,
            expect=expect,
            password=password,
            label=label,
        )
        best = share.held(results)
        said = (
            f"{best.rps:.0f} views/s at c={best.concurrency} (p95 {best.p95:.0f} ms)"
            if best
            else "none under the target"
        )
        print(f"  => {label}: holds {said}; load average {os.getloadavg()[0]:.1f}", flush=True)


async def run(args, live) -> None:
    setup = await asyncio.to_thread(set_up, live, args.members)
    completed: list[str] = []
    for clients in [int(x) for x in args.clients.split(",")]:
        print(f"\n{clients} tabs on the project page, {args.rounds} round(s) of {RUN_TYPES}:")
        figures = await watch_runs(live, setup, clients, args.rounds)
        print_phase(figures)
        rounds = figures["rounds"]
        all_lat = [x for r in rounds for x in r["latencies"]]
        p95s = [percentile(r["latencies"], 0.95) for r in rounds]
        cpu = median([r["backend cpu cores"] for r in rounds])
        print(
            f"  {clients} tabs, all rounds: p50 {median(all_lat):.0f} ms, p95 "
            f"{percentile(all_lat, 0.95):.0f} ms, max {max(all_lat, default=float('nan')):.0f} ms;"
            f" median of round p95s {median(p95s):.0f} ms; backend CPU median {cpu:.2f} cores",
            flush=True,
        )
        for r in rounds:
            completed += [t for t, s in r["finished"].items() if s == "completed"]
    if not args.skip_share:
        order = [t for t in ("crunchbase", "tracxn", "quick_report", "social") if t in completed]
        await share_phase(live, setup, order, args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_live_load", description=__doc__)
    parser.add_argument("--clients", default="200", help="tab counts, comma-separated (200)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of four runs per count")
    parser.add_argument("--members", type=int, default=4, help="signed-in members besides owner")
    parser.add_argument("--ai-delay", type=float, default=0.3, help="s per AI call of a run")
    parser.add_argument("--share-levels", default="1,2,4,8,16,32,64")
    parser.add_argument("--share-seconds", type=float, default=8.0)
    parser.add_argument("--skip-share", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.conftest import clear_caches
    from tests.support.live_stack import live_stack

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the moto server's access log
    temp = Path(tempfile.mkdtemp(prefix="mn-bench-load-"))
    print(f"load average at start {os.getloadavg()}", flush=True)
    extra = {"REPORT_FAN_OUT": "2"}
    with live_stack(
        temp, redis=True, web_workers=2, ai_delay=args.ai_delay, extra_env=extra
    ) as live:
        os.environ.update({k: v for k, v in live.env.items() if k not in ("PATH",)})
        clear_caches()
        asyncio.run(run(args, live))
    return 0


if __name__ == "__main__":
    sys.exit(main())

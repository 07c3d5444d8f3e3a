"""Reloads of a share page with the same Reflex client token, on two backend workers.

    flock /tmp/e2e.lock .venv/bin/python -m bench.bench_share_reload [--reloads 20]

A browser keeps its client token across a reload (sessionStorage), so a reload closes the
websocket (Socket.IO disconnect) and opens a new one with the same token, maybe on the other
backend worker. This bench does that with `bench/reflex_socket.py` on a public link and on a
protected link unlocked by that token, with 0, 0.2 and 1 s between close and reconnect, and
prints each reload's time to the share status and what it showed. Two things to look for:
reloads that wait ~10 s (Reflex's state lock expiry) and reloads where the server saw the
token still in use and handed out a fresh one (`new_token`: a fresh state). An unlocked link
is kept by its HttpOnly grant cookie, not by the state, so it must show "ready" even then; the
third case reloads with a fresh client token every time to show that. Figures only.
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
from pathlib import Path

from bench import live_load_share as share
from bench.bench_live_load import PASSWORD, REPORTS, Tab, set_up
from bench.reflex_socket import ReflexSocket

ROOT = Path(__file__).resolve().parent.parent


async def _reload(
    port: int, token: str, visitor: share.Visitor, pause: float
) -> tuple[str, float, int]:
    done: asyncio.Future = asyncio.get_running_loop().create_future()

    def on_update(_at: float, update: dict) -> None:
        status = share.share_status(update)
        if status and not done.done():
            done.set_result(status)

    socket = ReflexSocket(
        "127.0.0.1",
        port,
        f"/share/{token}",
        query={"token": token},
        token=visitor.client_token or str(uuid.uuid4()),  # "": a fresh token every reload
        cookie=visitor.cookie,
        on_update=on_update,
    )
    started = time.perf_counter()
    await socket.open()
    status = await asyncio.wait_for(done, 60)
    took = (time.perf_counter() - started) * 1000
    if pause:
        await asyncio.sleep(pause)
    await socket.close()
    return status, took, socket.new_tokens


async def run(live, reloads: int) -> None:
    from marketnav.db import session_scope
    from marketnav.models import User
    from marketnav.services import share_links
    from marketnav.services.reports.tracker import subject_for_project
    from tests.support.report_stack import ProgressRecorder

    setup = await asyncio.to_thread(set_up, live, 0)
    port = int(live.url.rsplit(":", 1)[1])
    project_id = setup["project_id"]
    with ProgressRecorder(subject_for_project(project_id)) as bus:
        tab = ReflexSocket(
            "127.0.0.1",
            port,
            f"/projects/{project_id}",
            query={"project_id": str(project_id)},
            cookie=setup["cookies"][0],
            on_update=(seen := Tab()).on_update,
        )
        await tab.open()
        while not seen.listening:  # the page's on_load ran (its listener is armed)
            await asyncio.sleep(0.05)
        tab.send(f"{REPORTS}.start", {"report_type": "quick_report", "confirm_partial": True})
        while not any(e.get("status") == "completed" for e in bus.snapshot()):
            await asyncio.sleep(0.2)
        await tab.close()
    with session_scope() as db:
        owner = db.get(User, setup["owner_id"])
        public = share_links.create(db, owner, project_id, "quick_report").token
        protected = share_links.create(
            db, owner, project_id, "quick_report", password=PASSWORD
        ).token
    cases = (
        ("public", public, ""),
        ("unlocked", protected, PASSWORD),
        ("unlocked, fresh token", protected, PASSWORD),  # e.g. after a phone's network drop
    )
    for label, token, password in cases:
        for pause in (0.0, 0.2, 1.0):
            visitor = (
                await share.unlock("127.0.0.1", port, token, password)
                if password
                else share.Visitor(str(uuid.uuid4()), "")
            )
            if "fresh" in label:
                visitor = share.Visitor("", visitor.cookie)
            views = [await _reload(port, token, visitor, pause) for _ in range(reloads)]
            times = [took for _, took, _ in views]
            stalls = sum(1 for t in times if t > 5000)
            fresh = sum(n for _, _, n in views)
            shown = sorted({status for status, _, _ in views})
            print(
                f"  {label:21} pause {pause:3.1f} s: median {share.percentile(times, 0.5):5.0f} ms"
                f"  max {max(times):6.0f} ms  stalls > 5 s {stalls}/{reloads}  fresh tokens "
                f"{fresh}  shown {shown}",
                flush=True,
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_share_reload", description=__doc__)
    parser.add_argument("--reloads", type=int, default=20)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.conftest import clear_caches
    from tests.support.live_stack import live_stack

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    temp = Path(tempfile.mkdtemp(prefix="mn-bench-reload-"))
    with live_stack(temp, redis=True, web_workers=2, ai_delay=0.1) as live:
        os.environ.update({k: v for k, v in live.env.items() if k != "PATH"})
        clear_caches()
        asyncio.run(run(live, args.reloads))
    return 0


if __name__ == "__main__":
    sys.exit(main())

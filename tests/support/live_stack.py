"""The whole app on the production-like stack, started by the README's run script.

`live_stack(temp, redis=True, web_workers=2)`: a fresh PostgreSQL database (migrated), Redis
for the broker, Reflex state, sessions and the progress bus, S3 on moto, the OpenAI-compatible
test server answering every report request from its schema (`ai_delay` seconds per call, so a
run lasts long enough to watch), and `scripts/run_stack.py` with WEB_WORKERS backend workers,
the Celery workers, beat and the market-data services. `redis=False` gives the embedded
defaults (SQLite, the database-polling bus, state in one process).

Used by the live e2e tests (`tests/e2e/test_live_stack.py`), the supervisor test and
`bench/bench_live_progress.py`. Callers hold `/tmp/e2e.lock` (the frontend build is shared).
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.processes import child_env, running, wait_for_port
from tests.support.openai_test_server import OpenAITestServer
from tests.support.postgres_database import throwaway_database
from tests.support.report_stack import ai_env, use_schema_answers

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
# Redis database of the live stack (Reflex state goes to the next one); the app's own keys
# also carry a prefix derived from the database URL.
LIVE_REDIS_DB = 9
PROVIDER = "analyst"


@dataclass
class LiveStack:
    url: str
    env: dict[str, str]
    var_dir: Path
    log: Path
    proc: subprocess.Popen
    ai: OpenAITestServer

    def tail(self, chars: int = 6000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def wait_for_workers(self, names: tuple[str, ...] = ("general", "reports"), after: int = 0):
        """Until each Celery worker logged `<name>@host ready.` (past byte `after` of the log)."""
        pattern = [re.compile(rf"{name}@\S+ ready\.") for name in names]
        deadline = time.monotonic() + 180
        while not all(p.search(self.log.read_text(errors="replace")[after:]) for p in pattern):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"workers {names} not ready:\n{self.tail()}")
            time.sleep(0.1)


def _postgres() -> contextlib.AbstractContextManager[str]:
    return throwaway_database(PG_ADMIN_URL, "mn_live")


@contextlib.contextmanager
def _redis(db: int) -> Iterator[str]:
    import redis

    url = f"redis://127.0.0.1:6379/{db}"
    clients = [redis.Redis.from_url(f"redis://127.0.0.1:6379/{n}") for n in (db, db + 1)]
    for client in clients:
        client.flushdb()
    try:
        yield url
    finally:
        for client in clients:
            client.flushdb()
            client.close()


@contextlib.contextmanager
def _s3() -> Iterator[dict[str, str]]:
    from moto.server import ThreadedMotoServer

    from tests.conftest import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield {
            "S3_ENDPOINT": f"http://127.0.0.1:{port}",
            "S3_ACCESS_KEY": "test",
            "S3_SECRET_KEY": "test-secret",
            "S3_BUCKET": f"mn-live-{uuid.uuid4().hex[:8]}",
        }
    finally:
        server.stop()


@contextlib.contextmanager
def live_stack(
    temp: Path,
    *,
    redis: bool = True,
    web_workers: int = 2,
    ai_delay: float = 0.3,
    extra_env: dict[str, str] | None = None,
    port: int = 0,
) -> Iterator[LiveStack]:
    from tests.conftest import free_port

    var_dir = temp / ("var-redis" if redis else "var-embedded")
    var_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    with contextlib.ExitStack() as stack:
        ai = stack.enter_context(OpenAITestServer())
        use_schema_answers(ai, PROVIDER)
        ai.set_fixed_delay(PROVIDER, ai_delay)
        env = {
            "VAR_DIR": str(var_dir),
            "FRONTEND_PORT": str(port),
            "APP_URL": f"http://127.0.0.1:{port}",
            "CRUNCHBASE_API_URL": f"http://127.0.0.1:{free_port()}",
            "TRACXN_API_URL": f"http://127.0.0.1:{free_port()}",
            "SCRAPER_SERVICE_TOKEN": "live-stack-token",
            "ARGON2_TIME_COST": "1",
            "ARGON2_MEMORY_COST_KIB": "1024",
            "WEB_WORKERS": str(web_workers),
            "REPORT_WORKER_CONCURRENCY": "4",
            **ai_env(ai, PROVIDER),
        }
        if redis:
            env["DATABASE_URL"] = stack.enter_context(_postgres())
            env["REDIS_URL"] = stack.enter_context(_redis(LIVE_REDIS_DB))
            env.update(stack.enter_context(_s3()))
        else:
            env.update({"DATABASE_URL": "", "REDIS_URL": "", "S3_ENDPOINT": ""})
        env.update(extra_env or {})
        env = child_env(**env)
        # run_stack.py migrates the database, as `make run` does.
        log = var_dir / "stack.log"
        proc = stack.enter_context(running([sys.executable, "scripts/run_stack.py"], env, log))
        try:
            wait_for_port(port, 600, proc)
        except Exception:
            print(log.read_text(errors="replace")[-6000:])
            raise
        live = LiveStack(f"http://127.0.0.1:{port}", env, var_dir, log, proc, ai)
        live.wait_for_workers()
        try:
            yield live
        except BaseException:
            print(f"--- stack log ---\n{live.tail()}")
            raise


# -- in the browser -----------------------------------------------------------------------

# Records, in the page, every progress value and card status of one report as it appears in
# the DOM, with the time (performance.timeOrigin + now(): the epoch clock of `published_at`).
RECORDER = """
(type) => {
  window.__live = {progress: [], status: []};
  const now = () => performance.timeOrigin + performance.now();
  const look = () => {
    const card = document.querySelector(`[data-testid=report-card-${type}]`);
    if (!card) return;
    const status = card.getAttribute('data-status');
    const seen = window.__live.status;
    if (!seen.length || seen[seen.length - 1][0] !== status) seen.push([status, now()]);
    const text = document.querySelector(`[data-testid=progress-${type}]`);
    const found = text && /^\\s*(\\d+(?:\\.\\d+)?)%/.exec(text.textContent || '');
    if (found) {
      const value = parseFloat(found[1]);
      const shown = window.__live.progress;
      if (!shown.length || shown[shown.length - 1][0] !== value) shown.push([value, now()]);
    }
  };
  new MutationObserver(look).observe(document.body,
    {subtree: true, childList: true, characterData: true, attributes: true});
  look();
}
"""


def record_progress(page, report_type: str) -> None:
    page.evaluate(RECORDER, report_type)


def recorded(page) -> dict[str, list[list[float | str]]]:
    return page.evaluate("window.__live")

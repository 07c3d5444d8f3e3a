"""Real report runs for integration tests and benchmarks: workers, services, AI, progress.

- `schema_answer(body)`: a valid answer for any structured AI request the report pipelines
  make, built from the JSON schema in the request (plus the few rules a schema cannot say,
  such as "8-12 keywords of two or three words"). `use_schema_answers(server, provider)`
  makes the OpenAI test server answer that way when nothing is scripted.
- `ai_env(server, provider)`: the settings (environment variables) that route every AI
  feature to the test server, without the answer cache (every run really calls it).
- `market_services(var_dir, latency)`: the Crunchbase and Tracxn services over real HTTP on
  their demo data set, optionally with a fixed latency per request.
- `reports_worker(...)`: a real `celery worker -Q reports --pool threads`, as `run_stack.py`
  starts it, waiting until it is ready; `Worker.kill()` SIGKILLs it.
- `ProgressRecorder(subject)`: every event published on the progress bus for a subject, with
  the time it arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.processes import celery_worker_args, child_env, running
from tests.support.openai_test_server import Behaviour, OpenAITestServer

MODEL_MARKDOWN = (
    "### Analysis\n\nWritten by the scripted test model from the data it was given: "
    "three findings, one table and a recommendation.\n\n| Finding | Evidence |\n|---|---|\n"
    "| Demand | The project inputs |"
)
MODEL_KEYWORDS = [
    "pet sitting",
    "dog walking",
    "pet care",
    "pet marketplace",
    "dog boarding",
    "pet services",
    "pet supplies",
    "dog care",
]
SOCIAL_KEYWORDS = ["dog walker app", "#petsitting", "best pet sitter"]
TARGET_DESCRIPTION = (
    "Online marketplaces where pet owners book trusted local dog walkers and pet sitters "
    "through a mobile app, earning a commission per booking."
)
PET_INPUTS = {
    "startup_name": "PawPal",
    "startup_description": (
        "PawPal is an online marketplace for pet sitting and dog walking: pet owners book "
        "trusted local sitters and dog walkers through a mobile app."
    ),
    "target_audience": "Urban dog and cat owners who travel or work long hours",
    "current_stage": "mvp",
    "business_model": "15% commission per booking",
    "geographic_focus": "Western Europe",
    "research_goal": "Who are the competitors in pet care and how are they funded?",
    "time_range": "Last 5 years",
}
TEXT = (
    "Evidence-based finding from the test data set: demand is visible in the project "
    "inputs and the competitor data."
)


# -- AI answers ---------------------------------------------------------------------------


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        return _resolve(root.get("$defs", {}).get(name, {}), root)
    for key in ("anyOf", "oneOf", "allOf"):
        options = [o for o in schema.get(key, []) if o.get("type") != "null"]
        if options:
            merged = {k: v for k, v in schema.items() if k != key}
            return {**merged, **_resolve(options[0], root)}
    return schema


def _string(name: str, schema: dict[str, Any]) -> str:
    if schema.get("enum"):
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    lowered = name.lower()
    if "markdown" in lowered or "content" in lowered or "body" in lowered:
        text = MODEL_MARKDOWN
    elif lowered == "description":
        text = TARGET_DESCRIPTION
    elif lowered in ("name", "title", "company", "source", "axis", "risk_id", "id"):
        text = f"Test {name.replace('_', ' ')}"
    else:
        text = TEXT
    low, high = schema.get("minLength", 0), schema.get("maxLength", 100_000)
    while len(text) < low:
        text += " " + TEXT
    return text[:high]


def _number(schema: dict[str, Any], integer: bool) -> float | int:
    low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
    high = schema.get("maximum", schema.get("exclusiveMaximum", low + 100))
    value = low + (high - low) * 0.7
    return int(value) if integer else round(value, 3)


def _value(
    name: str, schema: dict[str, Any], root: dict[str, Any], operation: str, index: int = 0
) -> Any:
    schema = _resolve(schema, root)
    if schema.get("enum"):
        return schema["enum"][0]
    if name == "keywords":
        return list(SOCIAL_KEYWORDS if "social" in operation else MODEL_KEYWORDS)
    if name == "axis":  # verdict scoring: the step is `scoring_<axis>`
        return operation.rsplit("_", 1)[-1]
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next(k for k in kind if k != "null")
    if kind == "object":
        properties = schema.get("properties", {})
        return {k: _value(k, v, root, operation, index) for k, v in properties.items()}
    if kind == "array":
        count = max(schema.get("minItems", 3), 1)
        count = min(count, schema.get("maxItems", count))
        item = schema.get("items", {"type": "string"})
        singular = name[:-1] if name.endswith("s") else name
        return [_value(singular, item, root, operation, i) for i in range(count)]
    if kind == "integer":
        if name in ("week", "number", "rank", "position", "index"):
            return index + 1  # items numbered 1, 2, 3 ...
        return _number(schema, integer=True)
    if kind == "number":
        return _number(schema, integer=False)
    if kind == "boolean":
        return False
    return _string(name, schema)


def _pitch_deck(_schema: dict[str, Any]) -> dict[str, Any]:
    from marketnav.services.reports.catalog import PITCH_SLIDES

    bullets = ["Evidence from the market data", "A clear next step", "One number that matters"]
    return {"slides": [{"title": t, "bullets": bullets, "notes": TEXT} for t in PITCH_SLIDES]}


# Answers that depend on rules a JSON schema cannot express.
OVERRIDES: dict[str, Callable[[dict[str, Any]], Any]] = {"pitch_deck_slides": _pitch_deck}


def request_schema(body: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(operation name, JSON schema) of a structured request, or None for plain chat."""
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        spec = fmt["json_schema"]
        return spec.get("name", ""), spec.get("schema", {})
    for tool in body.get("tools") or []:
        function = tool.get("function", {})
        return function.get("name", ""), function.get("parameters", {})
    return None


def schema_answer(body: dict[str, Any]) -> str:
    """A JSON answer valid for the request's schema (plain text for a plain request)."""
    found = request_schema(body)
    if found is None:
        return MODEL_MARKDOWN
    operation, schema = found
    if operation in OVERRIDES:
        return json.dumps(OVERRIDES[operation](schema))
    return json.dumps(_value("answer", schema, schema, operation))


def operation_of(body: dict[str, Any]) -> str:
    found = request_schema(body)
    return found[0] if found else ""


def use_schema_answers(
    server: OpenAITestServer, provider: str, delays: dict[str, float] | None = None
) -> None:
    """Answer every unscripted request of `provider` from its schema.

    `delays` maps an operation-name prefix ("quick_", "crunchbase_keywords") to seconds the
    answer takes (on top of the server's fixed delay for the provider).
    """

    def respond(body: dict[str, Any]) -> Behaviour:
        operation = operation_of(body)
        delay = next((d for p, d in (delays or {}).items() if operation.startswith(p)), 0.0)
        return Behaviour(kind="content", content=schema_answer(body), delay_seconds=delay)

    server.set_responder(provider, respond)


def ai_env(server: OpenAITestServer, provider: str = "analyst") -> dict[str, str]:
    """Environment routing every AI feature to `provider` on the test server."""
    entry = {
        "name": provider,
        "base_url": server.base_url(provider),
        "api_key": f"test-key-{provider}",
        "model": "gpt-4o-mini",
        "structured_output": "json_schema",
    }
    env = {
        "AI_EXTRA_PROVIDERS": json.dumps([entry]),
        "OPENAI_API_KEY": "",
        "LIARA_API_KEY": "",
        "METIS_API_KEY": "",
        "AI_CACHE_TTL_SECONDS": "0",
        "AI_CROSS_CHECK": "",
        "AI_RETRY_BACKOFF_SECONDS": "0.05",
        "AI_RETRY_BACKOFF_MAX_SECONDS": "0.2",
        "AI_TIMEOUT_SECONDS": "60",
    }
    for feature in ("chat", "keywords", "analysis", "verdict", "pitch_deck"):
        env[f"AI_ROUTE_{feature.upper()}"] = provider
    return env


# -- market-data services -----------------------------------------------------------------


@contextlib.contextmanager
def market_services(
    var_dir: Path, latency: float = 0.0, rate_limit_per_minute: int | None = None
) -> Iterator[dict[str, str]]:
    """Both services on the demo data set over HTTP; yields the app's environment for them.

    `rate_limit_per_minute` raises the per-caller limit (a benchmark's many runs all call from
    one address)."""
    from scraper_services.crunchbase.app import create_app as create_crunchbase
    from scraper_services.tracxn.app import create_app as create_tracxn
    from tests.scraper_fixtures import TOKEN, add_latency, make_settings, serve_in_thread

    settings = make_settings(var_dir)
    limit = {"rate_limit_per_minute": rate_limit_per_minute} if rate_limit_per_minute else {}
    apps = [create_crunchbase(settings, **limit), create_tracxn(settings, **limit)]
    if latency:
        for app in apps:
            add_latency(app, latency)
    with serve_in_thread(apps[0]) as crunchbase_url, serve_in_thread(apps[1]) as tracxn_url:
        yield {
            "CRUNCHBASE_API_URL": crunchbase_url,
            "TRACXN_API_URL": tracxn_url,
            "SCRAPER_SERVICE_TOKEN": TOKEN,
        }


# -- Celery -------------------------------------------------------------------------------


def fresh_report_tasks():
    """`tasks.reports` bound to a Celery app built from the current settings."""
    for name in ("tasks.reports", "tasks.chat", "tasks.maintenance", "tasks.celery_app"):
        sys.modules.pop(name, None)
    return importlib.import_module("tasks.reports")


@dataclass
class Worker:
    name: str
    proc: subprocess.Popen
    log: Path

    def kill(self) -> None:
        """SIGKILL the whole worker (its process group): no shutdown, no acks."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


@contextlib.contextmanager
def reports_worker(
    log_dir: Path,
    name: str = "reports",
    *,
    concurrency: int = 2,
    queues: str = "reports",
    env: dict[str, str] | None = None,
    ready_timeout: float = 60.0,
) -> Iterator[Worker]:
    """A threads-pool worker on `queues` (as run_stack.py starts it), ready when yielded."""
    log = log_dir / f"worker-{name}.log"
    args = celery_worker_args(queues, concurrency, pool="threads", name=f"{name}@%h")
    with running(args, child_env(**(env or {})), log) as proc:
        worker = Worker(name, proc, log)
        deadline = time.monotonic() + ready_timeout
        while " ready." not in (log.read_text(errors="replace") if log.exists() else ""):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker {name} did not start:\n{worker.tail()}")
            time.sleep(0.1)
        try:
            yield worker
        except BaseException:
            print(f"--- worker {name} log ---\n{worker.tail()}")
            raise


# -- fixtures for report workers (imported by the test modules that start them) -------------

PROVIDER = "analyst"
HEARTBEAT_TIMEOUT = 5  # seconds without a heartbeat before a run counts as orphaned


@pytest.fixture
def report_env(tmp_path, monkeypatch, fake_ai):
    """Services, AI server and report settings in this process's environment (workers inherit)."""
    from tests.conftest import clear_caches

    use_schema_answers(fake_ai, PROVIDER)
    with market_services(tmp_path / "services") as service_env:
        values = {
            **service_env,
            **ai_env(fake_ai, PROVIDER),
            "REPORT_HEARTBEAT_TIMEOUT_SECONDS": str(HEARTBEAT_TIMEOUT),
            # Below the heartbeat timeout, as in production: a frozen worker's locks are gone
            # by the time its run is taken over.
            "DB_IDLE_TRANSACTION_TIMEOUT_SECONDS": str(HEARTBEAT_TIMEOUT - 2),
        }
        for key, value in values.items():
            monkeypatch.setenv(key, value)
        clear_caches()
        yield fake_ai


@pytest.fixture
def pg_stack(pg_db, redis_url, s3_env, report_env):
    """PostgreSQL + Redis (broker and bus) + S3: the production configuration."""
    from marketnav.settings import get_settings

    assert get_settings().uses_s3 and get_settings().redis_url
    return pg_db


# -- progress bus -------------------------------------------------------------------------


@dataclass
class ProgressRecorder:
    """Collects the events of one progress subject in a background thread."""

    subject: str
    events: list[dict[str, Any]] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from marketnav.services import progress

        async def main() -> None:
            self._stop = asyncio.Event()
            async for event in progress.subscribe(self.subject, stop=self._stop):
                with self._lock:
                    self.events.append(event)
                    self.arrivals.append(time.time())

        self._loop.run_until_complete(main())

    def start(self) -> ProgressRecorder:
        """Start listening; returns once a probe event went through (subscribed)."""
        from marketnav.services import progress

        self._thread.start()
        deadline = time.monotonic() + 15
        probe = 0
        while True:
            probe += 1
            progress.publish(self.subject, {"type": "probe", "n": probe})
            if wait_until(lambda: any(e.get("type") == "probe" for e in self.snapshot()), 0.5):
                return self
            if time.monotonic() > deadline:
                raise TimeoutError("the progress recorder never received its probe")

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.events)

    def for_run(self, run_id: int) -> list[dict[str, Any]]:
        return [
            e
            for e in self.snapshot()
            if e.get("type") == "report_progress" and e.get("run_id") == run_id
        ]

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)

    def __enter__(self) -> ProgressRecorder:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_until(condition: Callable[[], Any], timeout: float, interval: float = 0.05) -> Any:
    """The first truthy value of `condition()` within `timeout` seconds, else None."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)

"""The app on embedded defaults with both market-data services in threads, for benchmarks."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def embedded_stack(temp: Path) -> Iterator[None]:
    """Embedded defaults in `temp`, both services in threads, the app pointed at them."""
    from sqlmodel import SQLModel

    import marketnav.models  # noqa: F401 - every table
    from scraper_services.crunchbase.app import create_app as create_crunchbase
    from scraper_services.tracxn.app import create_app as create_tracxn
    from tests.conftest import ENV_KEYS, clear_caches
    from tests.scraper_fixtures import TOKEN, make_settings, serve_in_thread

    for key in ENV_KEYS:
        os.environ.pop(key, None)
    os.environ.update({"VAR_DIR": str(temp / "var"), "SCRAPER_SERVICE_TOKEN": TOKEN})
    settings = make_settings(temp / "services")
    # The benchmark is the services' only client: their per-caller limit (120 a minute) would
    # only measure how fast it is hit.
    limit = 100_000
    with (
        serve_in_thread(create_crunchbase(settings, rate_limit_per_minute=limit)) as crunchbase_url,
        serve_in_thread(create_tracxn(settings, rate_limit_per_minute=limit)) as tracxn_url,
    ):
        os.environ.update({"CRUNCHBASE_API_URL": crunchbase_url, "TRACXN_API_URL": tracxn_url})
        clear_caches()
        from marketnav.db import get_engine

        SQLModel.metadata.create_all(get_engine())
        yield


def run_report(name: str, inputs: dict, report_type: str) -> tuple[str, int]:
    """(status, run id) of one report run by the real runner for a new user's new project."""
    from marketnav.db import session_scope
    from marketnav.services import accounts, organizations, projects
    from marketnav.services.reports import runner, runs

    with session_scope() as db:
        email = f"{name}-{report_type}@bench.example"
        user = accounts.register(db, "Bench Mark", email, "bench password 1").user
        db.flush()
        org_id = organizations.list_for_user(db, user)[0][0].id
        project = projects.create(db, user, org_id, name)
        projects.save_inputs(db, user, project.id, inputs)
        db.flush()
        run_id = runs.start(db, user, project.id, report_type).id
    return runner.execute(run_id, "bench").status, run_id
